import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PeerCertificate, connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { existsSync, mkdtempSync } from 'node:fs';
import { type TestClient, connect, xml } from './harness/clients';
import { DOMAIN, REPO, TestServer } from './harness/server';

const CHROMIUM = '/usr/bin/chromium';
/** The README's screenshots are refreshed with STARLING_UPDATE_SCREENSHOTS=1; otherwise they go to a temp folder. */
const SHOTS = process.env.STARLING_UPDATE_SCREENSHOTS === '1' ? join(REPO, 'docs') : mkdtempSync(join(tmpdir(), 'starling-admin-ui-'));

describe('the web Admin UI (headless Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let base: string;

  before(async () => {
    server = await (
      await TestServer.create({
        users: [
          ['admin', 'secret'],
          ['bob', 'bobpw'],
        ],
        config: `'vhost-man' () { defaults { 'vhost-disable-dns-check' = true } }\n`,
      })
    ).start();
    base = `http://127.0.0.1:${server.web.http}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  async function login(p: Page, jid: string, password: string): Promise<void> {
    await p.goto(`${base}/admin/`);
    await p.fill('input[name=jid]', jid);
    await p.fill('input[name=password]', password);
    await p.click('button[type=submit]');
  }

  it('refuses a wrong password and a non-admin, and shows nothing under /admin/ without a session', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    const direct = await p.goto(`${base}/admin/commands/${encodeURIComponent(`vhost-man@${DOMAIN}`)}/comp-repo-item-add`);
    assert.equal(new URL(p.url()).pathname, '/admin/', 'sent to the login page');
    assert.equal(direct?.status(), 200);
    assert.equal(await p.locator('input[name=jid]').count(), 1);
    await login(p, `admin@${DOMAIN}`, 'wrong');
    assert.match(await p.locator('.error').innerText(), /Wrong JID or password/);
    await login(p, `bob@${DOMAIN}`, 'bobpw');
    assert.match(await p.locator('.error').innerText(), /may not run any admin command/);
    await ctx.close();
  });

  it('logs in, adds a vhost through the form, adds a user there with add-user, and that user logs in', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const p = await ctx.newPage();
    await p.goto(`${base}/admin/`);
    await p.screenshot({ path: join(SHOTS, 'admin-ui-login.png') });
    await login(p, `admin@${DOMAIN}`, 'secret');
    await p.waitForSelector('text=VHost Manager');
    await p.screenshot({ path: join(SHOTS, 'admin-ui-components.png'), fullPage: true });

    await p.click(`a[href="/admin/commands/${encodeURIComponent(`vhost-man@${DOMAIN}`)}/comp-repo-item-add"]`);
    await p.fill('input[name="Domain name"]', 'web.test');
    await p.fill('input[name="S2S secret"]', 'secret');
    await p.screenshot({ path: join(SHOTS, 'admin-ui-vhost-add.png'), fullPage: true });
    await p.click('button[value=complete]');
    assert.match(await p.locator('[data-var=Note]').innerText(), /Operation successful/);
    await p.screenshot({ path: join(SHOTS, 'admin-ui-result.png') });

    await p.goto(`${base}/admin/commands/${encodeURIComponent('sess-man@web.test')}/${encodeURIComponent('http://jabber.org/protocol/admin#add-user')}`);
    await p.fill('input[name=accountjid]', 'webuser@web.test');
    await p.fill('input[name=password]', 'webpw');
    await p.fill('input[name=password-verify]', 'webpw');
    await p.click('button[value=complete]');
    assert.match(await p.locator('[data-var=Note]').innerText(), /Operation successful/);

    const c = await connect({ port: server.port, domain: 'web.test', username: 'webuser', password: 'webpw', resource: 'r' });
    assert.equal(c.jid, 'webuser@web.test/r');
    await c.stop();

    // A POST without the CSRF token is refused, even with the session cookie.
    const forged = await p.request.post(`${base}/admin/commands/${encodeURIComponent(`vhost-man@${DOMAIN}`)}/comp-repo-item-add`, {
      form: { 'Domain name': 'evil.test', 'S2S secret': 'x', 'command-marker': 'true' },
    });
    assert.equal(forged.status(), 403);
    const list = await p.request.get(`${base}/admin/commands/${encodeURIComponent(`vhost-man@${DOMAIN}`)}/comp-repo-item-list`);
    assert.doesNotMatch(await list.text(), /evil\.test/);
    await ctx.close();
  });

  it('lists plugins, reloads one, and disables and enables one while a client sees its feature go and come back', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const p = await ctx.newPage();
    await login(p, `admin@${DOMAIN}`, 'secret');
    const bob: TestClient = await connect({ port: server.port, username: 'bob', password: 'bobpw', resource: 'web' });
    const pingFeature = async () => {
      const info = await bob.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })));
      return info.getChild('query')!.getChildren('feature').some((f) => f.attrs.var === 'urn:xmpp:ping');
    };
    const button = (node: string) => `form[action="/admin/commands/${encodeURIComponent(`sess-man@${DOMAIN}`)}/${node}"] button[value="urn:xmpp:ping"]`;
    try {
      await p.click('nav a[href="/admin/plugins"]');
      assert.match(await p.locator('[data-var=Note]').innerText(), /\d+ of \d+ plugins loaded/);
      const row = p.locator('tr', { has: p.locator('td', { hasText: /^urn:xmpp:ping$/ }) });
      assert.equal(await row.locator('td').nth(2).innerText(), 'loaded');
      await p.screenshot({ path: join(SHOTS, 'admin-ui-plugins.png'), fullPage: true });

      await p.click(button('plugin-reload'));
      assert.match(await p.locator('[data-var=Note]').innerText(), /^Note: Reloaded urn:xmpp:ping \S+ in \d+ ms/);
      await p.click('a[href="/admin/plugins"]:text("Back to the plugins")');
      assert.equal(await row.locator('td').nth(3).innerText(), '1', 'one reload counted');

      assert.equal(await pingFeature(), true);
      await p.click(button('plugin-disable'));
      assert.equal(await p.locator('[data-var=Note]').innerText(), 'Note: Disabled urn:xmpp:ping.');
      assert.equal(await pingFeature(), false, 'the feature is gone from disco#info');
      await p.goto(`${base}/admin/plugins`);
      assert.equal(await row.locator('td').nth(2).innerText(), 'disabled');
      await p.click(button('plugin-enable'));
      assert.match(await p.locator('[data-var=Note]').innerText(), /Enabled urn:xmpp:ping/);
      assert.equal(await pingFeature(), true, 'the feature is back');
    } finally {
      await bob.stop();
      await ctx.close();
    }
  });

  it('shows a script’s TypeScript errors at line:column, runs a good one from the scripts page, and removes it', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
    const p = await ctx.newPage();
    await login(p, `admin@${DOMAIN}`, 'secret');
    const sm = `sess-man@${DOMAIN}`;
    const section = p.locator(`section[data-component="${sm}"]`);
    const upload = async (text: string) => {
      await p.goto(`${base}/admin/scripts`);
      await section.locator('a', { hasText: 'New command script' }).click();
      await p.fill('input[name=Description]', 'Greeting from the web');
      await p.fill('input[name="Command Id"]', 'web-greeting');
      await p.fill('input[name=Group]', 'Web');
      await p.selectOption('select[name=Language]', 'TypeScript');
      await p.fill('textarea[name="Script text"]', text);
      await p.click('button[value=complete]');
    };

    await upload('const res = packet.commandResult(Command.DataType.result)\nCommand.addTitle(res, "x")\nCommand.addInstructions(res, 42)\nreturn res');
    assert.match(await p.locator('[data-var=Note]').innerText(), /Script initialization error\./);
    assert.match(await p.locator('[data-var="Error message"]').innerText(), /web-greeting\.ts:3:30 - error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'/);
    await p.screenshot({ path: join(SHOTS, 'admin-ui-script-error.png'), fullPage: true });
    assert.equal(await p.locator('a[href="/admin/scripts"]', { hasText: 'Back to the scripts' }).count(), 1);

    await upload('const res = packet.commandResult(Command.DataType.result)\nCommand.addInstructions(res, "Hello from the web page")\nreturn res');
    assert.match(await p.locator('[data-var=Note]').innerText(), /Script loaded successfuly\./);
    const saved = join(server.home, 'scripts', 'admin', 'sess-man', 'web-greeting.ts');
    assert.ok(existsSync(saved), 'saved to disk');

    await p.goto(`${base}/admin/scripts`);
    const row = section.locator('tr', { has: p.locator('td', { hasText: /^web-greeting$/ }) });
    assert.deepEqual(await row.locator('td').allInnerTexts().then((t) => t.slice(0, 5)), ['web-greeting', 'Greeting from the web', 'Web', 'TypeScript', join('sess-man', 'web-greeting.ts')]);
    await p.screenshot({ path: join(SHOTS, 'admin-ui-scripts.png'), fullPage: true });
    await row.locator('a', { hasText: 'Run' }).click();
    assert.match(await p.locator('main').innerText(), /Hello from the web page/);

    await p.goto(`${base}/admin/scripts`);
    await row.locator('button', { hasText: 'Remove' }).click();
    assert.match(await p.locator('[data-var=Note]').innerText(), /Script removed correctly/);
    assert.equal(existsSync(saved), false, 'removed from disk');
    await p.goto(`${base}/admin/scripts`);
    assert.equal(await section.locator('td', { hasText: /^web-greeting$/ }).count(), 0);
    await ctx.close();
  });

  it('serves the same UI over HTTPS on the second httpServer port with the vhost certificate, and marks the cookie Secure there', async () => {
    const cert = await new Promise<PeerCertificate>((resolve, reject) => {
      const sock = tlsConnect({ host: '127.0.0.1', port: server.web.https, servername: DOMAIN, rejectUnauthorized: false }, () => {
        resolve(sock.getPeerCertificate());
        sock.end();
      });
      sock.on('error', reject);
    });
    assert.match(cert.subjectaltname ?? '', new RegExp(`DNS:${DOMAIN}\\b`));

    const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
    const p = await ctx.newPage();
    await p.goto(`https://127.0.0.1:${server.web.https}/admin/`);
    await p.fill('input[name=jid]', `admin@${DOMAIN}`);
    await p.fill('input[name=password]', 'secret');
    await p.click('button[type=submit]');
    await p.waitForSelector('text=VHost Manager');
    const session = (await ctx.cookies()).find((c) => c.name === 'starling_admin');
    assert.deepEqual([session?.secure, session?.httpOnly, session?.sameSite], [true, true, 'Strict']);
    const plain = await browser.newContext();
    await plain.newPage().then((q) => login(q, `admin@${DOMAIN}`, 'secret'));
    assert.equal((await plain.cookies()).find((c) => c.name === 'starling_admin')?.secure, false, 'no Secure flag over plain HTTP');
    await Promise.all([ctx.close(), plain.close()]);
  });
});
