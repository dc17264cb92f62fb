import { StarlingError } from './errors';
import { tryParseJid } from './jid';
import type { PluginConfig } from './services';

/**
 * The forward address of each virtual host: the plugin bean's `'<vhost>' = 'jid'` entry, else the first of
 * the global keys (read through config.global: 'sess-man' first, then the top level) that is set.
 */
export function forwardAddresses(config: PluginConfig, domains: readonly string[], globalKeys: readonly string[]): Map<string, string> {
  let fallback: string | undefined;
  for (const key of globalKeys) {
    const v = config.global(key);
    if (v !== undefined && v !== null && v !== '') {
      fallback = jid(v, `'${key}'`);
      break;
    }
  }
  const out = new Map<string, string>();
  for (const domain of domains) {
    const address = config.has(domain) ? jid(config.get(domain), `'${domain}'`) : fallback;
    if (address) out.set(domain, address);
  }
  return out;
}

function jid(value: unknown, what: string): string {
  const j = typeof value === 'string' ? tryParseJid(value) : null;
  if (!j) throw new StarlingError('STARLING_CONFIG_TYPE', `${what} must be a JID (a bot's full JID, e.g. 'collector@example.com/presence'), got ${JSON.stringify(value)}`);
  return j.toString();
}
