import { type Element, StanzaError, USER_DATA, type UserDataStore, inject, injectable, tryParseJid, xml } from '@starling/sdk';
import { NS_MAM } from './ns';
import { MamSettings } from './settings';

export type DefaultPref = 'always' | 'never' | 'roster';

/** An account's archiving preferences (XEP-0313 §6.1); JIDs are bare. */
export interface ArchivePrefs {
  default: DefaultPref;
  always: string[];
  never: string[];
}

const DEFAULTS: readonly string[] = ['always', 'never', 'roster'];

/** Whether a message with `other` goes into the archive: `never` wins over `always`, then the default. */
export async function prefsAllow(prefs: ArchivePrefs, other: string, inRoster: () => Promise<boolean>): Promise<boolean> {
  if (prefs.never.includes(other)) return false;
  if (prefs.always.includes(other)) return true;
  if (prefs.default === 'roster') return inRoster();
  return prefs.default === 'always';
}

function jidList(parent: Element | undefined): string[] {
  if (!parent) return [];
  return parent.getChildren('jid').map((j) => {
    const jid = tryParseJid(j.text().trim());
    if (!jid) throw new StanzaError('jid-malformed', `Not a JID: ${j.text()}`);
    return jid.bareString;
  });
}

/** Reads a `<prefs/>` set; a missing or unknown `default` is bad-request. */
export function parsePrefs(prefs: Element): ArchivePrefs {
  const def = prefs.attrs.default ?? '';
  if (!DEFAULTS.includes(def)) throw new StanzaError('bad-request', `default must be always, never or roster, not '${def}'`);
  return { default: def as DefaultPref, always: jidList(prefs.getChild('always')), never: jidList(prefs.getChild('never')) };
}

export function prefsElement(p: ArchivePrefs): Element {
  const list = (name: string, jids: string[]) => xml(name, null, ...jids.map((j) => xml('jid', null, j)));
  return xml('prefs', { xmlns: NS_MAM, default: p.default }, list('always', p.always), list('never', p.never));
}

/** Preferences kept in the account's data (node `urn:xmpp:mam:2`), the configured default until set. */
@injectable()
export class PrefsStore {
  constructor(
    @inject(USER_DATA) private readonly data: UserDataStore,
    @inject(MamSettings) private readonly settings: MamSettings,
  ) {}

  async get(owner: string): Promise<ArchivePrefs> {
    const stored = await this.data.get(owner, NS_MAM, 'prefs');
    if (stored === null) return { default: this.settings.defaultPref, always: [], never: [] };
    return JSON.parse(stored) as ArchivePrefs;
  }

  async set(owner: string, prefs: ArchivePrefs): Promise<void> {
    await this.data.set(owner, NS_MAM, 'prefs', JSON.stringify(prefs));
  }
}
