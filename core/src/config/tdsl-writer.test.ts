import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from './errors';
import { maskValue, obfuscateUriPasswords } from './mask';
import { bool, ConfigBean, double, float, int, list, long, NULL, sameConfig, str } from './model';
import { parseTdsl } from './tdsl-parser';
import { writeTdsl } from './tdsl-writer';

const RICH = `
--cluster-mode = true
--debug = 'server,xmpp.impl'
'--virt-hosts' = 'a.com, b.com'
admins = [ 'admin@localhost', "o'brien@localhost" ]
'default-virtual-host' = 'localhost'
quote = 'a' + "'" + 'b"c'
nums = [ 1, 2L, 1.5, 2.5f, 1.0E21 ]
big = [ 'a', 'b', 'c', 'd', 'e', 'f' ]
mixed = [ true, null, [ 1, [ 2 ] ] ]
empty = []
nothing = null
'watchdog-timeout' = 5 * 60 * 1000
neg = -2147483648
ratio = 0.1f
authRepository {}
userRepository () {}
dataSource {
    default () {
        uri = 'jdbc:postgresql://db/starling?user=starling&password=s3cret'
    }
}
'sess-man' (class: tigase.server.xmppsession.SessionManager, active: true, exportable: false) {
    'jabber:iq:last-marker' (active: true) {
        'jabber:iq:last' (active: true) {}
        message = true
    }
    amp () {
        msgoffline (active: false) {}
        'store-limit' = 200L
    }
    commands {
        'cmd-id' = [ 'LOCAL' ]
    }
}
c2s {
    connections {
        5223 { socket = 'ssl' }
        ports = [ 5222, 5223 ]
    }
}
logging { java.util.logging.FileHandler { count = '15' } }
x (class: 'a.b.C$D') {}
`;

describe('TDSL writer', () => {
  it('round-trips: parse → write → parse gives an equal tree, and writing again is stable', () => {
    const first = parseTdsl(RICH, 'rich.tdsl');
    const text = writeTdsl(first, { mask: false });
    const second = parseTdsl(text, 'written.tdsl');
    assert.ok(sameConfig(first, second), text);
    assert.equal(writeTdsl(second, { mask: false }), text);
  });

  it('writes like Tigase: --keys first and verbatim, values before blocks, storage first, sorted, 4-space indent', () => {
    const text = writeTdsl(parseTdsl(RICH, 'rich.tdsl'), { mask: false });
    const expected = `--cluster-mode = true
--debug = 'server,xmpp.impl'
--virt-hosts = 'a.com, b.com'
admins = [ 'admin@localhost', "o'brien@localhost" ]
big = [
    'a',
    'b',
    'c',
    'd',
    'e',
    'f'
]
'default-virtual-host' = 'localhost'
empty = []
mixed = [
    true,
    null,
    [
        1,
        [ 2 ]
    ]
]
neg = -2147483648
nothing = null
nums = [ 1, 2L, 1.5, 2.5f, 1.0E21 ]
quote = 'a' + "'" + 'b"c'
ratio = 0.1f
'watchdog-timeout' = 300000
dataSource {
    default () {
        uri = 'jdbc:postgresql://db/starling?user=starling&password=s3cret'
    }
}
userRepository () {}
authRepository {}
c2s {
    connections {
        ports = [ 5222, 5223 ]
        5223 {
            socket = 'ssl'
        }
    }
}
logging {
    'java.util.logging.FileHandler' {
        count = '15'
    }
}
'sess-man' (class: tigase.server.xmppsession.SessionManager, active: true, exportable: false) {
    amp () {
        'store-limit' = 200L
        msgoffline (active: false) {}
    }
    commands {
        'cmd-id' = [ 'LOCAL' ]
    }
    'jabber:iq:last-marker' (active: true) {
        message = true
        'jabber:iq:last' (active: true) {}
    }
}
x (class: a.b.C$D) {}
`;
    assert.equal(text, expected);
  });

  it('writes a bare --key value only when it reads back as the same string', () => {
    const root = new ConfigBean('').set('--a', str('plain.word')).set('--b', str('true')).set('--c', int(5)).set('--d', str('two words'));
    const text = writeTdsl(root, { mask: false });
    assert.equal(text, "--a = plain.word\n--b = 'true'\n--c = 5\n--d = 'two words'\n");
    assert.ok(sameConfig(root, parseTdsl(text, 'w')));
  });

  it('writes numbers with their kind', () => {
    const root = new ConfigBean('').set('i', int(7)).set('l', long(7)).set('d', double(7)).set('f', float(0.25)).set('n', NULL).set('s', double(1.5e-7)).set('b', bool(false));
    assert.equal(writeTdsl(root), 'b = false\nd = 7.0\nf = 0.25f\ni = 7\nl = 7L\nn = null\ns = 1.5E-7\n');
    assert.ok(sameConfig(root, parseTdsl(writeTdsl(root), 'w')));
  });

  it('refuses what TDSL cannot express', () => {
    assert.throws(() => writeTdsl(new ConfigBean('').set('x', double(Infinity))), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.code, 'STARLING_CONFIG_UNWRITABLE');
      return true;
    });
    assert.throws(() => writeTdsl(new ConfigBean('').set(`a'b"c`, int(1))), { code: 'STARLING_CONFIG_UNWRITABLE' });
  });

  it('quotes keys only when needed', () => {
    const root = new ConfigBean('')
      .set('plain_Key1', int(1))
      .set('5290', int(2))
      .set('with-dash', int(3))
      .set('jabber:iq:last', int(4))
      .set("it's", int(5))
      .setBean(new ConfigBean('--not-top').set('--nested', int(6)));
    const text = writeTdsl(root);
    assert.equal(text, `'--not-top' {\n    '--nested' = 6\n}\n5290 = 2\n"it's" = 5\n'jabber:iq:last' = 4\nplain_Key1 = 1\n'with-dash' = 3\n`);
    assert.ok(sameConfig(root, parseTdsl(text, 'w')));
  });
});

describe('TDSL writer: masking', () => {
  it('masks secret keys and URI passwords by default', () => {
    const root = parseTdsl(
      `
'cluster-nodes' = [ 'serv1.xmpp-test.org:domainpass:5600', 'serv2.xmpp-test.org', 'serv3:5601', 'serv4:pw' ]
dataSource {
    default () {
        uri = 'jdbc:postgresql://db/starling?user=starling&password=s3cret'
    }
    other () {
        uri = 'postgresql://starling:pw0rd@db:5432/starling'
        'db-password' = 'hunter2'
        clientSecret = [ 'a', 'b' ]
        passwd = null
        'pass-list' = 5
    }
}
'sess-man' { 'redis-uri' = 'redis://:onlypw@localhost:6379/0' }
ext () { 'comp-items' = [ 'help.localhost:compsecret', 'muc.localhost:mucpw:listen:5271' ] }
`,
      'm',
    );
    const text = writeTdsl(root);
    assert.doesNotMatch(text, /s3cret|pw0rd|hunter2|domainpass|onlypw|serv4:pw|compsecret|mucpw/);
    assert.match(text, /'comp-items' = \[ 'help\.localhost:\*\*\*\*\*', 'muc\.localhost:\*\*\*\*\*:listen:5271' \]/);
    assert.match(text, /uri = 'jdbc:postgresql:\/\/db\/starling\?user=starling&password=\*\*\*\*\*'/);
    assert.match(text, /uri = 'postgresql:\/\/starling:\*\*\*\*\*@db:5432\/starling'/);
    assert.match(text, /'db-password' = '\*\*\*\*\*'/);
    assert.match(text, /clientSecret = '\*\*\*\*\*'/);
    assert.match(text, /passwd = null/);
    assert.match(text, /'pass-list' = '\*\*\*\*\*'/);
    assert.match(text, /'cluster-nodes' = \[ 'serv1\.xmpp-test\.org:\*\*\*\*\*:5600', 'serv2\.xmpp-test\.org', 'serv3:5601', 'serv4:\*\*\*\*\*' \]/);
    assert.match(text, /'redis-uri' = 'redis:\/\/:\*\*\*\*\*@localhost:6379\/0'/);
    const unmasked = writeTdsl(root, { mask: false });
    assert.match(unmasked, /s3cret/);
    assert.ok(sameConfig(root, parseTdsl(unmasked, 'w')));
  });

  it('obfuscates URI passwords inside any string', () => {
    assert.equal(obfuscateUriPasswords('jdbc:mysql://h/db?user=x;password=y;ssl=true'), 'jdbc:mysql://h/db?user=x;password=*****;ssl=true');
    assert.equal(obfuscateUriPasswords('jdbc:derby:tigasedb;create=true'), 'jdbc:derby:tigasedb;create=true');
    assert.equal(obfuscateUriPasswords('mongodb://u:p@ss@h1/db'), 'mongodb://u:*****@h1/db');
    assert.equal(obfuscateUriPasswords('see http://example.com:8080/x and https://u:v@h'), 'see http://example.com:8080/x and https://u:*****@h');
    assert.equal(obfuscateUriPasswords('?PWD=abc&x=1'), '?PWD=*****&x=1');
  });

  it('masks inside lists and leaves non-strings alone', () => {
    assert.deepEqual(maskValue('uris', list([str('postgresql://a:b@h'), int(1)])), list([str('postgresql://a:*****@h'), int(1)]));
    assert.deepEqual(maskValue('port', int(5222)), int(5222));
  });
});
