// Helpers for the offline-message integration tests (test/offline-*.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import { DOMAIN, REPO, TestServer } from './harness/server';

export const NS_DELAY = 'urn:xmpp:delay';
export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
export const PASSWORD = 'secret';
export const jid = (user: string) => `${user}@${DOMAIN}`;

/** A config snippet of the chapter, verbatim (core/src/config/fixtures/seed/<name>.tdsl). */
export function chapterSnippet(name: string): string {
  return readFileSync(join(REPO, 'core/src/config/fixtures/seed', `${name}.tdsl`), 'utf8');
}

/**
 * The storage back ends to run a test on: SQLite always, PostgreSQL too when STARLING_TEST_PG_URI is set
 * (e.g. postgresql://root@127.0.0.1/test). `config()` gives the dataSource TDSL (a fresh schema each
 * call), `dispose()` drops what it made.
 */
export interface Backend {
  name: string;
  config(): Promise<string>;
  dispose(): Promise<void>;
}

export function backends(): Backend[] {
  const sqlite: Backend = { name: 'SQLite', config: async () => '', dispose: async () => undefined };
  const uri = process.env.STARLING_TEST_PG_URI;
  if (!uri) return [sqlite];
  const schemas: string[] = [];
  const admin = async <T>(fn: (c: PgClient) => Promise<T>): Promise<T> => {
    const c = new PgClient({ connectionString: uri });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const postgres: Backend = {
    name: 'PostgreSQL',
    async config() {
      const schema = `starling_offline_${process.pid}_${Date.now().toString(36)}_${schemas.length}`;
      await admin((c) => c.query(`CREATE SCHEMA ${schema}`));
      schemas.push(schema);
      const url = new URL(uri);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return `dataSource {\n    default () {\n        uri = '${url.toString()}'\n    }\n}\n`;
    },
    async dispose() {
      await admin(async (c) => {
        for (const schema of schemas.splice(0)) await c.query(`DROP SCHEMA ${schema} CASCADE`);
      });
    },
  };
  return [sqlite, postgres];
}

export async function startServer(config: string, users: string[]): Promise<TestServer> {
  return (await TestServer.create({ config, users: users.map((u) => [u, PASSWORD]) })).start();
}

/**
 * Logs in without sending presence (so the account is offline for message purposes). A login that
 * times out (@xmpp/client allows 2 s per step; a loaded test machine can exceed it) is tried again.
 */
export async function login(server: TestServer, user: string, resource = 'r1', clients?: TestClient[]): Promise<TestClient> {
  for (let attempt = 1; ; attempt++) {
    try {
      const c = await connect({ port: server.port, username: user, password: PASSWORD, resource });
      clients?.push(c);
      return c;
    } catch (err) {
      if ((err as Error).name !== 'TimeoutError' || attempt === 3) throw err;
    }
  }
}

/** Answers once the server has processed everything this client sent before (stanzas of one stream are processed in order). */
export async function sync(c: TestClient): Promise<void> {
  await c.iq(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
}

export function chat(to: string, id: string, body: string | undefined, ...extra: XmppElement[]): XmppElement {
  return xml('message', { to, type: 'chat', id }, body === undefined ? undefined : xml('body', {}, body), ...extra);
}

/** Sends `n` chats with ids `<prefix>1..n` and waits until the server processed them. */
export async function sendChats(from: TestClient, to: string, n: number, prefix = 'm'): Promise<void> {
  for (let i = 1; i <= n; i++) await from.send(chat(to, `${prefix}${i}`, `${prefix} ${i}`));
  await sync(from);
}

export const isMessage = (el: XmppElement) => el.is('message') && el.attrs.type !== 'error';
export const isError = (id?: string) => (el: XmppElement) => el.is('message') && el.attrs.type === 'error' && (id === undefined || el.attrs.id === id);

/** Waits until `n` stanzas matching `pred` are in the inbox (leaving them there), then for `quietMs` more to catch extras. */
export async function collect(c: TestClient, pred: (el: XmppElement) => boolean, n: number, what: string, timeoutMs = 10_000, quietMs = 300): Promise<XmppElement[]> {
  const deadline = Date.now() + timeoutMs;
  while (c.inbox.filter(pred).length < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} × ${what}, got ${c.inbox.filter(pred).length}; inbox:\n${c.inbox.map(String).join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, quietMs));
  return c.inbox.filter(pred);
}

/** Sends initial presence (optionally with a priority) and waits for its echo: the session is available. */
export async function goOnline(c: TestClient, priority?: number): Promise<void> {
  await c.send(xml('presence', {}, priority === undefined ? undefined : xml('priority', {}, String(priority))));
  await c.waitFor((el) => el.is('presence') && el.attrs.from === c.jid && el.attrs.type === undefined, 5000, 'own presence echo');
}

/** The stanza error condition of an error stanza. */
export function condition(el: XmppElement): string | undefined {
  return el.getChild('error')?.getChildElements().find((e) => e.attrs.xmlns === NS_STANZAS && e.name !== 'text')?.name;
}

export { DOMAIN, type TestClient, TestServer, xml, type XmppElement };
