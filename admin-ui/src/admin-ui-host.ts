import type { Element, HttpRoutes, Jid, Logger, ServiceToken } from '@starling/sdk';

/** One component on one virtual host, with the commands a JID may run there (XEP-0050 nodes). */
export interface ComponentCommands {
  /** The component's JID on the vhost, e.g. `sess-man@example.com`. */
  jid: string;
  /** Its disco name, e.g. "Session manager". */
  description: string;
  commands: { node: string; name: string; group?: string }[];
}

/** Limits of the Admin UI (`httpServer { 'admin-idle-timeout' = 900; 'admin-login-attempts' = 5; 'admin-max-body-size' = 262144 }`). */
export interface AdminUiLimits {
  idleMs: number;
  /** Failed logins per IP and per account within `idleMs` before further attempts are refused. */
  loginAttempts: number;
  /** The largest form a POST may carry, in bytes; a larger one is refused like a form without its CSRF token. */
  maxBodySize: number;
}
export const DEFAULT_ADMIN_UI_LIMITS: AdminUiLimits = { idleMs: 15 * 60_000, loginAttempts: 5, maxBodySize: 256 * 1024 };

/**
 * What the Admin UI needs from the server, and all it may use: core binds it to its HTTP stack, its
 * router (every command runs as the XEP-0050 request an XMPP client would send), its command components,
 * its virtual hosts and its stored credentials. The UI implements no command itself.
 */
export interface AdminUiHost {
  readonly routes: HttpRoutes;
  readonly limits: AdminUiLimits;
  readonly log: Logger;
  /** The default virtual host: the plugin and script pages address `sess-man@<it>`. */
  readonly defaultDomain: string;
  /** Routes an IQ (from the logged-in JID) and resolves the reply, or null when none came in time. */
  request(iq: Element, timeoutMs: number): Promise<Element | null>;
  /** Every served vhost's command components with the commands `viewer` may run (the framework's ACLs). */
  commandsFor(viewer: Jid): ComponentCommands[];
  isLocalDomain(domain: string): boolean;
  /** Checks a password against the account's stored credentials; false for an unknown or disabled account. */
  checkPassword(bareJid: string, password: string): Promise<boolean>;
}

/** Bound by core; the Admin UI's constructor injects it. */
export const ADMIN_UI_HOST = Symbol.for('starling.AdminUiHost') as ServiceToken<AdminUiHost>;
