import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { StarlingError } from '@starling/sdk';
import { ScramServerMechanism, type ScramServerOptions } from './scram';
import { deriveScramCredentials } from './scram-credentials';
import type { SaslResult, ScramCredential, ScramMechanismName } from './mechanism';

const SECRET = Buffer.from('a server secret for the tests');

function server(name: ScramMechanismName, accounts: Record<string, ScramCredential[]>, extra: Partial<ScramServerOptions> = {}): ScramServerMechanism {
  return new ScramServerMechanism(name, {
    domain: 'example.com',
    serverSecret: SECRET,
    iterations: 4096,
    lookup: async (u) => accounts[u] ?? null,
    ...extra,
  });
}

function challengeText(r: SaslResult): string {
  assert.ok('challenge' in r, `expected a challenge, got ${JSON.stringify(r)}`);
  return r.challenge.toString('utf8');
}

// --- RFC test vectors ------------------------------------------------------------------------------

test('RFC 5802 §5 SCRAM-SHA-1 example', async () => {
  const creds = await deriveScramCredentials('pencil', 4096, Buffer.from('QSXCR+Q6sek8bf92', 'base64'));
  const mech = server('SCRAM-SHA-1', { user: creds }, { nonce: () => '3rfcNHYJY1ZVvWVs7j' });
  const first = await mech.start(Buffer.from('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL'));
  assert.equal(challengeText(first), 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096');
  const final = await mech.step(Buffer.from('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts='));
  assert.deepEqual(final, { success: Buffer.from('v=rmF9pqV8S7suAoZWja4dJRkFsKQ='), username: 'user' });
});

test('RFC 7677 §3 SCRAM-SHA-256 example', async () => {
  const creds = await deriveScramCredentials('pencil', 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
  const mech = server('SCRAM-SHA-256', { user: creds }, { nonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' });
  const first = await mech.start(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
  assert.equal(challengeText(first), 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
  const final = await mech.step(Buffer.from('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='));
  assert.deepEqual(final, { success: Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='), username: 'user' });
});

test('a wrong proof on the RFC 5802 exchange fails with not-authorized', async () => {
  const creds = await deriveScramCredentials('pencil', 4096, Buffer.from('QSXCR+Q6sek8bf92', 'base64'));
  const mech = server('SCRAM-SHA-1', { user: creds }, { nonce: () => '3rfcNHYJY1ZVvWVs7j' });
  await mech.start(Buffer.from('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL'));
  const final = await mech.step(Buffer.from('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=w0X8v3Bz2T0CJGbJQyF0X+HI4Ts='));
  assert.deepEqual(final, { failure: 'not-authorized' });
});

// --- a client written from RFC 5802 ----------------------------------------------------------------

interface ClientOptions {
  gs2?: string;
  clientNonce?: string;
  /** Rewrites client-final-message-without-proof before the proof is computed. */
  tamperFinal?: (withoutProof: string) => string;
  initialResponse?: boolean;
}

async function scramClient(mech: ScramServerMechanism, user: string, password: string, o: ClientOptions = {}): Promise<SaslResult> {
  const digest = mech.name === 'SCRAM-SHA-1' ? 'sha1' : 'sha256';
  const H = (b: Buffer) => createHash(digest).update(b).digest();
  const HMAC = (k: Buffer, s: string) => createHmac(digest, k).update(s).digest();
  const gs2 = o.gs2 ?? 'n,,';
  const cnonce = o.clientNonce ?? randomBytes(12).toString('base64');
  const bare = `n=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${cnonce}`;
  const clientFirst = Buffer.from(gs2 + bare);
  let r: SaslResult;
  if (o.initialResponse === false) {
    assert.equal(challengeText(await mech.start(null)), '');
    r = await mech.step(clientFirst);
  } else r = await mech.start(clientFirst);
  if (!('challenge' in r)) return r;
  const serverFirst = r.challenge.toString();
  const attrs = Object.fromEntries(serverFirst.split(',').map((f) => [f[0], f.slice(2)]));
  assert.ok(attrs.r.startsWith(cnonce) && attrs.r.length > cnonce.length);
  const salted = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(attrs.s, 'base64'), Number(attrs.i), digest === 'sha1' ? 20 : 32, digest);
  const clientKey = HMAC(salted, 'Client Key');
  let withoutProof = `c=${Buffer.from(gs2).toString('base64')},r=${attrs.r}`;
  if (o.tamperFinal) withoutProof = o.tamperFinal(withoutProof);
  const authMessage = `${bare},${serverFirst},${withoutProof}`;
  const sig = HMAC(H(clientKey), authMessage);
  const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]));
  const final = await mech.step(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`));
  if ('success' in final) {
    const expected = 'v=' + HMAC(HMAC(salted, 'Server Key'), authMessage).toString('base64');
    assert.equal(final.success?.toString(), expected, 'server signature');
  }
  return final;
}

const ITER = 4096;
let accounts: Record<string, ScramCredential[]>;
test.before(async () => {
  accounts = {
    juliet: await deriveScramCredentials('r0m30 & more', ITER),
    élodie: await deriveScramCredentials('pass\u00e9', ITER),
    'a,b=c': await deriveScramCredentials('commas', ITER),
    oldtimer: (await deriveScramCredentials('sha1 only', ITER)).filter((c) => c.mechanism === 'SCRAM-SHA-1'),
  };
});

for (const name of ['SCRAM-SHA-1', 'SCRAM-SHA-256'] as const) {
  test(`${name}: full exchange with the right password`, async () => {
    const r = await scramClient(server(name, accounts), 'juliet', 'r0m30 & more');
    assert.ok('success' in r && r.success !== null, 'success with the server signature (checked by the client)');
    assert.equal(r.username, 'juliet');
  });

  test(`${name}: no initial response gets an empty challenge first`, async () => {
    const r = await scramClient(server(name, accounts), 'juliet', 'r0m30 & more', { initialResponse: false });
    assert.equal('success' in r && r.username, 'juliet');
  });

  test(`${name}: wrong password -> not-authorized`, async () => {
    assert.deepEqual(await scramClient(server(name, accounts), 'juliet', 'wrong'), { failure: 'not-authorized' });
  });

  test(`${name}: the username is SASLprepped and case-folded to the account localpart`, async () => {
    const r = await scramClient(server(name, accounts), 'JULIET', 'r0m30 & more');
    assert.equal('success' in r && r.username, 'juliet');
    const r2 = await scramClient(server(name, accounts), 'E\u0301LODIE', 'pass\u00e9');
    assert.equal('success' in r2 && r2.username, 'élodie');
  });

  test(`${name}: "," and "=" in a username are escaped as =2C and =3D`, async () => {
    const mech = server(name, accounts);
    const r = await scramClient(mech, 'a,b=c', 'commas');
    assert.equal('success' in r && r.username, 'a,b=c');
  });

  test(`${name}: the password is SASLprepped (soft hyphen is mapped to nothing)`, async () => {
    const accts = { u: await deriveScramCredentials('I\u00adX', ITER) };
    const r = await scramClient(server(name, accts), 'u', 'IX');
    assert.equal('success' in r && r.username, 'u');
  });

  test(`${name}: gs2 flag "y" is accepted, "p=" is refused`, async () => {
    const y = await scramClient(server(name, accounts), 'juliet', 'r0m30 & more', { gs2: 'y,,' });
    assert.ok('success' in y);
    const p = await server(name, accounts).start(Buffer.from('p=tls-exporter,,n=juliet,r=abc'));
    assert.equal('failure' in p && p.failure, 'malformed-request');
    assert.match('failure' in p ? (p.text ?? '') : '', /channel binding/);
  });

  test(`${name}: authzid must be the account's bare JID`, async () => {
    const ok = await scramClient(server(name, accounts), 'juliet', 'r0m30 & more', { gs2: 'n,a=Juliet@Example.COM,' });
    assert.ok('success' in ok);
    const other = await scramClient(server(name, accounts), 'juliet', 'r0m30 & more', { gs2: 'n,a=romeo@example.com,' });
    assert.deepEqual(other, { failure: 'invalid-authzid' });
    const full = await scramClient(server(name, accounts), 'juliet', 'r0m30 & more', { gs2: 'n,a=juliet@example.com/res,' });
    assert.deepEqual(full, { failure: 'invalid-authzid' });
    // a wrong password is not-authorized whatever the authzid
    const bad = await scramClient(server(name, accounts), 'juliet', 'nope', { gs2: 'n,a=romeo@example.com,' });
    assert.deepEqual(bad, { failure: 'not-authorized' });
  });

  test(`${name}: unknown users get a stable fake salt and fail only at the end`, async () => {
    const c1 = challengeText(await server(name, accounts).start(Buffer.from('n,,n=nobody,r=abc')));
    const c2 = challengeText(await server(name, accounts).start(Buffer.from('n,,n=nobody,r=abc')));
    const salt = (c: string) => c.split(',')[1];
    assert.equal(salt(c1), salt(c2));
    assert.equal(Buffer.from(salt(c1).slice(2), 'base64').length, 16);
    assert.match(c1, /,i=4096$/);
    const other = challengeText(await server(name, accounts).start(Buffer.from('n,,n=somebody,r=abc')));
    assert.notEqual(salt(other), salt(c1));
    assert.deepEqual(await scramClient(server(name, accounts), 'nobody', 'whatever'), { failure: 'not-authorized' });
    // a name that cannot be a localpart at all takes the same path
    assert.deepEqual(await scramClient(server(name, accounts), 'no body', 'whatever'), { failure: 'not-authorized' });
  });

  test(`${name}: tampering with the final message is refused`, async () => {
    const cb = await scramClient(server(name, accounts), 'juliet', 'r0m30 & more', { tamperFinal: (s) => s.replace(/^c=[^,]*/, 'c=eSws') });
    assert.equal('failure' in cb && cb.failure, 'malformed-request');
    const nonce = await scramClient(server(name, accounts), 'juliet', 'r0m30 & more', { tamperFinal: (s) => s + 'x' });
    assert.equal('failure' in nonce && nonce.failure, 'malformed-request');
    const ext = await scramClient(server(name, accounts), 'juliet', 'r0m30 & more', { tamperFinal: (s) => s + ',x=ext' });
    assert.ok('success' in ext, 'extensions before the proof are covered by the signature and allowed');
  });

  test(`${name}: malformed client-first messages`, async () => {
    for (const m of ['', 'x,,n=a,r=b', 'n,n=a,r=b', 'n,,r=b,n=a', 'n,,n=,r=b', 'n,,n=a,r=', 'n,,n=a=41,r=b', 'n,,m=ext,n=a,r=b', 'n,x=1,n=a,r=b', 'n,,n=a,r=b c', 'n,,n=a,r=b,1']) {
      const r = await server(name, accounts).start(Buffer.from(m));
      assert.equal('failure' in r && r.failure, 'malformed-request', JSON.stringify(m));
    }
    const notUtf8 = await server(name, accounts).start(Buffer.from([0x6e, 0x2c, 0x2c, 0x6e, 0x3d, 0xff, 0x2c, 0x72, 0x3d, 0x61]));
    assert.equal('failure' in notUtf8 && notUtf8.failure, 'malformed-request');
  });

  test(`${name}: malformed client-final messages`, async () => {
    for (const m of ['', 'c=biws', 'r=x,c=biws,p=AAAA', 'c=biws,r=abcSRV,p=!!!!', 'c=biws,r=abcSRV,p=AAB=', 'c=bi,r=abcSRV,p=AAAA']) {
      const mech = server(name, accounts, { nonce: () => 'SRV' });
      challengeText(await mech.start(Buffer.from('n,,n=juliet,r=abc')));
      const r = await mech.step(Buffer.from(m));
      assert.equal('failure' in r && r.failure, 'malformed-request', JSON.stringify(m));
    }
    const mech = server(name, accounts, { nonce: () => 'SRV' });
    await mech.start(Buffer.from('n,,n=juliet,r=abc'));
    assert.deepEqual(await mech.step(Buffer.from('c=biws,r=abcSRV,p=AAAA')), { failure: 'not-authorized' }); // short proof
  });

  test(`${name}: the exchange cannot be continued after it ended`, async () => {
    const mech = server(name, accounts);
    await scramClient(mech, 'juliet', 'r0m30 & more');
    const again = await mech.step(Buffer.from('c=biws'));
    assert.equal('failure' in again && again.failure, 'malformed-request');
    const restart = await mech.start(Buffer.from('n,,n=juliet,r=abc'));
    assert.equal('failure' in restart && restart.failure, 'malformed-request');
  });

  test(`${name}: a failing credential lookup is temporary-auth-failure`, async () => {
    const mech = new ScramServerMechanism(name, { domain: 'example.com', serverSecret: SECRET, iterations: ITER, lookup: () => Promise.reject(new Error('db down')) });
    assert.deepEqual(await mech.start(Buffer.from('n,,n=juliet,r=abc')), { failure: 'temporary-auth-failure' });
  });
}

test('an account without a credential for the mechanism cannot use it', async () => {
  assert.ok('success' in (await scramClient(server('SCRAM-SHA-1', accounts), 'oldtimer', 'sha1 only')));
  assert.deepEqual(await scramClient(server('SCRAM-SHA-256', accounts), 'oldtimer', 'sha1 only'), { failure: 'not-authorized' });
});

test('the server nonce is random by default', async () => {
  const a = challengeText(await server('SCRAM-SHA-256', accounts).start(Buffer.from('n,,n=juliet,r=abc')));
  const b = challengeText(await server('SCRAM-SHA-256', accounts).start(Buffer.from('n,,n=juliet,r=abc')));
  assert.notEqual(a.split(',')[0], b.split(',')[0]);
  assert.ok(a.split(',')[0].length >= 'r=abc'.length + 24);
});

// --- deriveScramCredentials --------------------------------------------------------------------------

test('deriveScramCredentials returns SHA-1 and SHA-256 credentials sharing a random 16-byte salt', async () => {
  const creds = await deriveScramCredentials('secret', 4096);
  assert.deepEqual(creds.map((c) => c.mechanism).sort(), ['SCRAM-SHA-1', 'SCRAM-SHA-256']);
  assert.equal(creds[0].salt, creds[1].salt);
  assert.equal(Buffer.from(creds[0].salt, 'base64').length, 16);
  const again = await deriveScramCredentials('secret', 4096);
  assert.notEqual(again[0].salt, creds[0].salt);
  for (const c of creds) {
    assert.equal(c.iterations, 4096);
    const len = c.mechanism === 'SCRAM-SHA-1' ? 20 : 32;
    assert.equal(Buffer.from(c.storedKey, 'base64').length, len);
    assert.equal(Buffer.from(c.serverKey, 'base64').length, len);
  }
});

test('deriveScramCredentials rejects bad iteration counts and passwords SASLprep prohibits', async () => {
  for (const i of [0, -1, 1.5, NaN, 1e9]) {
    await assert.rejects(deriveScramCredentials('x', i), (e: unknown) => e instanceof StarlingError && e.code === 'STARLING_SASL_ITERATIONS');
  }
  for (const p of ['', '\u0007bell', '\u00ad']) {
    await assert.rejects(deriveScramCredentials(p, 4096), (e: unknown) => e instanceof StarlingError && e.code === 'STARLING_SASL_PASSWORD', JSON.stringify(p));
  }
});
