import { promises as dns } from 'node:dns';
import type { StaticRoute } from './s2s-settings';

/** One place to try for a remote domain, in order. */
export interface S2STarget {
  host: string;
  port: number;
  /** XEP-0368: TLS from the first byte (from an `_xmpps-server` SRV record). */
  directTls: boolean;
}

/** The DNS queries used (node:dns by default; tests pass their own). */
export interface SrvResolver {
  resolveSrv(name: string): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
}

/**
 * Where to connect for a remote domain (RFC 6120 §3.2, XEP-0368): a `dns-overrides` entry alone when there
 * is one (direct TLS when it ends in `:tls`); else the `_xmpps-server._tcp` (direct TLS) and `_xmpp-server._tcp` SRV records, by priority then
 * weight, direct TLS first at equal priority; else the domain itself on 5269 (its A/AAAA records). A single
 * SRV record with target "." means the domain offers no XMPP service: no targets.
 */
export async function resolveTargets(domain: string, overrides: ReadonlyMap<string, StaticRoute>, resolver: SrvResolver = dns): Promise<S2STarget[]> {
  const fixed = overrides.get(domain);
  if (fixed) return [{ host: fixed.host, port: fixed.port, directTls: fixed.directTls }];
  const [tls, plain] = await Promise.all([srv(resolver, `_xmpps-server._tcp.${domain}`), srv(resolver, `_xmpp-server._tcp.${domain}`)]);
  const records = [...tls.map((r) => ({ ...r, directTls: true })), ...plain.map((r) => ({ ...r, directTls: false }))];
  if (records.length === 1 && records[0].name === '.') return [];
  const usable = records.filter((r) => r.name !== '.' && r.name !== '');
  if (usable.length === 0) return [{ host: domain, port: 5269, directTls: false }];
  usable.sort((a, b) => a.priority - b.priority || Number(b.directTls) - Number(a.directTls) || b.weight - a.weight);
  return usable.map((r) => ({ host: r.name, port: r.port, directTls: r.directTls }));
}

async function srv(resolver: SrvResolver, name: string): Promise<{ name: string; port: number; priority: number; weight: number }[]> {
  try {
    return await resolver.resolveSrv(name);
  } catch {
    return [];
  }
}
