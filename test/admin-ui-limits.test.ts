import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DOMAIN, TestServer } from './harness/server';

/** The Admin UI's form size limit, `httpServer { 'admin-max-body-size' }`, driven with Node's fetch as the HTTP client. */
describe("the Admin UI's 'admin-max-body-size'", () => {
  let server: TestServer;
  let base: string;

  before(async () => {
    server = await (await TestServer.create({ users: [['admin', 'secret']], httpServer: `'admin-max-body-size' = 2048` })).start();
    base = `http://127.0.0.1:${server.web.http}`;
  });
  after(async () => {
    await server?.dispose();
  });

  /** Opens the login page: its pre-login cookie and the CSRF token of its form. */
  async function loginPage(): Promise<{ cookie: string; csrf: string }> {
    const res = await fetch(`${base}/admin/`);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = /name="__csrf" value="([^"]+)"/.exec(await res.text())![1]!;
    return { cookie, csrf };
  }
  const post = (cookie: string, body: URLSearchParams) =>
    fetch(`${base}/admin/login`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });

  it('refuses a login form larger than the limit (403, as a form without its token) and takes one within it', async () => {
    const big = await loginPage();
    const padded = new URLSearchParams({ __csrf: big.csrf, jid: `admin@${DOMAIN}`, password: 'secret', pad: 'x'.repeat(4096) });
    assert.equal((await post(big.cookie, padded)).status, 403);
    const small = await loginPage();
    const res = await post(small.cookie, new URLSearchParams({ __csrf: small.csrf, jid: `admin@${DOMAIN}`, password: 'secret', pad: 'x'.repeat(1024) }));
    assert.equal(res.status, 303);
    assert.match(res.headers.get('set-cookie') ?? '', /^starling_admin=/);
  });
});
