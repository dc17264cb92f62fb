import type { VhostRepository } from './vhost-repository';
import type { MessageArchiveRepository, MucRepository, OfflineMessageRepository, PubSubRepository, RosterRepository, ServerDataStore, UploadSlotRepository, UserDataStore, UserRepository } from '@starling/sdk';

export type SqliteStorageOptions = {
  kind: 'sqlite';
  file: string;
  /** NORMAL (default) survives a process crash; FULL also survives power loss. */
  synchronous?: 'NORMAL' | 'FULL';
};
export type PostgresStorageOptions = { kind: 'postgres'; uri: string };
export type StorageOptions = SqliteStorageOptions | PostgresStorageOptions;

/** Every repository of one database, and the way to close it. */
export interface Storage {
  readonly kind: StorageOptions['kind'];
  readonly users: UserRepository;
  readonly roster: RosterRepository;
  readonly offline: OfflineMessageRepository;
  readonly userData: UserDataStore;
  readonly serverData: ServerDataStore;
  /** Virtual hosts managed at run time (core/src/vhosts). */
  readonly vhosts: VhostRepository;
  /** PubSub and PEP nodes, items and members (plugins/pubsub, plugins/pep). */
  readonly pubsub: PubSubRepository;
  /** MUC rooms, affiliations and room history (plugins/muc). */
  readonly muc: MucRepository;
  /** Users' message archives (XEP-0313). */
  readonly archive: MessageArchiveRepository;
  /** HTTP file upload slots (XEP-0363). */
  readonly uploads: UploadSlotRepository;
  close(): Promise<void>;
}
