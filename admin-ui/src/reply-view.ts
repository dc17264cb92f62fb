import { type Element, NS_COMMANDS, NS_DATA_FORMS } from '@starling/sdk';
import { esc } from './html';

/** What went wrong with a command request, as an HTTP status and a paragraph; undefined for a command reply. */
export function replyFailure(reply: Element | null): { status: number; html: string } | undefined {
  if (!reply) return { status: 504, html: '<p class="error">The component did not answer.</p>' };
  if (reply.attrs.type !== 'error') return undefined;
  const err = reply.getChild('error');
  const condition = err?.getChildElements().find((e) => e.name !== 'text')?.name ?? 'error';
  const text = err?.getChildText('text') ?? '';
  return { status: condition === 'forbidden' ? 403 : 400, html: `<p class="error">Error: ${esc(condition)}${text ? ` – ${esc(text)}` : ''}</p>` };
}

/** The <command/> of a reply, its data form and its notes as HTML. */
export function commandParts(reply: Element): { cmd: Element | undefined; x: Element | undefined; notes: string } {
  const cmd = reply.getChild('command', NS_COMMANDS);
  const x = cmd?.getChild('x', NS_DATA_FORMS);
  const notes = (cmd?.getChildren('note') ?? []).map((n) => `<p class="note">${esc(n.text())}</p>`).join('');
  return { cmd, x, notes };
}
