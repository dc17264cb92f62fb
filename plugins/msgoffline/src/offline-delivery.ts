import { FlexibleOffline } from './flexible-offline';
import { DeliveryLock, OfflineConfig } from './offline-services';
import {
  type Element,
  inject,
  injectable,
  type KeyedQueue,
  LOGGER,
  type Logger,
  OFFLINE_REPOSITORY,
  type OfflineMessageRepository,
  parseXml,
  type Session,
  type SessionDirectory,
  SESSIONS,
  type StoredOfflineMessage,
} from '@starling/sdk';

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
  /** Messages handed to the connection at once ('delivery-batch-size'). */
  batchSize: number;
  now?: () => number;
}

/** One batch handed to a session: the rows to delete, and whether the session took all of it. */
interface HandOver {
  done: number[];
  complete: boolean;
}

/** What delivery works with, injected. */
@injectable()
export class DeliveryServices implements OfflineDeliveryDeps {
  readonly batchSize: number;
  private readonly flexibleOn: boolean;

  constructor(
    @inject(OFFLINE_REPOSITORY) readonly repository: OfflineMessageRepository,
    @inject(SESSIONS) readonly sessions: SessionDirectory,
    @inject(DeliveryLock) readonly lock: DeliveryLock,
    @inject(LOGGER) readonly log: Logger,
    @inject(OfflineConfig) config: OfflineConfig,
    @inject(FlexibleOffline) private readonly flexible: FlexibleOffline,
  ) {
    this.batchSize = config.settings.deliveryBatchSize;
    this.flexibleOn = config.settings.flexibleOffline;
  }

  /** Accounts whose client chose XEP-0013 retrieval in this login get nothing pushed. */
  readonly flexibleInUse = (bareJid: string): boolean => this.flexibleOn && this.flexible.inUse(bareJid);
}

/**
 * Hands stored messages to a session, oldest first, in batches, and deletes exactly those whose
 * bytes have left the process.
 *
 * Crash safety: each stanza goes out with a DeliveryReceipt; a row is deleted only once its receipt
 * says delivered (the socket's write completed; under stream management, once acknowledged). The
 * next batch is handed over only after the previous one was, so a client that reads slowly gets its
 * messages as its socket drains and at most one batch waits in the process. A crash keeps every row
 * not yet confirmed: delivered again at the next login (the only window for a duplicate). A receipt
 * that says not delivered (the connection ended) stops the run and keeps the rest.
 */
@injectable()
export class OfflineDelivery {
  private readonly now: () => number;

  constructor(@inject(DeliveryServices) private readonly d: OfflineDeliveryDeps) {
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

  /** Delivers what is stored for the session's account; resolves the number of rows it removed. */
  deliver(session: Session): Promise<number> {
    const owner = session.jid.bareString;
    return this.d.lock.run(owner, async () => {
      // The client may have chosen XEP-0013 while this run waited for the lock: then it lists and removes by itself.
      if (this.d.flexibleInUse(owner)) return 0;
      const now = this.now();
      // An AMP message whose expire-at has passed is the expiry sweep's to answer.
      const due = (await this.d.repository.load(owner)).filter((m) => m.expireAt === undefined || m.expireAt > now);
      let removed = 0;
      for (let at = 0; at < due.length; at += this.d.batchSize) {
        if (at > 0 && this.d.flexibleInUse(owner)) break;
        const { done, complete } = await this.handOver(session, due.slice(at, at + this.d.batchSize));
        if (done.length > 0) await this.d.repository.delete(done);
        removed += done.length;
        if (!complete) break;
      }
      return removed;
    });
  }

  /** Sends one batch and waits for every receipt. An unreadable row is dropped (counted as done). */
  private async handOver(session: Session, batch: StoredOfflineMessage[]): Promise<HandOver> {
    const done: number[] = [];
    const sent: { id: number; delivered: Promise<boolean> }[] = [];
    let complete = true;
    for (const m of batch) {
      let stanza: Element;
      try {
        stanza = parseXml(m.stanza);
      } catch (err) {
        this.d.log.warn('dropping an unreadable stored message', { id: m.id, to: session.jid.bareString, err });
        done.push(m.id);
        continue;
      }
      let accepted = false;
      const delivered = new Promise<boolean>((resolve) => (accepted = session.send(stanza, resolve)));
      if (!accepted) {
        complete = false;
        break;
      }
      sent.push({ id: m.id, delivered });
    }
    for (const { id, delivered } of sent) {
      if (await delivered) done.push(id);
      else complete = false;
    }
    return { done, complete };
  }
}
