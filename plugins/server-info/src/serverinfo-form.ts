import { type Element, NS_DATA_FORMS, xml } from '@starling/sdk';
import { CONTACT_FIELDS, type ContactAddresses } from './contact-addresses';

/** FORM_TYPE of XEP-0157, re-used by XEP-0485 for its node field. */
export const FORM_TYPE_SERVERINFO = 'http://jabber.org/network/serverinfo';

/**
 * The server's XEP-0128 extension form: the XEP-0157 contact addresses and, once published, the
 * XEP-0485 `serverinfo-pubsub-node`; both in one form, as XEP-0485 asks. Undefined when there is nothing to say.
 */
export function serverInfoForm(contacts: ContactAddresses, pubsubNode: string | undefined): Element | undefined {
  const fields: Element[] = [];
  for (const field of CONTACT_FIELDS) {
    const uris = contacts[field];
    if (uris) fields.push(xml('field', { var: field, type: 'list-multi' }, uris.map((u) => xml('value', {}, u))));
  }
  if (pubsubNode) fields.push(xml('field', { var: 'serverinfo-pubsub-node', type: 'text-single' }, xml('value', {}, pubsubNode)));
  if (fields.length === 0) return undefined;
  return xml(
    'x',
    { xmlns: NS_DATA_FORMS, type: 'result' },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, FORM_TYPE_SERVERINFO)),
    fields,
  );
}
