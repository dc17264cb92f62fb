import type { Jid } from './jid';
import type { Session } from './session';
import type { Element } from './xml';

/**
 * How a stanza is addressed, from the server's point of view:
 * host = a local domain, bare = a local account's bare JID, full = a local full JID,
 * none = no `to` on a presence (a broadcast). An IQ or message without `to` is addressed to the
 * sender's own bare JID (RFC 6120 §10.3), so it is `bare`.
 */
export type ToKind = 'host' | 'bare' | 'full' | 'none';

/**
 * out = processed on behalf of the local sender (Prosody's pre-*), before routing;
 * in  = processed on behalf of the local recipient (or host), when the stanza arrives.
 */
export type Direction = 'in' | 'out';

export interface StanzaRequest {
  readonly stanza: Element;
  /** The sender (a full JID for local clients; stamped by the server). */
  readonly from: Jid;
  /** The effective recipient: the sender's bare JID when `to` was absent (except presence broadcasts). */
  readonly to: Jid;
  readonly toKind: ToKind;
  readonly direction: Direction;
  /** The local client session that sent the stanza, if it came from one. */
  readonly origin?: Session;
  /** Routes a stanza through the server (inbound processing for its `to`). */
  send(stanza: Element): void;
}

export interface IqRoute {
  type: 'get' | 'set';
  /** Child element name and namespace of the IQ payload. */
  name: string;
  xmlns: string;
  to: ToKind | ToKind[];
}
/** Returns the result payload, nothing for an empty result, or throws StanzaError. */
export type IqHandler = (req: StanzaRequest) => Element | void | Promise<Element | void>;

export interface StanzaRoute {
  dir: Direction;
  to: ToKind | ToKind[];
}
/** Returns true when the stanza was handled (stop); anything else passes it to the next handler. */
export type StanzaHandler = (req: StanzaRequest) => boolean | void | Promise<boolean | void>;

/** Runs before routing; returning true stops the stanza (it was dropped or answered). */
export type PreprocessHandler = (req: StanzaRequest) => boolean | void | Promise<boolean | void>;
/** Observes a stanza after processing; cannot stop it; errors are logged. */
export type PostprocessHandler = (req: StanzaRequest) => void | Promise<void>;
/** Rewrites a stanza going out to a client; return null to drop it. Runs synchronously on the hot path. */
export type OutboundFilter = (stanza: Element, session: Session) => Element | null;
/**
 * Sees each stanza handed to a session's `send`, on the node that hands it over, before any outbound filter
 * (which runs where the session is written): for a session here as it is written, for a session on another
 * cluster node as it leaves for that node (and again on that node, when it is written there). It cannot
 * change or drop the stanza. Runs synchronously on the hot path.
 */
export type HandoffObserver = (stanza: Element, session: Session) => void;

/** Named priorities; higher runs first. Offline storage sits at Fallback. */
export const Priority = { High: 100, Normal: 0, Low: -50, Fallback: -100 } as const;
