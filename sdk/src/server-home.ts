import type { ServiceToken } from './service-token';

/** Where a plugin may keep files of its own: under the server's home (`--home`), never elsewhere. */
export interface ServerHome {
  /**
   * `<home>/var/<name>` (created if missing), e.g. 'upload'. `name` is a plain folder name
   * (`[a-z0-9][a-z0-9-]*`); anything else is refused (STARLING_CONFIG_VALUE).
   */
  varDir(name: string): string;
}

export const SERVER_HOME = Symbol.for('starling.ServerHome') as ServiceToken<ServerHome>;
