import type { Element } from '@starling/sdk';
import type { ComponentCommands } from './admin-ui-host';
import { esc, renderForm } from './html';
import { commandParts, replyFailure } from './reply-view';

/** The pages that list things with a command and act on each row with other commands. */
export const LIST_PAGES = ['/admin/plugins', '/admin/scripts'] as const;
export type ListPagePath = (typeof LIST_PAGES)[number];

/** The list page a command page links back to (`?back=` or the form's `__back`), when it is one. */
export function listPage(path: string | null | undefined): ListPagePath | undefined {
  return LIST_PAGES.find((p) => p === path);
}

export interface ListPageContext {
  csrf: string;
  /** The default vhost's components with the commands the logged-in JID may run. */
  components: ComponentCommands[];
  /** Runs a command's first stage as the logged-in JID (the XEP-0050 request an XMPP client sends). */
  run(jid: string, node: string): Promise<Element | null>;
  /** The stable page of a command. */
  href(jid: string, node: string): string;
}

export interface PageBody {
  status: number;
  title: string;
  html: string;
}

/**
 * A button that completes `node` on `jid` in one step, submitting the row's `key` column as the field of
 * the same var (the list commands name their key columns after the action commands' fields).
 */
function rowButton(ctx: ListPageContext, back: ListPagePath, jid: string, node: string, label: string, key: string, row: Map<string, string>): string {
  const comp = ctx.components.find((c) => c.jid === jid);
  if (!comp?.commands.some((c) => c.node === node)) return '';
  return `<form method="post" action="${esc(ctx.href(jid, node))}"><input type="hidden" name="__csrf" value="${esc(ctx.csrf)}"><input type="hidden" name="__back" value="${back}"><button type="submit" name="${esc(key)}" value="${esc(row.get(key) ?? '')}">${esc(label)}</button></form>`;
}

/** One list command's result with a button column; undefined when the JID may not run it there. */
async function listSection(ctx: ListPageContext, comp: ComponentCommands, node: string, actions: (row: Map<string, string>) => string): Promise<{ status: number; html: string } | undefined> {
  if (!comp.commands.some((c) => c.node === node)) return undefined;
  const reply = await ctx.run(comp.jid, node);
  const failed = replyFailure(reply);
  if (failed || !reply) return failed;
  const { x, notes } = commandParts(reply);
  return { status: 200, html: notes + renderForm(x, false, actions) };
}

/** Which plugin commands a row offers, by the plugin's state (what each command accepts). */
const PLUGIN_ACTIONS: { node: string; label: string; states: string[] }[] = [
  { node: 'plugin-reload', label: 'Reload', states: ['loaded'] },
  { node: 'plugin-disable', label: 'Disable', states: ['loaded', 'waiting'] },
  { node: 'plugin-enable', label: 'Enable', states: ['disabled', 'failed', 'waiting'] },
];

/** `/admin/plugins`: sess-man's "List plugins" as a table, each row with Reload / Disable / Enable. */
export async function pluginsPage(ctx: ListPageContext, defaultDomain: string): Promise<PageBody> {
  const sm = ctx.components.find((c) => c.jid === `sess-man@${defaultDomain}`);
  const actions = (row: Map<string, string>) =>
    PLUGIN_ACTIONS.filter((a) => a.states.includes(row.get('state') ?? ''))
      .map((a) => rowButton(ctx, '/admin/plugins', sm!.jid, a.node, a.label, 'plugin', row))
      .join('');
  const section = sm && (await listSection(ctx, sm, 'plugins-list', actions));
  return { status: section?.status ?? 200, title: 'Plugins', html: section?.html ?? '<p>This account may not list the plugins.</p>' };
}

/** `/admin/scripts`: every component's "List command scripts", each row with Run and Remove, and "New command script". */
export async function scriptsPage(ctx: ListPageContext, defaultDomain: string): Promise<PageBody> {
  const parts: string[] = [];
  let status = 200;
  for (const comp of ctx.components.filter((c) => c.jid.endsWith(`@${defaultDomain}`))) {
    const actions = (row: Map<string, string>) =>
      `<a href="${esc(`${ctx.href(comp.jid, row.get('Command Id') ?? '')}?back=/admin/scripts`)}">Run</a> ` + rowButton(ctx, '/admin/scripts', comp.jid, 'del-script', 'Remove', 'Command Id', row);
    const section = await listSection(ctx, comp, 'scripts-list', actions);
    if (!section) continue;
    status = Math.max(status, section.status);
    const add = comp.commands.some((c) => c.node === 'add-script') ? `<p><a href="${esc(`${ctx.href(comp.jid, 'add-script')}?back=/admin/scripts`)}">New command script on ${esc(comp.description)}</a></p>` : '';
    parts.push(`<section data-component="${esc(comp.jid)}"><h2>${esc(comp.description)} <small>${esc(comp.jid)}</small></h2>${section.html}${add}</section>`);
  }
  return { status, title: 'Scripts', html: parts.join('\n') || '<p>This account may not list any scripts.</p>' };
}
