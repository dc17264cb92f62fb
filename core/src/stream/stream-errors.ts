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

export function streamErrorXml(condition: string, text?: string): string {
  let s = `<stream:error><${condition} xmlns='${NS_XMPP_STREAMS}'/>`;
  if (text) s += `<text xmlns='${NS_XMPP_STREAMS}' xml:lang='en'>${escapeText(text)}</text>`;
  return s + '</stream:error>';
}
