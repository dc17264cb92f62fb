/**
 * The one catalogue of Starling's error codes: every `code` a `StarlingError` (or a subclass: `ConfigError`,
 * `StorageError`, `JidError`), a `StanzaError` or a config-check finding carries. docs/errors.md is generated
 * from this list (`node scripts/gen-error-docs.mjs`); a unit test fails when a code is used in the sources
 * without being listed here, listed without being used, or when docs/errors.md is out of date.
 */
export interface ErrorCodeEntry {
  /** What went wrong, as an operator or plugin author reads it. */
  readonly meaning: string;
  /** Where it is raised (component and folder). */
  readonly raisedBy: string;
}

export const ERROR_CODES = {
  // Startup and command line
  STARLING_ALREADY_RUNNING: { meaning: 'Another server is already running on this home (its pid file names a live process).', raisedBy: 'server start (core/src/kernel)' },
  STARLING_CLI_NO_HOME: { meaning: 'The home directory has no etc/config.tdsl; create one with `starling init` or pass --home DIR.', raisedBy: 'command line (core/src/cli)' },
  STARLING_CLI_PASSWORD: { meaning: 'No password was given, the two typed passwords differ, or the prompt was cancelled; nothing was changed.', raisedBy: 'command line password prompt (core/src/cli)' },
  STARLING_CLI_JID: { meaning: 'The account JID is not user@domain, or its domain is not a virtual host of this server.', raisedBy: 'command line user commands (core/src/cli)' },
  STARLING_CLI_ADMIN_CHANNEL: { meaning: "The running server's admin channel refused the request (its answer is in the message).", raisedBy: 'command line user commands (core/src/cli)' },
  STARLING_CLUSTER_REDIS: { meaning: "Cluster mode could not reach Redis at start ('cl-comp' { redis = … }); the message has Redis's answer.", raisedBy: 'cluster mode (core/src/cluster)' },
  STARLING_CLUSTER_REMOTE_SESSION: { meaning: 'A plugin tried to set a flag (Session.flag) of a session another cluster node holds; only that node changes it.', raisedBy: 'cluster mode (core/src/cluster)' },
  STARLING_CLUSTER_NODE_ID: { meaning: "Another live node of the cluster already uses this 'cluster-node-id'.", raisedBy: 'cluster mode (core/src/cluster)' },
  STARLING_CLUSTER_PACKAGE: { meaning: "A plugin package rolled out to the cluster's nodes (cl-comp's cluster-plugin-rollout) cannot be packed, is larger than 'cl-comp' { 'max-package-size' }, arrived damaged (its SHA-256 differs) or is not a Starling plugin of that id; no node installs it.", raisedBy: 'cluster mode: plugin roll-out (core/src/cluster)' },
  STARLING_LOG_DIR: { meaning: 'The log directory cannot be created or written; the message names it and the FileHandler pattern.', raisedBy: 'operations: logging (core/src/ops)' },

  // Configuration (ConfigError: the message starts with file:line:column)
  STARLING_CONFIG_SYNTAX: { meaning: 'The config text is not valid TDSL (tokens, brackets, arithmetic, numbers out of range).', raisedBy: 'TDSL parser (core/src/config)' },
  STARLING_CONFIG_UNKNOWN_KEY: { meaning: 'A key or bean nobody reads; the message suggests the nearest known key.', raisedBy: 'config check (core/src/config)' },
  STARLING_CONFIG_TYPE: { meaning: 'A value has the wrong type, or is out of the allowed range, for the key that reads it.', raisedBy: 'typed config getters (core, sdk, plugins)' },
  STARLING_CONFIG_VALUE: { meaning: 'A value has the right type but is not one the key accepts (e.g. an unreadable path, a traffic limit that does not parse).', raisedBy: 'plugin msgoffline; traffic throttling (core/src/net); SERVER_HOME.varDir with a name that is not a plain folder name (core/src/kernel/server-home.ts)' },
  STARLING_CONFIG_DUPLICATE: { meaning: 'The same key appears twice in one block.', raisedBy: 'TDSL parser (core/src/config)' },
  STARLING_CONFIG_UNSET: { meaning: "env('VAR') or prop('x') without a default names a variable that is not set.", raisedBy: 'TDSL parser (core/src/config)' },
  STARLING_CONFIG_IO: { meaning: 'The config file cannot be read.', raisedBy: 'config loader (core/src/config)' },
  STARLING_CONFIG_UNWRITABLE: { meaning: 'A config tree built in code holds something TDSL cannot express (non-finite number, a key with both quote kinds).', raisedBy: 'TDSL writer (core/src/config)' },
  STARLING_CONFIG_ACL: { meaning: "A command ACL entry ('command' bean) cannot be read.", raisedBy: 'command framework (core/src/commands)' },
  STARLING_CONFIG_NOT_IMPLEMENTED: { meaning: 'Warning: a Tigase key Starling accepts but does not implement.', raisedBy: 'config check (core/src/config)' },
  STARLING_CONFIG_UNIT: { meaning: 'Warning: a value looks written in another unit than the key reads (e.g. milliseconds for seconds).', raisedBy: 'config check (core/src/config)' },
  STARLING_CONFIG_PLUGIN_ABSENT: { meaning: "Warning: a plugin bean names its package (class: 'pkg') and that package is not installed.", raisedBy: 'config check (core/src/config)' },
  STARLING_CONFIG_NO_DIRECT_TLS: { meaning: 'Warning: the c2s ports were changed and none of them is direct TLS any more.', raisedBy: 'config check (core/src/kernel)' },

  // Storage (StorageError)
  STARLING_STORAGE_URI: { meaning: "The dataSource uri is not sqlite:PATH or postgresql://…, or one of its parameters is invalid.", raisedBy: 'storage (core/src/storage)' },
  STARLING_STORAGE_CONNECT: { meaning: 'The database cannot be opened or connected to.', raisedBy: 'storage backends (core/src/storage)' },
  STARLING_STORAGE_MIGRATION: { meaning: 'A schema migration failed (or the migration list is out of order); the transaction was rolled back.', raisedBy: 'storage migrations (core/src/storage)' },
  STARLING_STORAGE_SCHEMA_TOO_NEW: { meaning: "The database's schema is newer than this Starling knows; upgrade Starling instead of downgrading the data.", raisedBy: 'storage migrations (core/src/storage)' },
  STARLING_STORAGE_ARGUMENT: { meaning: 'A repository call got an argument it cannot store or page by (bad limit, cursor, mechanism).', raisedBy: 'storage repositories (core/src/storage)' },

  // Accounts, authentication, virtual hosts
  STARLING_AUTH_JID: { meaning: 'The account JID is not a valid user@domain.', raisedBy: 'credential service (core/src/auth)' },
  STARLING_AUTH_PASSWORD: { meaning: 'The new password is empty.', raisedBy: 'credential service (core/src/auth)' },
  STARLING_SASL_PASSWORD: { meaning: 'The password is empty or not allowed by SASLprep.', raisedBy: 'SCRAM credentials (core/src/stream/sasl)' },
  STARLING_SASL_ITERATIONS: { meaning: 'The SCRAM iteration count is not an integer in the allowed range.', raisedBy: 'SCRAM credentials (core/src/stream/sasl)' },
  STARLING_VHOST_UNKNOWN: { meaning: 'The domain is not a virtual host of this server.', raisedBy: 'virtual host registry (core/src/vhosts)' },
  STARLING_VHOST_DEFAULT: { meaning: 'The default virtual host cannot be removed.', raisedBy: 'virtual host registry (core/src/vhosts)' },
  STARLING_VHOST_ROLE: { meaning: 'An owner or administrator of a virtual host is not a bare JID.', raisedBy: 'virtual host registry (core/src/vhosts)' },

  STARLING_CERT_INVALID: { meaning: "An uploaded key and certificate chain does not parse, the key does not match, or the certificate does not name the domain; the current one is kept.", raisedBy: 'certificate store (core/src/net)' },

  // HTTP
  STARLING_HTTP_ROUTE_TAKEN: { meaning: 'Two handlers claim the same HTTP method and path, prefix or upgrade path.', raisedBy: 'HTTP server (core/src/http)' },
  STARLING_HTTP_BODY_TOO_LARGE: { meaning: 'A request body is larger than the limit of its route.', raisedBy: 'HTTP server (core/src/http)' },
  STARLING_HTTP_BODY_NOT_UTF8: { meaning: 'A request body is not valid UTF-8.', raisedBy: 'HTTP server (core/src/http), BOSH' },

  // Plugins
  STARLING_PLUGIN_MANIFEST: { meaning: 'A plugin package.json is not valid JSON, has no valid "starling" manifest, or its entry file is missing.', raisedBy: 'plugin host (core/src/kernel, sdk/src/host)' },
  STARLING_PLUGIN_ENTRY: { meaning: "A plugin's entry module does not export a definePlugin() result.", raisedBy: 'plugin host (core/src/kernel, sdk/src/host)' },
  STARLING_PLUGIN_SDK_MISMATCH: { meaning: "A plugin needs another @starling/sdk version than the server's.", raisedBy: 'plugin manifest (core/src/kernel)' },
  STARLING_PLUGIN_DUPLICATE: { meaning: 'Two packages have the same plugin id, or a plugin is loaded twice.', raisedBy: 'plugin manifest and runtime (core/src/kernel, sdk/src/kernel)' },
  STARLING_PLUGIN_UNKNOWN: { meaning: 'No plugin package has the given id.', raisedBy: 'plugin host (core/src/kernel)' },
  STARLING_PLUGIN_NOT_LOADED: { meaning: 'The plugin to reload or unload is not loaded.', raisedBy: 'plugin host and runtime (core/src/kernel, sdk/src/kernel, sdk/src/host)' },
  STARLING_PLUGIN_REQUIRES: { meaning: 'A plugin requires another plugin that is not loaded (or not among those given).', raisedBy: 'plugin runtime (sdk/src/kernel)' },
  STARLING_PLUGIN_PROVIDES: { meaning: 'A plugin provides a service it does not list in "provides", or lists one it binds no service for.', raisedBy: 'plugin runtime and context (sdk/src/kernel)' },
  STARLING_PLUGIN_CYCLE: { meaning: 'The plugins\' "requires" form a cycle.', raisedBy: 'plugin runtime (sdk/src/kernel)' },
  STARLING_PLUGIN_TIMEOUT: { meaning: "A plugin's load, unload or state handover did not finish in time.", raisedBy: 'plugin runtime (sdk/src/kernel)' },
  STARLING_PLUGIN_QUARANTINED: { meaning: 'A plugin version ended the server process once (it blocked the event loop past \'hang-timeout\', ran out of heap or crashed while loading) and is not loaded again until another version is installed or an admin enables it.', raisedBy: 'plugin host (core/src/kernel)' },
  STARLING_PLUGIN_TS: { meaning: 'A .ts plugin cannot be transpiled (TypeScript missing, a syntax error, or a .ts file outside a plugin directory).', raisedBy: 'plugin modules (sdk/src/kernel)' },
  STARLING_COMPONENT_DUPLICATE: { meaning: 'Two plugins serve a component of the same name, or two components the same subdomain.', raisedBy: 'plugin components (sdk/src/kernel)' },
  STARLING_COMPONENT_SUBDOMAIN: { meaning: "A component's subdomain (its default or the bean's 'subdomain' key) is not a DNS label.", raisedBy: 'plugin components (sdk/src/kernel)' },
  STARLING_ROUTE_CONFLICT: { meaning: 'Two plugins register the same IQ route.', raisedBy: 'route table (sdk/src)' },
  STARLING_COMPONENT_DEPENDENCY: { meaning: 'Running a plugin as an external component needs @xmpp/component, which is not installed.', raisedBy: 'component runner (sdk/src)' },
  STARLING_COMPONENT_CONNECT: { meaning: 'The external component could not connect to or authenticate with the server.', raisedBy: 'component runner (sdk/src)' },

  // Stanzas and XML
  STARLING_STANZA_ERROR: { meaning: 'A StanzaError thrown by a handler: the kernel sends it to the sender as the error reply.', raisedBy: 'stanza handlers (sdk/src/errors.ts)' },
  STARLING_JID_INVALID: { meaning: 'A string is not a valid JID (RFC 7622).', raisedBy: 'JID parser (sdk/src)' },
  STARLING_XML_PARSE: { meaning: 'A text is not well-formed XML.', raisedBy: 'XML parser (sdk/src)' },

  // Admin scripts
  STARLING_SCRIPT_ID: { meaning: 'A script command id is invalid or names a built-in command.', raisedBy: 'script manager (core/src/scripting)' },
  STARLING_SCRIPT_HEADER: { meaning: "A script's description is empty.", raisedBy: 'script manager (core/src/scripting)' },
  STARLING_SCRIPT_FILE: { meaning: 'The script file already holds another command.', raisedBy: 'script manager (core/src/scripting)' },
  STARLING_SCRIPT_COMPONENT: { meaning: 'A script names a component the server does not have.', raisedBy: 'script manager (core/src/scripting)' },
  STARLING_SCRIPT_SYNTAX: { meaning: 'A script has a syntax error.', raisedBy: 'script preparation (core/src/scripting)' },
  STARLING_SCRIPT_TYPES: { meaning: 'A TypeScript script does not type-check; the message lists the errors.', raisedBy: 'TypeScript checker (core/src/scripting)' },
  STARLING_SCRIPT_CHECKER: { meaning: 'The TypeScript checker failed, timed out or was stopped.', raisedBy: 'TypeScript checker (core/src/scripting)' },
  STARLING_SCRIPT_CAPABILITY: { meaning: 'A script used a capability it was not granted, or used it wrongly.', raisedBy: 'script capabilities (core/src/scripting, plugin components such as plugins/muc)' },
  STARLING_SCRIPT_RESULT: { meaning: 'A script returned something that is not a valid element tree.', raisedBy: 'script results (core/src/scripting)' },
  STARLING_SCRIPT_BUSY: { meaning: 'Too many scripts are running; try again later.', raisedBy: 'script sandbox (core/src/scripting)' },
  STARLING_SCRIPT_CLOSED: { meaning: 'The script sandbox is shut down.', raisedBy: 'script sandbox (core/src/scripting)' },

  // Test host (@starling/sdk/testing)
  STARLING_TEST_JID: { meaning: 'connect() was given no full JID, or one outside the test host\'s domains.', raisedBy: 'test host (sdk/src/testing)' },
  STARLING_TEST_FROM: { meaning: "inject() was given a stanza without a valid 'from'.", raisedBy: 'test host (sdk/src/testing)' },
  STARLING_TEST_TIMEOUT: { meaning: 'No matching stanza was emitted in time; the message lists what was.', raisedBy: 'test host (sdk/src/testing)' },
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** docs/errors.md: the catalogue as a Markdown table (what scripts/gen-error-docs.mjs writes). */
export function errorCatalogueMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const rows = Object.entries(ERROR_CODES).map(([code, e]) => `| \`${code}\` | ${cell(e.meaning)} | ${cell(e.raisedBy)} |`);
  return [
    '# Error codes',
    '',
    '<!-- Generated from sdk/src/error-codes.ts by `node scripts/gen-error-docs.mjs`; do not edit by hand. -->',
    '',
    "Every error Starling raises carries one of these codes in `err.code` (`StarlingError` and its subclasses",
    '`ConfigError`, `StorageError`, `JidError`; `StanzaError` for protocol errors); config-check warnings carry',
    'them too. Log lines and command-line messages show the code, so an operator can look it up here.',
    '',
    '| Code | Meaning | Raised by |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
