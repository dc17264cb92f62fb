import {
  type Element,
  type EventBus,
  type RosterItem,
  type RosterService,
  type Router,
  type Session,
  type StanzaRequest,
  type StarlingEvents,
  type SubscriptionChange,
  type SubscriptionType,
  type UserRepository,
  parseJid,
} from '@starling/sdk';
import { FakeSession, FakeSessions } from '@starling/sdk/testing';
import type { PresenceDeps } from '../presence-deps';

/** In-memory stand-ins for core and the roster service, for unit tests without sockets or storage. */

/** A roster service with fixed items; subscription calls answer with the next queued change. */
export class FakeRoster implements RosterService {
  readonly rosters = new Map<string, RosterItem[]>();
  readonly calls: string[] = [];
  readonly pending = new Map<string, Element[]>();
  changes: SubscriptionChange[] = [];
  /** Delay for inbound(), to test ordering. */
  inboundDelayMs = 0;

  set(owner: string, contact: string, subscription: RosterItem['subscription']): this {
    const list = this.rosters.get(owner) ?? [];
    list.push({ jid: contact, subscription, ask: false, pendingIn: false, approved: false, groups: [] });
    this.rosters.set(owner, list);
    return this;
  }
  async items(owner: string): Promise<RosterItem[]> {
    return this.rosters.get(owner) ?? [];
  }
  async item(owner: string, contact: string): Promise<RosterItem | null> {
    return (this.rosters.get(owner) ?? []).find((i) => i.jid === contact) ?? null;
  }
  async put(): Promise<void> {
    throw new Error('not used');
  }
  async remove(): Promise<boolean> {
    throw new Error('not used');
  }
  async outbound(owner: string, contact: string, type: SubscriptionType): Promise<SubscriptionChange> {
    this.calls.push(`out ${type} ${owner} → ${contact}`);
    return this.changes.shift() ?? { forward: false, before: null, after: null };
  }
  async inbound(owner: string, contact: string, stanza: Element): Promise<SubscriptionChange> {
    this.calls.push(`in ${stanza.attrs.type} ${contact} → ${owner} [${stanza.attrs.from} → ${stanza.attrs.to}]`);
    if (this.inboundDelayMs) await new Promise((r) => setTimeout(r, this.inboundDelayMs));
    return this.changes.shift() ?? { forward: false, before: null, after: null };
  }
  async pendingRequests(owner: string): Promise<Element[]> {
    return this.pending.get(owner) ?? [];
  }
}

export class FakeRouter implements Router {
  readonly routed: Element[] = [];
  route(stanza: Element): void {
    this.routed.push(stanza);
  }
  deliver(): boolean {
    return false;
  }
  isLocalDomain(domain: string): boolean {
    return domain === 'example.com';
  }
}

export class FakeEvents implements EventBus {
  readonly emitted: { event: string; payload: unknown }[] = [];
  on(): { dispose(): void } {
    return { dispose() {} };
  }
  emit<E extends keyof StarlingEvents>(event: E, payload: StarlingEvents[E]): void {
    this.emitted.push({ event, payload });
  }
}

export function fakeUsers(existing: string[]): UserRepository {
  const no = async () => {
    throw new Error('not used');
  };
  return {
    exists: async (jid: string) => existing.includes(jid),
    create: no,
    remove: no,
    getAccount: no,
    setCredentials: no,
    setDisabled: no,
    list: no,
    count: no,
  };
}

export interface Harness extends PresenceDeps {
  roster: FakeRoster;
  sessions: FakeSessions;
  router: FakeRouter;
  events: FakeEvents;
  /** Sets a vhost's `Trusted JIDs`. */
  trust(domain: string, jids: string[]): void;
  /** What handlers passed to req.send. */
  sent: Element[];
  request(stanza: Element, dir: 'in' | 'out', origin?: Session): StanzaRequest;
}

export function harness(users: string[]): Harness {
  const sent: Element[] = [];
  const trusted = new Map<string, string[]>();
  const h = {
    roster: new FakeRoster(),
    sessions: new FakeSessions(),
    router: new FakeRouter(),
    users: fakeUsers(users),
    events: new FakeEvents(),
    server: { vhostRules: (domain: string) => (trusted.has(domain) ? { domainFilter: 'ALL', domainFilterDomains: [], trusted: trusted.get(domain)! } : undefined) },
    trust(domain: string, jids: string[]) {
      trusted.set(domain, jids);
    },
    sent,
    request(stanza: Element, direction: 'in' | 'out', origin?: Session): StanzaRequest {
      const from = parseJid(stanza.attrs.from!);
      const to = stanza.attrs.to === undefined ? from.bare() : parseJid(stanza.attrs.to);
      const toKind = stanza.attrs.to === undefined ? 'none' : !to.local ? 'host' : to.resource ? 'full' : 'bare';
      return { stanza, from, to, toKind, direction, origin, send: (s: Element) => void sent.push(s) };
    },
  };
  return h;
}

/** "type from → to" of each stanza, for compact assertions. */
export function summary(stanzas: Element[]): string[] {
  return stanzas.map((s) => `${s.name}${s.attrs.type ? ' ' + s.attrs.type : ''} ${s.attrs.from ?? '-'} → ${s.attrs.to ?? '-'}`);
}

export { FakeSession, FakeSessions };
