import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Statistics, StatRecord } from './statistics';

/**
 * The statistics as Prometheus text (prom-client): every record with a `metric` becomes a gauge or counter,
 * filled from the statistics at scrape time (the hot path only bumps plain counters), plus prom-client's
 * process metrics (CPU, RSS, heap, event-loop lag, GC).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly gauges = new Map<string, Gauge | Counter>();

  constructor(private readonly stats: Statistics) {
    collectDefaultMetrics({ register: this.registry, prefix: 'starling_' });
  }

  async text(): Promise<string> {
    this.refresh();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The same numbers as JSON: `{ "component/statistic": value }`. */
  json(): Record<string, number | string | string[]> {
    const out: Record<string, number | string | string[]> = {};
    for (const r of this.stats.collect('FINEST')) out[`${r.component}/${r.name}`] = r.value;
    return out;
  }

  private refresh(): void {
    const seen = new Set<string>();
    for (const r of this.stats.collect('FINEST')) {
      const m = r.metric;
      if (!m) continue;
      const metric = this.metric(r);
      if (!seen.has(m.name)) {
        metric.reset();
        seen.add(m.name);
      }
      const v = m.value ?? (typeof r.value === 'number' ? r.value : NaN);
      if (Number.isNaN(v)) continue;
      if (metric instanceof Counter) metric.inc(m.labels ?? {}, v);
      else metric.set(m.labels ?? {}, v);
    }
  }

  private metric(r: StatRecord): Gauge | Counter {
    const m = r.metric!;
    let metric = this.gauges.get(m.name);
    if (!metric) {
      const labelNames = Object.keys(m.labels ?? {});
      const spec = { name: m.name, help: m.help, labelNames, registers: [this.registry] };
      metric = m.type === 'counter' ? new Counter(spec) : new Gauge(spec);
      this.gauges.set(m.name, metric);
    }
    return metric;
  }
}
