// Helpers for the message archive integration tests (test/mam-*.test.ts).
import { type TestClient, xml, type XmppElement } from './harness/clients';

export const NS_MAM = 'urn:xmpp:mam:2';
export const NS_SID = 'urn:xmpp:sid:0';
export const NS_RSM = 'http://jabber.org/protocol/rsm';
export const NS_FORWARD = 'urn:xmpp:forward:0';

let nextQuery = 0;

export interface QueryOptions {
  /** Form fields by name; an array is a multi-valued field. */
  fields?: Record<string, string | string[]>;
  max?: number;
  after?: string;
  /** '' asks for the last page. */
  before?: string;
  flip?: boolean;
  /** The archive to query (default: the client's own, no `to`). */
  to?: string;
}

export interface QueryOutcome {
  /** The result messages in the order they arrived: archive id, body, and the forwarded message. */
  results: { id: string; body: string | undefined; message: XmppElement; stamp: string }[];
  fin: XmppElement;
  complete: boolean;
  first?: string;
  last?: string;
  count?: number;
  firstIndex?: string;
}

/** Runs one XEP-0313 query with @xmpp/client and gathers the results sent before the IQ result. */
export async function mamQuery(c: TestClient, o: QueryOptions = {}): Promise<QueryOutcome> {
  const queryid = `q${++nextQuery}`;
  const fields = Object.entries({ FORM_TYPE: NS_MAM, ...o.fields }).map(([name, v]) =>
    xml('field', { var: name }, ...(Array.isArray(v) ? v : [v]).map((value) => xml('value', {}, value))),
  );
  const rsm =
    o.max === undefined && o.after === undefined && o.before === undefined
      ? undefined
      : xml(
          'set',
          { xmlns: NS_RSM },
          o.max === undefined ? undefined : xml('max', {}, String(o.max)),
          o.after === undefined ? undefined : xml('after', {}, o.after),
          o.before === undefined ? undefined : xml('before', {}, o.before),
        );
  const reply = await c.iq(
    xml('iq', { type: 'set', ...(o.to ? { to: o.to } : {}) }, xml('query', { xmlns: NS_MAM, queryid }, xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, ...fields), rsm, o.flip ? xml('flip-page') : undefined)),
  );
  const mine = (el: XmppElement) => el.is('message') && el.getChild('result', NS_MAM)?.attrs.queryid === queryid;
  const results = c.inbox.filter(mine).map((el) => {
    c.inbox.splice(c.inbox.indexOf(el), 1);
    const result = el.getChild('result', NS_MAM)!;
    const forwarded = result.getChild('forwarded', NS_FORWARD)!;
    const message = forwarded.getChild('message')!;
    return { id: result.attrs.id, body: message.getChildText('body') ?? undefined, message, stamp: forwarded.getChild('delay')!.attrs.stamp };
  });
  const fin = reply.getChild('fin', NS_MAM)!;
  const set = fin.getChild('set', NS_RSM);
  const count = set?.getChildText('count');
  return {
    results,
    fin,
    complete: fin.attrs.complete === 'true',
    first: set?.getChildText('first') ?? undefined,
    last: set?.getChildText('last') ?? undefined,
    count: count === undefined || count === null ? undefined : Number(count),
    firstIndex: set?.getChild('first')?.attrs.index,
  };
}

/** The archive id a received message carries from its recipient's archive. */
export function stanzaIdOf(m: XmppElement, by: string): string | undefined {
  return m.getChildren('stanza-id', NS_SID).find((s) => s.attrs.by === by)?.attrs.id;
}
