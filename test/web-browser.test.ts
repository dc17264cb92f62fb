import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { DOMAIN, REPO, TestServer } from './harness/server';

const CONVERSE_DIST = join(REPO, 'node_modules/converse.js/dist');
const CHROMIUM = '/usr/bin/chromium';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml' };

/** The page: Converse.js logging in by itself, with its API kept on window for the test to open a chat. */
function page(connection: Record<string, string>): string {
  const options = {
    ...connection,
    authentication: 'login',
    auto_login: true,
    jid: `alice@${DOMAIN}/browser`,
    password: 'wonderland',
    discover_connection_methods: false,
    allow_non_roster_messaging: true,
    view_mode: 'fullscreen',
    play_sounds: false,
    show_client_info: false,
    assets_path: '/dist/',
    whitelisted_plugins: ['starling-test'],
    persistent_store: 'sessionStorage',
    loglevel: 'info',
  };
  return `<!doctype html><html><head><meta charset="utf-8"><title>Converse on Starling</title>
<link rel="stylesheet" href="/dist/converse.min.css"></head>
<body class="converse-fullscreen"><script type="module">
import converse from '/dist/converse.min.js';
converse.plugins.add('starling-test', { initialize() { window.starlingApi = this._converse.api; } });
converse.initialize(${JSON.stringify(options)});
</script></body></html>`;
}

/** Serves the test page and Converse's dist/ folder from loopback. */
function staticServer(html: () => string): Server {
  return createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (path === '/favicon.ico') {
      res.writeHead(204);
      return void res.end();
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      return void res.end(html());
    }
    const file = normalize(join(CONVERSE_DIST, path.replace(/^\/dist\//, '/')));
    if (!file.startsWith(CONVERSE_DIST) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404);
      return void res.end();
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
}

/** slixmpp on c2s answering "echo: <body>"; resolves once it is online. */
function echoBot(port: number): Promise<{ proc: ChildProcess; got: { from: string; body: string }[] }> {
  return new Promise((resolve, reject) => {
    const proc = spawn('/usr/bin/python3', [join(REPO, 'test/interop/echo_bot.py'), String(port), `bob@${DOMAIN}/bot`, 'builder', '120'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const got: { from: string; body: string }[] = [];
    let buf = '';
    let err = '';
    proc.stderr!.on('data', (d) => (err += d));
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        if (line.ready) resolve({ proc, got });
        if (line.got) got.push(line.got);
      }
    });
    proc.once('exit', (code) => reject(new Error(`echo bot exited with ${code}: ${err}`)));
  });
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
    web = staticServer(() => page(connection));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
    webPort = (web.address() as { port: number }).port;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
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
    const bot = await echoBot(server.port);
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
