// ejabberd 23.01 (Debian's package) as a cluster for the bench (bench/cluster.mjs): nodes ejabberd1@localhost,
// ejabberd2@localhost, … each with its own config (bench/peers/ejabberd/ejabberd.yml on free loopback ports),
// spool, logs and pid file under bench/results/tmp/<name>-ejabberd/, one Erlang cookie of their own (a HOME
// beside them, not the system service's), Erlang distribution on loopback through the machine's epmd.
// `start(n, accounts)`: node 1 starts with a fresh spool and gets the accounts (HTTP API); every further node
// starts with a fresh spool and runs `ejabberdctl join_cluster ejabberd1@localhost`, which replaces its Mnesia
// schema with a copy of node 1's (accounts, rosters, the session table: every table ejabberd keeps in Mnesia
// is replicated to it). `stop()` stops exactly the nodes it started and removes their directories.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.mjs';
import { Ejabberd, TMP } from './servers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One node of the cluster: the bench's ejabberd with a node name, ports and directories of its own. */
class EjabberdNode extends Ejabberd {
  constructor(root, index, home) {
    super();
    this.nodeName = `ejabberd${index + 1}@localhost`;
    this.dir = join(root, `node${index + 1}`);
    this.home = home;
  }
  async configure() {
    this.port = await freePort();
    this.directTlsPort = await freePort();
    this.httpPort = await freePort();
    rmSync(this.dir, { recursive: true, force: true });
    for (const d of ['spool', 'logs', 'run']) mkdirSync(join(this.dir, d), { recursive: true });
    this.writeConfig();
    execFileSync('chown', ['-R', 'ejabberd:ejabberd', this.dir]);
  }
  /** Runs an ejabberdctl command against this node; returns its output (throws with it on failure). */
  run(...args) {
    const [cmd, ...rest] = this.ctl(...args);
    try {
      return execFileSync(cmd, rest, { cwd: join(this.dir, 'spool'), timeout: 120_000 }).toString();
    } catch (e) {
      throw new Error(`ejabberdctl ${args.join(' ')} on ${this.nodeName}: ${e.stdout ?? ''}${e.stderr ?? ''}${e.message}`);
    }
  }
  /** The nodes of the cluster this node is in (`list_cluster`). */
  clusterNodes() {
    return this.run('list_cluster').split(/\s+/).filter(Boolean).sort();
  }
}

export class EjabberdCluster {
  /** `name` tells the bench's directory apart (bench/results/tmp/<name>-ejabberd). */
  constructor(name) {
    this.root = join(TMP, `${name}-ejabberd`);
    this.nodes = [];
  }

  get ports() {
    return this.nodes.map((n) => n.port);
  }

  get pids() {
    return this.nodes.map((n) => n.pid);
  }

  describe() {
    return this.nodes[0]?.describe() ?? new Ejabberd().describe();
  }

  /** Starts `count` nodes (node 1 holding user1..user<accounts>), the others joined to it; waits for all. */
  async start(count, accounts) {
    await this.stop();
    const home = join(this.root, 'home');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, '.erlang.cookie'), randomBytes(20).toString('hex').toUpperCase(), { mode: 0o400 });
    execFileSync('chown', ['-R', 'ejabberd:ejabberd', this.root]);
    for (let i = 0; i < count; i++) {
      const node = new EjabberdNode(this.root, i, home);
      await node.configure();
      this.nodes.push(node);
      await node.start();
      if (i === 0) {
        await node.register(1, accounts);
        continue;
      }
      node.run('join_cluster', this.nodes[0].nodeName);
      await this.waitJoined(node, i + 1, accounts);
    }
  }

  /**
   * Until both ends list `size` nodes and the joined node answers its HTTP API again (join_cluster restarts
   * ejabberd there) with node 1's `accounts` accounts.
   */
  async waitJoined(node, size, accounts) {
    const end = Date.now() + 60_000;
    for (;;) {
      const here = node.clusterNodes();
      const there = this.nodes[0].clusterNodes();
      const registered = await node.api('registered_users', { host: 'localhost' }).catch(() => null);
      if (here.length === size && there.length === size && registered?.status === 200 && JSON.parse(registered.body).length === accounts) return;
      if (!node.alive() || Date.now() > end) throw new Error(`${node.nodeName} did not join: it lists ${here.join(' ')}, ${this.nodes[0].nodeName} lists ${there.join(' ')}`);
      await sleep(200);
    }
  }

  /** Stops the nodes this object started (the last joined first) and removes their directories. */
  async stop() {
    for (const n of this.nodes.reverse()) await n.stop();
    this.nodes = [];
    rmSync(this.root, { recursive: true, force: true });
  }
}
