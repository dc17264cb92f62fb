import type { CacheInvalidation } from './cache-invalidation';
import type { EventBus } from './events';
import type { DiscoRegistry, Logger, PluginConfig, Router, ServerInfo } from './services';
import type { ServiceToken } from './service-token';
import type { SessionDirectory } from './session';
import type { MessageArchiveRepository, OfflineMessageRepository, RosterRepository, ServerDataStore, UserDataStore, UserRepository } from './storage';

/** A typed token for what core binds in the root container. */
const core = <T>(key: string) => Symbol.for(key) as ServiceToken<T>;

/**
 * DI tokens for what core offers plugins, typed by what they resolve to. `Symbol.for` keeps their identity
 * across plugin reloads. Inject them: `constructor(@inject(ROSTER_REPOSITORY) repo: RosterRepository)`.
 */
export const ROUTER = core<Router>('starling.Router');
export const SESSIONS = core<SessionDirectory>('starling.SessionDirectory');
export const SERVER_INFO = core<ServerInfo>('starling.ServerInfo');
export const EVENT_BUS = core<EventBus>('starling.EventBus');
export const DISCO = core<DiscoRegistry>('starling.DiscoRegistry');
export const USER_REPOSITORY = core<UserRepository>('starling.UserRepository');
export const ROSTER_REPOSITORY = core<RosterRepository>('starling.RosterRepository');
export const OFFLINE_REPOSITORY = core<OfflineMessageRepository>('starling.OfflineMessageRepository');
/** Users' message archives (XEP-0313), SQLite or PostgreSQL like every repository. */
export const MESSAGE_ARCHIVE = core<MessageArchiveRepository>('starling.MessageArchiveRepository');
export const USER_DATA = core<UserDataStore>('starling.UserDataStore');
export const SERVER_DATA = core<ServerDataStore>('starling.ServerDataStore');
/** Drops other cluster nodes' copies of a cache entry a plugin changed here (a no-op on a single node). */
export const CACHE_INVALIDATION = core<CacheInvalidation>('starling.CacheInvalidation');
/** The plugin's own logger (bound in each plugin's child container). */
export const LOGGER = core<Logger>('starling.Logger');
/** The plugin's own config view (bound in each plugin's child container). */
export const PLUGIN_CONFIG = core<PluginConfig>('starling.PluginConfig');
/** The credential service: create/verify/change passwords as SCRAM credentials. */
export const CREDENTIALS = Symbol.for('starling.Credentials');
