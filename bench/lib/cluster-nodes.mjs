// Starling nodes in cluster mode for the bench (bench/cluster.mjs, bench/cluster-idle.mjs): one Redis, one
// PostgreSQL, a fresh schema and Redis key prefix per run, each node a real `starling start --foreground`
// process on loopback ports picked at start. `cleanup()` stops the nodes and drops the schema and the keys.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { REPO, TMP } from './servers.mjs';

export const REDIS = process.env.STARLING_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
export const PG = process.env.STARLING_BENCH_PG_URI ?? 'postgresql://postgres@127.0.0.1:5432/test';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function sql(text) {
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

/** Runs redis-cli against the bench's Redis and returns its output. */
export function redisCli(...args) {
  return execFileSync('redis-cli', ['-u', REDIS, ...args], { maxBuffer: 256 * 1024 * 1024 }).toString();
}

/** The pid of the Redis the bench uses (its INFO's process_id: the machine may run more than one redis-server). */
export function redisPid() {
  try {
    return Number(/process_id:(\d+)/.exec(redisCli('info', 'server'))?.[1]) || 0;
  } catch {
    return 0;
  }
}

export class BenchCluster {
  /**
   * `name` tells the runs apart in the schema, key prefix and home directories; `nodeFlags`: extra node flags
   * for every node (e.g. --cpu-prof); `archive`: the message archive (urn:xmpp:mam:2) on.
   */
  constructor(name, { nodeFlags = [], archive = false } = {}) {
    this.nodeFlags = nodeFlags;
    this.archive = archive;
    const tag = `${process.pid}_${Date.now().toString(36)}`;
    this.name = name;
    this.schema = `starling_bench_${name.replace(/\W/g, "_")}_${tag}`;
    this.keyPrefix = `starling-bench:${name}:${tag}:`;
    const url = new URL(PG);
    url.searchParams.set('options', `-c search_path=${this.schema}`);
    this.pgUrl = url.toString();
    /** c2s and httpServer port of each node. */
    this.ports = [];
    this.httpPorts = [];
    this.nodes = [];
  }

  home(i) {
    return join(TMP, `${this.name}-node${i}`);
  }

  async createSchema() {
    mkdirSync(TMP, { recursive: true });
    await sql(`CREATE SCHEMA ${this.schema}`);
  }

  async freePort() {
    for (;;) {
      const port = 20_000 + Math.floor(Math.random() * 12_000);
      const ok = await new Promise((res) => {
        const srv = createServer();
        srv.once('error', () => res(false));
        srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
      });
      if (ok && !this.ports.includes(port) && !this.httpPorts.includes(port)) return port;
    }
  }

  /** Picks ports for `count` nodes and writes their homes (plain TCP c2s, no XEP-0198, no other listeners). */
  async configure(count) {
    this.ports.length = this.httpPorts.length = 0;
    for (let i = 0; i < count; i++) {
      this.ports.push(await this.freePort());
      this.httpPorts.push(await this.freePort());
    }
    for (let i = 0; i < count; i++) this.writeConfig(i);
  }

  writeConfig(i) {
    const dir = this.home(i);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'etc'), { recursive: true });
    writeFileSync(
      join(dir, 'etc', 'config.tdsl'),
      `'default-virtual-host' = 'localhost'
authRepository { 'scram-iterations' = 4096 }
c2s {
    connections {
        ports = [ ${this.ports[i]} ]
        ifc = [ '127.0.0.1' ]
    }
    'max-connections-per-ip' = 0
    'urn:xmpp:sm:3' (active: false) {}
}
ws2s (active: false) {}
bosh (active: false) {}
s2s (active: false) {}
${this.archive ? '' : "# no archive (as the single-server benches: the peers run none)\n'sess-man' { 'urn:xmpp:mam:2' (active: false) {} }\n"}# the load generator logs in over plain TCP
'vhost-man' () { defaults { 'vhost-tls-required' = false } }
httpServer { connections { ${this.httpPorts[i]} () { ifc = [ '127.0.0.1' ] } } }
dataSource { default () { uri = '${this.pgUrl}' } }
'cluster-mode' = true
'cluster-node-id' = '${this.nodeId(i)}'
'cl-comp' {
    redis = '${REDIS}'
    'key-prefix' = '${this.keyPrefix}'
}
`,
    );
  }

  nodeId(i) {
    return `bench${i}`;
  }

  /** Starts nodes 0..count-1 one at a time and waits until every node has seen every other join. */
  async start(count) {
    for (let i = 0; i < count; i++) this.nodes.push(await this.startNode(i));
    await this.waitFormed();
  }

  async startNode(i) {
    const out = [];
    const child = spawn(process.execPath, ['--no-node-snapshot', ...this.nodeFlags, join(REPO, 'core/dist/bin/starling.js'), 'start', '--foreground', '--home', this.home(i)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (d) => out.length < 400 && out.push(d.toString());
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const end = Date.now() + 60_000;
    while (!out.join('').includes('Starling is running')) {
      if (child.exitCode !== null || Date.now() > end) {
        child.kill('SIGKILL');
        throw new Error(`node ${i} did not start:\n${out.join('')}`);
      }
      await sleep(50);
    }
    return { child, out };
  }

  async waitFormed() {
    const end = Date.now() + 30_000;
    for (;;) {
      const ok = this.nodes.every((n, i) => this.nodes.every((_, j) => i === j || n.out.join('').includes(`cluster node joined node=${this.nodeId(j)}`)));
      if (ok) return;
      if (Date.now() > end) throw new Error('cluster did not form');
      await sleep(100);
    }
  }

  get pids() {
    return this.nodes.map((n) => n.child.pid);
  }

  async stopNodes() {
    await Promise.all(this.nodes.map(stopNode));
    this.nodes = [];
  }

  /** Keys under this run's prefix (SCAN, not KEYS). */
  keys() {
    return redisCli('--scan', '--pattern', `${this.keyPrefix}*`).split('\n').filter(Boolean);
  }

  /** Stops the nodes, drops the schema and the Redis keys, removes the homes (homes 0..homes-1). */
  async cleanup(homes) {
    await this.stopNodes();
    await sql(`DROP SCHEMA ${this.schema} CASCADE`).catch(() => undefined);
    for (let i = 0; i < homes; i++) rmSync(this.home(i), { recursive: true, force: true });
    const keys = this.keys();
    for (let at = 0; at < keys.length; at += 500) redisCli('del', ...keys.slice(at, at + 500));
  }
}

async function stopNode(n) {
  if (n.child.exitCode !== null) return;
  const exited = new Promise((r) => n.child.once('exit', r));
  n.child.kill('SIGTERM');
  const t = setTimeout(() => n.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}
