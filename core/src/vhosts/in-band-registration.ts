import { type Element, type Jid, type Logger, type SessionDirectory, type UserRepository, tryParseJid, xml } from '@starling/sdk';
import type { CredentialService } from '../auth/credential-service';
import type { VhostItem } from './vhost-item';

export const NS_REGISTER = 'jabber:iq:register';
export const NS_REGISTER_FEATURE = 'http://jabber.org/features/iq-register';
const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

/** Registrations one IP address may make per window (`'sess-man' () { 'registration-rate-limit' }`). */
export interface RegistrationLimits {
  /** Accounts per IP within `windowMs`; 0 switches the limit off. Default 5 per hour. */
  perIp: number;
  windowMs: number;
}
export const DEFAULT_REGISTRATION_LIMITS: RegistrationLimits = { perIp: 5, windowMs: 3_600_000 };

/** What the stream says about the IQ's sender. */
export interface RegistrationCaller {
  domain: string;
  ip: string;
  secure: boolean;
  /** The logged-in account; undefined before authentication. */
  account?: Jid;
}

/** The reply, and whether the stream ends after it (the account was removed). */
export interface RegistrationReply {
  reply: Element;
  endStream?: { condition: string; text: string };
}

/**
 * XEP-0077 in-band registration on a vhost with `In-band registration` on: a new account before
 * authentication (within `Max users` and the per-IP rate limit), and for a logged-in user the password
 * change and the account removal.
 */
export class InBandRegistration {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly vhost: (domain: string) => VhostItem | undefined,
    private readonly users: UserRepository,
    private readonly credentials: CredentialService,
    private readonly sessions: SessionDirectory,
    private readonly limits: RegistrationLimits,
    private readonly log: Logger,
  ) {}

  /** The stream feature to offer before authentication, when the vhost allows registration. */
  offered(domain: string): boolean {
    return this.vhost(domain)?.register === true;
  }

  async handle(iq: Element, caller: RegistrationCaller): Promise<RegistrationReply> {
    const query = iq.getChild('query', NS_REGISTER)!;
    const type = iq.attrs.type;
    if (type !== 'get' && type !== 'set') return { reply: error(iq, 'modify', 'bad-request') };
    if (caller.account) return this.forAccount(iq, query, caller.account);
    if (!this.offered(caller.domain)) return { reply: error(iq, 'cancel', 'service-unavailable', 'In-band registration is not allowed on this domain') };
    if (!caller.secure) return { reply: error(iq, 'auth', 'not-authorized', 'Register over an encrypted stream') };
    if (type === 'get')
      return { reply: result(iq, xml('query', { xmlns: NS_REGISTER }, xml('instructions', {}, 'Choose a username and password for use with this service.'), xml('username'), xml('password'))) };
    const username = query.getChildText('username')?.trim() ?? '';
    const password = query.getChildText('password') ?? '';
    if (!username || !password) return { reply: error(iq, 'modify', 'not-acceptable', 'Both a username and a password are required') };
    const jid = tryParseJid(`${username}@${caller.domain}`);
    if (!jid || jid.resource || jid.local !== jid.local.trim()) return { reply: error(iq, 'modify', 'jid-malformed', `'${username}' cannot be a username`) };
    const item = this.vhost(caller.domain)!;
    if (item.maxUsers > 0 && (await this.users.count(caller.domain)) >= item.maxUsers)
      return { reply: error(iq, 'cancel', 'not-allowed', `Maximum number of users for ${caller.domain} reached`) };
    if (!this.allowIp(caller.ip)) return { reply: error(iq, 'wait', 'resource-constraint', 'Too many registrations from your address, try again later') };
    if (!(await this.credentials.createUser(jid.bareString, password))) return { reply: error(iq, 'cancel', 'conflict', 'The username is already taken') };
    this.recordIp(caller.ip);
    this.log.info('account registered in-band', { account: jid.bareString, ip: caller.ip });
    return { reply: result(iq) };
  }

  private async forAccount(iq: Element, query: Element, account: Jid): Promise<RegistrationReply> {
    const bare = account.bareString;
    if (iq.attrs.type === 'get') return { reply: result(iq, xml('query', { xmlns: NS_REGISTER }, xml('registered'), xml('username', {}, account.local))) };
    if (query.getChild('remove')) {
      await this.credentials.removeUser(bare);
      this.log.info('account removed in-band', { account: bare });
      for (const s of [...this.sessions.resources(bare)]) if (!s.jid.equals(account)) s.close('not-authorized', 'The account has been removed');
      return { reply: result(iq), endStream: { condition: 'not-authorized', text: 'The account has been removed' } };
    }
    const username = query.getChildText('username')?.trim();
    const password = query.getChildText('password') ?? '';
    if (username !== undefined && username !== account.local) return { reply: error(iq, 'modify', 'bad-request', 'The username is not yours') };
    if (!password) return { reply: error(iq, 'modify', 'bad-request', 'A new password is required') };
    await this.credentials.setPassword(bare, password);
    this.log.info('password changed in-band', { account: bare });
    return { reply: result(iq) };
  }

  /** Fewer than `perIp` accounts were made from this address within the window. */
  private allowIp(ip: string): boolean {
    if (this.limits.perIp <= 0) return true;
    const now = Date.now();
    const times = (this.recent.get(ip) ?? []).filter((t) => now - t < this.limits.windowMs);
    this.recent.set(ip, times);
    return times.length < this.limits.perIp;
  }

  private recordIp(ip: string): void {
    if (this.limits.perIp <= 0) return;
    const times = [...(this.recent.get(ip) ?? []), Date.now()];
    this.recent.delete(ip); // re-inserted last: the map's first key is the least recently active address
    this.recent.set(ip, times);
    if (this.recent.size > 10_000) this.recent.delete(this.recent.keys().next().value as string);
  }
}

function result(iq: Element, payload?: Element): Element {
  return xml('iq', { type: 'result', id: iq.attrs.id }, payload);
}

function error(iq: Element, type: string, condition: string, text?: string): Element {
  return xml(
    'iq',
    { type: 'error', id: iq.attrs.id },
    xml('error', { type }, xml(condition, { xmlns: NS_STANZAS }), text !== undefined ? xml('text', { xmlns: NS_STANZAS, 'xml:lang': 'en' }, text) : undefined),
  );
}
