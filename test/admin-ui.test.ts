import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { connect } from './harness/clients';
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
});
