import { PLUGIN_CONFIG, type PluginConfig, inject, injectable } from '@starling/sdk';
import type { DefaultPref } from './prefs';

/** The plugin's bean: `'sess-man' { 'urn:xmpp:mam:2' () { 'default-pref' = 'roster' } }`. */
@injectable()
export class MamSettings {
  /** What an account archives until it sets its own preferences (XEP-0313 §6.1 `default`). */
  readonly defaultPref: DefaultPref;
  /** Messages older than this many days are removed; 0 keeps them for ever. */
  readonly retentionDays: number;
  /** How often (ms) the messages past retention are removed. */
  readonly expiredCheckInterval: number;
  /** Page size when a query names no RSM `max`, and the largest page a query gets. */
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  /** How long an account's preferences are cached (0: read for every message), and for how many accounts. */
  readonly prefsCacheSeconds: number;
  readonly prefsCacheSize: number;

  constructor(@inject(PLUGIN_CONFIG) config: PluginConfig) {
    this.defaultPref = config.enum('default-pref', ['always', 'never', 'roster'] as const, 'always');
    this.retentionDays = config.number('retention-days', 0, { min: 0 });
    this.expiredCheckInterval = config.number('expired-check-interval', 3_600_000, { min: 1000 });
    this.maxPageSize = config.number('max-page-size', 250, { min: 1 });
    this.defaultPageSize = config.number('default-page-size', 50, { min: 1, max: this.maxPageSize });
    this.prefsCacheSeconds = config.number('prefs-cache-seconds', 30, { min: 0 });
    this.prefsCacheSize = config.number('prefs-cache-size', 10000, { min: 1 });
  }
}
