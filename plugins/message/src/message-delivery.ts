import {
  type Element,
  PLUGIN_CONFIG,
  type PluginConfig,
  SESSIONS,
  type SessionDirectory,
  type StanzaHandler,
  StanzaError,
  USER_REPOSITORY,
  type UserRepository,
  inject,
  injectable,
} from '@starling/sdk';
import { nonNegativeResources, topResources } from './delivery-targets';

export interface MessageDeliveryDeps {
  sessions: SessionDirectory;
  users: UserRepository;
  /** Tigase's `delivery-rules = 'strict'`: a chat to a resource that is gone is not re-sent to the bare JID. */
  strict: boolean;
}

/** What delivery reads, injected from the kernel; `strict` from the session manager's `delivery-rules`. */
@injectable()
export class MessageDeliveryServices implements MessageDeliveryDeps {
  readonly strict: boolean;

  constructor(
    @inject(SESSIONS) readonly sessions: SessionDirectory,
    @inject(USER_REPOSITORY) readonly users: UserRepository,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
  ) {
    // Tigase's sess-man key, with Tigase's spelling.
    this.strict = config.globals.enum('delivery-rules', ['inteligent', 'strict'], 'inteligent') === 'strict';
  }
}

/** RFC 6121 §5.2.2: a missing or unknown type means "normal". */
function messageType(stanza: Element): string {
  const t = stanza.attrs.type;
  return t === 'chat' || t === 'groupchat' || t === 'headline' || t === 'error' ? t : 'normal';
}

/** Message delivery to local accounts (RFC 6121 §8.5.2 and §8.5.3, with Tigase's "inteligent" rules). */
@injectable()
export class MessageDelivery {
  constructor(@inject(MessageDeliveryServices) private readonly d: MessageDeliveryDeps) {}

  /**
   * To a bare JID. Returns false when no resource can take a chat/normal/headline message, so that a
   * later handler (offline storage at Priority.Fallback) may claim it.
   */
  readonly toBare: StanzaHandler = async (req) => {
    const type = messageType(req.stanza);
    const resources = this.d.sessions.resources(req.to.bareString);
    if (resources.length === 0 && !(await this.d.users.exists(req.to.bareString))) return this.noSuchAccount(type);
    switch (type) {
      case 'error':
        return true;
      case 'groupchat':
        throw new StanzaError('service-unavailable');
      case 'headline':
        return this.send(nonNegativeResources(resources), req.stanza);
      default:
        return this.send(topResources(resources), req.stanza);
    }
  };

  /** To a full JID: that resource while it is connected, whatever the type; otherwise passed on (false). */
  readonly toFull: StanzaHandler = (req) => {
    const session = this.d.sessions.get(req.to.toString());
    if (!session) return false;
    session.send(req.stanza);
    return true;
  };

  /** After offline storage (if any) passed: RFC 6121 §8.5.2.2.1 for a message to a bare JID nobody took. */
  readonly undeliveredBare: StanzaHandler = (req) => {
    const type = messageType(req.stanza);
    if (type === 'error' || type === 'headline' || type === 'groupchat') return true;
    throw new StanzaError('service-unavailable');
  };

  /**
   * A message to a resource that is not connected, when no other plugin (amp) took it: under
   * Tigase's "inteligent" rules a chat goes on to the bare JID, an error is dropped, anything else
   * (and every message under "strict") is answered with recipient-unavailable (RFC 6121 §8.5.3.2.1).
   */
  readonly undeliveredFull: StanzaHandler = async (req) => {
    const type = messageType(req.stanza);
    const bare = req.to.bareString;
    if (this.d.sessions.resources(bare).length === 0 && !(await this.d.users.exists(bare))) return this.noSuchAccount(type);
    if (type === 'error') return true;
    if (type === 'chat' && !this.d.strict) {
      const copy = req.stanza.clone();
      copy.attrs.to = bare;
      req.send(copy);
      return true;
    }
    throw new StanzaError('recipient-unavailable', 'The recipient is no longer available.');
  };

  /** RFC 6121 §8.5.1: no such account → service-unavailable, but never an error for an error. */
  private noSuchAccount(type: string): boolean {
    if (type === 'error') return true;
    throw new StanzaError('service-unavailable');
  }

  private send(targets: readonly { send(s: Element): boolean }[], stanza: Element): boolean {
    for (const s of targets) s.send(stanza);
    return targets.length > 0;
  }
}
