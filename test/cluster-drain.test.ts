// Cluster mode, draining a node for maintenance (cl-comp's cluster-node-drain) with web clients and to a stop:
// Converse.js (Strophe.js) in Chromium follows the WebSocket <close see-other-uri/> (RFC 7395 §3.6.1) to the
// other node, both when it is moved out of a live session and when it comes back to the draining node; BOSH
// session creation on a draining node is answered with XEP-0124's see-other-uri terminate, and a BOSH client
// posting to the named URI logs in there; a drain with `stop` ends the node's process once its clients left.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { converseLoginPage, launchChromium, listenConverse } from './harness/converse';
import { DOMAIN } from './harness/server';
import { RawBosh } from './harness/bosh';
import { PASSWORD, TestCluster, clusterSkipReason, jid } from './cluster-support';
import { AdhocClient, fieldValues, submit } from './commands-support';

const skip = clusterSkipReason();
const isChat = (body: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === body;
type Api = { connection: { connected(): boolean; get(): { service: string } | undefined }; waitUntil(name: string): Promise<unknown> };

describe('cluster mode: draining web clients and stopping the drained node', { skip }, () => {
  let cluster: TestCluster;
  let admin: AdhocClient;
  let browser: Browser;
  let web: Server;
  let webPort = 0;
  let websocketUrl = '';
  const clients: TestClient[] = [];
  const shots = mkdtempSync(join(tmpdir(), 'starling-drain-'));

  before(async () => {
    cluster = await TestCluster.create({ nodes: 2, users: ['admin', 'wendy', 'bella', 'tom', 'carl'] });
    admin = await AdhocClient.start(cluster.nodes[0]!.port, `${jid('admin')}/slix`, PASSWORD);
    ({ web, port: webPort } = await listenConverse(() => converseLoginPage(`${jid('wendy')}/browser`, PASSWORD, { websocket_url: websocketUrl, auto_reconnect: true })));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    web?.close();
    await admin?.close();
    for (const c of clients) await c.stop();
    await cluster?.dispose();
    rmSync(shots, { recursive: true, force: true });
  });

  const node = (i: number) => cluster.nodes[i]!;
  const drain = (name: string, form: Record<string, string>) => submit(admin, `cl-comp@${DOMAIN}`, 'cluster-node-drain', { node: name, wait: '30', ...form });

  it('Converse.js over WebSocket is moved off a draining node with <close see-other-uri/> and follows it to the other node', async () => {
    const node1Ws = `ws://127.0.0.1:${node(0).web.ws}/xmpp-websocket`;
    websocketUrl = `ws://127.0.0.1:${node(1).web.ws}/xmpp-websocket`;
    const context = await browser.newContext();
    const page: Page = await context.newPage();
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(m.text()));
    try {
      await page.goto(`http://127.0.0.1:${webPort}/`);
      await page.waitForFunction(() => (globalThis as unknown as { starlingApi?: Api }).starlingApi?.connection.connected() === true, undefined, { timeout: 30_000 });
      await node(1).waitForOutput(new RegExp(`login account=${jid('wendy')} .*via=ws2s`));
      // The login line comes at SASL success: the drain moves bound sessions, so wait for the roster, which
      // Converse fetches once its resource is bound.
      await page.evaluate(() => (globalThis as unknown as { starlingApi: Api }).starlingApi.waitUntil('rosterContactsFetched').then(() => true));

      const r = await drain('node2', { action: 'drain' });
      assert.equal(fieldValues(r, 'status')?.[0], 'drained', JSON.stringify(r));
      assert.equal(fieldValues(r, 'moved')?.[0], '1');
      // Moved out of its session: node2 names node1's WebSocket endpoint (RFC 7395 §3.6.1, not a TCP host:port)…
      const to = node1Ws.replace(/[/.]/g, '\\$&');
      await node(1).waitForOutput(new RegExp(`client sent to another node \\(see-other-host\\) conn=\\S+ account=${jid('wendy')} to=${to} phase=bound via=ws2s`));
      // …Converse reconnects to node2, which sends it on at stream open (before <open/>), and it logs in on node1.
      await node(1).waitForOutput(new RegExp(`client sent to another node \\(see-other-host\\) conn=\\S+ to=${to} phase=open via=ws2s`), 30_000);
      await node(0).waitForOutput(new RegExp(`login account=${jid('wendy')} .*via=ws2s`), 30_000);
      await page.waitForFunction(() => (globalThis as unknown as { starlingApi?: Api }).starlingApi?.connection.connected() === true, undefined, { timeout: 30_000 });
      assert.equal(await page.evaluate(() => (globalThis as unknown as { starlingApi?: Api }).starlingApi?.connection.get()?.service), node1Ws);
    } catch (err) {
      const file = join(shots, 'converse.png');
      await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      throw new Error(`${(err as Error).message}\nbrowser console:\n${consoleLines.slice(-40).join('\n')}`);
    } finally {
      await context.close();
    }
  });

  it("a draining node answers BOSH session creation with XEP-0124's see-other-uri, never less secure; the client logs in at that URI", async () => {
    const plain = await new RawBosh(`http://127.0.0.1:${node(1).web.bosh}/http-bind`).create();
    const node1Bosh = `http://127.0.0.1:${node(0).web.bosh}/http-bind`;
    assert.match(plain.text, /type='terminate'/);
    assert.match(plain.text, /condition='see-other-uri'/);
    assert.equal(/<uri>([^<]*)<\/uri>/.exec(plain.text)?.[1], node1Bosh, plain.text);
    const secure = await new RawBosh(`https://127.0.0.1:${node(1).web.boshs}/http-bind`).create();
    const node1Boshs = /<uri>([^<]*)<\/uri>/.exec(secure.text)?.[1];
    assert.equal(node1Boshs, `https://127.0.0.1:${node(0).web.boshs}/http-bind`, secure.text);
    assert.doesNotMatch(node(1).output, new RegExp(`login account=${jid('bella')}`));

    // PLAIN is offered over TLS only: the client follows the https one.
    const moved = new RawBosh(node1Boshs!);
    await moved.create();
    const bound = await moved.login('bella', PASSWORD, 'bosh');
    const tcp = await connect({ port: node(0).port, username: 'carl', password: PASSWORD, resource: 'tcp' });
    clients.push(tcp);
    await moved.send(`<message xmlns='jabber:client' to='${tcp.jid}' type='chat'><body>from BOSH on node1</body></message>`);
    const got = await tcp.waitFor(isChat('from BOSH on node1'));
    assert.equal(got.attrs.from, bound);
    await moved.send('', { type: 'terminate' });
  });

  it('a drain with stop ends the node once its clients have left: the process exits cleanly and the others see it leave', async () => {
    const back = await drain('node2', { action: 'resume' });
    assert.equal(fieldValues(back, 'status')?.[0], 'taking clients', JSON.stringify(back));
    const tom = await connect({ port: node(1).port, username: 'tom', password: PASSWORD, resource: 't' });
    clients.push(tom);
    await node(1).waitForOutput(new RegExp(`login account=${jid('tom')} .*via=c2s`));
    const exited = node(1).whenExited();

    const r = await drain('node2', { action: 'drain', stop: 'true' });
    assert.equal(fieldValues(r, 'status')?.[0], 'drained, stopping', JSON.stringify(r));
    assert.equal(fieldValues(r, 'moved')?.[0], '1');
    assert.equal(await exited, 0, 'node2 exits with 0 (a clean stop)');
    assert.match(node(1).output, /cluster: the drain is over; this node stops sessions=0/);
    assert.match(node(1).output, /SIGTERM received, shutting down/);
    await node(0).waitForOutput(/cluster node left node=node2/);
    // tom followed see-other-host to node1 and works there.
    await node(0).waitForOutput(new RegExp(`login account=${jid('tom')} .*via=c2s`));
    const carl = await connect({ port: node(0).port, username: 'carl', password: PASSWORD, resource: 'after-stop' });
    clients.push(carl);
    await tom.send(xml('message', { to: carl.jid, type: 'chat' }, xml('body', {}, 'after node2 stopped')));
    await carl.waitFor(isChat('after node2 stopped'));
  });
});
