import { hostname } from 'node:os';
import { OfflineConfig } from './offline-services';
import { StoreQueue } from './store-queue';
import {
  type Element,
  inject,
  injectable,
  type Jid,
  NS_DELAY,
  OFFLINE_REPOSITORY,
  type OfflineMessageRepository,
  StanzaError,
  USER_DATA,
  USER_REPOSITORY,
  type UserDataStore,
  type UserRepository,
  xml,
} from '@starling/sdk';
import type { StoreOutcome } from '@starling/sdk';
import type { OfflineSettings } from './offline-settings';
import { limitFor } from './store-limit';

export interface OfflineStoreDeps {
  settings: OfflineSettings;
  queue: StoreQueue;
  users: UserRepository;
  userData: UserDataStore;
  /** The machine's name, for the delay text ("Offline Storage - <host>", as Tigase writes it). */
  hostname: string;
  now?: () => number;
}

/** How a stored copy is stamped: msgoffline always adds its delay; AMP's `store` only when there is none. */
export type StampRule = 'offline' | 'amp';

/** What storing works with, injected; the settings from OfflineConfig. */
@injectable()
export class StoreServices implements OfflineStoreDeps {
  readonly settings: OfflineSettings;
  readonly queue: StoreQueue;
  readonly hostname = hostname();

  constructor(
    @inject(OfflineConfig) config: OfflineConfig,
    @inject(OFFLINE_REPOSITORY) repository: OfflineMessageRepository,
    @inject(USER_REPOSITORY) readonly users: UserRepository,
    @inject(USER_DATA) readonly userData: UserDataStore,
  ) {
    this.settings = config.settings;
    this.queue = new StoreQueue(repository);
  }
}

/**
 * Writes messages for offline recipients (Tigase's `savePacketForOffLineUser` and MsgRepository):
 * the copy loses its `<error/>` children and gets `<delay xmlns='urn:xmpp:delay' from='<recipient
 * domain>' stamp='<UTC, ms>'/>`; the per-pair limit decides atomically in the repository. A full queue
 * is answered by 'quota-exceeded': 'error' throws the StanzaError the sender gets back, 'drop' drops.
 */
@injectable()
export class OfflineStore {
  private readonly now: () => number;

  constructor(@inject(StoreServices) private readonly d: OfflineStoreDeps) {
    this.now = d.now ?? Date.now;
  }

  async store(stanza: Element, from: Jid, to: Jid, stamp: StampRule, expireAt?: number): Promise<StoreOutcome> {
    const recipient = to.bareString;
    if (!(await this.d.users.exists(recipient))) return 'no-such-user';
    const limit = await limitFor(recipient, this.d.settings, this.d.userData);
    const at = this.now();
    const row = { to: recipient, from: from.bareString, stanza: this.stamped(stanza, to, at, stamp).toString(), stamp: at, expireAt };
    const id = limit < 0 ? null : await this.d.queue.store(row, limit);
    if (id !== null) return 'stored';
    if (this.d.settings.quotaExceeded === 'drop') return 'dropped';
    throw new StanzaError('service-unavailable', 'Offline messages queue is full');
  }

  private stamped(stanza: Element, to: Jid, at: number, rule: StampRule): Element {
    const copy = stanza.clone();
    copy.children = copy.children.filter((c) => typeof c === 'string' || c.name !== 'error');
    if (rule === 'amp' && copy.getChild('delay', NS_DELAY)) return copy;
    const text = rule === 'amp' ? 'Offline Storage' : `Offline Storage - ${this.d.hostname}`;
    copy.cnode(xml('delay', { xmlns: NS_DELAY, from: to.domain, stamp: new Date(at).toISOString() }, text));
    return copy;
  }
}
