import { type Element, PLUGIN_CONFIG, type PluginConfig, SESSIONS, type Session, type SessionDirectory, inject, injectable } from '@starling/sdk';
import { canWait, coalesceKey } from './urgency';

export const NS_CSI = 'urn:xmpp:csi:0';

/** Session data: the held stanzas of an inactive session (present only while it is inactive). */
const HELD_KEY = 'urn:xmpp:csi:0/held';
/** Session data flag: the held stanzas are being written out (the filter lets them pass). */
const FLUSHING_KEY = 'urn:xmpp:csi:0/flushing';

/** Held stanzas in arrival order; a newer presence from the same sender replaces the older one. */
class Held {
  private readonly items = new Map<string, Element>();
  private seq = 0;

  add(stanza: Element): void {
    const key = coalesceKey(stanza);
    if (key === undefined) {
      this.items.set('#' + ++this.seq, stanza);
      return;
    }
    const k = 'p:' + key;
    this.items.delete(k);
    this.items.set(k, stanza);
  }

  get size(): number {
    return this.items.size;
  }

  take(): Element[] {
    const out = [...this.items.values()];
    this.items.clear();
    return out;
  }
}

/**
 * XEP-0352: `<inactive/>` starts holding what can wait for the session (see `canWait`); `<active/>`,
 * an urgent stanza, or more than `queue-size` held stanzas write the held ones out, in order.
 */
@injectable()
export class ClientState {
  readonly queueSize: number;
  /** This version handed its sessions over to a newer one (hot reload): nothing to release on unload. */
  handedOver = false;

  constructor(
    @inject(SESSIONS) private readonly sessions: SessionDirectory,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
  ) {
    this.queueSize = config.number('queue-size', 256, { min: 1 });
  }

  /** The nonzas `<active/>` and `<inactive/>` of XEP-0352 §5. */
  indicate(session: Session, element: Element): void {
    if (element.attrs.xmlns !== NS_CSI) return;
    if (element.name === 'inactive' && !session.data.has(HELD_KEY)) session.data.set(HELD_KEY, new Held());
    else if (element.name === 'active') this.flush(session, true);
  }

  /** Outbound filter: holds what can wait while the session is inactive; an urgent stanza flushes first. */
  readonly filter = (stanza: Element, session: Session): Element | null => {
    const held = session.data.get(HELD_KEY) as Held | undefined;
    if (!held || session.data.get(FLUSHING_KEY) === true) return stanza;
    if (!canWait(stanza)) {
      this.flush(session, false);
      return stanza;
    }
    held.add(stanza);
    if (held.size > this.queueSize) this.flush(session, false);
    return null;
  };

  /** Writes the held stanzas out; `active` ends holding. */
  flush(session: Session, active: boolean): void {
    const held = session.data.get(HELD_KEY) as Held | undefined;
    if (!held) return;
    if (active) session.data.delete(HELD_KEY);
    const out = held.take();
    if (out.length === 0) return;
    session.data.set(FLUSHING_KEY, true);
    try {
      for (const s of out) session.send(s);
    } finally {
      session.data.delete(FLUSHING_KEY);
    }
  }

  /**
   * After a hot reload: the sessions still hold the previous version's queues; they are moved into
   * this version's, so nothing held is lost and the inactive clients stay inactive.
   */
  adopt(): void {
    for (const s of this.sessions.all()) {
      const old = s.data.get(HELD_KEY) as { take(): Element[] } | undefined;
      if (!old || old instanceof Held) continue;
      const held = new Held();
      for (const stanza of old.take()) held.add(stanza);
      s.data.set(HELD_KEY, held);
    }
  }

  /** Hot reload: the newer version takes the held queues over (see adopt). */
  handOver(): true {
    this.handedOver = true;
    return true;
  }

  /** On unload: every inactive session gets what was held and is treated as active again. */
  releaseAll(): void {
    for (const s of this.sessions.all()) this.flush(s, true);
  }
}
