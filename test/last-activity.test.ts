import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { connect, xml, type TestClient } from './harness/clients';
import { runInterop } from './harness/python';
import { DOMAIN, REPO, TestServer } from './harness/server';

const NS_LAST = 'jabber:iq:last';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The chapter's snippet (11.2), verbatim, with extra options for the nested beans. */
const chapterConfig = (marker = '', query = '') => `'sess-man' {
    'jabber:iq:last-marker' (active: true) {
        ${marker}
        'jabber:iq:last' (active: true) {${query}}
    }
}`;

/** Asks for a JID's last activity: { seconds, status } or the error condition. */
async function lastActivity(c: TestClient, jid: string, type: 'get' | 'set' = 'get'): Promise<{ seconds: number; status: string } | string> {
  try {
    const res = await c.iq(xml('iq', { type, to: jid }, xml('query', { xmlns: NS_LAST })));
    const q = res.getChild('query', NS_LAST)!;
    return { seconds: Number(q.attrs.seconds), status: q.text() };
  } catch (err) {
    const e = err as Error & { condition?: string };
    if (!e.condition) throw err;
    return e.condition;
  }
}

function seconds(r: { seconds: number; status: string } | string): number {
  assert.equal(typeof r, 'object', `expected a result, got ${String(r)}`);
  return (r as { seconds: number }).seconds;
}

class Clients {
  readonly all: TestClient[] = [];
  constructor(private readonly server: () => TestServer) {}
  async login(username: string, resource: string, presence?: string): Promise<TestClient> {
    const c = await connect({ port: this.server().port, username, password: 'pw', resource });
    this.all.push(c);
    if (presence !== undefined) await c.send(xml('presence', {}, presence ? xml('status', {}, presence) : undefined));
    return c;
  }
  async stopAll(): Promise<void> {
    for (const c of this.all) await c.stop();
    this.all.length = 0;
  }
}

describe("last activity with the chapter's configuration", () => {
  let server: TestServer;
  const clients = new Clients(() => server);
  before(async () => {
    server = await (
      await TestServer.create({ users: [['alice', 'pw'], ['bob', 'pw'], ['carol', 'pw'], ['never', 'pw'], ['admin', 'pw']], config: chapterConfig() })
    ).start();
  });
  after(async () => {
    await clients.stopAll();
    await server.dispose();
  });

  it('advertises jabber:iq:last on the server', async () => {
    const alice = await clients.login('alice', 'disco');
    const info = await alice.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })));
    const features = info.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
    assert.ok(features.includes(NS_LAST), features.join(' '));
  });

  it('answers for an online user with the seconds since the last presence and the current status (not forced to 0)', async () => {
    const alice = await clients.login('alice', 'asks');
    await clients.login('bob', 'desk', 'writing code');
    await sleep(1_200);
    const bare = await lastActivity(alice, `bob@${DOMAIN}`);
    assert.deepEqual(bare, { seconds: 1, status: 'writing code' });
    assert.deepEqual(await lastActivity(alice, `bob@${DOMAIN}/desk`), { seconds: 1, status: 'writing code' });
  });

  it('does not count messages by default (presence = true, message = false)', async () => {
    const alice = await clients.login('alice', 'asks2');
    const carol = await clients.login('carol', 'pc', 'here');
    await sleep(2_100);
    await carol.send(xml('message', { to: `alice@${DOMAIN}/asks2`, type: 'chat' }, xml('body', {}, 'hi')));
    await alice.waitFor((el) => el.is('message'), 3_000, "carol's message");
    assert.ok(seconds(await lastActivity(alice, `carol@${DOMAIN}`)) >= 2);
  });

  it('answers for an offline user with the seconds since logout and the status of the last unavailable presence', async () => {
    await clients.stopAll();
    const alice = await clients.login('alice', 'asks3');
    const bob = await clients.login('bob', 'laptop', 'about to leave');
    await bob.send(xml('presence', { type: 'unavailable' }, xml('status', {}, 'gone home')));
    await bob.stop();
    await sleep(1_100);
    assert.deepEqual(await lastActivity(alice, `bob@${DOMAIN}`), { seconds: 1, status: 'gone home' });
  });

  it('keeps the offline record across a restart', async () => {
    await clients.stopAll();
    await server.stop();
    server.output = '';
    await server.start();
    const alice = await clients.login('alice', 'after-restart');
    const r = await lastActivity(alice, `bob@${DOMAIN}`);
    assert.equal(typeof r === 'object' && r.status, 'gone home');
    assert.ok(seconds(r) >= 1);
  });

  it('says item-not-found for a user never seen, forbidden for an unknown user, bad-request for a set', async () => {
    const alice = await clients.login('alice', 'errors');
    assert.equal(await lastActivity(alice, `never@${DOMAIN}`), 'item-not-found');
    assert.equal(await lastActivity(alice, `ghost@${DOMAIN}`), 'forbidden');
    assert.equal(await lastActivity(alice, `bob@${DOMAIN}`, 'set'), 'bad-request');
  });

  it("gives the server's uptime to administrators and forbidden to others (also for one's own bare JID)", async () => {
    const alice = await clients.login('alice', 'uptime');
    const admin = await clients.login('admin', 'console');
    assert.equal(await lastActivity(alice, DOMAIN), 'forbidden');
    assert.equal(await lastActivity(alice, `alice@${DOMAIN}`), 'forbidden');
    const uptime = seconds(await lastActivity(admin, DOMAIN));
    assert.ok(uptime >= 0 && uptime < 120, `uptime ${uptime}s`);
    assert.equal(typeof (await lastActivity(admin, `admin@${DOMAIN}`)), 'object');
  });

  it('answers slixmpp (XEP-0012 client) the same way', async () => {
    await clients.login('carol', 'slix-target', 'for slixmpp');
    const r = await runInterop<Record<string, { seconds?: number; status?: string; error?: string }>>('last_activity.py', [
      server.port,
      `alice@${DOMAIN}/slix`,
      'pw',
      `carol@${DOMAIN}`,
      `never@${DOMAIN}`,
      DOMAIN,
    ]);
    assert.equal(r[`carol@${DOMAIN}`].status, 'for slixmpp');
    assert.equal(typeof r[`carol@${DOMAIN}`].seconds, 'number');
    assert.deepEqual(r[`never@${DOMAIN}`], { error: 'item-not-found' });
    assert.deepEqual(r[DOMAIN], { error: 'forbidden' });
  });
});

describe('last activity options', () => {
  let server: TestServer | undefined;
  const clients = new Clients(() => server!);
  const start = async (config: string) => {
    server = await (await TestServer.create({ users: [['alice', 'pw'], ['bob', 'pw']], config })).start();
  };
  const stop = async () => {
    await clients.stopAll();
    await server?.dispose();
    server = undefined;
  };
  afterEach(stop);

  it('is off by default: no feature, and queries are not answered', async () => {
    await start('');
    const alice = await clients.login('alice', 'a');
    await clients.login('bob', 'b', 'here');
    assert.equal(await lastActivity(alice, `bob@${DOMAIN}`), 'service-unavailable');
    const info = await alice.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })));
    assert.ok(!info.getChild('query')!.getChildren('feature').some((f) => f.attrs.var === NS_LAST));
  });

  it('marks messages too with message = true', async () => {
    await start(chapterConfig('message = true\n        presence = true'));
    const alice = await clients.login('alice', 'a', '');
    const bob = await clients.login('bob', 'b', 'here');
    await sleep(2_100);
    await bob.send(xml('message', { to: `alice@${DOMAIN}/a`, type: 'chat' }, xml('body', {}, 'still here')));
    await alice.waitFor((el) => el.is('message'), 3_000, "bob's message");
    assert.ok(seconds(await lastActivity(alice, `bob@${DOMAIN}`)) < 2);
  });

  it("with protection-level BUDDIES answers only those the user's roster lists with a from/both subscription", async () => {
    await start(chapterConfig('', `\n            'protection-level' = 'BUDDIES'\n        `));
    const alice = await clients.login('alice', 'a', '');
    const bob = await clients.login('bob', 'b', 'busy');
    assert.equal(await lastActivity(alice, `bob@${DOMAIN}`), 'forbidden');
    await alice.send(xml('presence', { to: `bob@${DOMAIN}`, type: 'subscribe' }));
    await bob.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribe', 3_000, "alice's subscription request");
    await bob.send(xml('presence', { to: `alice@${DOMAIN}`, type: 'subscribed' }));
    await alice.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribed', 3_000, "bob's approval");
    const r = await lastActivity(alice, `bob@${DOMAIN}`);
    assert.equal(typeof r === 'object' && r.status, 'busy');
  });

  it('persists every mark by default: after a crash the last presence is still known', async () => {
    await start(chapterConfig());
    await clients.login('bob', 'b', 'before the crash');
    await sleep(1_000); // the mark is written asynchronously
    await server!.kill9();
    server!.output = '';
    await server!.start();
    clients.all.length = 0;
    const alice = await clients.login('alice', 'a');
    const r = await lastActivity(alice, `bob@${DOMAIN}`);
    assert.equal(typeof r === 'object' && r.status, 'before the crash');
  });

  it('with persistAllToRepository = false stores only at logout: a crash loses the marks', async () => {
    await start(chapterConfig('persistAllToRepository = false'));
    await clients.login('bob', 'b', 'before the crash');
    await sleep(1_000); // the mark is written asynchronously
    await server!.kill9();
    server!.output = '';
    await server!.start();
    clients.all.length = 0;
    const alice = await clients.login('alice', 'a');
    assert.equal(await lastActivity(alice, `bob@${DOMAIN}`), 'item-not-found');
  });
});

describe('last activity: the chapter 11.2 snippets as written', () => {
  /** The state `starling plugins list` gives each plugin for a config holding the snippet. */
  const states = async (snippet: string): Promise<Record<string, string>> => {
    const server = await TestServer.create({ config: readFileSync(join(REPO, 'core/src/config/fixtures/seed', snippet), 'utf8') });
    try {
      const out = await server.cli('plugins', 'list');
      return Object.fromEntries(out.split('\n').map((l) => l.split(/\s+/)).filter((w) => w[0]?.startsWith('jabber:iq:last')).map((w) => [w[0], w[2]]));
    } finally {
      await server.dispose();
    }
  };

  it('switches on both plugins with the nested beans', async () => {
    assert.deepEqual(await states('10-last-activity-enable.tdsl'), { 'jabber:iq:last': 'active', 'jabber:iq:last-marker': 'active' });
  });

  it('switches on the marker alone with its options (message/presence, persistAllToRepository)', async () => {
    for (const snippet of ['11-last-marker-message-presence.tdsl', '12-last-marker-persist-all.tdsl']) {
      assert.deepEqual(await states(snippet), { 'jabber:iq:last': 'disabled', 'jabber:iq:last-marker': 'active' }, snippet);
    }
  });
});
