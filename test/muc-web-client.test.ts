import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { connect, type TestClient, xml } from './harness/clients';
import { converseLoginPage, launchChromium, listenConverse } from './harness/converse';
import { DOMAIN, TestServer } from './harness/server';

const ROOM = `garden@muc.${DOMAIN}`;
const LOGGED = `library@muc.${DOMAIN}`;
const NS_MUC = 'http://jabber.org/protocol/muc';
const WAIT = 30_000;

/** Converse.js in headless Chromium joins a room over WebSocket and shows its history and live messages. */
describe('MUC in Converse.js (headless Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let web: Server;
  let webPort = 0;
  let bob: TestClient;
  const shots = mkdtempSync(join(tmpdir(), 'starling-muc-browser-'));
  let failed = false;

  before(async () => {
    server = await (await TestServer.create({ users: [['alice', 'wonderland'], ['bob', 'builder']] })).start();
    const page = converseLoginPage(`alice@${DOMAIN}/browser`, 'wonderland', {
      websocket_url: `ws://127.0.0.1:${server.web.ws}/xmpp-websocket`,
      loglevel: process.env.CONVERSE_DEBUG ? 'debug' : 'info',
      // Converse asks rooms without an archive for this much history on join (its default is none: it expects MAM).
      muc_history_max_stanzas: 20,
    });
    ({ web, port: webPort } = await listenConverse(() => page));
    browser = await launchChromium();
    bob = await connect({ port: server.port, username: 'bob', password: 'builder', resource: 'garden' });
  });

  after(async () => {
    await bob?.stop();
    await browser?.close();
    web?.close();
    await server?.dispose();
    if (!failed) rmSync(shots, { recursive: true, force: true });
  });

  it('joins a room, sees the history and the subject, talks with an @xmpp/client occupant, and reads a logged room’s archive (MAM)', async () => {
    await bob.send(xml('presence', { to: `${ROOM}/Bob` }, xml('x', { xmlns: NS_MUC })));
    await bob.waitFor((el) => el.is('presence') && el.attrs.from === `${ROOM}/Bob`, WAIT, 'own presence');
    await bob.iq(xml('iq', { type: 'set', to: ROOM }, xml('query', { xmlns: `${NS_MUC}#owner` }, xml('x', { xmlns: 'jabber:x:data', type: 'submit' }))), WAIT);
    await bob.send(xml('message', { to: ROOM, type: 'groupchat' }, xml('subject', {}, 'Seeds and soil')));
    for (const text of ['the tulips are up', 'water them on Sunday']) {
      await bob.send(xml('message', { to: ROOM, type: 'groupchat' }, xml('body', {}, text)));
      await bob.waitFor((el) => el.is('message') && el.getChildText('body') === text, WAIT, text);
    }

    await bob.send(xml('presence', { to: `${LOGGED}/Bob` }, xml('x', { xmlns: NS_MUC })));
    await bob.waitFor((el) => el.is('presence') && el.attrs.from === `${LOGGED}/Bob`, WAIT, 'own presence in the logged room');
    const logged = { 'muc#roomconfig_persistentroom': '1', 'muc#roomconfig_enablelogging': '1' };
    await bob.iq(
      xml(
        'iq',
        { type: 'set', to: LOGGED },
        xml(
          'query',
          { xmlns: `${NS_MUC}#owner` },
          xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, ...Object.entries(logged).map(([k, v]) => xml('field', { var: k }, xml('value', {}, v)))),
        ),
      ),
      WAIT,
    );
    await bob.send(xml('message', { to: LOGGED, type: 'groupchat' }, xml('body', {}, 'archived for later')));
    await bob.waitFor((el) => el.is('message') && el.getChildText('body') === 'archived for later', WAIT, 'the archived message');

    const context = await browser.newContext();
    const p = await context.newPage();
    const consoleLines: string[] = [];
    p.on('console', (m) => consoleLines.push(m.text()));
    try {
      await p.goto(`http://127.0.0.1:${webPort}/`);
      await p.waitForFunction(() => (globalThis as unknown as { starlingApi?: { connection: { connected(): boolean } } }).starlingApi?.connection.connected() === true, undefined, { timeout: WAIT });
      await p.evaluate((jid) => (globalThis as unknown as { starlingApi: { rooms: { open(j: string, o: object): Promise<unknown> } } }).starlingApi.rooms.open(jid, { nick: 'Alice' }), ROOM);
      const muc = p.locator('converse-muc');
      for (const text of ['the tulips are up', 'water them on Sunday']) await muc.locator('.chat-msg__text', { hasText: text }).waitFor({ timeout: WAIT });
      await p.getByText('Seeds and soil', { exact: true }).first().waitFor({ timeout: WAIT });
      const joined = await bob.waitFor((el) => el.is('presence') && el.attrs.from === `${ROOM}/Alice`, WAIT, 'Alice in the room');
      assert.equal(joined.attrs.type, undefined);

      await bob.send(xml('message', { to: ROOM, type: 'groupchat' }, xml('body', {}, 'welcome, Alice')));
      await muc.locator('.chat-msg__text', { hasText: 'welcome, Alice' }).waitFor({ timeout: WAIT });
      const box = muc.locator('textarea.chat-textarea');
      await box.fill('thanks, Bob');
      await box.press('Enter');
      const got = await bob.waitFor((el) => el.is('message') && el.getChildText('body') === 'thanks, Bob', WAIT, 'Alice’s message');
      assert.equal(got.attrs.from, `${ROOM}/Alice`);

      // A logged room: Converse asks for no history on join and reads the archive with MAM instead.
      await p.evaluate((jid) => (globalThis as unknown as { starlingApi: { rooms: { open(j: string, o: object, force: boolean): Promise<unknown> } } }).starlingApi.rooms.open(jid, { nick: 'Alice' }, true), LOGGED);
      await p.locator('converse-muc .chat-msg__text', { hasText: 'archived for later' }).waitFor({ timeout: WAIT });
    } catch (err) {
      failed = true;
      const file = join(shots, 'muc.png');
      await p.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      throw new Error(`${(err as Error).message}\nscreenshot: ${file}\nbrowser console:\n${consoleLines.slice(process.env.CONVERSE_DEBUG ? 0 : -40).join('\n')}`);
    } finally {
      await context.close();
    }
  });
});
