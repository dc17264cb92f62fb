import type { PinoLogger } from './logger';

/** Elements whose text is a secret: SASL payloads (RFC 6120 §6.4), and jabber:iq:auth / jabber:iq:register passwords. */
const SECRET = 'auth|response|challenge|success|password|digest';
const OPEN_TAG = new RegExp(`<(?:${SECRET})(?=[\\s>/])[^>]*>`, 'g');
export const MASK = '***';

/** Where a connection's previous chunk stopped: inside the text of a secret element, and an incomplete tag held back. */
export interface MaskState {
  inText: boolean;
  pending: string;
}

export const OUTSIDE: MaskState = { inText: false, pending: '' };

/** An incomplete tag longer than this is let through rather than held back. */
const MAX_PENDING = 1024;

/**
 * Replaces the text of secret elements with ***, across chunk boundaries (a TCP read can split an
 * element anywhere): an incomplete trailing tag is held back until the next chunk completes it.
 */
export function maskSecrets(input: string, prev: MaskState): { text: string; state: MaskState } {
  const chunk = prev.pending + input;
  let body = chunk;
  let pending = '';
  const lastLt = chunk.lastIndexOf('<');
  if (lastLt >= 0 && chunk.indexOf('>', lastLt) < 0 && chunk.length - lastLt <= MAX_PENDING) {
    body = chunk.slice(0, lastLt);
    pending = chunk.slice(lastLt);
  }
  let out = '';
  let i = 0;
  if (prev.inText) {
    const lt = body.indexOf('<');
    if (lt < 0) return { text: body ? MASK : '', state: { inText: true, pending } };
    if (lt > 0) out = MASK;
    i = lt;
  }
  OPEN_TAG.lastIndex = i;
  for (let m = OPEN_TAG.exec(body); m; m = OPEN_TAG.exec(body)) {
    if (m[0].endsWith('/>')) continue;
    const start = m.index + m[0].length;
    out += body.slice(i, start);
    const lt = body.indexOf('<', start);
    if (lt < 0) return { text: out + (start < body.length ? MASK : ''), state: { inText: true, pending } };
    if (lt > start) out += MASK;
    i = lt;
    OPEN_TAG.lastIndex = lt;
  }
  return { text: out + body.slice(i), state: pending ? { inText: false, pending } : OUTSIDE };
}

/**
 * `debug = [ 'xmpp.XMPPIOService' ]`: every chunk of XML a connection receives or sends, at FINEST, with
 * secrets masked. Connections call `xmlTrace.received/sent` behind an `enabled` check (one boolean
 * compare per chunk while the trace is off).
 */
export class XmlTrace {
  private log: PinoLogger | undefined;
  /** Connections stopped inside a secret element or a tag (only those). */
  private readonly states = new Map<string, MaskState>();

  attach(log: PinoLogger | undefined): void {
    this.log = log;
    this.states.clear();
  }

  get enabled(): boolean {
    return this.log !== undefined && this.log.isFineEnabled();
  }

  received(conn: string, data: string): void {
    this.record(conn + '<', `${conn} received:`, data);
  }

  sent(conn: string, data: string): void {
    this.record(conn + '>', `${conn} sent:`, data);
  }

  private record(key: string, prefix: string, data: string): void {
    const { text, state } = maskSecrets(data, this.states.get(key) ?? OUTSIDE);
    if (state === OUTSIDE) this.states.delete(key);
    else this.states.set(key, state);
    this.log?.trace(`${prefix} ${text}`);
  }
}

/** The process's XML trace (one server per process); the server attaches its logger at start. */
export const xmlTrace = new XmlTrace();
