import { BYTES, type BeanSchema, KEY, MILLISECONDS, SECONDS, keys } from './schema';

/**
 * Every bean and key of config.tdsl that core reads: the one table `starling check` and the server check a
 * config against. Plugin beans come from the plugin manifests; Tigase keys Starling does not implement
 * are in unimplemented-keys.ts. When you make core read a new key, declare it here, in its owner's
 * section; when you implement a key of unimplemented-keys.ts, move it here.
 */

/** Watchdog keys (chapter 11.8), accepted at the top level and in each connection manager's bean. */
const WATCHDOG_KEYS = {
  'watchdog-delay': MILLISECONDS,
  'watchdog-timeout': MILLISECONDS,
  'watchdog-ping-type': KEY,
  // a number is seconds (the chapter's defaults, 86400L = 24 h); a quoted string is milliseconds
  'max-inactivity-time': SECONDS,
  maxInactivityTime: MILLISECONDS,
};

/** Defaults of a new virtual host (Tigase's VHostItemDefaults; vhosts/vhost-defaults.ts). */
const VHOST_DEFAULT_KEYS = keys(
  'vhost-anonymous-enabled',
  'vhost-register-enabled',
  'vhost-tls-required',
  'vhost-max-users',
  'vhost-disable-dns-check',
  's2s-secret',
  'domain-filter-policy',
);

/** An ad-hoc command ACL block: `commands { 'cmd-id' = [ 'LOCAL' ] }` (any command id). */
const COMMANDS: BeanSchema = { anyKey: true };

/** `connections { ports = [ … ]; <port> { socket = 'ssl', ifc = [ … ] } }` of a connection manager. */
const CONNECTIONS: BeanSchema = {
  keys: keys('ports', 'ifc'),
  items: { name: /^\d+$/, what: 'a port', schema: { keys: keys('socket', 'ifc', 'type') } },
};

/** What ws2s and bosh read besides their connections (net/web-settings.ts): c2s's stream limits and the watchdog. */
const WEB_STREAM_KEYS = {
  'max-stanza-size': BYTES,
  'max-auth-attempts': KEY,
  'auth-timeout': SECONDS,
  'tls-required': KEY,
  'allowed-origins': KEY,
  trafficThrottling: KEY,
  ...WATCHDOG_KEYS,
};

/** A bean whose owner reads and checks it whole (see that owner's module). */
const OWNED_ELSEWHERE: BeanSchema = { open: true };

export const CORE_SCHEMA: BeanSchema = {
  plugins: true,
  keys: {
    // server identity and administration (kernel/settings.ts, commands/admin-config.ts)
    admins: KEY,
    'default-virtual-host': KEY,
    'virtual-hosts': KEY,
    trusted: KEY,
    // plugins and admin scripts (kernel/settings.ts, commands/admin-config.ts)
    'plugin-dirs': KEY,
    // the hang watchdog and the supervisor (kernel/hang-watchdog.ts, cli/supervisor.ts)
    'hang-timeout': SECONDS,
    'restart-limit': KEY,
    'restart-window': SECONDS,
    'scripts-dir': KEY,
    // per-vhost forwarding defaults read by the forwarding plugins (chapter 11.7)
    'vhost-presence-forward-jid': KEY,
    'vhost-message-forward-jid': KEY,
    // virtual host defaults, also in 'vhost-man' { defaults { … } }, and the DNS check's addresses (vhosts/vhost-defaults.ts)
    ...VHOST_DEFAULT_KEYS,
    'dns-def-ip': KEY,
    'dns-srv-def-addr': KEY,
    'installation-dns-address': KEY,
    // watchdog defaults for every connection manager (net/watchdog-config.ts)
    ...WATCHDOG_KEYS,
    // stanzas and bytes per minute on each client connection, Tigase's grammar (net/traffic-throttling.ts)
    'cm-traffic-throttling': KEY,
    // debugging (ops/debug-switches.ts): `debug = [ … ]`, `'debug-packages' = [ … ]`
    debug: KEY,
    'debug-packages': KEY,
    // giving freed memory back to the system after client connections close (ops/memory-trim.ts)
    'memory-trim-interval': SECONDS,
    'memory-trim-closed': KEY,
    // cluster mode (cluster/cluster-settings.ts)
    'cluster-mode': KEY,
    'cluster-node-id': KEY,
    'cluster-nodes': KEY,
    'cm-see-other-host': KEY,
    'cm-ht-traffic-throttling': KEY,
  },
  beans: {
    // storage (storage/, kernel/settings.ts)
    dataSource: { beans: { default: { keys: keys('uri') } } },
    authRepository: { keys: keys('scram-iterations') },
    // kernel components and their command ACLs (commands/)
    'sess-man': {
      plugins: true,
      keys: keys('anonymous-traffic-limit', 'registration-rate-limit', 'registration-rate-period', 'delivery-rules', 'presence-global-forward', 'vhost-presence-forward-jid', 'vhost-message-forward-jid'),
      beans: { commands: COMMANDS },
    },
    'vhost-man': { keys: keys('domains-per-user-limit'), beans: { commands: COMMANDS, defaults: { keys: { ...VHOST_DEFAULT_KEYS, trusted: KEY } } } },
    'message-router': { beans: { commands: COMMANDS } },
    // client connections (kernel/settings.ts, net/watchdog-config.ts)
    c2s: {
      keys: {
        'max-stanza-size': BYTES,
        'max-auth-attempts': KEY,
        'auth-timeout': SECONDS,
        'tls-required': KEY,
        'max-user-sessions': KEY,
        'max-connections-per-ip': KEY,
        'max-connections': KEY,
        'stanza-timeout': SECONDS,
        'max-output-queue': BYTES,
        'auth-failure-delay': KEY,
        'auth-failure-max-delay': KEY,
        'auth-block-after': KEY,
        'auth-block-time': SECONDS,
        'auth-failure-window': SECONDS,
        trafficThrottling: KEY,
        'cm-see-other-host': KEY,
        ...WATCHDOG_KEYS,
      },
      beans: {
        connections: CONNECTIONS,
        commands: COMMANDS,
        // XEP-0198 stream management (sm/stream-management.ts)
        'urn:xmpp:sm:3': { keys: { 'resumption-timeout': SECONDS, 'max-resumption-timeout': SECONDS, 'max-queue': KEY } },
      },
    },
    // cluster mode: Redis and heartbeats (cluster/cluster-settings.ts); its connections are in unimplemented-keys.ts
    'cl-comp': { keys: { redis: KEY, 'key-prefix': KEY, 'heartbeat-ttl': SECONDS, 'client-address': KEY, 'web-addresses': KEY, 'drain-timeout': SECONDS, 'max-package-size': KEY, trafficThrottling: KEY }, beans: { commands: COMMANDS } },
    // external components, XEP-0114 (net/ext-settings.ts)
    ext: {
      keys: { 'comp-items': KEY, 'max-stanza-size': BYTES, 'handshake-timeout': SECONDS, ...WATCHDOG_KEYS },
      beans: { connections: { keys: keys('ports', 'ifc') }, commands: COMMANDS },
    },
    // server-to-server federation (net/s2s/s2s-settings.ts)
    s2s: {
      keys: {
        'dns-overrides': KEY,
        'max-queue-size': KEY,
        'connect-timeout': SECONDS,
        'tls-required': KEY,
        'trusted-ca-file': KEY,
        'dialback-fallback': KEY,
        'max-pending-dialback': KEY,
        'bidi-streams': KEY,
        'cm-traffic-throttling': KEY,
        'cm-ht-traffic-throttling': KEY,
        trafficThrottling: KEY,
        'max-incoming-per-address': KEY,
        'max-stanza-size': BYTES,
        ...WATCHDOG_KEYS,
      },
      beans: { connections: CONNECTIONS, commands: COMMANDS },
    },
    // admin script sandbox (commands/admin-config.ts)
    'script-sandbox': {
      keys: { 'memory-limit': KEY, 'cpu-timeout': MILLISECONDS, 'wall-timeout': MILLISECONDS, 'pool-size': KEY, 'max-concurrent': KEY, 'result-limit': KEY },
    },
    // web transports and the HTTP stack (net/web-settings.ts, http/)
    ws2s: { keys: { ...WEB_STREAM_KEYS, 'see-other-uri': KEY }, beans: { connections: CONNECTIONS, commands: COMMANDS } },
    bosh: {
      keys: { ...WEB_STREAM_KEYS, 'max-wait': SECONDS, 'hold-requests': KEY, 'min-polling': SECONDS, 'max-pause': SECONDS, 'send-node-hostname': KEY },
      beans: { connections: CONNECTIONS, commands: COMMANDS },
    },
    // the admin UI's limits (core/src/kernel/admin-ui-host.ts)
    httpServer: { keys: { 'admin-idle-timeout': SECONDS, 'admin-login-attempts': KEY, 'admin-max-body-size': BYTES }, beans: { connections: CONNECTIONS } },
    http: OWNED_ELSEWHERE,
    // operations (ops/log-settings.ts): log files, the stats component and its statistics.log
    logging: { beans: { 'java.util.logging.FileHandler': { keys: { count: KEY, limit: BYTES, pattern: KEY } } } },
    stats: { beans: { 'stats-file-logger': { keys: { frequency: SECONDS, 'stats-level': KEY } }, commands: COMMANDS } },
  },
};

/** The top-level names core knows (beans and keys), for messages and older callers. */
export const KNOWN_TOP_LEVEL_KEYS: ReadonlySet<string> = new Set([...Object.keys(CORE_SCHEMA.keys ?? {}), ...Object.keys(CORE_SCHEMA.beans ?? {})]);
