import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { REPO } from './server';

const CONVERSE_DIST = join(REPO, 'node_modules/converse.js/dist');
const CHROMIUM = '/usr/bin/chromium';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml' };

/** A page running Converse.js with these options, its API kept on `window.starlingApi` for the test. */
export function conversePage(options: Record<string, unknown>): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Converse on Starling</title>
<link rel="stylesheet" href="/dist/converse.min.css"></head>
<body class="converse-fullscreen"><script type="module">
import converse from '/dist/converse.min.js';
converse.plugins.add('starling-test', { initialize() { window.starlingApi = this._converse.api; } });
converse.initialize(${JSON.stringify({ ...options, whitelisted_plugins: ['starling-test'] })});
</script></body></html>`;
}

/**
 * A page on which Converse.js logs in by itself as `jid`: the tests' common settings (no sounds, no
 * connection discovery, session storage), with `options` giving the connection (websocket_url or
 * bosh_service_url) and anything a test adds.
 */
export function converseLoginPage(jid: string, password: string, options: Record<string, unknown>): string {
  return conversePage({
    authentication: 'login',
    auto_login: true,
    jid,
    password,
    discover_connection_methods: false,
    view_mode: 'fullscreen',
    play_sounds: false,
    show_client_info: false,
    assets_path: '/dist/',
    persistent_store: 'sessionStorage',
    loglevel: 'info',
    ...options,
  });
}

/** Serves the test page and Converse's dist/ folder from loopback. */
export function converseServer(html: () => string): Server {
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

/** converseServer listening on a free loopback port. */
export async function listenConverse(html: () => string): Promise<{ web: Server; port: number }> {
  const web = converseServer(html);
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  return { web, port: (web.address() as { port: number }).port };
}

/** Debian's Chromium, headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
