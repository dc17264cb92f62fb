/**
 * Top-level keys and beans of config.tdsl that Starling knows: everything the "Using Tigase" chapter puts
 * at the top level, plus what DESIGN.md and Tigase's default config use. Keys starting with `--` are always
 * accepted (Tigase's command-line style properties). Components that plugins add at top level extend this
 * set before validation (`new Set([...KNOWN_TOP_LEVEL_KEYS, ...pluginIds])`).
 */
export const KNOWN_TOP_LEVEL_KEYS: ReadonlySet<string> = new Set([
  // server identity and administration
  'admins',
  'default-virtual-host',
  'virtual-hosts',
  'config-type',
  'installation-id',
  'trusted',
  // logging and debugging (chapter 11.3, 11.4)
  'logging',
  'debug',
  'debug-packages',
  // storage
  'dataSource',
  'userRepository',
  'authRepository',
  // kernel components
  'sess-man',
  'message-router',
  'vhost-man',
  'basic-conf',
  'stats',
  'monitor',
  'stream-limits',
  // connection managers (chapter 11.8, 11.10, 11.12)
  'c2s',
  's2s',
  'ws2s',
  'bosh',
  'ext',
  'cl-comp',
  'httpServer',
  // Tigase's HTTP API component (admin UI at :8080/admin/, chapter 11.6.1), as in Tigase's default config.tdsl
  'http',
  // watchdog (chapter 11.8)
  'watchdog-timeout',
  'watchdog-delay',
  'watchdog-ping-type',
  'max-inactivity-time',
  // per-vhost forwarding defaults, Tigase's VHost default keys (chapter 11.7)
  'vhost-presence-forward-jid',
  'vhost-message-forward-jid',
  // clustering (chapter 11.12)
  'cluster-mode',
  'cluster-nodes',
  'cm-ht-traffic-throttling',
  'cm-see-other-host',
  // features and components
  'amp',
  'muc',
  'pubsub',
  // plugins and admin scripts (chapter 11.14)
  'plugin-dirs',
  'scripts-dir',
  'script-sandbox',
]);
