import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { dataSourceFromUri } from './data-source';

const HOME = '/srv/starling';

describe('dataSourceFromUri', () => {
  it('uses SQLite under the home when no uri is given or the uri is Tigase’s Derby default', () => {
    const expected = { kind: 'sqlite', file: '/srv/starling/var/starling.db' };
    assert.deepEqual(dataSourceFromUri(undefined, HOME), expected);
    assert.deepEqual(dataSourceFromUri('  ', HOME), expected);
    assert.deepEqual(dataSourceFromUri('jdbc:derby:tigasedb;create=true', HOME), expected);
  });

  it('maps sqlite: paths, relative to the home, with an optional synchronous mode', () => {
    assert.deepEqual(dataSourceFromUri('sqlite:data/x.db', HOME), { kind: 'sqlite', file: '/srv/starling/data/x.db' });
    assert.deepEqual(dataSourceFromUri('sqlite:/var/lib/x.db', HOME), { kind: 'sqlite', file: '/var/lib/x.db' });
    assert.deepEqual(dataSourceFromUri('sqlite:///var/lib/x.db', HOME), { kind: 'sqlite', file: '/var/lib/x.db' });
    assert.deepEqual(dataSourceFromUri('sqlite:x.db?synchronous=full', HOME), { kind: 'sqlite', file: '/srv/starling/x.db', synchronous: 'FULL' });
    assert.deepEqual(dataSourceFromUri('sqlite:my%20db.db', HOME), { kind: 'sqlite', file: '/srv/starling/my db.db' });
    assert.throws(() => dataSourceFromUri('sqlite:x.db?synchronous=OFF', HOME), { code: 'STARLING_STORAGE_URI' });
    assert.throws(() => dataSourceFromUri('sqlite:', HOME), { code: 'STARLING_STORAGE_URI' });
  });

  it('maps a Tigase JDBC PostgreSQL uri, moving user and password into the user info', () => {
    assert.deepEqual(dataSourceFromUri('jdbc:postgresql://db.local:5433/tigasedb?user=tigase&password=s3cr%40t&useSSL=false&autoCreateUser=true', HOME), {
      kind: 'postgres',
      uri: 'postgresql://tigase:s3cr%40t@db.local:5433/tigasedb',
    });
    assert.deepEqual(dataSourceFromUri('jdbc:postgresql://db.local/x?user=u&useSSL=true', HOME), {
      kind: 'postgres',
      uri: 'postgresql://u@db.local/x?sslmode=require',
    });
  });

  it('passes postgresql:// and postgres:// uris through', () => {
    assert.deepEqual(dataSourceFromUri('postgresql://u:p@127.0.0.1:5432/test', HOME), { kind: 'postgres', uri: 'postgresql://u:p@127.0.0.1:5432/test' });
    assert.deepEqual(dataSourceFromUri('postgres://h/db?application_name=starling', HOME), {
      kind: 'postgres',
      uri: 'postgres://h/db?application_name=starling',
    });
  });

  it('refuses other engines without echoing credentials', () => {
    assert.throws(
      () => dataSourceFromUri('jdbc:mysql://localhost/tigasedb?user=root&password=hunter2', HOME),
      (err: Error & { code?: string }) => err.code === 'STARLING_STORAGE_URI' && !err.message.includes('hunter2'),
    );
    assert.throws(() => dataSourceFromUri('mongodb://h/db', HOME), { code: 'STARLING_STORAGE_URI' });
  });
});
