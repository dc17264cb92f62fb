// Latency histograms (mergeable across worker processes) and process CPU/RSS sampling from /proc.
import { readdirSync, readFileSync } from 'node:fs';

const RATIO = Math.log(1.02);
const BUCKETS = 1200; // 1 µs × 1.02^1200 ≈ 2×10^10 µs: far beyond any run

/** Log-bucketed histogram of microsecond values, 2 % resolution. */
export class Histogram {
  constructor(counts) {
    this.counts = counts ?? new Array(BUCKETS).fill(0);
  }
  add(us) {
    const i = us <= 1 ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(us) / RATIO));
    this.counts[i]++;
  }
  merge(other) {
    const c = other.counts ?? other;
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += c[i];
    return this;
  }
  get total() {
    let n = 0;
    for (const c of this.counts) n += c;
    return n;
  }
  /** The q-quantile in milliseconds (bucket midpoint). */
  quantileMs(q) {
    const n = this.total;
    if (n === 0) return NaN;
    const want = Math.max(1, Math.ceil(q * n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= want) return Math.exp((i + 0.5) * RATIO) / 1000;
    }
    return NaN;
  }
}

const TICK = 100; // USER_HZ on Linux

/** utime+stime in seconds and RSS in bytes of a process, or null if it is gone. */
export function procSample(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(f[11]) + Number(f[12])) / TICK;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return { cpu, rss: m ? Number(m[1]) * 1024 : 0 };
  } catch {
    return null;
  }
}

/** Open file descriptors of a process now (its /proc/<pid>/fd entries), or null when it is gone. */
export function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

export function openFiles(pid) {
  try {
    const m = /Max open files\s+(\d+)\s+(\d+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    return m ? { soft: Number(m[1]), hard: Number(m[2]) } : null;
  } catch {
    return null;
  }
}

/** CPU seconds used by a set of processes between construction and `stop()`. */
export class CpuMeter {
  constructor(pids) {
    this.pids = pids;
    this.t0 = performance.now();
    this.c0 = pids.map((p) => procSample(p)?.cpu ?? 0);
  }
  stop() {
    const secs = (performance.now() - this.t0) / 1000;
    const used = this.pids.reduce((a, p, i) => a + ((procSample(p)?.cpu ?? this.c0[i]) - this.c0[i]), 0);
    return { cpuSeconds: used, wallSeconds: secs, cores: used / secs };
  }
}

export const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');

/** Busy CPU seconds of the whole machine (all processes, kernel included) from /proc/stat. */
export function machineBusy() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / TICK;
}

/**
 * The machine is shared (other work may run on its 2 cores): waits, up to `maxMs`, until the CPU used
 * by everything else drops below `cores`; returns the last measured foreign load.
 */
export async function waitQuiet(ownPids, { cores = 0.25, maxMs = 120000 } = {}) {
  const end = Date.now() + maxMs;
  let foreign = 0;
  do {
    const m = new CpuMeter(ownPids);
    const b0 = machineBusy();
    await new Promise((r) => setTimeout(r, 1000));
    const own = m.stop();
    foreign = (machineBusy() - b0 - own.cpuSeconds) / own.wallSeconds;
    if (foreign < cores) return foreign;
  } while (Date.now() < end);
  return foreign;
}

/** CPU used by processes other than `ownPids` between construction and `stop()` (cores). */
export class ForeignCpuMeter {
  constructor(ownPids) {
    this.own = new CpuMeter(ownPids);
    this.b0 = machineBusy();
  }
  stop() {
    const own = this.own.stop();
    return Math.max(0, (machineBusy() - this.b0 - own.cpuSeconds) / own.wallSeconds);
  }
}
