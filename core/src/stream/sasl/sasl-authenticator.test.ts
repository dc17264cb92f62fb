import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredCredential, UserRepository } from '@starling/sdk';
import { SaslAuthenticator } from './sasl-authenticator';
import { deriveScramCredentials } from './scram-credentials';

function repo(accounts: Map<string, StoredCredential[]>, disabled: Set<string>): UserRepository {
  const no = () => Promise.reject(new Error('not used'));
  return {
    exists: async (jid) => accounts.has(jid),
    create: no,
    remove: no,
    getAccount: async (jid) => {
      const credentials = accounts.get(jid);
      return credentials ? { credentials, disabled: disabled.has(jid) } : null;
    },
    setCredentials: no,
    setDisabled: no,
    list: no,
    count: no,
  };
}

test('offers SCRAM everywhere and PLAIN only on encrypted streams unless allowed', () => {
  const auth = new SaslAuthenticator(repo(new Map(), new Set()));
  assert.deepEqual(auth.mechanisms(false), ['SCRAM-SHA-256', 'SCRAM-SHA-1']);
  assert.deepEqual(auth.mechanisms(true), ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN']);
  assert.equal(auth.create('PLAIN', 'example.com', false), undefined);
  assert.equal(auth.create('DIGEST-MD5', 'example.com', true), undefined);
  assert.equal(auth.create('PLAIN', 'example.com', true)?.name, 'PLAIN');
  assert.equal(auth.create('SCRAM-SHA-1', 'example.com', false)?.name, 'SCRAM-SHA-1');
  const lax = new SaslAuthenticator(repo(new Map(), new Set()), { allowPlainWithoutTls: true });
  assert.deepEqual(lax.mechanisms(false), ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN']);
});

test('looks accounts up as bare JIDs of the stream domain; disabled accounts get account-disabled', async () => {
  const creds = await deriveScramCredentials('pw', 4096);
  const accounts = new Map([
    ['juliet@a.example', creds],
    ['romeo@a.example', creds],
  ]);
  const auth = new SaslAuthenticator(repo(accounts, new Set(['romeo@a.example'])));
  const login = (user: string, domain: string) => auth.create('PLAIN', domain, true)!.start(Buffer.from(`\0${user}\0pw`));
  assert.deepEqual(await login('juliet', 'a.example'), { success: null, username: 'juliet' });
  assert.deepEqual(await login('juliet', 'b.example'), { failure: 'not-authorized' });
  assert.deepEqual(await login('romeo', 'a.example'), { failure: 'account-disabled' });
});

test('a login reads the account once: credentials and the disabled flag together', async () => {
  const creds = await deriveScramCredentials('pw', 4096);
  const reads: string[] = [];
  const users = repo(new Map([['juliet@a.example', creds]]), new Set(['juliet@a.example']));
  const getAccount = users.getAccount.bind(users);
  users.getAccount = (jid) => {
    reads.push(jid);
    return getAccount(jid);
  };
  const auth = new SaslAuthenticator(users);
  assert.deepEqual(await auth.create('PLAIN', 'a.example', true)!.start(Buffer.from('\0juliet\0pw')), { failure: 'account-disabled' });
  assert.deepEqual(await auth.create('PLAIN', 'a.example', true)!.start(Buffer.from('\0juliet\0wrong')), { failure: 'not-authorized' });
  assert.deepEqual(reads, ['juliet@a.example', 'juliet@a.example']);
});

test('unknown users see the configured iteration count and a salt stable across instances with the same secret', async () => {
  const secret = Buffer.alloc(32, 7);
  const first = async () => {
    const auth = new SaslAuthenticator(repo(new Map(), new Set()), { iterations: 10000, serverSecret: secret });
    const r = await auth.create('SCRAM-SHA-256', 'a.example', false)!.start(Buffer.from('n,,n=ghost,r=abc'));
    assert.ok('challenge' in r);
    return r.challenge.toString().split(',').slice(1).join(',');
  };
  const a = await first();
  assert.match(a, /,i=10000$/);
  assert.equal(await first(), a);
});
