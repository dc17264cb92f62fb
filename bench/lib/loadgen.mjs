// The load generator seen from run.mjs: a few forked worker processes (lib/worker.mjs) driven over IPC.
import { fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Histogram } from './stats.mjs';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'worker.mjs');

/** Source addresses: every (source, destination) pair has its own ~28k ephemeral ports. */
export const SOURCES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];

export class LoadGen {
  constructor(count, target, cacheFile) {
    this.cacheFile = cacheFile;
    this.target = target;
    this.workers = Array.from({ length: count }, () => {
      const w = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
      w.pending = new Map();
      w.seq = 0;
      w.on('message', (m) => {
        const p = w.pending.get(m.id);
        if (!p) return;
        w.pending.delete(m.id);
        if (m.status === 'ok') p.resolve(m);
        else p.reject(new Error(`load worker: ${m.error}`));
      });
      w.on('exit', (code) => {
        for (const p of w.pending.values()) p.reject(new Error(`load worker exited with ${code}`));
        w.pending.clear();
      });
      return w;
    });
  }

  get pids() {
    return this.workers.map((w) => w.pid);
  }

  call(w, cmd, args = {}) {
    return new Promise((resolve, reject) => {
      const id = ++w.seq;
      w.pending.set(id, { resolve, reject });
      w.send({ id, cmd, ...args });
    });
  }

  all(cmd, argsOf = () => ({})) {
    return Promise.all(this.workers.map((w, i) => this.call(w, cmd, argsOf(i))));
  }

  async init() {
    const cache = this.cacheFile && existsSync(this.cacheFile) ? JSON.parse(readFileSync(this.cacheFile, 'utf8')) : undefined;
    await this.all('init', () => ({ target: this.target, cache }));
  }

  /** Logs the accounts in, spread over the workers; resolves totals and the merged latency histogram. */
  async login(accounts, { concurrency, roster = true, presence = true }) {
    const k = this.workers.length;
    const t0 = performance.now();
    const rs = await this.all('login', (i) => ({
      accounts: accounts.filter((_, j) => j % k === i),
      concurrency: Math.max(1, Math.round(concurrency / k)),
      roster,
      presence,
      sourceOffset: i,
    }));
    const seconds = (performance.now() - t0) / 1000;
    const hist = new Histogram();
    for (const r of rs) hist.merge(r.hist);
    return {
      ok: rs.reduce((a, r) => a + r.ok, 0),
      failed: rs.reduce((a, r) => a + r.failed, 0),
      failures: rs.flatMap((r) => r.failures),
      rosterErrors: rs.reduce((a, r) => a + r.rosterErrors, 0),
      resumed: rs.reduce((a, r) => a + r.resumed, 0),
      seconds,
      hist,
    };
  }

  async saveCache() {
    if (!this.cacheFile) return;
    const merged = {};
    for (const r of await this.all('cache')) Object.assign(merged, r.cache);
    writeFileSync(this.cacheFile, JSON.stringify(merged));
  }

  async closeClients() {
    await this.all('close');
  }

  async dispose() {
    for (const w of this.workers) if (w.connected) w.disconnect();
    await Promise.all(this.workers.map((w) => (w.exitCode === null ? new Promise((r) => w.once('exit', r)) : null)));
  }
}
