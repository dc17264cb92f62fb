import {
  type Element,
  EVENT_BUS,
  type EventBus,
  LOGGER,
  type Logger,
  NS_DISCO_INFO,
  PLUGIN_CONFIG,
  type PluginConfig,
  SESSIONS,
  type Session,
  type SessionDirectory,
  type StanzaRequest,
  inject,
  injectable,
  serviceToken,
  xml,
} from '@starling/sdk';
import { isKnownHash, verificationString } from './caps-hash';

export const NS_CAPS = 'http://jabber.org/protocol/caps';
/** Session data: the caps the resource announced last, and the features learned for them. */
const CAPS_KEY = 'http://jabber.org/protocol/caps';
const FEATURES_KEY = 'http://jabber.org/protocol/caps/features';

export interface EntityCaps {
  node: string;
  ver: string;
  /** Absent for legacy (pre-1.5) caps, whose `ver` is no hash. */
  hash?: string;
}

/** What the plugin provides as the `caps` service (e.g. for PEP notifications). */
export interface CapsService {
  /** The caps the session with this full JID announced in its last broadcast presence. */
  of(fullJid: string): EntityCaps | undefined;
  /** The features behind them, once learned; undefined while unknown. */
  features(fullJid: string): readonly string[] | undefined;
}

/** The token of the `caps` service (manifest `"provides": ["caps"]`), injected into plugins that require `caps`. */
export const CAPS_SERVICE = serviceToken<CapsService>('caps');

/**
 * XEP-0115 on the server side: a client's broadcast presence names its caps; the server asks that
 * client for `node#ver` once per unknown verification string, checks the answer against the hash and
 * keeps verified feature lists for everyone who announces the same string. An answer that does not
 * match its hash (or legacy caps) is believed for that session only.
 */
@injectable()
export class CapsRegistry implements CapsService {
  private readonly verified = new Map<string, readonly string[]>();
  private readonly pending = new Map<string, { caps: EntityCaps; session: Session }>();
  /** Verification strings being asked for → the other sessions that announced them meanwhile. */
  private readonly asking = new Map<string, Set<Session>>();
  private queries = 0;
  private readonly cacheSize: number;

  constructor(
    @inject(SESSIONS) private readonly sessions: SessionDirectory,
    @inject(LOGGER) private readonly log: Logger,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
    @inject(EVENT_BUS) private readonly events: EventBus,
  ) {
    this.cacheSize = config.number('cache-size', 10000, { min: 1 });
  }

  of(fullJid: string): EntityCaps | undefined {
    return this.sessions.get(fullJid)?.data.get(CAPS_KEY) as EntityCaps | undefined;
  }

  features(fullJid: string): readonly string[] | undefined {
    const s = this.sessions.get(fullJid);
    if (!s) return undefined;
    const own = s.data.get(FEATURES_KEY) as readonly string[] | undefined;
    if (own) return own;
    const caps = s.data.get(CAPS_KEY) as EntityCaps | undefined;
    return caps?.hash ? this.verified.get(key(caps)) : undefined;
  }

  /** Postprocess of every stanza a client sent: caps in broadcast presence, answers to the server's queries. */
  readonly observe = (req: StanzaRequest): void => {
    const session = req.origin;
    if (!session) return;
    const st = req.stanza;
    if (st.name === 'presence' && req.toKind === 'none' && st.attrs.type === undefined) this.announced(session, st.getChild('c', NS_CAPS));
    else if (st.name === 'iq' && (st.attrs.type === 'result' || st.attrs.type === 'error') && st.attrs.id !== undefined) this.answered(session, st);
  };

  private announced(session: Session, c: Element | undefined): void {
    const node = c?.attrs.node;
    const ver = c?.attrs.ver;
    if (!c || !node || !ver) {
      session.data.delete(CAPS_KEY);
      session.data.delete(FEATURES_KEY);
      return;
    }
    const caps: EntityCaps = c.attrs.hash ? { node, ver, hash: c.attrs.hash } : { node, ver };
    const before = session.data.get(CAPS_KEY) as EntityCaps | undefined;
    if (sameCaps(before, caps)) return;
    session.data.set(CAPS_KEY, caps);
    session.data.delete(FEATURES_KEY);
    const known = caps.hash ? this.verified.get(key(caps)) : undefined;
    if (known) return this.learned(session, known);
    const waiting = caps.hash ? this.asking.get(key(caps)) : undefined;
    if (waiting) return void waiting.add(session);
    if (caps.hash) this.asking.set(key(caps), new Set());
    this.ask(session, caps);
  }

  private ask(session: Session, caps: EntityCaps): void {
    const id = 'caps-' + (++this.queries).toString(36);
    this.pending.set(id, { caps, session });
    session.send(xml('iq', { type: 'get', id, from: session.jid.domain, to: session.jid.toString() }, xml('query', { xmlns: NS_DISCO_INFO, node: `${caps.node}#${caps.ver}` })));
  }

  private answered(session: Session, iq: Element): void {
    const p = this.pending.get(iq.attrs.id!);
    if (!p || p.session !== session) return;
    this.pending.delete(iq.attrs.id!);
    const waiting = p.caps.hash ? this.asking.get(key(p.caps)) : undefined;
    if (p.caps.hash) this.asking.delete(key(p.caps));
    const query = iq.attrs.type === 'result' ? iq.getChild('query', NS_DISCO_INFO) : undefined;
    if (!query) return;
    const features = query.getChildren('feature').map((f) => f.attrs.var ?? '').filter((f) => f !== '');
    if (isKnownHash(p.caps.hash) && verificationString(query, p.caps.hash) === p.caps.ver) {
      if (this.verified.size >= this.cacheSize) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(key(p.caps), features);
      for (const s of [session, ...(waiting ?? [])]) if (sameCaps(s.data.get(CAPS_KEY) as EntityCaps | undefined, p.caps)) this.learned(s, features);
    } else {
      this.log.debug('caps answer does not match its verification string; kept for this session only', { jid: session.jid.toString(), ver: p.caps.ver });
      if (session.data.get(CAPS_KEY) !== p.caps) return;
      session.data.set(FEATURES_KEY, features);
      this.learned(session, features);
    }
  }

  private learned(session: Session, features: readonly string[]): void {
    this.events.emit('caps.learned', { session, features });
  }

  /** A session that ended leaves no query behind: another session waiting for the same caps is asked instead. */
  closed(session: Session): void {
    for (const waiting of this.asking.values()) waiting.delete(session);
    for (const [id, p] of this.pending) {
      if (p.session !== session) continue;
      this.pending.delete(id);
      if (!p.caps.hash) continue;
      const waiting = this.asking.get(key(p.caps));
      const next = [...(waiting ?? [])].find((s) => sameCaps(s.data.get(CAPS_KEY) as EntityCaps | undefined, p.caps));
      if (!next) {
        this.asking.delete(key(p.caps));
        continue;
      }
      waiting!.delete(next);
      this.ask(next, p.caps);
    }
  }
}

function sameCaps(a: EntityCaps | undefined, b: EntityCaps): boolean {
  return a !== undefined && a.node === b.node && a.ver === b.ver && a.hash === b.hash;
}

function key(caps: EntityCaps): string {
  return `${caps.hash}:${caps.ver}`;
}
