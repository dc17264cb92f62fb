import { client, xml, type XmppClient, type XmppElement } from '@xmpp/client';
import { WebSocket } from 'ws';
import { DOMAIN } from './server';

// @xmpp/client's WebSocket transport uses the global WebSocket, which Node 20 has only behind a flag.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

export { xml };
export type { XmppClient, XmppElement };

export interface ConnectOptions {
  port: number;
  username: string;
  password: string;
  resource?: string;
  /** xmpp:// (STARTTLS when offered) or xmpps:// (direct TLS). */
  scheme?: 'xmpp' | 'xmpps';
  /** Force a SASL mechanism (e.g. 'PLAIN'). */
  mechanism?: string;
  /** A full service URL instead of scheme://127.0.0.1:port (e.g. ws://127.0.0.1:5290/xmpp-websocket). */
  service?: string;
  /** The virtual host to log in to (default localhost). */
  domain?: string;
}

/** An IQ error reply, shaped like @xmpp/client's StanzaError (condition, text, type, element). */
export class StanzaError extends Error {
  constructor(
    readonly condition: string,
    readonly text: string,
    readonly type: string | undefined,
    readonly element: XmppElement,
  ) {
    super(condition + (text ? ` - ${text}` : ''));
    this.name = 'StanzaError';
  }

  static fromReply(iq: XmppElement): StanzaError {
    const error = iq.getChild('error');
    const condition = error?.getChildElements().find((e) => e.name !== 'text')?.name ?? 'undefined-condition';
    return new StanzaError(condition, error?.getChildText('text') ?? '', error?.attrs.type, error ?? iq);
  }
}

let nextIqId = 0;

/** A logged-in @xmpp/client session. Stanzas received are collected in `inbox`. */
export class TestClient {
  readonly inbox: XmppElement[] = [];
  private waiters: { pred: (el: XmppElement) => boolean; resolve: (el: XmppElement) => void }[] = [];
  /** IQ replies awaited by iq(), by id. */
  private readonly replies = new Map<string, (reply: XmppElement) => void>();

  constructor(readonly xmpp: XmppClient) {
    xmpp.on('stanza', (el: XmppElement) => {
      const reply = el.is('iq') && (el.attrs.type === 'result' || el.attrs.type === 'error') ? this.replies.get(el.attrs.id) : undefined;
      if (reply) reply(el);
      const i = this.waiters.findIndex((w) => w.pred(el));
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        w.resolve(el);
      } else this.inbox.push(el);
    });
  }

  get jid(): string {
    return this.xmpp.jid!.toString();
  }

  send(el: XmppElement): Promise<void> {
    return this.xmpp.send(el);
  }

  /**
   * Sends an IQ and resolves its result (rejects with a StanzaError for an error reply). Not through
   * @xmpp/client's iqCaller: that one rejects the reply's promise before it has a handler when the reply
   * arrives before its own write completed (an error reply then surfaces as an unhandled rejection,
   * which fails whichever test is running, although the caller awaits and expects it).
   */
  iq(el: XmppElement, timeoutMs = 5000): Promise<XmppElement> {
    const id = (el.attrs.id ??= `test-iq-${++nextIqId}`);
    const reply = new Promise<XmppElement>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(id);
        reject(Object.assign(new Error(`no reply to iq ${id} within ${timeoutMs} ms`), { name: 'TimeoutError' }));
      }, timeoutMs);
      this.replies.set(id, (r) => {
        clearTimeout(timer);
        this.replies.delete(id);
        if (r.attrs.type === 'error') reject(StanzaError.fromReply(r));
        else resolve(r);
      });
    });
    // Both promises have their handlers from the start: a reply that beats the write is never unhandled.
    return Promise.all([this.xmpp.send(el), reply]).then(([, r]) => r);
  }

  /** Resolves with the first stanza (already received or arriving) that matches; rejects after the timeout. */
  waitFor(pred: (el: XmppElement) => boolean, timeoutMs = 5000, what = 'stanza'): Promise<XmppElement> {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      this.waiters.push(w);
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`timed out waiting for ${what}; inbox: ${this.inbox.map(String).join('\n')}`));
      }, timeoutMs);
      const orig = w.resolve;
      w.resolve = (el) => {
        clearTimeout(t);
        orig(el);
      };
    });
  }

  /** Asserts nothing matching arrives within the window. */
  async expectNothing(pred: (el: XmppElement) => boolean, windowMs = 300): Promise<void> {
    await new Promise((r) => setTimeout(r, windowMs));
    const hit = this.inbox.find(pred);
    if (hit) throw new Error(`unexpected stanza: ${hit.toString()}`);
  }

  async stop(): Promise<void> {
    try {
      this.xmpp.reconnect?.stop();
      await this.xmpp.stop();
    } catch {
      /* already closed */
    }
  }
}

export async function connect(opts: ConnectOptions): Promise<TestClient> {
  const scheme = opts.scheme ?? 'xmpp';
  const xmpp = client({
    service: opts.service ?? `${scheme}://127.0.0.1:${opts.port}`,
    domain: opts.domain ?? DOMAIN,
    // @xmpp/client waits 2 s per step by default, too short on a loaded CI machine.
    timeout: 10_000,
    resource: opts.resource,
    ...(opts.mechanism
      ? { credentials: (auth: (c: { username: string; password: string }, m?: string) => Promise<void>) => auth({ username: opts.username, password: opts.password }, opts.mechanism) }
      : { username: opts.username, password: opts.password }),
  });
  xmpp.reconnect?.stop();
  xmpp.on('error', () => {
    /* surfaced through start() */
  });
  const c = new TestClient(xmpp);
  await xmpp.start();
  return c;
}
