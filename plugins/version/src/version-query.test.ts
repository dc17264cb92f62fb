import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { operatingSystem, versionQuery } from './version-query';

describe('XEP-0092 version query', () => {
  it('names the server and its version, without the OS unless asked', () => {
    assert.equal(
      versionQuery({ name: 'Starling', version: '0.1.0' }).toString(),
      '<query xmlns="jabber:iq:version"><name>Starling</name><version>0.1.0</version></query>',
    );
  });

  it('adds the OS when given', () => {
    const q = versionQuery({ name: 'Starling', version: '0.1.0' }, operatingSystem());
    assert.match(q.getChildText('os') ?? '', /^\w+-\w+-\S+, Node\.js-\d+\.\d+\.\d+$/);
  });
});
