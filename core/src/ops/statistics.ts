import { STATS_LEVELS, type StatsLevel } from './log-settings';

/** One statistic, shown as `component/name = value` (Tigase's StatRecord). */
export interface StatRecord {
  component: string;
  name: string;
  value: number | string | string[];
  /** INFO: the essentials … FINEST: everything. */
  level: StatsLevel;
  /** How /metrics exposes it (a record without one is XMPP/log only). */
  metric?: { name: string; type: 'counter' | 'gauge'; help: string; labels?: Record<string, string>; /** The sample when it differs from `value` (an info metric's 1). */ value?: number };
}

export interface StatsSource {
  readonly component: string;
  collect(add: (r: StatRecord) => void): void;
}

const DETAIL: Record<StatsLevel, number> = { INFO: 0, FINE: 1, FINER: 2, FINEST: 3 };

/** Tigase's StatisticsCollector: the statistics of every component, filtered by level. */
export class Statistics {
  private readonly sources: StatsSource[] = [];

  add(source: StatsSource): { dispose(): void } {
    this.sources.push(source);
    return { dispose: () => void this.sources.splice(this.sources.indexOf(source) >>> 0, 1) };
  }

  components(): string[] {
    return [...new Set(this.sources.map((s) => s.component))];
  }

  collect(level: StatsLevel = 'FINEST', component?: string): StatRecord[] {
    const max = DETAIL[level];
    const out: StatRecord[] = [];
    for (const s of this.sources) {
      if (component !== undefined && s.component !== component) continue;
      s.collect((r) => {
        if (DETAIL[r.level] <= max) out.push(r);
      });
    }
    return out;
  }
}

export function isStatsLevel(v: string): v is StatsLevel {
  return (STATS_LEVELS as readonly string[]).includes(v);
}

/** `component/statistic = value` lines (the console log at shutdown, statistics.log.N). */
export function formatStats(records: StatRecord[]): string {
  let text = '';
  for (const r of records) text += `${r.component}/${r.name} = ${Array.isArray(r.value) ? r.value.join(', ') : String(r.value)}\n`;
  return text;
}
