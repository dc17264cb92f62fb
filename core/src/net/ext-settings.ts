import { StarlingError, tryParseJid } from '@starling/sdk';
import type { BeanView } from '../config/bean-view';
import { beanOrEmpty } from '../config/config-bean-view';

/** XEP-0114's default port in Tigase's network instructions. */
export const DEFAULT_EXT_PORT = 5270;

/** One external component the server accepts: its domain and shared secret. */
export interface ExtComponentItem {
  domain: string;
  secret: string;
  /** Accept it only on this port (the item named one); otherwise on every ext port. */
  port?: number;
}

export interface ExtSettings {
  listeners: { port: number; host: string }[];
  items: ExtComponentItem[];
  maxStanzaSize: number;
  /** A component must complete the handshake within this time. */
  handshakeTimeoutMs: number;
}

/**
 * Reads the `ext` bean (Tigase's external component manager). It is off unless the bean is defined
 * (`ext () { … }`) or lists components, and `ext (active: false) { … }` switches it off:
 *
 *     ext () {
 *         connections { ports = [ 5270 ]; ifc = [ '127.0.0.1' ] }      # optional; default 5270 on all interfaces
 *         'comp-items' = [ 'motd.localhost:secret', 'muc.localhost:other-secret:listen:5271:accept' ]
 *     }
 *
 * An item is Tigase's property string `domain:secret[:listen[:port[:accept]]]`: this server listens
 * (it does not dial out) and speaks XEP-0114 (`accept`).
 */
export function readExtSettings(top: BeanView, localDomains: readonly string[]): ExtSettings | undefined {
  const ext = top.bean('ext');
  if (!ext || ext.active === false || (ext.active !== true && !ext.has('comp-items'))) return undefined;
  const fail = (key: string, what: string) => new StarlingError('STARLING_CONFIG_TYPE', `${ext.where(key)}: '${key}' ${what}`);
  const port = (v: string, key: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw fail(key, `has '${v}', which is not a port number`);
    return n;
  };

  const items = ext.list('comp-items', []).map((s): ExtComponentItem => {
    const [domain, secret, type, p, protocol] = s.split(':');
    const jid = tryParseJid(domain ?? '');
    if (!jid || jid.local || jid.resource) throw fail('comp-items', `has '${domain}', which is not a domain`);
    if (localDomains.includes(jid.domain)) throw fail('comp-items', `names ${jid.domain}, a virtual host of this server`);
    if (!secret) throw fail('comp-items', `has no secret for ${jid.domain} (write 'domain:secret')`);
    if (type !== undefined && type !== 'listen') throw fail('comp-items', `asks to '${type}' for ${jid.domain}; only 'listen' is supported`);
    if (protocol !== undefined && protocol !== 'accept') throw fail('comp-items', `asks for '${protocol}' for ${jid.domain}; only 'accept' (XEP-0114) is supported`);
    return { domain: jid.domain, secret, port: p ? port(p, 'comp-items') : undefined };
  });
  const seen = new Set<string>();
  for (const i of items) {
    if (seen.has(i.domain)) throw fail('comp-items', `lists ${i.domain} twice`);
    seen.add(i.domain);
  }

  const connections = beanOrEmpty(ext, 'connections');
  const ports = connections.list('ports', [String(DEFAULT_EXT_PORT)]).map((p) => port(p, 'ports'));
  for (const i of items) if (i.port !== undefined && !ports.includes(i.port)) ports.push(i.port);
  const ifc = connections.list('ifc')?.[0] ?? '*';
  return {
    listeners: ports.map((p) => ({ port: p, host: ifc === '*' ? '::' : ifc })),
    items,
    maxStanzaSize: ext.number('max-stanza-size', 1024 * 1024, { positive: true }),
    handshakeTimeoutMs: ext.number('handshake-timeout', 30, { positive: true }) * 1000,
  };
}
