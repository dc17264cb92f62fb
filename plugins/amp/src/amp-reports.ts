import { type Element, type Jid, NS_STANZAS, xml } from '@starling/sdk';
import { NS_AMP, NS_AMP_ERRORS } from './ns';

/**
 * The copy of a message that goes back to its sender for `alert`, `notify` and `error` (Tigase's
 * `prepareAmpPacket`): from the recipient's domain to the original sender, with the original payload,
 * and the request replaced by `<amp status='<action>' from='<sender>' to='<recipient>'>` holding the
 * rule that fired.
 */
export function ampReport(stanza: Element, rule: Element, action: string, from: Jid, to: Jid): Element {
  const report = stanza.clone();
  report.attrs = { ...report.attrs, from: to.domain, to: from.toString() };
  report.children = report.children.filter((c) => typeof c === 'string' || !c.is('amp', NS_AMP));
  report.cnode(xml('amp', { xmlns: NS_AMP, status: action, from: from.toString(), to: to.toString() }, rule.clone()));
  return report;
}

/**
 * The `error` action's report: `<error type='modify' code='500'><undefined-condition/>` with the rule in
 * `<failed-rules xmlns='http://jabber.org/protocol/amp#errors'/>`. Tigase leaves the message's type as it
 * was; this one sets type='error', which RFC 6120 §8.3 requires of a stanza carrying <error/>.
 */
export function ampError(stanza: Element, rule: Element, from: Jid, to: Jid): Element {
  const report = ampReport(stanza, rule, 'error', from, to);
  report.attrs.type = 'error';
  report.children = report.children.filter((c) => typeof c === 'string' || c.name !== 'error');
  report.cnode(
    xml(
      'error',
      { type: 'modify', code: '500' },
      xml('undefined-condition', { xmlns: NS_STANZAS }),
      xml('failed-rules', { xmlns: NS_AMP_ERRORS }, rule.clone()),
    ),
  );
  return report;
}
