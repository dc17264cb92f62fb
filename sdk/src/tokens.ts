/**
 * DI tokens for what core offers plugins. `Symbol.for` keeps their identity across plugin reloads.
 * Resolve them with `ctx.get(TOKEN)` or inject them: `constructor(@inject(ROSTER_REPOSITORY) repo: RosterRepository)`.
 */
export const ROUTER = Symbol.for('starling.Router');
export const SESSIONS = Symbol.for('starling.SessionDirectory');
export const SERVER_INFO = Symbol.for('starling.ServerInfo');
export const EVENT_BUS = Symbol.for('starling.EventBus');
export const DISCO = Symbol.for('starling.DiscoRegistry');
export const USER_REPOSITORY = Symbol.for('starling.UserRepository');
export const ROSTER_REPOSITORY = Symbol.for('starling.RosterRepository');
export const OFFLINE_REPOSITORY = Symbol.for('starling.OfflineMessageRepository');
export const USER_DATA = Symbol.for('starling.UserDataStore');
export const SERVER_DATA = Symbol.for('starling.ServerDataStore');
/** The plugin's own logger (bound in each plugin's child container). */
export const LOGGER = Symbol.for('starling.Logger');
/** The plugin's own config view (bound in each plugin's child container). */
export const PLUGIN_CONFIG = Symbol.for('starling.PluginConfig');
/** The credential service: create/verify/change passwords as SCRAM credentials. */
export const CREDENTIALS = Symbol.for('starling.Credentials');
