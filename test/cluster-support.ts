// Helpers for the cluster-mode integration tests (test/cluster-*.test.ts): N real Starling processes on
// loopback sharing one PostgreSQL schema and one Redis key prefix made for the test run.
import { Client as PgClient } from 'pg';
import { Redis } from 'ioredis';
import { DOMAIN, TestServer } from './harness/server';
import { echoBot as slixmppEchoBot } from './harness/python';

export const PASSWORD = 'secret';
export const jid = (user: string) => `${user}@${DOMAIN}`;

/** Why the cluster tests are skipped, or undefined when Redis and PostgreSQL are given. */
export function clusterSkipReason(): string | undefined {
  if (!process.env.STARLING_TEST_REDIS_URL || !process.env.STARLING_TEST_PG_URI)
    return 'cluster tests need STARLING_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0) and STARLING_TEST_PG_URI (e.g. postgresql://postgres@127.0.0.1:5432/test); .ci/run sets both when Redis and PostgreSQL answer';
  return undefined;
}

let runs = 0;

export interface ClusterOptions {
  nodes: number;
  users?: string[];
  /** Seconds (default 2: kill -9 tests wait for it). */
  heartbeatTtl?: number;
  /** Another Redis than STARLING_TEST_REDIS_URL (the Redis restart test runs its own). */
  redisUrl?: string;
  /** Extra TDSL for every node. */
  config?: string;
  /** Extra keys inside every node's `'cl-comp' { … }` block (TDSL has one block per bean). */
  clComp?: string;
  /** Runs once the nodes' homes exist, before any starts (files a node's home needs). */
  beforeStart?: (nodes: TestServer[]) => void;
}

/** A cluster of real nodes: `nodes[i]` has cluster-node-id `node<i+1>`. */
export class TestCluster {
  private constructor(
    readonly nodes: TestServer[],
    readonly schema: string,
    readonly keyPrefix: string,
    readonly redisUrl: string,
  ) {}

  static async create(opts: ClusterOptions): Promise<TestCluster> {
    const pgUri = process.env.STARLING_TEST_PG_URI!;
    const redisUrl = opts.redisUrl ?? process.env.STARLING_TEST_REDIS_URL!;
    const tag = `${process.pid}_${Date.now().toString(36)}_${++runs}`;
    const schema = `starling_cluster_${tag}`;
    await pg(pgUri, (c) => c.query(`CREATE SCHEMA ${schema}`));
    const url = new URL(pgUri);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const keyPrefix = `starling-test:${tag}:`;
    const nodes: TestServer[] = [];
    for (let i = 1; i <= opts.nodes; i++) {
      nodes.push(
        await TestServer.create({
          config: `dataSource { default () { uri = '${url.toString()}' } }
'cluster-mode' = true
'cluster-node-id' = 'node${i}'
'cl-comp' {
    redis = '${redisUrl}'
    'key-prefix' = '${keyPrefix}'
    'heartbeat-ttl' = ${opts.heartbeatTtl ?? 2}
    ${opts.clComp ?? ''}
}
${opts.config ?? ''}`,
        }),
      );
    }
    // Accounts made on one node's home exist on every node (shared PostgreSQL).
    for (const user of opts.users ?? []) await nodes[0].cli('user', 'add', jid(user), '--password', PASSWORD);
    const cluster = new TestCluster(nodes, schema, keyPrefix, redisUrl);
    try {
      opts.beforeStart?.(nodes);
      // One at a time: three nodes booting at once on a loaded 2-core machine can pass the harness's start deadline.
      for (const n of nodes) await n.start();
      await cluster.waitForPeers();
    } catch (err) {
      // The test's after() gets no cluster to dispose: leave no processes, keys or schema behind.
      await cluster.dispose();
      throw err;
    }
    return cluster;
  }

  /** Resolves once every running node has logged every other running node as joined. */
  async waitForPeers(timeoutMs = 15_000): Promise<void> {
    const running = this.nodes.filter((n) => n.child && n.child.exitCode === null && n.child.signalCode === null);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = running.flatMap((n, i) =>
        running.filter((m) => m !== n && !this.joined(n, this.idOf(m))).map((m) => `node${this.nodes.indexOf(n) + 1} has not seen ${this.idOf(m)} (index ${i})`),
      );
      if (missing.length === 0) return;
      if (Date.now() > deadline) throw new Error(`cluster did not form: ${missing.join('; ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  idOf(node: TestServer): string {
    return `node${this.nodes.indexOf(node) + 1}`;
  }

  /** True when the node's log says it has seen the peer join (since its last start). */
  joined(node: TestServer, peer: string): boolean {
    return new RegExp(`cluster node joined node=${peer}\\b`).test(node.output);
  }

  /** Redis keys of this test's prefix. */
  async redisKeys(): Promise<string[]> {
    const r = new Redis(this.redisUrl);
    try {
      return await r.keys(this.keyPrefix + '*');
    } finally {
      r.disconnect();
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.dispose()));
    const r = new Redis(this.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const keys = await r.keys(this.keyPrefix + '*');
      if (keys.length) await r.del(...keys);
    } catch {
      /* the Redis of a restart test may be gone */
    } finally {
      r.disconnect();
    }
    await pg(process.env.STARLING_TEST_PG_URI!, (c) => c.query(`DROP SCHEMA ${this.schema} CASCADE`));
  }
}

async function pg<T>(uri: string, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const c = new PgClient({ connectionString: uri });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}


/** slixmpp answering "echo: <body>" on a node's c2s port, logged in with the cluster tests' password. */
export function echoBot(port: number, fullJid: string) {
  return slixmppEchoBot(port, fullJid, PASSWORD);
}
