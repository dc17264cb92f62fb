import { StanzaError } from './errors';
import { type Jid, tryParseJid } from './jid';
import { NS_DATA_FORMS, NS_MAM, NS_RSM } from './ns';
import type { ArchivePageRequest } from './storage';
import { type Element, xml } from './xml';

/**
 * One XEP-0313 query (`<query xmlns='urn:xmpp:mam:2'/>`), parsed the same way for every archive that answers
 * them (users' archives in the `mam` plugin, rooms' in `muc`); what the fields select is the archive's own.
 */
export interface MamQuery {
  queryId?: string;
  /** The `with` field as sent (a bare or full JID); what it matches is the archive's to say. */
  with?: Jid;
  /** Inclusive bounds on the stamp, ms since epoch (`start`, `end`). */
  start?: number;
  end?: number;
  /** `urn:xmpp:mam:2#extended` fields: only where the archive's form offers them. */
  afterId?: string;
  beforeId?: string;
  ids?: string[];
  /** XEP-0059 `<set/>`: `max` defaulted and capped, `after`, `before` ('' = the last page). */
  page: ArchivePageRequest;
  /** `<flip-page/>` (`urn:xmpp:mam:2#extended`): the page's messages newest first. */
  flip: boolean;
}

/** What an archive accepts: its page sizes, and whether it offers the `urn:xmpp:mam:2#extended` fields. */
export interface MamQueryOptions {
  defaultPageSize: number;
  maxPageSize: number;
  extended: boolean;
}

const EXTENDED_FIELDS = new Set(['after-id', 'before-id', 'ids']);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const field = (name: string, type: string, value?: string) => xml('field', { var: name, type }, value === undefined ? undefined : xml('value', null, value));

/** The query form an archive answers a form request with (XEP-0313 §4.1.5), with the #extended fields when it has them. */
export function mamQueryForm(extended: boolean): Element {
  return xml(
    'query',
    { xmlns: NS_MAM },
    xml(
      'x',
      { xmlns: NS_DATA_FORMS, type: 'form' },
      field('FORM_TYPE', 'hidden', NS_MAM),
      field('with', 'jid-single'),
      field('start', 'text-single'),
      field('end', 'text-single'),
      extended ? [field('after-id', 'text-single'), field('before-id', 'text-single'), field('ids', 'text-multi')] : [],
    ),
  );
}

/** An XEP-0082 DateTime in ms; bad-request when malformed. */
function dateTime(name: string, value: string): number {
  const t = DATE_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) throw new StanzaError('bad-request', `The ${name} field is not an XEP-0082 DateTime: ${value}`);
  return t;
}

function values(f: Element): string[] {
  return f.getChildren('value').map((v) => v.text().trim());
}

/** The form's fields (XEP-0313 §4.1, and the #extended ones when offered); a wrong FORM_TYPE or an unknown field is bad-request. */
function readForm(form: Element, extended: boolean, q: MamQuery): void {
  if (form.attrs.type !== undefined && form.attrs.type !== 'submit') throw new StanzaError('bad-request', 'The query form must be of type submit');
  for (const f of form.getChildren('field')) {
    const name = f.attrs.var ?? '';
    const [value = ''] = values(f);
    if (EXTENDED_FIELDS.has(name) && !extended) throw new StanzaError('bad-request', `Unknown field: ${name}`);
    switch (name) {
      case 'FORM_TYPE':
        if (value !== NS_MAM) throw new StanzaError('bad-request', `FORM_TYPE must be ${NS_MAM}`);
        break;
      case 'with': {
        const jid = tryParseJid(value);
        if (!jid) throw new StanzaError('jid-malformed', `The with field is not a JID: ${value}`);
        q.with = jid;
        break;
      }
      case 'start':
        q.start = dateTime('start', value);
        break;
      case 'end':
        q.end = dateTime('end', value);
        break;
      case 'after-id':
        if (value) q.afterId = value;
        break;
      case 'before-id':
        if (value) q.beforeId = value;
        break;
      case 'ids':
        q.ids = values(f).filter((v) => v !== '');
        break;
      default:
        throw new StanzaError('bad-request', `Unknown field: ${name}`);
    }
  }
}

/** XEP-0059 `<set/>`: `max` (a non-negative integer, capped), `after` (an id), `before` (empty: the last page). */
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

/** Parses a MAM query; its faults are the StanzaErrors XEP-0313 names (`bad-request`, `jid-malformed`, `policy-violation`). */
export function parseMamQuery(query: Element, options: MamQueryOptions): MamQuery {
  const q: MamQuery = { page: rsmPage(query.getChild('set', NS_RSM), options.defaultPageSize, options.maxPageSize), flip: false };
  if (query.attrs.queryid !== undefined) q.queryId = query.attrs.queryid;
  const form = query.getChild('x', NS_DATA_FORMS);
  if (form) readForm(form, options.extended, q);
  if (q.ids && q.ids.length > options.maxPageSize) throw new StanzaError('policy-violation', `At most ${options.maxPageSize} ids in one query`);
  q.flip = options.extended && query.getChild('flip-page') !== undefined;
  return q;
}
