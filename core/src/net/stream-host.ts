import type { SecureContext } from 'node:tls';
import type { Element, EventBus, Jid, Logger } from '@starling/sdk';
import type { StanzaRouter } from '@starling/sdk/kernel';
import { counters } from '../ops/counters';
import type { C2SSession, SessionConnection } from '../sm/c2s-session';
import type { SessionManager } from '../sm/session-manager';
import type { ClientStreamHost } from '../stream/client-stream';
import type { SaslMechanism } from '../stream/sasl/mechanism';
import type { CertificateStore } from './certificates';

export interface Authenticator {
  mechanisms(secure: boolean): string[];
  create(name: string, domain: string, secure: boolean): SaslMechanism | undefined;
}

/** What every client stream (c2s, ws2s, bosh) gets from the server: one instance shared by all three. */
export class StreamHost implements ClientStreamHost {
  constructor(
    readonly log: Logger,
    /** The virtual hosts, live (core/src/vhosts). */
    private readonly domains: { has(domain: string): boolean },
    private readonly certs: CertificateStore,
    private readonly auth: Authenticator,
    private readonly sm: SessionManager,
    private readonly router: StanzaRouter,
    private readonly streamFeatureSource: () => Element[],
    private readonly events: EventBus,
  ) {}

  isLocalDomain(domain: string): boolean {
    return this.domains.has(domain);
  }
  secureContext(domain: string): SecureContext | undefined {
    return this.certs.get(domain);
  }
  mechanisms(secure: boolean): string[] {
    return this.auth.mechanisms(secure);
  }
  createMechanism(name: string, domain: string, secure: boolean): SaslMechanism | undefined {
    return this.auth.create(name, domain, secure);
  }
  streamFeatures(): Element[] {
    return this.streamFeatureSource();
  }
  bind(conn: SessionConnection, jid: Jid): C2SSession {
    return this.sm.bind(conn, jid);
  }
  unbind(session: C2SSession, reason: string): void {
    this.sm.unbind(session, reason);
  }
  dispatch(session: C2SSession, stanza: Element): Promise<void> {
    counters.stanzasIn++;
    return this.router.fromClient(session, stanza);
  }
  nonza(session: C2SSession, element: Element): boolean {
    const ns = element.attrs.xmlns;
    if (ns === undefined || !this.streamFeatureSource().some((f) => f.attrs.xmlns === ns)) return false;
    this.events.emit('stream.nonza', { session, element });
    return true;
  }
}
