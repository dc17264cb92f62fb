import { type Element, type KeyedQueue, type Logger, type OfflineMessageRepository, type Session, type SessionDirectory, parseXml } from '@starling/sdk';

/** Session data key: this session has had its offline messages (Tigase: once per session). */
export const DELIVERED = 'msgoffline.delivered';

const INTEGER = /^[+-]?\d+$/;

/** The priority of a presence as Tigase reads it for this purpose: a missing or malformed one is 0. */
export function presencePriority(stanza: Element): number {
  const p = stanza.getChildText('priority')?.trim();
  return p !== undefined && INTEGER.test(p) ? Number(p) : 0;
}

/** A broadcast (no `to`) available presence with priority ≥ 0 is what triggers delivery. */
export function triggersDelivery(stanza: Element): boolean {
  const type = stanza.attrs.type;
  return stanza.name === 'presence' && stanza.attrs.to === undefined && (type === undefined || type === 'available') && presencePriority(stanza) >= 0;
}

export interface OfflineDeliveryDeps {
  repository: OfflineMessageRepository;
  sessions: SessionDirectory;
  /** Serialises delivery (and redelivery) per recipient, so no two runs hand out the same rows. */
  lock: Pick<KeyedQueue, 'run'>;
  log: Logger;
  /** Accounts whose client chose XEP-0013 retrieval in this login: nothing is pushed to them. */
  flexibleInUse: (bareJid: string) => boolean;
  now?: () => number;
}

/**
 * Hands stored messages to a session, oldest first, and deletes exactly those it handed over.
 *
 * Crash safety: a row is deleted only after `session.send()` accepted its stanza, and only after one
 * turn of the event loop, so the connection has written what it accepted to the socket before the
 * delete commits. A crash before the delete leaves the rows in place (delivered again at the next
 * login: the only duplicate window); a crash after it finds the stanzas already with the kernel.
 * A send that fails (the connection is gone) stops the run and keeps the rest.
 */
export class OfflineDelivery {
  private readonly now: () => number;

  constructor(private readonly d: OfflineDeliveryDeps) {
    this.now = d.now ?? Date.now;
  }

  /** The postprocess trigger: the first qualifying broadcast presence of a non-anonymous session. */
  onPresence(session: Session, stanza: Element): Promise<number> | undefined {
    if (session.anonymous || session.data.has(DELIVERED) || !triggersDelivery(stanza)) return undefined;
    if (this.d.flexibleInUse(session.jid.bareString)) return undefined;
    session.data.set(DELIVERED, true);
    return this.deliver(session);
  }

  /**
   * After a store for a recipient that meanwhile came online (its session already had its delivery run):
   * hand the newcomer over too, so it does not wait for the next login.
   */
  redeliver(bareJid: string): Promise<number> | undefined {
    const session = this.d.sessions.resources(bareJid).find((s) => s.data.has(DELIVERED) && s.available && s.priority >= 0);
    return session ? this.deliver(session) : undefined;
  }

  deliver(session: Session): Promise<number> {
    const owner = session.jid.bareString;
    return this.d.lock.run(owner, async () => {
      const stored = await this.d.repository.load(owner);
      const now = this.now();
      const handed: number[] = [];
      for (const m of stored) {
        // An AMP message whose expire-at has passed is the expiry sweep's to answer.
        if (m.expireAt !== undefined && m.expireAt <= now) continue;
        let stanza: Element;
        try {
          stanza = parseXml(m.stanza);
        } catch (err) {
          this.d.log.warn('dropping an unreadable stored message', { id: m.id, to: owner, err });
          handed.push(m.id);
          continue;
        }
        if (!session.send(stanza)) break;
        handed.push(m.id);
      }
      if (handed.length === 0) return 0;
      await new Promise((r) => setImmediate(r));
      await this.d.repository.delete(handed);
      return handed.length;
    });
  }
}
