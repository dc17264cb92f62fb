import { tryParseJid } from './jid';
import type { PluginConfig } from './services';
import type { TypedConfig } from './typed-config';

/**
 * The forward address of each virtual host: the plugin bean's `'<vhost>' = 'jid'` entry, else the first of
 * the global keys (read through config.globals: 'sess-man' first, then the top level) that is set.
 */
export function forwardAddresses(config: PluginConfig, domains: readonly string[], globalKeys: readonly string[]): Map<string, string> {
  let fallback: string | undefined;
  for (const key of globalKeys) {
    if (config.globals.string(key, '') !== '') {
      fallback = jid(config.globals, key);
      break;
    }
  }
  const out = new Map<string, string>();
  for (const domain of domains) {
    const address = config.has(domain) ? jid(config, domain) : fallback;
    if (address) out.set(domain, address);
  }
  return out;
}

function jid(config: TypedConfig, key: string): string {
  const v = config.get(key);
  const j = typeof v === 'string' ? tryParseJid(v) : null;
  if (!j) throw config.fail(key, "a JID (a bot's full JID, e.g. 'collector@example.com/presence')");
  return j.toString();
}
