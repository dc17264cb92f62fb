import { StanzaError, isResourceExhausted } from '../errors';
import { type Jid, tryParseJid } from '../jid';
import { type RouteEntry, RouteTable, iqKey, stanzaKey } from '../route-table';
import type { StanzaRequest, ToKind } from '../routes';
import type { Logger, Router } from '../services';
import type { Session, SessionDirectory } from '../session';
import { errorReply, iqResult, isErrorOrResult } from '../stanza';
import type { Element } from '../xml';
import type { HandlerOwner } from './registrations';
import { callAsPlugin } from './plugin-activity';

/** Handles every stanza addressed to one bare JID (a component such as sess-man@host) or domain. */
export type AddressHandler = (stanza: Element, from: Jid, to: Jid) => void | Promise<void>;

interface Request extends StanzaRequest {
  toKind: ToKind;
}

export interface StanzaRouterOptions {
  sessions: SessionDirectory;
  /** The virtual hosts served here: a list, or a live set that vhosts added or removed at run time change. */
  domains: Iterable<string> | { has(domain: string): boolean };
  log: Logger;
  /**
   * Where a stanza for a domain that is not served here and that no component claims goes (the
   * server-to-server edge). Without it the sender gets `remote-server-not-found`.
   */
  remote?: (stanza: Element) => void;
  /** Sees each stanza for a local resource that is not connected and that gets no error reply (it is dropped). */
  dropped?: (stanza: Element) => void;
  /** Keep the work started by route() and postprocess observers, so that settled() can wait for it (the test host). */
  trackPending?: boolean;
}

/**
 * The stanza pipeline (DESIGN §4): preprocess → process (out handlers for the local sender, then in
 * handlers for the recipient, then delivery defaults) → postprocess. Output goes through `route`/`deliver`.
 */
export class StanzaRouter implements Router {
  private table = new RouteTable<HandlerOwner>();
  private readonly addresses = new Map<string, AddressHandler>();
  private readonly domains = new Map<string, AddressHandler>();
  private readonly pendingIq = new Map<string, (reply: Element) => void>();
  private readonly localDomains: { has(domain: string): boolean };
  private readonly sessions: SessionDirectory;
  private readonly log: Logger;
  private readonly pending: Set<Promise<void>> | undefined;

  constructor(private readonly opts: StanzaRouterOptions) {
    this.localDomains = 'has' in opts.domains ? opts.domains : new Set(opts.domains);
    this.sessions = opts.sessions;
    this.log = opts.log;
    this.pending = opts.trackPending ? new Set() : undefined;
  }

  setTable(table: RouteTable<HandlerOwner>): void {
    this.table = table;
  }

  isLocalDomain(domain: string): boolean {
    return this.localDomains.has(domain);
  }

  /** Claims a bare JID on a local domain (component JIDs like sess-man@localhost). */
  registerAddress(bareJid: string, handler: AddressHandler): { dispose(): void } {
    this.addresses.set(bareJid, handler);
    return { dispose: () => this.addresses.get(bareJid) === handler && void this.addresses.delete(bareJid) };
  }

  /** Claims a whole domain (an external or internal component). */
  registerDomain(domain: string, handler: AddressHandler): { dispose(): void } {
    this.domains.set(domain, handler);
    return { dispose: () => this.domains.get(domain) === handler && void this.domains.delete(domain) };
  }

  hasDomain(domain: string): boolean {
    return this.domains.has(domain);
  }

  /** Sends an IQ from the server and resolves with the reply (or null after the timeout). */
  request(iq: Element, timeoutMs: number): Promise<Element | null> {
    const key = iq.attrs.id + '|' + iq.attrs.to;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pendingIq.delete(key);
        resolve(null);
      }, timeoutMs);
      timer.unref();
      this.pendingIq.set(key, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.route(iq);
    });
  }

  deliver(fullJid: string, stanza: Element): boolean {
    const s = this.sessions.get(fullJid);
    return s ? s.send(stanza) : false;
  }

  route(stanza: Element): void {
    this.watch(this.inbound(stanza).catch((err) => this.log.error('routing failed', { err })));
  }

  /**
   * Processes a stanza for its recipient as one that arrives from elsewhere (a remote entity, the server,
   * a component); its `from` must be a valid JID. Resolves when the handlers of the recipient are done.
   */
  async inbound(stanza: Element): Promise<void> {
    const from = tryParseJid(stanza.attrs.from ?? '');
    if (!from) {
      this.log.warn('dropping a server-routed stanza without a valid from', { stanza: stanza.toString() });
      return;
    }
    await this.processIn(stanza, from, undefined);
  }

  /** Resolves once the work that route() and postprocess observers started so far has settled (with trackPending). */
  async settled(): Promise<void> {
    while (this.pending?.size) await Promise.all([...this.pending]);
  }

  /** True while tracked work is still running. */
  busy(): boolean {
    return (this.pending?.size ?? 0) > 0;
  }

  private watch(p: Promise<void>): void {
    if (!this.pending) return;
    const tracked: Promise<void> = p.finally(() => this.pending!.delete(tracked));
    this.pending.add(tracked);
  }

  /** Entry point for a stanza from a bound local client; `from` is already stamped by the stream. */
  async fromClient(session: Session, stanza: Element): Promise<void> {
    const to = this.recipient(stanza, session.jid);
    if (!to) return;
    const req = this.request_(stanza, session.jid, to.jid, to.kind, 'out', session);
    if (await this.runHandlers(this.table.pre, req)) return;
    const kind = stanza.name;
    let handled = false;
    if (kind !== 'iq') handled = await this.runHandlers(this.table.stanza.get(stanzaKey(kind, 'out', to.kind)), req);
    if (!handled && to.kind !== 'none') await this.processIn(stanza, session.jid, session, to);
    this.postprocess(req);
  }

  private recipient(stanza: Element, from: Jid): { jid: Jid; kind: ToKind } | null {
    const toAttr = stanza.attrs.to;
    if (toAttr === undefined) {
      if (stanza.name === 'presence') return { jid: from.bare(), kind: 'none' };
      return { jid: from.bare(), kind: 'bare' };
    }
    const jid = tryParseJid(toAttr);
    if (!jid) {
      this.replyError(stanza, new StanzaError('jid-malformed', 'The recipient address is not a valid JID'));
      return null;
    }
    return { jid, kind: this.kindOf(jid) };
  }

  private kindOf(jid: Jid): ToKind {
    if (!jid.local) return 'host';
    return jid.resource ? 'full' : 'bare';
  }

  private request_(stanza: Element, from: Jid, to: Jid, toKind: ToKind, direction: 'in' | 'out', origin?: Session): Request {
    return { stanza, from, to, toKind, direction, origin, send: (s: Element) => this.route(s) };
  }

  /** Inbound processing for the recipient. */
  private async processIn(stanza: Element, from: Jid, origin: Session | undefined, known?: { jid: Jid; kind: ToKind }): Promise<void> {
    let to = known;
    if (!to) {
      const parsed = stanza.attrs.to === undefined ? from.bare() : tryParseJid(stanza.attrs.to);
      if (!parsed) return this.replyError(stanza, new StanzaError('jid-malformed'));
      to = { jid: parsed, kind: this.kindOf(parsed) };
    }
    const domain = to.jid.domain;
    if (!this.localDomains.has(domain)) {
      const component = this.domains.get(domain);
      if (component) return component(stanza, from, to.jid);
      if (this.opts.remote) return this.opts.remote(stanza);
      return this.replyError(stanza, new StanzaError('remote-server-not-found', `Server-to-server is not available for ${domain}`));
    }
    if (to.kind === 'bare' || to.kind === 'full') {
      const service = this.addresses.get(to.jid.local + '@' + domain);
      if (service) return service(stanza, from, to.jid);
    }
    const req = this.request_(stanza, from, to.jid, to.kind, 'in', origin);
    if (origin === undefined && (await this.runHandlers(this.table.pre, req))) return;
    if (stanza.name === 'iq') return this.processIq(req);
    const handled = await this.runHandlers(this.table.stanza.get(stanzaKey(stanza.name, 'in', to.kind)), req);
    if (handled) return;
    // Defaults when no plugin claimed the stanza.
    if (to.kind === 'full' && this.deliver(to.jid.toString(), stanza)) return;
    if (stanza.name === 'message' && !isErrorOrResult(stanza)) this.replyError(stanza, new StanzaError('service-unavailable'));
    else if (to.kind === 'full') this.opts.dropped?.(stanza);
  }

  private async processIq(req: Request): Promise<void> {
    const { stanza } = req;
    const type = stanza.attrs.type;
    if (type === 'result' || type === 'error') {
      if (req.toKind === 'full') {
        if (!this.deliver(req.to.toString(), stanza)) this.opts.dropped?.(stanza);
        return;
      }
      const key = stanza.attrs.id + '|' + stanza.attrs.from;
      const waiter = this.pendingIq.get(key);
      if (waiter) {
        this.pendingIq.delete(key);
        waiter(stanza);
      } else this.opts.dropped?.(stanza);
      return;
    }
    const payload = stanza.firstElement();
    const entry = payload && this.table.iq.get(iqKey(type ?? '', req.toKind, payload.getNS() ?? '', payload.name));
    if (!entry) {
      if (req.toKind === 'full' && this.deliver(req.to.toString(), stanza)) return;
      return this.replyError(stanza, new StanzaError('service-unavailable'));
    }
    entry.owner.inflight++;
    try {
      const result = await callAsPlugin(entry.owner.slot, entry.handler, req, undefined);
      this.sendReply(iqResult(stanza, result ?? undefined));
    } catch (err) {
      this.replyError(stanza, this.asStanzaError(err, entry));
    } finally {
      entry.owner.inflight--;
    }
  }

  private async runHandlers(list: RouteEntry<(req: StanzaRequest) => unknown, HandlerOwner>[] | undefined, req: Request): Promise<boolean> {
    if (!list) return false;
    for (const h of list) {
      h.owner.inflight++;
      try {
        if ((await callAsPlugin(h.owner.slot, h.handler, req, undefined)) === true) return true;
      } catch (err) {
        this.replyError(req.stanza, this.asStanzaError(err, h));
        return true;
      } finally {
        h.owner.inflight--;
      }
    }
    return false;
  }

  private postprocess(req: Request): void {
    for (const h of this.table.post) {
      try {
        const r = callAsPlugin(h.owner.slot, h.handler, req, undefined);
        if (r) this.watch(r.catch((err) => this.log.error('postprocess handler failed', { plugin: h.owner.id, err })));
      } catch (err) {
        this.log.error('postprocess handler failed', { plugin: h.owner.id, err });
      }
    }
  }

  /** Tells the handoff observers that a stanza is handed to a session (one of another node: it leaves for it now). */
  handedOver(stanza: Element, session: Session): void {
    for (const h of this.table.handoffs) {
      try {
        callAsPlugin(h.owner.slot, h.handler, stanza, session);
      } catch (err) {
        this.log.error('handoff observer failed', { plugin: h.owner.id, err });
      }
    }
  }

  /** The write path of a session here: the handoff observers, then the outbound filters; null means drop. */
  filter(stanza: Element, session: Session): Element | null {
    this.handedOver(stanza, session);
    let s: Element | null = stanza;
    for (const f of this.table.filters) {
      try {
        s = callAsPlugin(f.owner.slot, f.handler, s, session);
      } catch (err) {
        this.log.error('filter failed', { plugin: f.owner.id, err });
      }
      if (s === null) return null;
    }
    return s;
  }

  private asStanzaError(err: unknown, h: RouteEntry<unknown, HandlerOwner>): StanzaError {
    if (err instanceof StanzaError) return err;
    const e = err as { code?: string; toElement?: unknown };
    if (e && e.code === 'STARLING_STANZA_ERROR' && typeof e.toElement === 'function') return err as StanzaError;
    this.log.error('handler failed', { plugin: h.owner.id, err });
    return isResourceExhausted(err) ? new StanzaError('resource-constraint', 'The server is out of storage space or memory') : new StanzaError('internal-server-error');
  }

  /** Sends an error reply to the stanza's sender, unless it is itself an error or IQ result. */
  replyError(stanza: Element, error: StanzaError): void {
    if (isErrorOrResult(stanza) || stanza.attrs.from === undefined) return;
    this.sendReply(errorReply(stanza, error, true));
  }

  private sendReply(reply: Element): void {
    const to = reply.attrs.to;
    if (to !== undefined && this.sessions.get(to)) {
      this.deliver(to, reply);
      return;
    }
    // A reply to a stanza that had no 'to' has no 'from'; only a connected session could take it.
    if (reply.attrs.from === undefined && this.opts.dropped) return this.opts.dropped(reply);
    this.route(reply);
  }
}
