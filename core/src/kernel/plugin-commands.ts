import type { AdHocCommand, CommandCall, CommandReply } from '../commands/ad-hoc-command';
import { FIELD } from '../commands/command-texts';
import { dataForm, firstValue } from '../commands/data-form';
import { noteReply } from '../scripting/script-command';
import type { PluginHost, PluginRecord, PluginState } from './plugin-host';

/** The form field that names the plugin a command acts on. */
export const PLUGIN_FIELD = 'plugin';
const GROUP = 'Plugins';

function describe(r: PluginRecord): string {
  const reloads = r.reloads ? `, ${r.reloads} reload${r.reloads === 1 ? '' : 's'}` : '';
  return `${r.id} ${r.version} ${r.state}${reloads}${r.lastError ? ` (last error: ${r.lastError})` : ''}`;
}

/** A command that asks for one plugin (of those in the given states), then acts on it. */
abstract class PluginActionCommand implements AdHocCommand {
  abstract readonly id: string;
  abstract readonly name: string;
  readonly group = GROUP;
  protected abstract readonly states: readonly PluginState[];

  constructor(protected readonly host: PluginHost) {}

  async execute(call: CommandCall): Promise<CommandReply> {
    const id = firstValue(call.values, PLUGIN_FIELD)?.trim();
    const choices = this.host.list().filter((r) => this.states.includes(r.state) && r.pkg);
    if (!id) {
      if (choices.length === 0) return noteReply(`No plugin is ${this.states.join(' or ')}.`);
      return {
        status: 'executing',
        children: [
          dataForm('form', {
            title: this.name,
            fields: [{ var: PLUGIN_FIELD, type: 'list-single', label: 'Plugin', required: true, values: [choices[0].id], options: choices.map((r) => ({ label: describe(r), value: r.id })) }],
          }),
        ],
      };
    }
    if (!choices.some((r) => r.id === id)) return noteReply(`There is no plugin '${id}' that is ${this.states.join(' or ')}.`);
    try {
      return await this.act(id);
    } catch (err) {
      return noteReply(`${this.name} failed.`, [{ var: FIELD.errorMessage, values: [(err as Error).message] }]);
    }
  }

  protected abstract act(id: string): Promise<CommandReply>;
}

/** The columns of "List plugins" (field vars of its reported table). */
export const PLUGIN_COLUMNS = [
  { var: PLUGIN_FIELD, label: 'Plugin' },
  { var: 'version', label: 'Version' },
  { var: 'state', label: 'State' },
  { var: 'reloads', label: 'Reloads' },
  { var: 'last-error', label: 'Last error' },
];

/** Lists every plugin package as a table: id, version, state, reloads, last error. */
export class ListPluginsCommand implements AdHocCommand {
  readonly id = 'plugins-list';
  readonly name = 'List plugins';
  readonly group = GROUP;

  constructor(private readonly host: PluginHost) {}

  async execute(): Promise<CommandReply> {
    const rows = this.host.list();
    return {
      status: 'completed',
      children: [
        dataForm('result', {
          title: this.name,
          fields: [
            { var: FIELD.note, type: 'fixed', values: [`${rows.filter((r) => r.state === 'loaded').length} of ${rows.length} plugins loaded`] },
          ],
          table: {
            columns: PLUGIN_COLUMNS,
            rows: rows.map((r) => ({ [PLUGIN_FIELD]: r.id, version: r.version, state: r.state, reloads: String(r.reloads), 'last-error': r.lastError ?? '' })),
          },
        }),
      ],
    };
  }
}

/** Hot-reloads a loaded plugin from its directory (and its dependents); a failure leaves it serving. */
export class ReloadPluginCommand extends PluginActionCommand {
  readonly id = 'plugin-reload';
  readonly name = 'Reload plugin';
  protected readonly states = ['loaded'] as const;

  protected async act(id: string): Promise<CommandReply> {
    const r = await this.host.reload(id);
    if (!r.ok) return noteReply(`Reload of ${id} failed; the running version keeps serving.`, [{ var: FIELD.errorMessage, values: [r.error ?? ''] }]);
    const also = r.cascaded.length ? `; also reloaded: ${r.cascaded.join(', ')}` : '';
    return noteReply(`Reloaded ${id} ${this.host.records.get(id)?.version ?? ''} in ${Math.round(r.ms)} ms${also}.`);
  }
}

/** Switches a plugin on at run time and loads it (with the plugins that were waiting for it); a quarantined version is released and tried again. */
export class EnablePluginCommand extends PluginActionCommand {
  readonly id = 'plugin-enable';
  readonly name = 'Enable plugin';
  protected readonly states = ['disabled', 'failed', 'waiting', 'quarantined'] as const;

  protected async act(id: string): Promise<CommandReply> {
    const r = await this.host.enable(id);
    if (r.state === 'loaded') return noteReply(`Enabled ${id} ${r.version}.`);
    return noteReply(`${id} is enabled but ${r.state}.`, [{ var: FIELD.errorMessage, values: [r.lastError ?? ''] }]);
  }
}

/** Switches a plugin off at run time (its dependents wait for it); config is not changed. */
export class DisablePluginCommand extends PluginActionCommand {
  readonly id = 'plugin-disable';
  readonly name = 'Disable plugin';
  protected readonly states = ['loaded', 'waiting'] as const;

  protected async act(id: string): Promise<CommandReply> {
    await this.host.disable(id);
    const waiting = this.host.list().filter((r) => r.state === 'waiting' && r.lastError?.includes(`'${id}'`));
    return noteReply(`Disabled ${id}${waiting.length ? `; now waiting for it: ${waiting.map((r) => r.id).join(', ')}` : ''}.`);
  }
}

/** The plugin commands, for the session manager's command list (admins only unless its ACL says more). */
export function pluginCommands(host: PluginHost): AdHocCommand[] {
  return [new ListPluginsCommand(host), new ReloadPluginCommand(host), new EnablePluginCommand(host), new DisablePluginCommand(host)];
}
