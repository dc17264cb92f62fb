import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  NS_STANZAS,
  type TestClient,
  backends,
  type TestServer,
  chapterSnippet,
  collect,
  condition,
  goOnline,
  isError,
  isMessage,
  jid,
  login,
  sendChats,
  startServer,
  sync,
  xml,
} from './offline-support';

const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const NS_AMP = 'http://jabber.org/protocol/amp';

const limitIq = (type: 'get' | 'set', limit?: string) => xml('iq', { type }, xml('msgoffline', { xmlns: 'msgoffline', limit }));
const stanzaError = async (p: Promise<unknown>): Promise<{ condition?: string; text?: string; type?: string }> => {
  try {
    await p;
  } catch (err) {
    const e = err as { condition?: string; text?: string; type?: string };
    return { condition: e.condition, text: e.text || undefined, type: e.type };
  }
  throw new Error('expected an IQ error');
};

/** Delivers what is stored for `user`, logs out again, and returns the ids in order. */
async function drain(server: TestServer, user: string, n: number): Promise<string[]> {
  const c = await login(server, user, 'drain');
  try {
    await goOnline(c);
    return (await collect(c, isMessage, n, `stored message for ${user}`)).map((m) => m.attrs.id);
  } finally {
    await c.stop();
  }
}

for (const backend of backends()) {
  describe(`offline limits: 'store-limit' per (recipient, sender) pair (${backend.name})`, () => {
    let server: TestServer;
    const clients: TestClient[] = [];
    before(async () => {
      server = await startServer(`${await backend.config()}'sess-man' {\n    amp () {\n        'store-limit' = 3L\n    }\n}`, ['alice', 'bob', 'carol']);
    });
    after(async () => {
      for (const c of clients) await c.stop();
      await server.dispose();
      await backend.dispose();
    });

    it('limit 3: three are stored, the rest come back as service-unavailable errors with the original payload', async () => {
      const alice = await login(server, 'alice', 'desk', clients);
      await sendChats(alice, jid('bob'), 10);
      const errors = alice.inbox.filter(isError());
      assert.deepEqual(
        errors.map((e) => e.attrs.id),
        ['m4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10'],
      );
      for (const e of errors) {
        assert.equal(e.attrs.from, jid('bob'));
        assert.equal(e.getChildText('body'), `m ${e.attrs.id.slice(1)}`, 'the original payload comes back');
        const err = e.getChild('error')!;
        assert.deepEqual([err.attrs.type, err.attrs.code], ['cancel', '503']);
        assert.equal(condition(e), 'service-unavailable');
        assert.equal(err.getChildText('text', NS_STANZAS), 'Offline messages queue is full');
      }
      const carol = await login(server, 'carol', 'desk', clients);
      await sendChats(carol, jid('bob'), 2, 'c');
      assert.equal(carol.inbox.filter(isError()).length, 0, 'another sender has its own quota');
      assert.deepEqual(await drain(server, 'bob', 5), ['m1', 'm2', 'm3', 'c1', 'c2']);
    });

    it('a limit a user sets counts only while user limits are enabled', async () => {
      const bob = await login(server, 'bob', 'set', clients);
      const r = await bob.iq(limitIq('set', '10'));
      assert.equal(r.getChild('msgoffline', 'msgoffline')?.attrs.limit, '10');
      await bob.stop();
      const carol = await login(server, 'carol', 'desk2', clients);
      await sendChats(carol, jid('bob'), 5, 'u');
      assert.equal(carol.inbox.filter(isError()).length, 2, 'the server limit (3) still applies');
    });
  });
}

describe("the chapter's 'store-limit' = 200L (amp {} and 'sess-man' { amp () {} })", () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  before(async () => {
    server = await startServer(chapterSnippet('02-store-limit'), ['alice', 'bob']);
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('stores 200 from one sender and bounces the 201st', async () => {
    const alice = await login(server, 'alice', 'desk', clients);
    await sendChats(alice, jid('bob'), 201);
    assert.deepEqual(
      alice.inbox.filter(isError()).map((e) => e.attrs.id),
      ['m201'],
    );
    const ids = await drain(server, 'bob', 200);
    assert.equal(ids.length, 200);
    assert.equal(ids[199], 'm200');
  });
});

describe("the chapter's user limits ('user-store-limit-enable' = true) and the msgoffline IQ", () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  before(async () => {
    server = await startServer(chapterSnippet('03-user-store-limit-enable'), ['alice', 'bob', 'carol', 'dave', 'erin']);
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('the chapter’s examples: limit="10" and limit="false" are echoed in the result; get reads the value back', async () => {
    const bob = await login(server, 'bob', 'phone', clients);
    assert.equal((await bob.iq(limitIq('get'))).getChild('msgoffline', 'msgoffline')?.attrs.limit, 'false', 'nothing set yet');
    const set = await bob.iq(xml('iq', { type: 'set', id: 'aabba' }, xml('msgoffline', { xmlns: 'msgoffline', limit: '10' })));
    assert.equal(set.attrs.type, 'result');
    assert.equal(set.attrs.id, 'aabba');
    assert.equal(set.getChild('msgoffline', 'msgoffline')?.attrs.limit, '10');
    assert.equal((await bob.iq(limitIq('get'))).getChild('msgoffline', 'msgoffline')?.attrs.limit, '10');
    const off = await bob.iq(xml('iq', { type: 'set', id: 'aabbb' }, xml('msgoffline', { xmlns: 'msgoffline', limit: 'false' })));
    assert.equal(off.getChild('msgoffline', 'msgoffline')?.attrs.limit, 'false');
    assert.equal((await bob.iq(limitIq('get'))).getChild('msgoffline', 'msgoffline')?.attrs.limit, 'false');
  });

  it('a user limit of 3 stores three and bounces the rest; 5 stores five', async () => {
    const bob = await login(server, 'bob', 'set3', clients);
    await bob.iq(limitIq('set', '3'));
    await bob.stop();
    const carol = await login(server, 'carol', 'set5', clients);
    await carol.iq(limitIq('set', '5'));
    await carol.stop();
    const alice = await login(server, 'alice', 'desk', clients);
    await sendChats(alice, jid('bob'), 10, 'b');
    await sendChats(alice, jid('carol'), 10, 'c');
    const bounced = alice.inbox.filter(isError());
    assert.equal(bounced.filter((e) => e.attrs.id.startsWith('b')).length, 7);
    assert.equal(bounced.filter((e) => e.attrs.id.startsWith('c')).length, 5);
    assert.ok(bounced.every((e) => condition(e) === 'service-unavailable'));
    assert.equal((await drain(server, 'bob', 3)).length, 3);
    assert.equal((await drain(server, 'carol', 5)).length, 5);
  });

  it('a user limit of 0 refuses everything; limit 3 then "false" brings the server default back (all 10 stored)', async () => {
    const dave = await login(server, 'dave', 'set0', clients);
    await dave.iq(limitIq('set', '0'));
    await dave.stop();
    const erin = await login(server, 'erin', 'set', clients);
    await erin.iq(limitIq('set', '3'));
    await erin.iq(limitIq('set', 'false'));
    await erin.stop();
    const alice = await login(server, 'alice', 'desk2', clients);
    await sendChats(alice, jid('dave'), 4, 'd');
    await sendChats(alice, jid('erin'), 10, 'e');
    const bounced = alice.inbox.filter(isError()).map((e) => e.attrs.id);
    assert.deepEqual(bounced, ['d1', 'd2', 'd3', 'd4']);
    assert.equal((await drain(server, 'erin', 10)).length, 10);
  });

  it('errors: someone else’s storage is not-authorized; a missing or non-numeric limit is bad-request', async () => {
    const alice = await login(server, 'alice', 'probe', clients);
    const foreign = await stanzaError(alice.iq(xml('iq', { type: 'get', to: jid('bob') }, xml('msgoffline', { xmlns: 'msgoffline' }))));
    assert.deepEqual(foreign, { condition: 'not-authorized', text: 'You are not authorized to access this private storage.', type: 'auth' });
    for (const limit of [undefined, 'plenty']) {
      const bad = await stanzaError(alice.iq(limitIq('set', limit)));
      assert.deepEqual(bad, { condition: 'bad-request', text: 'Value of limit attribute is incorrect', type: 'modify' });
    }
  });
});

describe("the chapter's 'quota-exceeded' = 'drop'", () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  before(async () => {
    server = await startServer(chapterSnippet('04-quota-exceeded'), ['alice', 'bob']);
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('past the default limit of 100, messages are dropped without a word to the sender', async () => {
    const alice = await login(server, 'alice', 'desk', clients);
    await sendChats(alice, jid('bob'), 103);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(alice.inbox.filter(isError()).length, 0);
    const ids = await drain(server, 'bob', 100);
    assert.equal(ids.length, 100);
    assert.equal(ids[99], 'm100');
  });
});

describe("the chapter's 'Disabling Offline Messages': amp () { msgoffline (active: false) {} }", () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  before(async () => {
    server = await startServer(chapterSnippet('09-msgoffline-disabled'), ['alice', 'bob']);
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('stores nothing: a chat to an offline account bounces service-unavailable, and nothing waits at login', async () => {
    const alice = await login(server, 'alice', 'desk', clients);
    await sendChats(alice, jid('bob'), 1);
    const [err] = alice.inbox.filter(isError());
    assert.equal(condition(err), 'service-unavailable');
    const bob = await login(server, 'bob', 'phone', clients);
    await goOnline(bob);
    await sync(bob);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(bob.inbox.filter(isMessage).length, 0);
  });

  it('amp stays: its feature is advertised, msgoffline’s is not, the limit IQ is feature-not-implemented, AMP rules still act', async () => {
    const alice = await login(server, 'alice', 'disco', clients);
    const info = await alice.iq(xml('iq', { type: 'get', to: 'localhost' }, xml('query', { xmlns: NS_DISCO_INFO })));
    const features = info.getChild('query', NS_DISCO_INFO)!.getChildren('feature').map((f) => f.attrs.var);
    assert.ok(features.includes(NS_AMP));
    assert.ok(!features.includes('msgoffline'));
    const e = await stanzaError(alice.iq(limitIq('get')));
    assert.equal(e.condition, 'feature-not-implemented');
    await alice.send(
      xml('message', { to: jid('bob'), id: 'amp-drop', type: 'chat' }, xml('body', {}, 'x'), xml('amp', { xmlns: NS_AMP }, xml('rule', { condition: 'deliver', value: 'none', action: 'drop' }))),
    );
    await sync(alice);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(alice.inbox.filter(isError('amp-drop')).length, 0, 'deliver=none held (storage is off) and dropped it silently');
  });
});
