import type { ConfigValue } from './values';

/** What a masked secret is written as. */
export const MASK = '*****';

/** Keys whose whole value is a secret. */
export const SECRET_KEY = /pass(word)?|secret/i;

/** `password=…` (and pass, passwd, pwd) in a URI query or a JDBC/semicolon parameter list. */
const QUERY_PASSWORD = /([?&;](?:password|passwd|pass|pwd)=)([^&;#\s]*)/gi;
/** `scheme://user:password@host` (also inside `jdbc:postgresql://…`). */
const USERINFO_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^/?#@\s:]*:)([^/?#\s]*)@/gi;
/** `host:password:port` / `host:password` items of 'cluster-nodes' (the chapter's `{password}:{port}` suffix). */
const CLUSTER_NODE_PASSWORD = /^([^:]+):([^:]+)(:\d+)?$/;

/** Hides passwords inside URIs: `…?user=x&password=y` → `password=*****`, `user:pw@host` → `user:*****@host`. */
export function obfuscateUriPasswords(s: string): string {
  return s.replace(QUERY_PASSWORD, `$1${MASK}`).replace(USERINFO_PASSWORD, `$1${MASK}@`);
}

/**
 * The value as it may be shown in a dump: the whole value masked when the key names a secret, passwords
 * inside URIs obfuscated in every string, and the password of `cluster-nodes` items masked.
 */
export function maskValue(key: string, v: ConfigValue): ConfigValue {
  if (SECRET_KEY.test(key) && v.kind !== 'null') return { kind: 'string', value: MASK };
  if (key === 'cluster-nodes') return maskItems(v, maskClusterNode);
  if (key === 'comp-items') return maskItems(v, maskComponentItem);
  return maskItems(v, obfuscateUriPasswords);
}

function maskClusterNode(item: string): string {
  const m = CLUSTER_NODE_PASSWORD.exec(item);
  // `host:5600` is a port, not a password
  if (!m || (m[3] === undefined && /^\d+$/.test(m[2]))) return item;
  return `${m[1]}:${MASK}${m[3] ?? ''}`;
}

/** External component items are `domain:secret[:listen[:port[:accept]]]`: hide the secret. */
function maskComponentItem(item: string): string {
  const parts = item.split(':');
  if (parts.length < 2) return item;
  parts[1] = MASK;
  return parts.join(':');
}

function maskItems(v: ConfigValue, f: (s: string) => string): ConfigValue {
  if (v.kind === 'string') return { kind: 'string', value: f(v.value) };
  if (v.kind === 'list') return { kind: 'list', items: v.items.map((item) => maskItems(item, f)) };
  return v;
}
