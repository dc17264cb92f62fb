import {
  type Element,
  type Jid,
  type Logger,
  type OfflineMessageRepository,
  type RosterRepository,
  type Router,
  type SessionDirectory,
  StanzaError,
  type StanzaRequest,
  type StoredOfflineMessage,
  errorReply,
  inject,
  injectable,
  parseXml,
  tryParseJid,
} from '@starling/sdk';
import { ampRequest, expireAtOf, firstMatchingRule, type RecipientState, rulesOf, withoutExpireAt } from './amp-rules';
import { ampError, ampReport } from './amp-reports';
import type { AmpSettings } from './amp-settings';
import { hasDeliverableResource } from './availability';
import type { OfflineStorage } from '@starling/sdk';
import { AmpServices } from './amp-services';

export interface AmpProcessorDeps {
  sessions: SessionDirectory;
  router: Router;
  roster: RosterRepository;
  repository: OfflineMessageRepository;
  settings: AmpSettings;
  /** The offline storage msgoffline lends while it is loaded. */
  offline: () => OfflineStorage | undefined;
  log: Logger;
  now?: () => number;
}

/** Where a message would go now: delivered directly, stored under a bare JID, or neither. */
interface Target {
  direct: boolean;
  /** The bare JID it is stored under when the recipient is offline (null: a full JID that is not rewritten). */
  storeAs: Jid | null;
  exactResource: boolean;
  otherResource: boolean;
}

/** How many expired messages one sweep takes. */
const SWEEP_BATCH = 100;

/**
 * XEP-0079 as Tigase's AMP component runs it, evaluated once, for the recipient: the first rule whose
 * condition holds runs its action; `notify` (and an action this server does not know, such as
 * `deliver`) lets the default follow; `drop`, `error`, `alert` and `store` end the message's journey.
 * The default delivers to a connected recipient and stores for an offline one.
 */
@injectable()
export class AmpProcessor {
  private sweeping = false;
  private readonly now: () => number;

  constructor(@inject(AmpServices) private readonly deps: AmpProcessorDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The `in` message handler for bare and full JIDs; true when AMP consumed the message. */
  async onMessage(req: StanzaRequest): Promise<boolean> {
    const amp = ampRequest(req.stanza);
    if (!amp) return false;
    const rules = rulesOf(amp);
    // An <amp/> without rules is dropped silently, as Tigase does.
    if (rules.length === 0) return true;
    const target = this.target(req.to, req.stanza);
    const state: RecipientState = {
      direct: target.direct,
      storage: this.deps.offline() !== undefined && target.storeAs !== null,
      exactResource: target.exactResource,
      otherResource: target.otherResource,
      expired: false,
      now: this.now(),
    };
    const rule = firstMatchingRule(rules, state);
    if (rule && !(await this.execute(rule, req.stanza, req.from, req.to, state))) return true;
    if (target.direct) return false; // the message plugin delivers it
    if (!target.storeAs) return false; // the delivery rules answer it
    return this.store(req.stanza, req.from, target.storeAs, state, 'offline');
  }

  /** Re-runs the rules of stored messages whose expire-at has passed; the default stores them again without expiry. */
  async sweepExpired(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (const m of await this.deps.repository.expired(this.now(), SWEEP_BATCH)) await this.expire(m);
    } finally {
      this.sweeping = false;
    }
  }

  private async expire(m: StoredOfflineMessage): Promise<void> {
    let stanza: Element | undefined;
    try {
      stanza = parseXml(m.stanza);
    } catch (err) {
      this.deps.log.warn('dropping an unreadable stored message', { id: m.id, err });
    }
    const from = tryParseJid(stanza?.attrs.from);
    const to = tryParseJid(m.to);
    if (stanza && from && to) {
      try {
        await this.reprocess(stanza, from, to);
      } catch (err) {
        if (!(err instanceof StanzaError)) throw err;
        this.deps.router.route(errorReply(stanza, err, true));
      }
    }
    await this.deps.repository.delete([m.id]);
  }

  private async reprocess(stanza: Element, from: Jid, to: Jid): Promise<void> {
    const amp = ampRequest(stanza);
    const state: RecipientState = {
      direct: false,
      storage: this.deps.offline() !== undefined,
      exactResource: false,
      otherResource: false,
      expired: true,
      now: this.now(),
    };
    const rule = amp ? firstMatchingRule(rulesOf(amp), state) : undefined;
    if (rule && !(await this.execute(rule, stanza, from, to, state))) return;
    await this.store(stanza, from, to, state, 'offline');
  }

  private target(to: Jid, stanza: Element): Target {
    const bare = to.bare();
    const anyAvailable = hasDeliverableResource(this.deps.sessions, bare.bareString);
    if (to.isBare) return { direct: anyAvailable, storeAs: bare, exactResource: false, otherResource: false };
    const connected = this.deps.sessions.get(to.toString()) !== undefined;
    // 'inteligent' delivery sends a chat message for a vanished resource to the bare JID.
    const rewritten = this.deps.settings.deliveryRules === 'inteligent' && stanza.attrs.type === 'chat';
    return {
      direct: connected || (rewritten && anyAvailable),
      storeAs: rewritten ? bare : null,
      exactResource: connected,
      otherResource: !connected && anyAvailable,
    };
  }

  /** Runs a rule's action; true when the default action should follow. */
  private async execute(rule: Element, stanza: Element, from: Jid, to: Jid, state: RecipientState): Promise<boolean> {
    switch (rule.attrs.action) {
      case 'drop':
        return false;
      case 'alert':
      case 'error':
        await this.report(rule.attrs.action, rule, stanza, from, to);
        return false;
      case 'notify':
        if (from.local) await this.report('notify', rule, stanza, from, to);
        return true;
      case 'store':
        await this.store(stanza, from, to.bare(), state, 'action');
        return false;
      default:
        // 'deliver', 'broadcast' and unknown actions: Tigase goes on with the default.
        return true;
    }
  }

  private async store(stanza: Element, from: Jid, to: Jid, state: RecipientState, why: 'offline' | 'action'): Promise<boolean> {
    const offline = this.deps.offline();
    if (!offline) throw new StanzaError('service-unavailable');
    const amp = ampRequest(stanza);
    // An expired message is stored again without its expire-at rule, so it does not expire twice.
    const copy = state.expired ? withoutExpireAt(stanza) : stanza;
    const expireAt = state.expired || !amp ? undefined : expireAtOf(amp);
    return (await offline.storeForAmp(copy, from, to, expireAt, why)) !== 'no-such-user';
  }

  private async report(action: 'alert' | 'error' | 'notify', rule: Element, stanza: Element, from: Jid, to: Jid): Promise<void> {
    if (!(await this.mayReport(from, to))) {
      this.deps.router.route(errorReply(stanza, new StanzaError('not-acceptable', 'Subscription between users not valid'), false));
      return;
    }
    this.deps.router.route(action === 'error' ? ampError(stanza, rule, from, to) : ampReport(stanza, rule, action, from, to));
  }

  /** Reports tell the sender about the recipient: STRICT allows them to whom the recipient shares presence with. */
  private async mayReport(from: Jid, to: Jid): Promise<boolean> {
    switch (this.deps.settings.security) {
      case 'NONE':
        return true;
      case 'PERFORMANCE':
        return false;
      case 'STRICT': {
        if (from.bareString === to.bareString) return true;
        try {
          const item = await this.deps.roster.get(to.bareString, from.bareString);
          return item !== null && (item.subscription === 'from' || item.subscription === 'both');
        } catch (err) {
          this.deps.log.info('cannot read the roster for an AMP report', { owner: to.bareString, err });
          return false;
        }
      }
    }
  }
}
