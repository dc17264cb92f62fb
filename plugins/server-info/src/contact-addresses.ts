import type { PluginConfig } from '@starling/sdk';

/** XEP-0157 fields, in the order the XEP lists them. */
export const CONTACT_FIELDS = [
  'abuse-addresses',
  'admin-addresses',
  'feedback-addresses',
  'sales-addresses',
  'security-addresses',
  'status-addresses',
  'support-addresses',
] as const;

export type ContactField = (typeof CONTACT_FIELDS)[number];
export type ContactAddresses = Partial<Record<ContactField, string[]>>;

const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;

/** The configured contact addresses; each must be a URI (`mailto:`, `xmpp:`, `https:` …), as XEP-0157 requires. */
export function readContactAddresses(config: PluginConfig): ContactAddresses {
  const out: ContactAddresses = {};
  for (const field of CONTACT_FIELDS) {
    const uris = config.list(field, []);
    const bad = uris.find((u) => !URI.test(u));
    if (bad !== undefined) throw config.fail(field, `a list of URIs such as 'mailto:abuse@example.com' or 'xmpp:admin@example.com' ('${bad}' is not one)`);
    if (uris.length) out[field] = uris;
  }
  return out;
}
