import type { ErrorCode } from './error-codes';
import { Element, xml } from './xml';

export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

/** RFC 6120 §8.3.3 defined conditions with their default error type and legacy code. */
export const STANZA_CONDITIONS = {
  'bad-request': ['modify', 400],
  conflict: ['cancel', 409],
  'feature-not-implemented': ['cancel', 501],
  forbidden: ['auth', 403],
  gone: ['cancel', 302],
  'internal-server-error': ['wait', 500],
  'item-not-found': ['cancel', 404],
  'jid-malformed': ['modify', 400],
  'not-acceptable': ['modify', 406],
  'not-allowed': ['cancel', 405],
  'not-authorized': ['auth', 401],
  'policy-violation': ['modify', 400],
  'recipient-unavailable': ['wait', 404],
  redirect: ['modify', 302],
  'registration-required': ['auth', 407],
  'remote-server-not-found': ['cancel', 404],
  'remote-server-timeout': ['wait', 504],
  'resource-constraint': ['wait', 500],
  'service-unavailable': ['cancel', 503],
  'subscription-required': ['auth', 407],
  'undefined-condition': ['wait', 500],
  'unexpected-request': ['wait', 400],
} as const satisfies Record<string, readonly [ErrorType, number]>;

export type StanzaErrorCondition = keyof typeof STANZA_CONDITIONS;
export type ErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait';

export interface StanzaErrorOptions {
  type?: ErrorType;
  text?: string;
  /** Legacy numeric code attribute (Tigase sends one); defaults to the condition's usual code. */
  code?: number;
  /** Application-specific condition element(s) added inside <error/>. */
  extra?: Element[];
}

/**
 * A protocol error for the sender of a stanza. Throw it from a handler; the kernel turns it into the
 * error reply. `new StanzaError('forbidden', 'Only Administrator can call the command.')`.
 */
export class StanzaError extends Error {
  readonly code = 'STARLING_STANZA_ERROR' satisfies ErrorCode;
  readonly condition: StanzaErrorCondition;
  readonly type: ErrorType;
  readonly text?: string;
  readonly legacyCode: number;
  readonly extra: Element[];

  constructor(condition: StanzaErrorCondition, text?: string, options: Omit<StanzaErrorOptions, 'text'> = {}) {
    super(text ? `${condition}: ${text}` : condition);
    this.name = 'StanzaError';
    this.condition = condition;
    const [defType, defCode] = STANZA_CONDITIONS[condition];
    this.type = options.type ?? defType;
    this.text = text;
    this.legacyCode = options.code ?? defCode;
    this.extra = options.extra ?? [];
  }

  /** The <error/> element. */
  toElement(): Element {
    return xml(
      'error',
      { type: this.type, code: String(this.legacyCode) },
      xml(this.condition, { xmlns: NS_STANZAS }),
      this.text ? xml('text', { xmlns: NS_STANZAS, 'xml:lang': 'en' }, this.text) : undefined,
      ...this.extra,
    );
  }
}

/**
 * Errors raised by the SDK, the kernel and core (not sent to XMPP entities). Codes are STARLING_<AREA>_<WHAT>,
 * each listed once in ERROR_CODES (sdk/src/error-codes.ts, docs/errors.md).
 */
export class StarlingError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StarlingError';
  }
}

/** Error codes of a full disk or exhausted memory: Node's ENOSPC, SQLite's SQLITE_FULL, PostgreSQL's disk_full and out_of_memory. */
const RESOURCE_EXHAUSTED = new Set(['ENOSPC', 'SQLITE_FULL', '53100', '53200']);

/** True when an error says the machine ran out of disk or memory: the sender gets `resource-constraint`, not `internal-server-error`. */
export function isResourceExhausted(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RESOURCE_EXHAUSTED.has(code);
}
