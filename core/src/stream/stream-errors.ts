import { escapeText } from '@starling/sdk';

export const NS_XMPP_STREAMS = 'urn:ietf:params:xml:ns:xmpp-streams';

/** RFC 6120 §4.9.3 stream error conditions. */
export type StreamErrorCondition =
  | 'bad-format'
  | 'bad-namespace-prefix'
  | 'conflict'
  | 'connection-timeout'
  | 'host-gone'
  | 'host-unknown'
  | 'improper-addressing'
  | 'internal-server-error'
  | 'invalid-from'
  | 'invalid-namespace'
  | 'invalid-xml'
  | 'not-authorized'
  | 'not-well-formed'
  | 'policy-violation'
  | 'remote-connection-failed'
  | 'reset'
  | 'resource-constraint'
  | 'restricted-xml'
  | 'see-other-host'
  | 'system-shutdown'
  | 'undefined-condition'
  | 'unsupported-encoding'
  | 'unsupported-feature'
  | 'unsupported-stanza-type'
  | 'unsupported-version';

/** A stream error; `content`: the condition element's text (see-other-host's `host:port`). */
export function streamErrorXml(condition: string, text?: string, content?: string): string {
  let s = content === undefined ? `<stream:error><${condition} xmlns='${NS_XMPP_STREAMS}'/>` : `<stream:error><${condition} xmlns='${NS_XMPP_STREAMS}'>${escapeText(content)}</${condition}>`;
  if (text) s += `<text xmlns='${NS_XMPP_STREAMS}' xml:lang='en'>${escapeText(text)}</text>`;
  return s + '</stream:error>';
}
