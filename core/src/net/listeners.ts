import type { BeanView } from '../config/bean-view';
import { beanOrEmpty } from '../config/config-bean-view';

/** One listening socket of a connection manager. */
export interface ListenerSpec {
  port: number;
  /** starttls: plain socket offering STARTTLS; direct: TLS from the first byte (Tigase socket = 'ssl'). */
  tls: 'starttls' | 'direct';
  host: string;
}

/**
 * The listeners of one connection manager bean, Tigase's `connections` block:
 *
 *     ws2s {
 *         connections {
 *             ports = [ 5290, 5291 ]
 *             ifc = [ '127.0.0.1' ]               # default: every interface
 *             5290 { socket = 'ssl'; type = 'accept' }
 *             5291 { socket = 'plain'; type = 'accept'; ifc = [ '::1' ] }
 *         }
 *     }
 *
 * A port's `socket = 'ssl'` makes it TLS from the first byte; `plain` (the default unless the port is
 * one of `sslPorts`) is unencrypted (c2s then offers STARTTLS). `type` must be `accept` (this server
 * listens; Tigase's `connect` dials out, which only s2s/cluster links do). With `blocksArePorts` (Tigase's
 * HTTP server), the port blocks without a `ports` list name the ports (`httpServer { connections { 8080 () {} } }`).
 */
export function readListeners(
  manager: BeanView | undefined,
  defaultPorts: readonly number[],
  sslPorts: ReadonlySet<number> = new Set(),
  blocksArePorts = false,
): ListenerSpec[] {
  const connections = beanOrEmpty(manager, 'connections');
  const toPort = (p: string): number => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw connections.fail('ports', 'a list of port numbers');
    return n;
  };
  let ports = connections.list('ports')?.map(toPort);
  if (!ports && blocksArePorts) {
    const blocks = connections.beans().map((b) => b.name).filter((n) => /^\d+$/.test(n));
    if (blocks.length) ports = blocks.map(toPort);
  }
  ports ??= [...defaultPorts];
  const defaultIfc = connections.list('ifc')?.[0] ?? '*';
  return ports.map((port) => {
    const item = beanOrEmpty(connections, String(port));
    const socket = item.enum('socket', ['plain', 'ssl'], sslPorts.has(port) ? 'ssl' : 'plain');
    if (item.string('type', 'accept') !== 'accept') throw item.fail('type', `'accept' (this server listens on its ports)`);
    const ifc = item.list('ifc')?.[0] ?? defaultIfc;
    return { port, tls: socket === 'ssl' ? 'direct' : 'starttls', host: ifc === '*' ? '::' : ifc };
  });
}

/** Binds a server to a listener spec; resolves with the port actually bound (port 0 picks a free one). */
export function listenOn<T extends { port: number; host: string }>(server: import('node:net').Server, spec: T): Promise<T> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: spec.port, host: spec.host }, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve({ ...spec, port: typeof addr === 'object' && addr ? addr.port : spec.port });
    });
  });
}
