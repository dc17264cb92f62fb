import { createHash } from 'node:crypto';
import type { Element } from '@starling/sdk';

/** XEP-0115 `hash` names (IANA) that node's crypto can compute. */
const ALGORITHMS: Record<string, string> = { 'sha-1': 'sha1', 'sha-224': 'sha224', 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' };

export function isKnownHash(hash: string | undefined): hash is string {
  return hash !== undefined && hash in ALGORITHMS;
}

const octets = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * The verification string of a disco#info `<query/>` (XEP-0115 §5.1): identities, features and
 * extended forms in i;octet order, each part followed by '<', hashed and base64-encoded.
 */
export function verificationString(query: Element, hash: string): string {
  let s = '';
  const identities = query
    .getChildren('identity')
    .map((i) => `${i.attrs.category ?? ''}/${i.attrs.type ?? ''}/${i.attrs['xml:lang'] ?? ''}/${i.attrs.name ?? ''}`)
    .sort(octets);
  for (const i of identities) s += i + '<';
  for (const f of query.getChildren('feature').map((f) => f.attrs.var ?? '').sort(octets)) s += f + '<';
  const forms = query
    .getChildren('x', 'jabber:x:data')
    .map((x) => {
      const fields = x.getChildren('field');
      const formType = fields.find((f) => f.attrs.var === 'FORM_TYPE')?.getChildText('value') ?? '';
      const rest = fields
        .filter((f) => f.attrs.var !== 'FORM_TYPE')
        .map((f) => ({ name: f.attrs.var ?? '', values: f.getChildren('value').map((v) => v.text()).sort(octets) }))
        .sort((a, b) => octets(a.name, b.name));
      return { formType, rest };
    })
    .sort((a, b) => octets(a.formType, b.formType));
  for (const form of forms) {
    s += form.formType + '<';
    for (const f of form.rest) {
      s += f.name + '<';
      for (const v of f.values) s += v + '<';
    }
  }
  return createHash(ALGORITHMS[hash]).update(s, 'utf8').digest('base64');
}
