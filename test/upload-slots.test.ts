import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StanzaError, type TestClient, xml, type XmppElement } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';
import { PASSWORD, login } from './offline-support';

const NS_UPLOAD = 'urn:xmpp:http:upload:0';
const UPLOAD = `upload.${DOMAIN}`;
const condition = (name: string) => (e: unknown) => e instanceof StanzaError && e.condition === name;

function request(c: TestClient, filename: string, size: number, contentType?: string, to = UPLOAD): Promise<XmppElement> {
  return c.iq(xml('iq', { type: 'get', to }, xml('request', { xmlns: NS_UPLOAD, filename, size: String(size), ...(contentType ? { 'content-type': contentType } : {}) })));
}

function slotUrls(reply: XmppElement): { put: string; get: string } {
  const slot = reply.getChild('slot', NS_UPLOAD)!;
  return { put: slot.getChild('put')!.attrs.url, get: slot.getChild('get')!.attrs.url };
}

/** XEP-0363 with @xmpp/client for the slots and fetch for the HTTP side, against a real server. */
describe('HTTP file upload (XEP-0363)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  let alice: TestClient;
  /** The slot URL as the server hands it out, made reachable on the loopback listener. */
  let loopback: (url: string) => string;

  before(async () => {
    server = await TestServer.create({
      users: [['alice', PASSWORD], ['bob', PASSWORD]],
      config: `upload () {\n    'max-file-size' = 1000\n    'user-quota' = 1500\n}\n`,
    });
    await server.start();
    alice = await login(server, 'alice', 'desk', clients);
    loopback = (url) => url.replace(`http://${DOMAIN}:${server.web.http}`, `http://127.0.0.1:${server.web.http}`);
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('is found by disco: the component on upload.<vhost> with its feature and max-file-size', async () => {
    const items = await alice.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#items' })));
    assert.ok(items.getChild('query')!.getChildren('item').some((i) => i.attrs.jid === UPLOAD));
    const info = (await alice.iq(xml('iq', { type: 'get', to: UPLOAD }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })))).getChild('query')!;
    assert.deepEqual(info.getChild('identity')!.attrs, { category: 'store', type: 'file', name: 'HTTP File Upload' });
    assert.ok(info.getChildren('feature').some((f) => f.attrs.var === NS_UPLOAD));
    const form = info.getChildren('x').find((x) => x.getChildren('field').some((f) => f.getChildText('value') === NS_UPLOAD))!;
    assert.equal(form.getChildren('field').find((f) => f.attrs.var === 'max-file-size')!.getChildText('value'), '1000');
  });

  it('gives a slot, takes the PUT once and serves the GET; the file is stored under var/upload by slot id only', async () => {
    const body = 'a small text file, é included\n';
    const size = Buffer.byteLength(body);
    const { put, get } = slotUrls(await request(alice, 'notes (1).txt', size, 'text/plain'));
    assert.equal(put, get);
    assert.match(put, new RegExp(`^http://${DOMAIN}:${server.web.http}/upload/[A-Za-z0-9_-]{24}/notes%20\\(1\\)\\.txt$`));
    assert.equal((await fetch(loopback(get))).status, 404, 'nothing to get before the PUT');
    const wrongType = await fetch(loopback(put), { method: 'PUT', body, headers: { 'Content-Type': 'text/html' } });
    assert.equal(wrongType.status, 400);
    const ok = await fetch(loopback(put), { method: 'PUT', body, headers: { 'Content-Type': 'text/plain' } });
    assert.equal(ok.status, 201);
    const again = await fetch(loopback(put), { method: 'PUT', body, headers: { 'Content-Type': 'text/plain' } });
    assert.equal(again.status, 409, 'a slot takes one PUT');
    const got = await fetch(loopback(get));
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'text/plain');
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await got.text(), body);
    assert.equal((await fetch(loopback(get), { method: 'HEAD' })).headers.get('content-length'), String(size));
    assert.equal((await fetch(loopback(get.replace('notes', 'other')))).status, 404, 'the name is part of the URL');
    const id = new URL(put).pathname.split('/')[2];
    const dir = join(server.home, 'var', 'upload');
    assert.deepEqual(readdirSync(dir), [id]);
    assert.equal(readFileSync(join(dir, id), 'utf8'), body);
  });

  it('refuses a body of another length and a slot used after its put expiry is checked', async () => {
    const { put } = slotUrls(await request(alice, 'short.bin', 10));
    const longer = await fetch(loopback(put), { method: 'PUT', body: 'x'.repeat(11) });
    assert.equal(longer.status, 400);
    const exact = await fetch(loopback(put), { method: 'PUT', body: 'x'.repeat(10) });
    assert.equal(exact.status, 201, 'a failed PUT leaves the slot usable');
    assert.equal((await fetch(loopback(put.replace(/upload\/[^/]+/, 'upload/AAAAAAAAAAAAAAAAAAAAAAAA')), { method: 'PUT', body: 'x' })).status, 404);
  });

  it('answers errors: file too large with its limit, quota reached, bad names and sizes, other servers’ users', async () => {
    await assert.rejects(request(alice, 'big.bin', 1001), (e: unknown) => {
      assert.ok(condition('not-acceptable')(e));
      const limit = (e as StanzaError).element.getChild('file-too-large', NS_UPLOAD)?.getChildText('max-file-size');
      assert.equal(limit, '1000');
      return true;
    });
    // 30 + 10 bytes used so far; 1500 is the quota, slots waiting for their PUT count too.
    await request(alice, 'fills.bin', 1000);
    await assert.rejects(request(alice, 'over.bin', 461), condition('resource-constraint'));
    const bob = await login(server, 'bob', 'x', clients);
    assert.ok(slotUrls(await request(bob, 'his.bin', 1000)).put, "bob's quota is his own");
    await assert.rejects(request(alice, '../../etc/passwd', 10), condition('bad-request'));
    await assert.rejects(request(alice, 'a/b', 10), condition('bad-request'));
    await assert.rejects(request(alice, 'zero.bin', 0), condition('bad-request'));
    await assert.rejects(alice.iq(xml('iq', { type: 'get', to: UPLOAD }, xml('request', { xmlns: NS_UPLOAD, filename: 'x' }))), condition('bad-request'));
    assert.equal(existsSync(join(server.home, 'var', 'upload', '..', '..', 'etc', 'passwd')), false);
  });
});

/** 'public-url' and 'put-expiry': the slot URL a proxy in front of the server answers, and slots that expire. */
describe('HTTP file upload behind a public URL', () => {
  let server: TestServer;
  const clients: TestClient[] = [];

  before(async () => {
    server = await TestServer.create({
      users: [['alice', PASSWORD]],
      config: `upload () {\n    'public-url' = 'https://files.example.org/'\n    'put-expiry' = 1000\n    subdomain = 'share'\n}\n`,
    });
    await server.start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('hands out URLs on the public base and refuses a PUT after the slot expired', async () => {
    const alice = await login(server, 'alice', 'desk', clients);
    const { put } = slotUrls(await request(alice, 'late.txt', 4, undefined, `share.${DOMAIN}`));
    assert.match(put, /^https:\/\/files\.example\.org\/upload\/[A-Za-z0-9_-]{24}\/late\.txt$/);
    await new Promise((r) => setTimeout(r, 1500));
    const late = await fetch(put.replace('https://files.example.org', `http://127.0.0.1:${server.web.http}`), { method: 'PUT', body: 'late' });
    assert.equal(late.status, 410);
  });
});

/** Expiry without waiting days: 'file-expiry-days' may be a fraction of a day (here 0.0002 days, about 17 s). */
describe('HTTP file upload: expired files', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  before(async () => {
    server = await TestServer.create({
      users: [['alice', PASSWORD]],
      config: `upload () {\n    'user-quota' = 16\n    'file-expiry-days' = 0.0002\n    'expired-check-interval' = 1000\n}\n`,
    });
    await server.start();
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await server.dispose();
  });

  it('serves a file until file-expiry-days have passed, then answers 404, removes it and frees its quota', async () => {
    const alice = await login(server, 'alice', 'desk', clients);
    const loopback = (url: string) => url.replace(`http://${DOMAIN}:${server.web.http}`, `http://127.0.0.1:${server.web.http}`);
    const body = 'sixteen bytes!!\n';
    const { put, get } = slotUrls(await request(alice, 'short-lived.txt', 16));
    assert.equal((await fetch(loopback(put), { method: 'PUT', body })).status, 201);
    assert.equal((await fetch(loopback(get))).status, 200, 'served before it expires');
    await assert.rejects(request(alice, 'more.txt', 1), condition('resource-constraint'), 'the file takes the whole quota');
    const file = join(server.home, 'var', 'upload', new URL(put).pathname.split('/')[2]);
    assert.ok(existsSync(file));

    // Bounded waits for the expiry (about 17 s after the upload) and the next sweep (every second).
    let status = 200;
    for (let i = 0; i < 120 && status === 200; i++) {
      await sleep(500);
      status = (await fetch(loopback(get))).status;
    }
    assert.equal(status, 404, 'an expired file is not served');
    let freed: XmppElement | undefined;
    for (let i = 0; i < 60 && !freed; i++) {
      freed = await request(alice, 'more.txt', 16).catch((e: unknown) => {
        if (!condition('resource-constraint')(e)) throw e;
        return undefined;
      });
      if (!freed) await sleep(500);
    }
    assert.ok(freed?.getChild('slot', NS_UPLOAD), 'the quota is free again once the sweep removed the file');
    assert.equal(existsSync(file), false, 'the file is gone from var/upload');
  });
});
