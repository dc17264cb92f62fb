import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlainServerMechanism } from './plain';
import { deriveScramCredentials } from './scram-credentials';
import type { CredentialLookup, ScramCredential } from './mechanism';

const SECRET = Buffer.from('plain test secret');
let accounts: Record<string, ScramCredential[]>;
const lookups: string[] = [];

test.before(async () => {
  accounts = {
    juliet: await deriveScramCredentials('r0m30', 4096),
    oldtimer: (await deriveScramCredentials('sha1 only', 4096)).filter((c) => c.mechanism === 'SCRAM-SHA-1'),
    hyphen: await deriveScramCredentials('I\u00adX', 4096),
  };
});

function plain(lookup?: CredentialLookup): PlainServerMechanism {
  return new PlainServerMechanism({
    domain: 'example.com',
    serverSecret: SECRET,
    iterations: 4096,
    lookup:
      lookup ??
      (async (u) => {
        lookups.push(u);
        return accounts[u] ?? null;
      }),
  });
}

const msg = (authzid: string, authcid: string, password: string) => Buffer.from(`${authzid}\0${authcid}\0${password}`);

test('the right password succeeds, with the canonical localpart', async () => {
  assert.deepEqual(await plain().start(msg('', 'juliet', 'r0m30')), { success: null, username: 'juliet' });
  lookups.length = 0;
  assert.deepEqual(await plain().start(msg('', 'JuLiEt', 'r0m30')), { success: null, username: 'juliet' });
  assert.deepEqual(lookups, ['juliet']);
});

test('a SHA-1-only account is checked against its SCRAM-SHA-1 credential', async () => {
  assert.deepEqual(await plain().start(msg('', 'oldtimer', 'sha1 only')), { success: null, username: 'oldtimer' });
  assert.deepEqual(await plain().start(msg('', 'oldtimer', 'sha1 Only')), { failure: 'not-authorized' });
});

test('the password is SASLprepped', async () => {
  assert.deepEqual(await plain().start(msg('', 'hyphen', 'IX')), { success: null, username: 'hyphen' });
});

test('wrong password, unknown user, impossible username -> not-authorized', async () => {
  assert.deepEqual(await plain().start(msg('', 'juliet', 'r0m31')), { failure: 'not-authorized' });
  assert.deepEqual(await plain().start(msg('', 'nobody', 'r0m30')), { failure: 'not-authorized' });
  assert.deepEqual(await plain().start(msg('', 'no:body', 'r0m30')), { failure: 'not-authorized' });
  assert.deepEqual(await plain().start(msg('', 'juliet', '\u0007bell')), { failure: 'not-authorized' });
});

test('authzid: empty or the account bare JID', async () => {
  assert.deepEqual(await plain().start(msg('juliet@example.com', 'juliet', 'r0m30')), { success: null, username: 'juliet' });
  assert.deepEqual(await plain().start(msg('JULIET@EXAMPLE.COM', 'juliet', 'r0m30')), { success: null, username: 'juliet' });
  assert.deepEqual(await plain().start(msg('romeo@example.com', 'juliet', 'r0m30')), { failure: 'invalid-authzid' });
  assert.deepEqual(await plain().start(msg('juliet@example.com/r', 'juliet', 'r0m30')), { failure: 'invalid-authzid' });
  assert.deepEqual(await plain().start(msg('not a jid', 'juliet', 'r0m30')), { failure: 'invalid-authzid' });
  assert.deepEqual(await plain().start(msg('romeo@example.com', 'juliet', 'bad')), { failure: 'not-authorized' });
});

test('no initial response: empty challenge, then the response', async () => {
  const m = plain();
  const c = await m.start(null);
  assert.ok('challenge' in c && c.challenge.length === 0);
  assert.deepEqual(await m.step(msg('', 'juliet', 'r0m30')), { success: null, username: 'juliet' });
  const after = await m.step(msg('', 'juliet', 'r0m30'));
  assert.equal('failure' in after && after.failure, 'malformed-request');
});

test('malformed messages', async () => {
  for (const b of [Buffer.from(''), Buffer.from('juliet'), Buffer.from('\0juliet'), Buffer.from('\0juliet\0'), Buffer.from('\0\0pw'), Buffer.from('a\0b\0c\0d'), Buffer.from([0, 0x6a, 0xff, 0, 0x70]), msg('', 'x'.repeat(1024), 'pw')]) {
    const r = await plain().start(b);
    assert.equal('failure' in r && r.failure, 'malformed-request', JSON.stringify(b.toString()));
  }
});

test('a failing lookup is temporary-auth-failure', async () => {
  assert.deepEqual(await plain(() => Promise.reject(new Error('db'))).start(msg('', 'juliet', 'r0m30')), { failure: 'temporary-auth-failure' });
});
