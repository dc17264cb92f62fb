import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Disposable } from './services';
import type { ServiceToken } from './service-token';

/** Answers one HTTP request; a throw (or rejection) becomes a 500 and is logged. */
export type HttpRouteHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * The server's HTTP stack (`httpServer { connections { 8080 () {} } }`) as plugins see it: routes that
 * a plugin's unload removes (track the Disposable), and the address the server is reachable at.
 */
export interface HttpRoutes {
  /** Serves `method` on `path` exactly (without the query string); a path already served is an error. */
  route(method: string, path: string, handler: HttpRouteHandler): Disposable;
  /** Serves `method` on every path under `prefix` (ending in '/') that has no exact route. */
  routePrefix(method: string, prefix: string, handler: HttpRouteHandler): Disposable;
  /**
   * `http://<host>:<port>` (or https for a `socket = 'ssl'` port) of the first httpServer listener, for
   * links a plugin hands out; undefined before the listeners are bound or when there is none.
   */
  baseUrl(host: string): string | undefined;
}

/** Bound by core to its httpServer. */
export const HTTP_ROUTES = Symbol.for('starling.HttpRoutes') as ServiceToken<HttpRoutes>;
