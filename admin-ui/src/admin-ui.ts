import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Element, type Jid, NS_COMMANDS, NS_DATA_FORMS, inject, injectable, tryParseJid, xml } from '@starling/sdk';
import { ADMIN_UI_HOST, type AdminUiHost } from './admin-ui-host';
import { esc, page, renderForm } from './html';
import { type ListPageContext, type ListPagePath, type PageBody, listPage, pluginsPage, scriptsPage } from './list-pages';
import { commandParts, replyFailure } from './reply-view';
import { cookie, cookies, forbidden, readForm, redirect, sameToken as same, sendHtml as html } from './http-kit';


const COOKIE = 'starling_admin';
const PRE_COOKIE = 'starling_admin_login';

interface UiSession {
  jid: Jid;
  csrf: string;
  seen: number;
  /** Field types of the last form shown per XEP-0050 session, to read textareas back as lists. */
  forms: Map<string, Map<string, string>>;
}

/**
 * The web Admin UI on the httpServer port under /admin/: a client of the command framework. Every page
 * sends the same XEP-0050 IQ an XMPP client would (through the router to `<component>@<vhost>`, with the
 * logged-in JID as sender), so the ACLs, forms and texts are the framework's; nothing is reimplemented.
 */
@injectable()
export class AdminUi {
  private readonly sessions = new Map<string, UiSession>();
  private readonly failures = new Map<string, number[]>();
  private readonly loginTokens = new Map<string, number>();
  private seq = 0;

  constructor(@inject(ADMIN_UI_HOST) private readonly host: AdminUiHost) {}

  mount(): { dispose(): void } {
    const d = [
      this.host.routes.route('GET', '/admin', (_req, res) => redirect(res, '/admin/')),
      this.host.routes.route('GET', '/admin/', (req, res) => this.home(req, res)),
      this.host.routes.route('POST', '/admin/login', (req, res) => this.login(req, res)),
      this.host.routes.route('POST', '/admin/logout', (req, res) => this.logout(req, res)),
      this.host.routes.routePrefix('GET', '/admin/commands/', (req, res) => this.commandPage(req, res)),
      this.host.routes.route('GET', '/admin/plugins', (req, res) => this.listPage(req, res, pluginsPage)),
      this.host.routes.route('GET', '/admin/scripts', (req, res) => this.listPage(req, res, scriptsPage)),
      this.host.routes.routePrefix('POST', '/admin/commands/', (req, res) => this.commandPost(req, res)),
    ];
    return { dispose: () => d.reverse().forEach((x) => x.dispose()) };
  }

  private session(req: IncomingMessage): { token: string; s: UiSession } | undefined {
    const token = cookies(req)[COOKIE];
    const s = token ? this.sessions.get(token) : undefined;
    if (!s || !token) return undefined;
    if (Date.now() - s.seen > this.host.limits.idleMs) {
      this.sessions.delete(token);
      return undefined;
    }
    s.seen = Date.now();
    return { token, s };
  }

  private async home(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cur = this.session(req);
    if (!cur) return this.loginPage(req, res, 200);
    const { s } = cur;
    const parts = this.host.commandsFor(s.jid).map(
      (comp) =>
        `<h2>${esc(comp.description)} <small>${esc(comp.jid)}</small></h2><ul>` +
        comp.commands.map((c) => `<li><a href="${commandHref(comp.jid, c.node)}">${esc(c.name)}</a></li>`).join('') +
        '</ul>',
    );
    html(res, 200, page('Components', parts.join('\n') || '<p>No commands.</p>', { jid: s.jid.bareString, csrf: s.csrf }));
  }

  private loginPage(req: IncomingMessage, res: ServerResponse, status: number, error?: string): void {
    const token = randomBytes(18).toString('base64url');
    this.loginTokens.set(token, Date.now());
    if (this.loginTokens.size > 10_000) this.loginTokens.delete(this.loginTokens.keys().next().value as string);
    res.setHeader('Set-Cookie', cookie(req, PRE_COOKIE, token));
    html(
      res,
      status,
      page(
        'Log in',
        `${error ? `<p class="error">${esc(error)}</p>` : ''}<form method="post" action="/admin/login">
<input type="hidden" name="__csrf" value="${token}">
<label for="jid">JID</label><input id="jid" type="text" name="jid" autocomplete="username" required>
<label for="password">Password</label><input id="password" type="password" name="password" autocomplete="current-password" required>
<div><button type="submit">Log in</button></div></form>`,
      ),
    );
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req, this.host.limits.maxBodySize);
    const pre = cookies(req)[PRE_COOKIE];
    if (!form || !pre || !this.loginTokens.has(pre) || !same(form.get('__csrf') ?? '', pre)) return forbidden(res);
    this.loginTokens.delete(pre);
    const jid = tryParseJid((form.get('jid') ?? '').trim());
    const ip = req.socket.remoteAddress ?? '';
    const account = jid?.bareString ?? '';
    if (this.tooMany(`ip:${ip}`) || (account && this.tooMany(`jid:${account}`))) return this.loginPage(req, res, 429, 'Too many failed logins: try again later.');
    const ok = jid !== null && jid.local !== '' && this.host.isLocalDomain(jid.domain) && (await this.host.checkPassword(account, form.get('password') ?? ''));
    if (!ok) {
      this.fail(`ip:${ip}`);
      if (account) this.fail(`jid:${account}`);
      this.host.log.warn('admin UI login failed', { account, ip });
      return this.loginPage(req, res, 401, 'Wrong JID or password.');
    }
    const bare = jid!.bare();
    const allowed = this.host.commandsFor(bare).some((c) => c.commands.length > 0);
    if (!allowed) {
      this.host.log.warn('admin UI login refused: no commands for this account', { account, ip });
      return this.loginPage(req, res, 403, 'This account may not run any admin command.');
    }
    const token = randomBytes(24).toString('base64url');
    this.sessions.set(token, { jid: bare, csrf: randomBytes(18).toString('base64url'), seen: Date.now(), forms: new Map() });
    this.host.log.info('admin UI login', { account, ip });
    res.setHeader('Set-Cookie', cookie(req, COOKIE, token));
    redirect(res, '/admin/');
  }

  private async logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cur = this.session(req);
    const form = await readForm(req, this.host.limits.maxBodySize);
    if (!cur || !form || !same(form.get('__csrf') ?? '', cur.s.csrf)) return forbidden(res);
    this.sessions.delete(cur.token);
    res.setHeader('Set-Cookie', `${cookie(req, COOKIE, '')}; Max-Age=0`);
    redirect(res, '/admin/');
  }

  /** `/admin/commands/<component JID>/<node>`, both parts URL-encoded. */
  private target(req: IncomingMessage): { jid: string; node: string } | undefined {
    const rest = (req.url ?? '').split('?')[0].slice('/admin/commands/'.length).split('/');
    if (rest.length !== 2) return undefined;
    try {
      return { jid: decodeURIComponent(rest[0]), node: decodeURIComponent(rest[1]) };
    } catch {
      return undefined;
    }
  }

  private async commandPage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cur = this.session(req);
    if (!cur) return redirect(res, '/admin/');
    const t = this.target(req);
    if (!t) return html(res, 404, page('Not found', '<p>No such page.</p>', { jid: cur.s.jid.bareString, csrf: cur.s.csrf }));
    const reply = await this.execute(cur.s, t.jid, t.node, 'execute', undefined, undefined);
    this.show(res, cur.s, t, reply, listPage(new URL(req.url ?? '/', 'http://x').searchParams.get('back')));
  }

  private async commandPost(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cur = this.session(req);
    if (!cur) return forbidden(res);
    const form = await readForm(req, this.host.limits.maxBodySize);
    if (!form || !same(form.get('__csrf') ?? '', cur.s.csrf)) return forbidden(res);
    const t = this.target(req);
    if (!t) return html(res, 404, page('Not found', '<p>No such page.</p>', { jid: cur.s.jid.bareString, csrf: cur.s.csrf }));
    const action = form.get('__action') ?? 'complete';
    const sessionid = form.get('__sessionid') || undefined;
    const types = (sessionid && cur.s.forms.get(sessionid)) || new Map<string, string>();
    const fields: Element[] = [];
    for (const name of new Set(form.keys())) {
      if (name.startsWith('__')) continue;
      let vals = form.getAll(name);
      const type = types.get(name);
      if (type === 'text-multi' || type === 'jid-multi') vals = vals.flatMap((v) => v.split(/\r?\n/)).filter((v) => v !== '');
      fields.push(xml('field', { var: name }, vals.map((v) => xml('value', {}, v))));
    }
    const x = action === 'prev' || action === 'cancel' ? undefined : xml('x', { xmlns: NS_DATA_FORMS, type: 'submit' }, fields);
    const reply = await this.execute(cur.s, t.jid, t.node, action, sessionid, x);
    this.show(res, cur.s, t, reply, listPage(form.get('__back')));
  }

  /** Sends the XEP-0050 request through the router, as an XMPP client's would go, and waits for the answer. */
  private execute(s: UiSession, to: string, node: string, action: string, sessionid: string | undefined, x: Element | undefined): Promise<Element | null> {
    const iq = xml('iq', { type: 'set', id: `admin-ui-${++this.seq}`, from: s.jid.bareString, to }, xml('command', { xmlns: NS_COMMANDS, node, action, sessionid }, x));
    return this.host.request(iq, 30_000);
  }

  /** A page that lists with one command and offers others per row (plugins, scripts). */
  private async listPage(req: IncomingMessage, res: ServerResponse, build: (ctx: ListPageContext, defaultDomain: string) => Promise<PageBody>): Promise<void> {
    const cur = this.session(req);
    if (!cur) return redirect(res, '/admin/');
    const { s } = cur;
    const domain = this.host.defaultDomain;
    const ctx: ListPageContext = {
      csrf: s.csrf,
      components: this.host.commandsFor(s.jid).filter((c) => c.jid.endsWith(`@${domain}`)),
      run: (jid, node) => this.execute(s, jid, node, 'execute', undefined, undefined),
      href: commandHref,
    };
    const body = await build(ctx, domain);
    html(res, body.status, page(body.title, body.html, { jid: s.jid.bareString, csrf: s.csrf }));
  }

  private show(res: ServerResponse, s: UiSession, t: { jid: string; node: string }, reply: Element | null, back?: ListPagePath): void {
    const user = { jid: s.jid.bareString, csrf: s.csrf };
    const title = `${t.node} on ${t.jid}`;
    const failed = replyFailure(reply);
    if (failed || !reply) return html(res, failed?.status ?? 504, page(title, failed?.html ?? '', user));
    const { cmd, x, notes } = commandParts(reply);
    const status = cmd?.attrs.status;
    const backLink = back ? `<a href="${back}">Back to the ${back.slice('/admin/'.length)}</a>` : '<a href="/admin/">Back to the components</a>';
    if (status !== 'executing') return html(res, 200, page(title, `${notes}${renderForm(x, false)}<p>${backLink}</p>`, user));
    const sid = cmd?.attrs.sessionid ?? '';
    const types = new Map((x?.getChildren('field') ?? []).map((f) => [f.attrs.var ?? '', f.attrs.type ?? 'text-single']));
    s.forms.set(sid, types);
    while (s.forms.size > 50) s.forms.delete(s.forms.keys().next().value as string);
    const actions = cmd?.getChild('actions');
    const prev = actions?.getChild('prev') ? '<button type="submit" name="__action" value="prev" formnovalidate>Previous</button>' : '';
    const next = actions?.getChild('next') ? '<button type="submit" name="__action" value="next">Next</button>' : '';
    const action = commandHref(t.jid, t.node);
    html(
      res,
      200,
      page(
        title,
        `${notes}<form method="post" action="${esc(action)}"><input type="hidden" name="__csrf" value="${esc(s.csrf)}"><input type="hidden" name="__sessionid" value="${esc(sid)}">${back ? `<input type="hidden" name="__back" value="${back}">` : ''}
${renderForm(x, true)}
<div>${prev}${next}<button type="submit" name="__action" value="complete">Complete</button><button type="submit" name="__action" value="cancel" formnovalidate>Cancel</button></div></form>`,
        user,
      ),
    );
  }

  private tooMany(key: string): boolean {
    const now = Date.now();
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.host.limits.idleMs);
    this.failures.set(key, list);
    return list.length >= this.host.limits.loginAttempts;
  }

  private fail(key: string): void {
    this.failures.set(key, [...(this.failures.get(key) ?? []), Date.now()]);
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value as string);
  }
}

/** The stable page of a command: `/admin/commands/<component JID>/<node>`, each part URL-encoded. */
export function commandHref(jid: string, node: string): string {
  return `/admin/commands/${encodeURIComponent(jid)}/${encodeURIComponent(node)}`;
}
