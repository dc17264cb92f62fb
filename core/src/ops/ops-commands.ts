import type { Logger } from '@starling/sdk';
import type { AdHocCommand, CommandCall, CommandReply } from '../commands/ad-hoc-command';
import { dataForm, firstValue, type FormField } from '../commands/data-form';
import { noteReply } from '../scripting/script-command';
import { DEBUG_NAMESPACES, type DebugSwitches } from './debug-switches';
import { STATS_LEVELS } from './log-settings';
import { isStatsLevel, type Statistics } from './statistics';

/** Tigase's field var for the statistics detail (StatisticsCollector). */
export const STATS_LEVEL_FIELD = 'Stats level';

/**
 * Tigase's statistics commands on `stats@<vhost>`: node `stats` gives every component's statistics,
 * node `stats/<component>` one component's, at the detail the `Stats level` field asks for (INFO by
 * default, FINE, FINER, FINEST). The reply is one form: a field per `component/statistic`, and the level.
 */
export class GetStatisticsCommand implements AdHocCommand {
  readonly id: string;
  readonly name: string;

  constructor(
    private readonly stats: Statistics,
    private readonly component?: string,
  ) {
    this.id = component === undefined ? 'stats' : `stats/${component}`;
    this.name = component === undefined ? 'Get statistics' : `Component: ${component}`;
  }

  async execute(call: CommandCall): Promise<CommandReply> {
    const level = firstValue(call.values, STATS_LEVEL_FIELD) ?? 'INFO';
    if (!isStatsLevel(level)) return noteReply(`Unknown statistics level '${level}': use one of ${STATS_LEVELS.join(', ')}.`);
    const fields: FormField[] = this.stats.collect(level, this.component).map((r) => {
      const v = `${r.component}/${r.name}`;
      return Array.isArray(r.value) ? { var: v, type: 'text-multi', values: r.value } : { var: v, type: 'text-single', values: [String(r.value)] };
    });
    fields.push({ var: STATS_LEVEL_FIELD, type: 'list-single', label: STATS_LEVEL_FIELD, values: [level], options: STATS_LEVELS.map((l) => ({ label: l, value: l })) });
    return { status: 'completed', children: [dataForm('result', { title: this.name, fields })] };
  }
}

export const DEBUG_FIELD = 'debug';
export const DEBUG_PACKAGES_FIELD = 'debug-packages';

/**
 * Switches debug logging at run time (sess-man, node `set-debug`): the same lists as the `debug` and
 * `debug-packages` keys, applied at once to every logger, no restart. The first stage shows the current
 * lists; a request that already carries them applies them in one step.
 */
export class SetDebugCommand implements AdHocCommand {
  readonly id = 'set-debug';
  readonly name = 'Set debug logging';
  readonly group = 'Logging';

  constructor(
    private readonly switches: DebugSwitches,
    private readonly log: Logger,
  ) {}

  async execute(call: CommandCall): Promise<CommandReply> {
    const debug = call.values.get(DEBUG_FIELD);
    const packages = call.values.get(DEBUG_PACKAGES_FIELD);
    if (debug === undefined && packages === undefined) {
      const known = Object.entries(DEBUG_NAMESPACES).map(([k, v]) => `${k}: ${v}`);
      return {
        status: 'executing',
        children: [
          dataForm('form', {
            title: this.name,
            instructions: 'One name a line. Namespaces (or a kernel component such as c2s, sess-man, router, watchdog; * for all):',
            fields: [
              { var: 'namespaces', type: 'fixed', values: known },
              { var: DEBUG_FIELD, type: 'text-multi', label: 'debug', values: this.switches.debug },
              { var: DEBUG_PACKAGES_FIELD, type: 'text-multi', label: 'debug-packages (plugin ids)', values: this.switches.packages },
            ],
          }),
        ],
      };
    }
    const clean = (v: string[] | undefined, current: string[]) => (v === undefined ? current : v.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean));
    const nextDebug = clean(debug, this.switches.debug);
    const nextPackages = clean(packages, this.switches.packages);
    this.switches.set(nextDebug, nextPackages);
    this.log.info('debug switched at run time', { by: call.from.bareString, debug: nextDebug, 'debug-packages': nextPackages });
    return noteReply(`Debug logging: debug = [ ${nextDebug.join(', ')} ], debug-packages = [ ${nextPackages.join(', ')} ]`);
  }
}
