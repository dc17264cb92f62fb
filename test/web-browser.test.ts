import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { converseLoginPage, launchChromium, listenConverse } from './harness/converse';
import { echoBot } from './harness/python';
import { DOMAIN, TestServer } from './harness/server';

/** The page: Converse.js logging in by itself, with its API kept on window for the test to open a chat. */
function page(connection: Record<string, string>): string {
  return converseLoginPage(`alice@${DOMAIN}/browser`, 'wonderland', { ...connection, allow_non_roster_messaging: true });
}


describe('Converse.js in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let web: Server;
  let webPort = 0;
  let connection: Record<string, string> = {};
  const shots = mkdtempSync(join(tmpdir(), 'starling-browser-'));
  let failed = false;

  before(async () => {
    server = await TestServer.create({ users: [['alice', 'wonderland'], ['bob', 'builder']] });
    await server.start();
    ({ web, port: webPort } = await listenConverse(() => page(connection)));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    web?.close();
    await server?.dispose();
    if (!failed) rmSync(shots, { recursive: true, force: true });
  });

  /** Logs in from the page, chats with the slixmpp echo bot on c2s and waits for its reply on screen. */
  async function chatThrough(name: string, conn: Record<string, string>): Promise<void> {
    connection = conn;
    const bot = await echoBot(server.port, `bob@${DOMAIN}/bot`, 'builder');
    const context = await browser.newContext();
    const p: Page = await context.newPage();
    const consoleLines: string[] = [];
    p.on('console', (m) => consoleLines.push(m.text()));
    try {
      await p.goto(`http://127.0.0.1:${webPort}/`);
      // Logged in: Converse's connection reports connected once the session is bound.
      await p.waitForFunction(() => (globalThis as unknown as { starlingApi?: { connection: { connected(): boolean } } }).starlingApi?.connection.connected() === true, undefined, { timeout: 30_000 });
      const text = `hello from ${name} ${Date.now()}`;
      await p.evaluate((jid) => (globalThis as unknown as { starlingApi: { chats: { open(j: string): Promise<unknown> } } }).starlingApi.chats.open(jid), `bob@${DOMAIN}`);
      const box = p.locator('converse-chat textarea.chat-textarea');
      await box.waitFor({ timeout: 15_000 });
      await box.fill(text);
      await box.press('Enter');
      const reply = p.locator('converse-chat .chat-msg__text', { hasText: `echo: ${text}` });
      await reply.waitFor({ timeout: 20_000 });
      assert.ok(bot.got.some((m) => m.body === text && m.from.startsWith(`alice@${DOMAIN}/`)), `the bot got the message: ${JSON.stringify(bot.got)}`);
    } catch (err) {
      failed = true;
      const file = join(shots, `${name}.png`);
      await p.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      throw new Error(`${(err as Error).message}\nscreenshot: ${file}\nbrowser console:\n${consoleLines.slice(-40).join('\n')}`);
    } finally {
      await context.close();
      bot.proc.stdin!.end();
    }
  }

  it('logs in over WebSocket, sends a chat to a slixmpp client on c2s and shows its reply', async () => {
    await chatThrough('websocket', { websocket_url: `ws://127.0.0.1:${server.web.ws}/xmpp-websocket` });
  });

  it('logs in over BOSH, sends a chat to a slixmpp client on c2s and shows its reply', async () => {
    await chatThrough('bosh', { bosh_service_url: `http://127.0.0.1:${server.web.bosh}/http-bind` });
  });
});
