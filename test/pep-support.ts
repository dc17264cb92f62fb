import assert from 'node:assert/strict';
import { StanzaError, type TestClient, type XmppElement, connect, xml } from './harness/clients';

export const PS = 'http://jabber.org/protocol/pubsub';
export const OWNER = 'http://jabber.org/protocol/pubsub#owner';
export const EVENT = 'http://jabber.org/protocol/pubsub#event';
export const ERRORS = 'http://jabber.org/protocol/pubsub#errors';
export const DATA = 'jabber:x:data';
export const TUNE = 'http://jabber.org/protocol/tune';
export const GEO = 'http://jabber.org/protocol/geoloc';
export const BOOKMARKS = 'urn:xmpp:bookmarks:1';
export const DEVICELIST = 'eu.siacs.conversations.axolotl.devicelist';
const DISCO_INFO = 'http://jabber.org/protocol/disco#info';

export const publishOptions = (fields: Record<string, string>) =>
  xml(
    'publish-options',
    {},
    xml(
      'x',
      { xmlns: DATA, type: 'submit' },
      xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, 'http://jabber.org/protocol/pubsub#publish-options')),
      ...Object.entries(fields).map(([v, val]) => xml('field', { var: v }, xml('value', {}, val))),
    ),
  );

/** A publish to the account's own PEP service (an IQ without `to`). */
export const publish = (c: TestClient, node: string, id: string, payload: XmppElement, options?: Record<string, string>) =>
  c.iq(xml('iq', { type: 'set' }, xml('pubsub', { xmlns: PS }, xml('publish', { node }, xml('item', { id }, payload)), ...(options ? [publishOptions(options)] : []))));
export const items = (c: TestClient, owner: string, node: string) => c.iq(xml('iq', { type: 'get', to: owner }, xml('pubsub', { xmlns: PS }, xml('items', { node }))));
export const tune = (title: string) => xml('tune', { xmlns: TUNE }, xml('title', {}, title));

export async function refusal(p: Promise<unknown>): Promise<{ condition: string; specific?: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StanzaError, String(err));
    return { condition: err.condition, specific: err.element.getChildElements().find((e) => e.attrs.xmlns === ERRORS)?.name };
  }
  assert.fail('the request succeeded');
}

/**
 * Logs in a client that announces (legacy, hash-less) XEP-0115 caps and answers the server's disco#info
 * query for them with `features` (after `answerAfter`, released by the caller, when given): the server
 * believes them for this session.
 */
export async function clientWithCaps(port: number, user: string, resource: string, features: string[], answerAfter?: Promise<void>): Promise<TestClient> {
  const c = await connect({ port, username: user, password: 'pw', resource });
  // Through @xmpp/client's IQ callee, which otherwise answers service-unavailable to a query nobody handled.
  c.xmpp.iqCallee.get(DISCO_INFO, 'query', async (ctx) => {
    await answerAfter;
    const node = (ctx as { element: XmppElement }).element.attrs.node;
    return xml('query', { xmlns: DISCO_INFO, node }, xml('identity', { category: 'client', type: 'pc' }), ...features.map((f) => xml('feature', { var: f })));
  });
  await c.send(xml('presence', {}, xml('c', { xmlns: 'http://jabber.org/protocol/caps', node: `urn:test:${user}-${resource}`, ver: `v-${features.length}` })));
  return c;
}

export const eventFrom = (owner: string, node: string) => (el: XmppElement) => el.is('message') && el.attrs.from === owner && el.getChild('event', EVENT)?.getChild('items')?.attrs.node === node;

/** Makes the two accounts share presence both ways (`both` on each roster). */
export async function sharePresence(port: number, a: string, b: string, domain: string): Promise<void> {
  const x0 = await connect({ port, username: a, password: 'pw', resource: 'setup' });
  const y0 = await connect({ port, username: b, password: 'pw', resource: 'setup' });
  for (const c of [x0, y0]) {
    await c.iq(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })));
    await c.send(xml('presence'));
  }
  for (const [x, y, yJid] of [[x0, y0, `${b}@${domain}`], [y0, x0, `${a}@${domain}`]] as const) {
    await x.send(xml('presence', { to: yJid, type: 'subscribe' }));
    await y.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribe');
    await y.send(xml('presence', { to: x.jid.split('/')[0], type: 'subscribed' }));
    await x.waitFor((el) => el.is('presence') && el.attrs.type === 'subscribed');
  }
  await x0.stop();
  await y0.stop();
}
