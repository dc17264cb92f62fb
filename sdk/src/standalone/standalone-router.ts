import { StanzaError } from '../errors';
import { type Jid, tryParseJid } from '../jid';
import type { StanzaRequest, ToKind } from '../routes';
import type { Logger, Router } from '../services';
import type { Session, SessionDirectory } from '../session';
import { errorReply, iqResult, isErrorOrResult } from '../stanza';
import type { Element } from '../xml';
import { type RouteEntry, RouteTable, iqKey, stanzaKey } from '../route-table';

export interface StandaloneRouterOptions {
  /** The domains this host serves (the server's virtual hosts, or the component's domain). */
  domains: Iterable<string>;
  sessions: SessionDirectory;
  log: Logger;
  /** Where a stanza leaves the host: replies, and everything a plugin routes. */
  emit(stanza: Element): void;
}

type Request = StanzaRequest & { toKind: ToKind };

/**
 * The server's stanza pipeline in miniature, with the same routing contract as the kernel's router:
 * preprocess → process (`out` handlers for a local sender, then `in` handlers / the IQ route for the
 * recipient) → postprocess; a missing IQ handler gives `service-unavailable`, a thrown StanzaError its
 * error reply, any other throw `internal-server-error` (logged with the plugin id). What a plugin routes is
 * emitted, not processed again: there is no other entity here to process it.
 */
export class StandaloneRouter implements Router {
  table = new RouteTable<string>();
  private readonly domains: Set<string>;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly opts: StandaloneRouterOptions) {
    this.domains = new Set(opts.domains);
  }

  isLocalDomain(domain: string): boolean {
    return this.domains.has(domain);
  }

  route(stanza: Element): void {
    this.opts.emit(stanza);
  }

  deliver(fullJid: string, stanza: Element): boolean {
    const s = this.opts.sessions.get(fullJid);
    return s ? s.send(stanza) : false;
  }

  /** A stanza from a bound local client session (its `from` is the session's full JID). */
  async fromClient(session: Session, stanza: Element): Promise<void> {
    stanza.attrs.from = session.jid.toString();
    const to = this.recipient(stanza, session.jid);
    if (!to) return;
    const req = this.request(stanza, session.jid, to.jid, to.kind, 'out', session);
    if (await this.preprocess(req)) return;
    let handled = false;
    if (stanza.name !== 'iq') handled = await this.runHandlers(this.table.stanza.get(stanzaKey(stanza.name, 'out', to.kind)), req);
    if (!handled && to.kind !== 'none') await this.processIn(stanza, session.jid, session, to);
    this.postprocess(req);
  }

  /** A stanza that arrives from another entity (a remote user, the server, another component). */
  async inbound(stanza: Element): Promise<void> {
    const from = tryParseJid(stanza.attrs.from ?? '');
    if (!from) {
      this.opts.log.warn('dropping a stanza without a valid from', { stanza: stanza.toString() });
      return;
    }
    await this.processIn(stanza, from, undefined);
  }

  /** Runs the outbound filters for a stanza written to a session; null means drop. */
  filter(stanza: Element, session: Session): Element | null {
    let s: Element | null = stanza;
    for (const f of this.table.filters) {
      try {
        s = f.handler(s, session);
      } catch (err) {
        this.opts.log.error('filter failed', { plugin: f.owner, err });
      }
      if (s === null) return null;
    }
    return s;
  }

  /** Resolves once every postprocess observer started so far has settled. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private recipient(stanza: Element, from: Jid): { jid: Jid; kind: ToKind } | null {
    const toAttr = stanza.attrs.to;
    if (toAttr === undefined) return stanza.name === 'presence' ? { jid: from.bare(), kind: 'none' } : { jid: from.bare(), kind: 'bare' };
    const jid = tryParseJid(toAttr);
    if (!jid) {
      this.replyError(stanza, new StanzaError('jid-malformed', 'The recipient address is not a valid JID'));
      return null;
    }
    return { jid, kind: kindOf(jid) };
  }

  private request(stanza: Element, from: Jid, to: Jid, toKind: ToKind, direction: 'in' | 'out', origin?: Session): Request {
    return { stanza, from, to, toKind, direction, origin, send: (s: Element) => this.route(s) };
  }

  private async processIn(stanza: Element, from: Jid, origin: Session | undefined, known?: { jid: Jid; kind: ToKind }): Promise<void> {
    let to = known;
    if (!to) {
      const parsed = stanza.attrs.to === undefined ? from.bare() : tryParseJid(stanza.attrs.to);
      if (!parsed) return this.replyError(stanza, new StanzaError('jid-malformed'));
      to = { jid: parsed, kind: kindOf(parsed) };
    }
    if (!this.domains.has(to.jid.domain)) {
      // Not ours: it leaves the host as it is (the server routes it on).
      this.opts.emit(stanza);
      return;
    }
    const req = this.request(stanza, from, to.jid, to.kind, 'in', origin);
    if (origin === undefined && (await this.preprocess(req))) return;
    if (stanza.name === 'iq') return this.processIq(req);
    const handled = await this.runHandlers(this.table.stanza.get(stanzaKey(stanza.name, 'in', to.kind)), req);
    if (handled) return;
    if (to.kind === 'full' && this.deliver(to.jid.toString(), stanza)) return;
    if (stanza.name === 'message') this.replyError(stanza, new StanzaError('service-unavailable'));
  }

  private async processIq(req: Request): Promise<void> {
    const { stanza } = req;
    const type = stanza.attrs.type;
    if (type === 'result' || type === 'error') {
      if (req.toKind === 'full') this.deliver(req.to.toString(), stanza);
      return;
    }
    const payload = stanza.firstElement();
    const entry = payload && this.table.iq.get(iqKey(type ?? '', req.toKind, payload.getNS() ?? '', payload.name));
    if (!entry) {
      if (req.toKind === 'full' && this.deliver(req.to.toString(), stanza)) return;
      return this.replyError(stanza, new StanzaError('service-unavailable'));
    }
    try {
      const result = await entry.handler(req);
      this.opts.emit(iqResult(stanza, result ?? undefined));
    } catch (err) {
      this.replyError(stanza, this.asStanzaError(err, entry));
    }
  }

  private async runHandlers(list: RouteEntry<(req: StanzaRequest) => unknown, string>[] | undefined, req: Request): Promise<boolean> {
    if (!list) return false;
    for (const h of list) {
      try {
        if ((await h.handler(req)) === true) return true;
      } catch (err) {
        this.replyError(req.stanza, this.asStanzaError(err, h));
        return true;
      }
    }
    return false;
  }

  private async preprocess(req: Request): Promise<boolean> {
    return this.runHandlers(this.table.pre, req);
  }

  private postprocess(req: Request): void {
    for (const h of this.table.post) {
      try {
        const r = h.handler(req);
        if (r) {
          const p: Promise<void> = r.catch((err) => this.opts.log.error('postprocess handler failed', { plugin: h.owner, err })).finally(() => this.pending.delete(p));
          this.pending.add(p);
        }
      } catch (err) {
        this.opts.log.error('postprocess handler failed', { plugin: h.owner, err });
      }
    }
  }

  private asStanzaError(err: unknown, h: RouteEntry<unknown, string>): StanzaError {
    if (err instanceof StanzaError) return err;
    const e = err as { code?: string; toElement?: unknown };
    if (e && e.code === 'STARLING_STANZA_ERROR' && typeof e.toElement === 'function') return err as StanzaError;
    this.opts.log.error('handler failed', { plugin: h.owner, err });
    return new StanzaError('internal-server-error');
  }

  private replyError(stanza: Element, error: StanzaError): void {
    if (isErrorOrResult(stanza) || stanza.attrs.from === undefined) return;
    this.opts.emit(errorReply(stanza, error, true));
  }
}

function kindOf(jid: Jid): ToKind {
  if (!jid.local) return 'host';
  return jid.resource ? 'full' : 'bare';
}
