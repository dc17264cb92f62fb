import type { Session } from './session';
import type { Element } from './xml';

/** Non-stanza signals on the event bus. Names are noun.verb-ed. */
export interface StarlingEvents {
  /** A resource was bound; the session is in the directory. */
  'session.bound': { session: Session };
  /** The client sent its first available broadcast presence. */
  'presence.initial': { session: Session; stanza: Element };
  /**
   * A bound client sent a top-level element that is no stanza (a "nonza", e.g. XEP-0352's
   * `<inactive xmlns='urn:xmpp:csi:0'/>`) in the namespace of a stream feature a plugin offers.
   */
  'stream.nonza': { session: Session; element: Element };
  /** A session ended (after its unavailable presence was broadcast). */
  'session.closed': { session: Session; reason: string };
  /**
   * XEP-0115: the server now knows the features behind the caps a session announced (the `caps` plugin):
   * at once for a verification string it knew, or when the client answered its disco#info query. Emitted
   * again when the session announces other caps and those are learned.
   */
  'caps.learned': { session: Session; features: readonly string[] };
  'user.created': { jid: string };
  'user.deleted': { jid: string };
  /** Plugin lifecycle, for observers such as the disco registry and the admin commands. */
  'plugin.loaded': { id: string; version: string };
  'plugin.unloaded': { id: string };
  'plugin.failed': { id: string; error: string };
}

export type EventName = keyof StarlingEvents;
export type EventListener<E extends EventName> = (payload: StarlingEvents[E]) => void | Promise<void>;

export interface EventBus {
  on<E extends EventName>(event: E, listener: EventListener<E>): { dispose(): void };
  emit<E extends EventName>(event: E, payload: StarlingEvents[E]): void;
}
