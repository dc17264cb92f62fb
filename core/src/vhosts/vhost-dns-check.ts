import { Resolver } from 'node:dns/promises';
import { hostname, networkInterfaces } from 'node:os';

/** The DNS lookups the check makes (node:dns/promises' Resolver; tests give their own). */
export interface DnsLookups {
  resolveSrv(name: string): Promise<{ name: string }[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

/** "No such name" answers; anything else (refused, timeout, server failure) means DNS cannot be asked. */
const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

export class DnsUnreachable extends Error {}

/**
 * Tigase's vhost DNS check: the `_xmpp-client._tcp` SRV targets, or else the A/AAAA records, of a new vhost
 * must point at this server (its host name, its interface addresses, or the configured `dns-def-ip`,
 * `dns-srv-def-addr`, `installation-dns-address`). Resolves null when they do, else the error text;
 * throws DnsUnreachable when no DNS server answers (the check is then skipped).
 */
export async function checkVhostDns(domain: string, configured: readonly string[], dns: DnsLookups = new Resolver({ timeout: 3000, tries: 1 })): Promise<string | null> {
  const names = new Set([hostname().toLowerCase(), ...configured.map((a) => a.toLowerCase())]);
  const ips = new Set(configured);
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) ips.add(i.address);
  const ask = async <T>(q: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await q();
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (ABSENT.has(code)) return [];
      throw new DnsUnreachable(`DNS lookup for ${domain} failed: ${code || (err as Error).message}`);
    }
  };
  const pointsHere = async (host: string): Promise<boolean> => {
    if (names.has(host.toLowerCase()) || ips.has(host)) return true;
    const addrs = [...(await ask(() => dns.resolve4(host))), ...(await ask(() => dns.resolve6(host)))];
    return addrs.some((a) => ips.has(a));
  };
  const srv = await ask(() => dns.resolveSrv(`_xmpp-client._tcp.${domain}`));
  if (srv.length > 0) {
    for (const r of srv) if (await pointsHere(r.name)) return null;
    return `Incorrect DNS SRV settings: ${srv.map((r) => r.name).join(', ')} do not point at this server`;
  }
  const addrs = [...(await ask(() => dns.resolve4(domain))), ...(await ask(() => dns.resolve6(domain)))];
  if (addrs.length > 0) return addrs.some((a) => ips.has(a)) ? null : `Incorrect IP address: ${addrs.join(', ')} is not this server`;
  return 'No DNS settings found for given host';
}
