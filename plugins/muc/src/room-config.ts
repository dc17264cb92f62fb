import { type Element, StanzaError } from '@starling/sdk';
import { type Field, form, parseBoolean, submittedValues } from './data-form';
import { NS_MUC_ROOMCONFIG } from './muc-ns';

/** A room's configuration (XEP-0045 §10.2, the muc#roomconfig form), stored as JSON for persistent rooms. */
export interface RoomConfig {
  name: string;
  description: string;
  persistent: boolean;
  public: boolean;
  membersOnly: boolean;
  moderated: boolean;
  /** Empty: no password. */
  password: string;
  /** Who sees occupants' real JIDs. */
  whois: 'moderators' | 'anyone';
  maxUsers: number;
  /** Participants (not only moderators) may change the subject. */
  changeSubject: boolean;
  /** Participants may invite others (in a members-only room, making them members). */
  allowInvites: boolean;
  /** Messages are archived and may be queried (MUC-MAM); announced with status 170. */
  logging: boolean;
}

export function defaultConfig(maxUsers: number): RoomConfig {
  return {
    name: '',
    description: '',
    persistent: false,
    public: true,
    membersOnly: false,
    moderated: false,
    password: '',
    whois: 'moderators',
    maxUsers,
    changeSubject: false,
    allowInvites: false,
    logging: false,
  };
}

/** A stored config over the defaults (keys added later take their default). */
export function restoreConfig(json: string, maxUsers: number): RoomConfig {
  return { ...defaultConfig(maxUsers), ...(JSON.parse(json) as Partial<RoomConfig>) };
}

const MAX_USERS_CHOICES = [10, 20, 30, 50, 100, 200, 500, 1000, 5000];

/** The owner's configuration form (§10.1.3) showing the current values. */
export function configForm(c: RoomConfig, limit: number): Element {
  const bool = (v: boolean) => [v ? '1' : '0'];
  const choices = [...new Set([...MAX_USERS_CHOICES.filter((n) => n <= limit), limit, c.maxUsers])].sort((a, b) => a - b).map(String);
  const fields: Field[] = [
    { var: 'muc#roomconfig_roomname', type: 'text-single', label: 'Natural-Language Room Name', values: [c.name] },
    { var: 'muc#roomconfig_roomdesc', type: 'text-single', label: 'Short Description of Room', values: [c.description] },
    { var: 'muc#roomconfig_persistentroom', type: 'boolean', label: 'Make Room Persistent?', values: bool(c.persistent) },
    { var: 'muc#roomconfig_publicroom', type: 'boolean', label: 'Make Room Publicly Searchable?', values: bool(c.public) },
    { var: 'muc#roomconfig_membersonly', type: 'boolean', label: 'Make Room Members-Only?', values: bool(c.membersOnly) },
    { var: 'muc#roomconfig_moderatedroom', type: 'boolean', label: 'Make Room Moderated?', values: bool(c.moderated) },
    { var: 'muc#roomconfig_passwordprotectedroom', type: 'boolean', label: 'Password Required to Enter?', values: bool(c.password !== '') },
    { var: 'muc#roomconfig_roomsecret', type: 'text-private', label: 'Password', values: [c.password] },
    { var: 'muc#roomconfig_whois', type: 'list-single', label: 'Who May Discover Real JIDs?', values: [c.whois], options: ['moderators', 'anyone'] },
    { var: 'muc#roomconfig_maxusers', type: 'list-single', label: 'Maximum Number of Occupants', values: [String(c.maxUsers)], options: choices },
    { var: 'muc#roomconfig_changesubject', type: 'boolean', label: 'Allow Occupants to Change Subject?', values: bool(c.changeSubject) },
    { var: 'muc#roomconfig_allowinvites', type: 'boolean', label: 'Allow Occupants to Invite Others?', values: bool(c.allowInvites) },
    { var: 'muc#roomconfig_enablelogging', type: 'boolean', label: 'Enable Public Logging?', values: bool(c.logging) },
  ];
  return form('form', NS_MUC_ROOMCONFIG, fields, 'Configuration of the room', 'Complete this form to configure the room.');
}

/**
 * The config after a submitted form: fields not in the form keep their value; a value the room cannot
 * take (a maximum above `limit`, an unknown `whois`) is `not-acceptable`.
 */
export function applyConfigForm(current: RoomConfig, x: Element, limit: number): RoomConfig {
  const v = submittedValues(x);
  const formType = v.get('FORM_TYPE')?.[0];
  if (formType !== undefined && formType !== NS_MUC_ROOMCONFIG) throw new StanzaError('bad-request', `FORM_TYPE must be ${NS_MUC_ROOMCONFIG}`);
  const one = (k: string) => v.get(k)?.[0];
  const bool = (k: string, def: boolean) => {
    const raw = one(k);
    if (raw === undefined) return def;
    const b = parseBoolean(raw);
    if (b === undefined) throw new StanzaError('not-acceptable', `${k} must be a boolean`);
    return b;
  };
  const next: RoomConfig = { ...current };
  next.name = one('muc#roomconfig_roomname') ?? current.name;
  next.description = one('muc#roomconfig_roomdesc') ?? current.description;
  next.persistent = bool('muc#roomconfig_persistentroom', current.persistent);
  next.public = bool('muc#roomconfig_publicroom', current.public);
  next.membersOnly = bool('muc#roomconfig_membersonly', current.membersOnly);
  next.moderated = bool('muc#roomconfig_moderatedroom', current.moderated);
  next.changeSubject = bool('muc#roomconfig_changesubject', current.changeSubject);
  next.allowInvites = bool('muc#roomconfig_allowinvites', current.allowInvites);
  next.logging = bool('muc#roomconfig_enablelogging', current.logging);
  const secret = one('muc#roomconfig_roomsecret') ?? current.password;
  next.password = bool('muc#roomconfig_passwordprotectedroom', current.password !== '') ? secret : '';
  if (v.has('muc#roomconfig_passwordprotectedroom') && bool('muc#roomconfig_passwordprotectedroom', false) && secret === '') {
    throw new StanzaError('not-acceptable', 'A password-protected room needs a password');
  }
  const whois = one('muc#roomconfig_whois') ?? current.whois;
  if (whois !== 'moderators' && whois !== 'anyone') throw new StanzaError('not-acceptable', 'muc#roomconfig_whois must be moderators or anyone');
  next.whois = whois;
  const max = one('muc#roomconfig_maxusers');
  if (max !== undefined) {
    const n = max === 'none' ? limit : Number(max);
    if (!Number.isInteger(n) || n < 1 || n > limit) throw new StanzaError('not-acceptable', `muc#roomconfig_maxusers must be between 1 and ${limit}`);
    next.maxUsers = n;
  }
  return next;
}
