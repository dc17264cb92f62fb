import { type ArchiveFilter, type ArchivePageRequest, type Element, NS_DATA_FORMS, StanzaError, tryParseJid } from '@starling/sdk';
import { NS_MAM, NS_RSM } from './ns';

/** A parsed `<query xmlns='urn:xmpp:mam:2'/>` set. */
export interface QueryRequest {
  queryId?: string;
  filter: ArchiveFilter;
  page: ArchivePageRequest;
  /** `<flip-page/>` (`urn:xmpp:mam:2#extended`): the page's messages newest first. */
  flip: boolean;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** An XEP-0082 DateTime in ms; bad-request when malformed. */
function dateTime(field: string, value: string): number {
  const t = DATE_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) throw new StanzaError('bad-request', `The ${field} field is not an XEP-0082 DateTime: ${value}`);
  return t;
}

function values(field: Element): string[] {
  return field.getChildren('value').map((v) => v.text().trim());
}

/** The query form's fields into a filter (XEP-0313 §4.1 and the #extended fields); an unknown field is bad-request. */
function formFilter(owner: string, form: Element | undefined): ArchiveFilter {
  const filter: ArchiveFilter = { owner };
  if (!form) return filter;
  for (const field of form.getChildren('field')) {
    const name = field.attrs.var ?? '';
    const [value = ''] = values(field);
    switch (name) {
      case 'FORM_TYPE':
        if (value !== NS_MAM) throw new StanzaError('bad-request', `FORM_TYPE must be ${NS_MAM}`);
        break;
      case 'with': {
        const jid = tryParseJid(value);
        if (!jid) throw new StanzaError('jid-malformed', `The with field is not a JID: ${value}`);
        filter.with = jid.bareString;
        if (jid.resource) filter.withResource = jid.resource;
        break;
      }
      case 'start':
        filter.start = dateTime('start', value);
        break;
      case 'end':
        filter.end = dateTime('end', value);
        break;
      case 'after-id':
        if (value) filter.afterId = value;
        break;
      case 'before-id':
        if (value) filter.beforeId = value;
        break;
      case 'ids':
        filter.ids = values(field).filter((v) => v !== '');
        break;
      default:
        throw new StanzaError('bad-request', `Unknown field: ${name}`);
    }
  }
  return filter;
}

/** XEP-0059 `<set/>`: `max` (default and cap from config), `after`, `before` (empty: the last page). */
function rsmPage(set: Element | undefined, defaultSize: number, maxSize: number): ArchivePageRequest {
  const page: ArchivePageRequest = { max: defaultSize };
  if (!set) return page;
  const max = set.getChildText('max');
  if (max !== undefined) {
    const n = Number(max.trim());
    if (!/^\d+$/.test(max.trim()) || !Number.isSafeInteger(n)) throw new StanzaError('bad-request', `RSM max must be a non-negative integer, not '${max}'`);
    page.max = Math.min(n, maxSize);
  }
  const after = set.getChild('after');
  if (after) page.after = after.text().trim();
  const before = set.getChild('before');
  if (before) page.before = before.text().trim();
  if (page.after === '') throw new StanzaError('bad-request', 'RSM after needs an id');
  return page;
}

export function parseQuery(query: Element, owner: string, sizes: { defaultPageSize: number; maxPageSize: number }): QueryRequest {
  const form = query.getChild('x', NS_DATA_FORMS);
  if (form && form.attrs.type !== undefined && form.attrs.type !== 'submit') throw new StanzaError('bad-request', 'The query form must be of type submit');
  const filter = formFilter(owner, form);
  if (filter.ids && filter.ids.length > sizes.maxPageSize) throw new StanzaError('policy-violation', `At most ${sizes.maxPageSize} ids in one query`);
  return {
    ...(query.attrs.queryid === undefined ? {} : { queryId: query.attrs.queryid }),
    filter,
    page: rsmPage(query.getChild('set', NS_RSM), sizes.defaultPageSize, sizes.maxPageSize),
    flip: query.getChild('flip-page') !== undefined,
  };
}
