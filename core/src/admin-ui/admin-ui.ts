import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Element, type Jid, type Logger, NS_DATA_FORMS, type UserRepository, tryParseJid, xml } from '@starling/sdk';
import type { StanzaRouter } from '@starling/sdk/kernel';
import { NS_COMMANDS } from '../commands/ad-hoc-command';
import type { BeanView } from '../config/bean-view';
import type { AdminCommands } from '../commands/admin-commands';
import type { HttpServer } from '../http/http-server';
import type { VhostRegistry } from '../vhosts/vhost-registry';
import { esc, page, renderForm } from './html';
import { passwordMatches } from './password-check';

/** Limits of the admin UI (`httpServer { 'admin-idle-timeout' = 900; 'admin-login-attempts' = 5 }`, seconds and a count). */
export interface AdminUiLimits {
  idleMs: number;
  /** Failed logins per IP and per account within `idleMs` before further attempts are refused. */
  loginAttempts: number;
}
export const DEFAULT_ADMIN_UI_LIMITS: AdminUiLimits = { idleMs: 15 * 60_000, loginAttempts: 5 };

/** Reads the limits from the httpServer bean; a bad value is a config error naming its place. */
export function readAdminUiLimits(http: BeanView): AdminUiLimits {
  const rule = { integer: true, min: 1 };
  return {
    idleMs: http.number('admin-idle-timeout', DEFAULT_ADMIN_UI_LIMITS.idleMs / 1000, rule) * 1000,
    loginAttempts: http.number('admin-login-attempts', DEFAULT_ADMIN_UI_LIMITS.loginAttempts, rule),
  };
}

const COOKIE = 'starling_admin';
const PRE_COOKIE = 'starling_admin_login';
const BODY_LIMIT = 256 * 1024;

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
export class AdminUi {
  private readonly sessions = new Map<string, UiSession>();
  private readonly failures = new Map<string, number[]>();
  private readonly loginTokens = new Map<string, number>();
  private seq = 0;

  constructor(
    private readonly http: HttpServer,
    private readonly router: StanzaRouter,
    private readonly commands: AdminCommands,
    private readonly vhosts: VhostRegistry,
    private readonly users: UserRepository,
    private readonly limits: AdminUiLimits,
    private readonly log: Logger,
  ) {}

  mount(): { dispose(): void } {
    const d = [
      this.http.route('GET', '/admin', (_req, res) => redirect(res, '/admin/')),
      this.http.route('GET', '/admin/', (req, res) => this.home(req, res)),
      this.http.route('POST', '/admin/login', (req, res) => this.login(req, res)),
      this.http.route('POST', '/admin/logout', (req, res) => this.logout(req, res)),
      this.http.routePrefix('GET', '/admin/commands/', (req, res) => this.commandPage(req, res)),
      this.http.routePrefix('POST', '/admin/commands/', (req, res) => this.commandPost(req, res)),
    ];
    return { dispose: () => d.reverse().forEach((x) => x.dispose()) };
  }

  private session(req: IncomingMessage): { token: string; s: UiSession } | undefined {
    const token = cookies(req)[COOKIE];
    const s = token ? this.sessions.get(token) : undefined;
    if (!s || !token) return undefined;
    if (Date.now() - s.seen > this.limits.idleMs) {
      this.sessions.delete(token);
      return undefined;
    }
    s.seen = Date.now();
    return { token, s };
  }

  private async home(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cur = this.session(req);
    if (!cur) return this.loginPage(res, 200);
    const { s } = cur;
    const parts: string[] = [];
    for (const domain of this.vhosts.domains)
      for (const comp of this.commands.components.values()) {
        const cmds = comp.visibleCommands(s.jid);
        if (cmds.length === 0) continue;
        const jid = `${comp.name}@${domain}`;
        parts.push(
          `<h2>${esc(comp.spec.description)} <small>${esc(jid)}</small></h2><ul>` +
            cmds.map((c) => `<li><a href="/admin/commands/${encodeURIComponent(jid)}/${encodeURIComponent(c.id)}">${esc(c.name)}</a></li>`).join('') +
            '</ul>',
        );
      }
    html(res, 200, page('Components', parts.join('\n') || '<p>No commands.</p>', { jid: s.jid.bareString, csrf: s.csrf }));
  }

  private loginPage(res: ServerResponse, status: number, error?: string): void {
    const token = randomBytes(18).toString('base64url');
    this.loginTokens.set(token, Date.now());
    if (this.loginTokens.size > 10_000) this.loginTokens.delete(this.loginTokens.keys().next().value as string);
    res.setHeader('Set-Cookie', `${PRE_COOKIE}=${token}; Path=/admin; HttpOnly; SameSite=Strict`);
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
    const form = await readForm(req);
    const pre = cookies(req)[PRE_COOKIE];
    if (!form || !pre || !this.loginTokens.has(pre) || !same(form.get('__csrf') ?? '', pre)) return forbidden(res);
    this.loginTokens.delete(pre);
    const jid = tryParseJid((form.get('jid') ?? '').trim());
    const ip = req.socket.remoteAddress ?? '';
    const account = jid?.bareString ?? '';
    if (this.tooMany(`ip:${ip}`) || (account && this.tooMany(`jid:${account}`))) return this.loginPage(res, 429, 'Too many failed logins: try again later.');
    const ok = jid !== null && jid.local !== '' && this.vhosts.isLocal(jid.domain) && (await passwordMatches(this.users, account, form.get('password') ?? ''));
    if (!ok) {
      this.fail(`ip:${ip}`);
      if (account) this.fail(`jid:${account}`);
      this.log.warn('admin UI login failed', { account, ip });
      return this.loginPage(res, 401, 'Wrong JID or password.');
    }
    const bare = jid!.bare();
    const allowed = [...this.commands.components.values()].some((c) => c.visibleCommands(bare).length > 0);
    if (!allowed) {
      this.log.warn('admin UI login refused: no commands for this account', { account, ip });
      return this.loginPage(res, 403, 'This account may not run any admin command.');
    }
    const token = randomBytes(24).toString('base64url');
    this.sessions.set(token, { jid: bare, csrf: randomBytes(18).toString('base64url'), seen: Date.now(), forms: new Map() });
    this.log.info('admin UI login', { account, ip });
    res.setHeader('Set-Cookie', `${COOKIE}=${token}; Path=/admin; HttpOnly; SameSite=Strict`);
    redirect(res, '/admin/');
  }

  private async logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cur = this.session(req);
    const form = await readForm(req);
    if (!cur || !form || !same(form.get('__csrf') ?? '', cur.s.csrf)) return forbidden(res);
    this.sessions.delete(cur.token);
    res.setHeader('Set-Cookie', `${COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0`);
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
    this.show(res, cur.s, t, reply);
  }

  private async commandPost(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cur = this.session(req);
    if (!cur) return forbidden(res);
    const form = await readForm(req);
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
    this.show(res, cur.s, t, reply);
  }

  /** Sends the XEP-0050 request through the router, as an XMPP client's would go, and waits for the answer. */
  private execute(s: UiSession, to: string, node: string, action: string, sessionid: string | undefined, x: Element | undefined): Promise<Element | null> {
    const iq = xml('iq', { type: 'set', id: `admin-ui-${++this.seq}`, from: s.jid.bareString, to }, xml('command', { xmlns: NS_COMMANDS, node, action, sessionid }, x));
    return this.router.request(iq, 30_000);
  }

  private show(res: ServerResponse, s: UiSession, t: { jid: string; node: string }, reply: Element | null): void {
    const user = { jid: s.jid.bareString, csrf: s.csrf };
    const title = `${t.node} on ${t.jid}`;
    if (!reply) return html(res, 504, page(title, '<p class="error">The component did not answer.</p>', user));
    if (reply.attrs.type === 'error') {
      const err = reply.getChild('error');
      const condition = err?.getChildElements().find((e) => e.name !== 'text')?.name ?? 'error';
      const text = err?.getChildText('text') ?? '';
      return html(res, condition === 'forbidden' ? 403 : 400, page(title, `<p class="error">Error: ${esc(condition)}${text ? ` – ${esc(text)}` : ''}</p>`, user));
    }
    const cmd = reply.getChild('command', NS_COMMANDS);
    const x = cmd?.getChild('x', NS_DATA_FORMS);
    const notes = (cmd?.getChildren('note') ?? []).map((n) => `<p class="note">${esc(n.text())}</p>`).join('');
    const status = cmd?.attrs.status;
    if (status !== 'executing') return html(res, 200, page(title, `${notes}${renderForm(x, false)}<p><a href="/admin/">Back to the components</a></p>`, user));
    const sid = cmd?.attrs.sessionid ?? '';
    const types = new Map((x?.getChildren('field') ?? []).map((f) => [f.attrs.var ?? '', f.attrs.type ?? 'text-single']));
    s.forms.set(sid, types);
    while (s.forms.size > 50) s.forms.delete(s.forms.keys().next().value as string);
    const actions = cmd?.getChild('actions');
    const prev = actions?.getChild('prev') ? '<button type="submit" name="__action" value="prev" formnovalidate>Previous</button>' : '';
    const next = actions?.getChild('next') ? '<button type="submit" name="__action" value="next">Next</button>' : '';
    const action = `/admin/commands/${encodeURIComponent(t.jid)}/${encodeURIComponent(t.node)}`;
    html(
      res,
      200,
      page(
        title,
        `${notes}<form method="post" action="${esc(action)}"><input type="hidden" name="__csrf" value="${esc(s.csrf)}"><input type="hidden" name="__sessionid" value="${esc(sid)}">
${renderForm(x, true)}
<div>${prev}${next}<button type="submit" name="__action" value="complete">Complete</button><button type="submit" name="__action" value="cancel" formnovalidate>Cancel</button></div></form>`,
        user,
      ),
    );
  }

  private tooMany(key: string): boolean {
    const now = Date.now();
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.limits.idleMs);
    this.failures.set(key, list);
    return list.length >= this.limits.loginAttempts;
  }

  private fail(key: string): void {
    this.failures.set(key, [...(this.failures.get(key) ?? []), Date.now()]);
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value as string);
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  });
  res.end(body);
}

function redirect(res: ServerResponse, to: string): void {
  res.writeHead(303, { Location: to });
  res.end();
}

function forbidden(res: ServerResponse): void {
  html(res, 403, page('Forbidden', '<p class="error">Forbidden: log in again (missing or wrong CSRF token or session).</p>'));
}
