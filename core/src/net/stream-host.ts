import type { SecureContext } from 'node:tls';
import type { Element, EventBus, Jid, Logger } from '@starling/sdk';
import type { StanzaRouter } from '@starling/sdk/kernel';
import { counters } from '../ops/counters';
import type { C2SSession, SessionConnection } from '../sm/c2s-session';
import type { SessionManager } from '../sm/session-manager';
import type { ResumableSessions } from '../sm/stream-management';
import type { ClientStreamHost, StreamLimits } from '../stream/client-stream';
import type { RedirectTarget } from '../stream/redirect-target';
import type { StreamErrorCondition } from '../stream/stream-errors';
import type { SaslMechanism } from '../stream/sasl/mechanism';
import { AnonymousServerMechanism } from '../stream/sasl/anonymous';
import { AuthThrottle } from '../stream/auth-throttle';
import type { InBandRegistration, RegistrationCaller, RegistrationReply } from '../vhosts/in-band-registration';
import type { CertificateStore } from './certificates';

/** The served virtual hosts, live, with the per-vhost login options (core/src/vhosts). */
export interface ServedDomains {
  has(domain: string): boolean;
  item(domain: string): { anonymous: boolean; tlsRequired: boolean; saslMechanisms: readonly string[]; c2sPorts: readonly number[] } | undefined;
}
const ANON_SENT = 'starling.anonymous-sent';

export interface Authenticator {
  mechanisms(secure: boolean): readonly string[];
  create(name: string, domain: string, secure: boolean): SaslMechanism | undefined;
}

/** What every client stream (c2s, ws2s, bosh) gets from the server: one instance shared by all three. */
export class StreamHost implements ClientStreamHost {
  readonly authThrottle = new AuthThrottle();
  /** Open client streams per remote address, and in all, on every transport ('max-connections-per-ip', 'max-connections'). */
  private readonly perIp = new Map<string, number>();
  private open = 0;
  constructor(
    readonly log: Logger,
    private readonly domains: ServedDomains,
    private readonly certs: CertificateStore,
    private readonly auth: Authenticator,
    private readonly sm: SessionManager,
    private readonly router: StanzaRouter,
    private readonly streamFeatureSource: () => Element[],
    private readonly events: EventBus,
    /** Stanzas one anonymous session may send before it ends with `policy-violation`. */
    private readonly anonymousTrafficLimit: number,
    private readonly registration: InBandRegistration,
    readonly streamManagement: ResumableSessions | undefined,
    /** Cluster mode's see-other-host choice for a client of this user (bare JID, when known); undefined: stay. */
    private readonly redirect: (user: string | undefined) => RedirectTarget | undefined = () => undefined,
  ) {}

  /** Not a client whose account has a session waiting here for XEP-0198 resumption (it could not resume it on another node). */
  seeOtherHost(user: string | undefined): RedirectTarget | undefined {
    const target = this.redirect(user);
    return target !== undefined && user !== undefined && this.streamManagement?.waiting(user) ? undefined : target;
  }

  admit(ip: string, limits: StreamLimits): { condition: StreamErrorCondition; text: string } | undefined {
    const { maxConnectionsPerIp, maxConnections } = limits;
    const fromIp = this.perIp.get(ip) ?? 0;
    if (maxConnections > 0 && this.open >= maxConnections) {
      this.log.info('connection refused: too many connections', { ip, limit: maxConnections });
      return { condition: 'resource-constraint', text: 'The server has too many connections' };
    }
    if (maxConnectionsPerIp > 0 && fromIp >= maxConnectionsPerIp) {
      this.log.info('connection refused: too many connections from one address', { ip, limit: maxConnectionsPerIp });
      return { condition: 'policy-violation', text: `At most ${maxConnectionsPerIp} connections from one address` };
    }
    this.perIp.set(ip, fromIp + 1);
    this.open++;
    return undefined;
  }

  release(ip: string): void {
    this.open--;
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n > 0) this.perIp.set(ip, n);
    else this.perIp.delete(ip);
  }

  registrationOffered(domain: string): boolean {
    return this.registration.offered(domain);
  }
  register(iq: Element, caller: RegistrationCaller): Promise<RegistrationReply> {
    return this.registration.handle(iq, caller);
  }

  isLocalDomain(domain: string): boolean {
    return this.domains.has(domain);
  }
  portAllowed(domain: string, port: number): boolean {
    const ports = this.domains.item(domain)?.c2sPorts;
    return ports === undefined || ports.length === 0 || ports.includes(port);
  }
  secureContext(domain: string): SecureContext | undefined {
    return this.certs.get(domain);
  }
  /** The server's mechanisms, plus ANONYMOUS where the vhost enables it, cut to the vhost's `Allowed SASL mechanisms`. */
  mechanisms(secure: boolean, domain: string): readonly string[] {
    const item = this.domains.item(domain);
    const all = item?.anonymous ? [...this.auth.mechanisms(secure), 'ANONYMOUS'] : this.auth.mechanisms(secure);
    return item && item.saslMechanisms.length > 0 ? all.filter((m) => item.saslMechanisms.includes(m)) : all;
  }
  tlsRequired(domain: string): boolean {
    return this.domains.item(domain)?.tlsRequired === true;
  }
  createMechanism(name: string, domain: string, secure: boolean): SaslMechanism | undefined {
    return name === 'ANONYMOUS' ? new AnonymousServerMechanism() : this.auth.create(name, domain, secure);
  }
  streamFeatures(): Element[] {
    return this.streamFeatureSource();
  }
  resourceCount(bareJid: string): number {
    return this.sm.resources(bareJid).length;
  }
  hasResource(fullJid: Jid): boolean {
    const full = fullJid.toString();
    return this.sm.resources(fullJid.bare().toString()).some((s) => s.jid.toString() === full);
  }
  bind(conn: SessionConnection, jid: Jid, anonymous: boolean): C2SSession {
    return this.sm.bind(conn, jid, anonymous);
  }
  /**
   * Ends a session. Messages it had not acknowledged (XEP-0198) are routed again to the account, so
   * another resource or offline storage takes them: nothing the server accepted is lost.
   */
  unbind(session: C2SSession, reason: string): void {
    const sm = session.sm;
    if (sm?.id !== undefined) this.streamManagement?.forget(sm.id);
    this.sm.unbind(session, reason);
    if (!sm) return;
    session.sm = undefined;
    for (const s of sm.unacked) {
      if (typeof s === 'string' || s.name !== 'message') continue;
      const type = s.attrs.type;
      if (type === 'error' || type === 'groupchat' || type === 'headline' || s.attrs.from === undefined) continue;
      const again = s.clone();
      again.attrs.to = session.jid.bareString;
      this.router.route(again);
    }
  }
  dispatch(session: C2SSession, stanza: Element): Promise<void> {
    counters.stanzasIn++;
    if (session.anonymous) {
      const sent = ((session.data.get(ANON_SENT) as number | undefined) ?? 0) + 1;
      session.data.set(ANON_SENT, sent);
      if (sent > this.anonymousTrafficLimit) {
        this.log.info('anonymous session ended: traffic limit reached', { jid: session.jid.toString(), limit: this.anonymousTrafficLimit });
        session.close('policy-violation', `Anonymous users may send at most ${this.anonymousTrafficLimit} stanzas per session`);
        return Promise.resolve();
      }
    }
    return this.router.fromClient(session, stanza);
  }
  nonza(session: C2SSession, element: Element): boolean {
    const ns = element.attrs.xmlns;
    if (ns === undefined || !this.streamFeatureSource().some((f) => f.attrs.xmlns === ns)) return false;
    this.events.emit('stream.nonza', { session, element });
    return true;
  }
}
