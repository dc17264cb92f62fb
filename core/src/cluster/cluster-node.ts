import { CacheInvalidations, type DeliveryReceipt, type Element, type Logger, type Session, parseXml, xml } from '@starling/sdk';
import type { StanzaRouter } from '@starling/sdk/kernel';
import { reroutable } from '../sm/c2s-session';
import type { LocalSessionDirectory } from '../sm/session-directory';
import type { VhostRegistry } from '../vhosts/vhost-registry';
import type { BusMessage, ClusterBus, DirectoryEvent, PackageStep, RolloutRequest, SessionEntry } from './cluster-bus';
import { ClusterKeys } from './cluster-keys';
import { ClusterSessions } from './cluster-sessions';
import { type ClusterSettings, MAX_DRAIN_TIMEOUT_S } from './cluster-settings';
import { type NodeInfo, NodeRegistry } from './node-registry';
import { RedisBus } from './redis-bus';
import { RedisLink } from './redis-link';
import { RemoteDirectory } from './remote-directory';
import type { RemoteLink, RemoteSession } from './remote-session';
import { BusThrottle } from './bus-throttle';
import { type DrainResult, NodeDrain } from './node-drain';
import type { RedirectTarget } from '../stream/redirect-target';
import { chooseNode } from './see-other-host';
import { SessionPublisher } from './session-publisher';

/** Deletes a dead node's sessions and membership, unless it has announced itself again meanwhile. */
const FORGET_NODE = `if redis.call('exists', KEYS[1]) == 0 then redis.call('del', KEYS[2]); redis.call('srem', KEYS[3], ARGV[1]); return 1 end return 0`;

/** Bus traffic with one peer, for the admin view. */
export interface PeerTraffic {
  sent: number;
  received: number;
}

/**
 * This node's place in the cluster (chapter 11.12 on Redis): it announces itself and watches the others
 * (NodeRegistry), publishes its sessions (SessionPublisher), mirrors the others' (RemoteDirectory), and
 * carries stanzas for sessions on other nodes over the bus. Routing stays where the stanza entered: the
 * plugins see every node's sessions through `sessions` and a remote session's send crosses the bus.
 */
export class ClusterNode implements RemoteLink {
  readonly keys: ClusterKeys;
  readonly remote: RemoteDirectory;
  readonly sessions: ClusterSessions;
  readonly registry: NodeRegistry;
  readonly traffic = new Map<string, PeerTraffic>();
  /** `'cm-ht-traffic-throttling'` on each peer's bus traffic; none when it limits nothing. */
  readonly throttle: BusThrottle | undefined;
  /** Maintenance drain of this node (an admin's command on cl-comp). */
  readonly drain: NodeDrain;
  /** Plugins' cache invalidations (CACHE_INVALIDATION), sent to and received from the other nodes on the directory channel. */
  readonly invalidations: CacheInvalidations;
  /** Requests to other nodes (drains, roll-outs) waiting for their answer, by id. */
  private readonly pending = new Map<number, (answer: unknown) => void>();
  private requestIds = 0;
  /** Runs an admin command here for another node's roll-out (set by cl-comp); the command's result text. */
  runner: ((req: RolloutRequest) => Promise<string>) | undefined;
  /** Runs a step of another node's plugin package roll-out here (set by cl-comp); the step's result text. */
  installer: ((step: PackageStep) => Promise<string>) | undefined;
  private readonly link: RedisLink;
  private readonly bus: ClusterBus;
  private readonly publisher: SessionPublisher;
  private readonly receipts = new Map<number, { node: string; receipt: DeliveryReceipt }>();
  private receiptIds = 0;
  private router: StanzaRouter | undefined;
  /** Open client connections on this node (for the heartbeat), given at start. */
  private connections: () => number = () => 0;
  private vhosts: VhostRegistry | undefined;
  /** Where clients reach this node (`host:port`), published with the heartbeat for see-other-host. */
  private clientAddress: string | undefined;
  /** Where web clients reach this node (WebSocket and BOSH URIs), published with the heartbeat for see-other-uri. */
  private webAddresses: string[] | undefined;
  /** Stops this node's process cleanly (a drain with `stop`): the same path as `kill -TERM`, the service manager's stop. */
  stopProcess: () => void = () => {
    if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
    else this.log.warn('cluster: a drain asked this node to stop, but it does not run as `starling start`; it keeps running');
  };
  /** True while this node applies another node's vhost change (it is not announced back). */
  private refreshingVhosts = false;
  private vhostWatch: { dispose(): void } | undefined;

  constructor(
    readonly settings: ClusterSettings,
    private readonly local: LocalSessionDirectory,
    private readonly log: Logger,
  ) {
    const self = settings.nodeId;
    this.keys = new ClusterKeys(settings.keyPrefix);
    this.link = new RedisLink(settings.redisUrl, log);
    this.throttle = BusThrottle.create(settings.traffic, log);
    this.bus = new RedisBus(this.link, this.keys, self, log, this.throttle);
    this.remote = new RemoteDirectory(this, () => this.link.up);
    this.sessions = new ClusterSessions(local, this.remote);
    this.publisher = new SessionPublisher(this.link, this.keys, self, local, (s) => this.added(s), log);
    const allowed = settings.staticNodes && new Set(settings.staticNodes.map((n) => n.id));
    this.registry = new NodeRegistry(this.link, this.keys, self, settings.heartbeatTtlMs, allowed, () => ({ sessions: local.count(), connections: this.connections(), address: this.clientAddress, web: this.webAddresses, draining: this.drain.draining || undefined }), {
      joined: (info) => this.joined(info),
      lost: (info, how) => this.lost(info, how),
      stale: (id) => void this.forget(id),
    }, log);
    this.drain = new NodeDrain(self, local, (user) => this.redirectTarget(user), () => this.registry.announce(), log);
    this.invalidations = new CacheInvalidations(
      (cache, key) => this.publisher.announce({ t: 'invalidate', node: self, cache, key }),
      (cache, err) => this.log.error('cache invalidation listener failed', { cache, err }),
    );
    this.link.onUp(() => {
      // Invalidations sent while Redis was away are lost: every plugin cache starts afresh.
      this.invalidations.received(undefined, undefined);
      void this.publisher.writeAll().catch((err: Error) => this.log.warn('cluster: rewriting the directory failed', { error: err.message }));
    });
  }

  get nodeId(): string {
    return this.settings.nodeId;
  }

  /** True while Redis (directory and bus) is reachable. */
  get connected(): boolean {
    return this.link.up;
  }

  /**
   * Joins the cluster. `vhosts`: virtual hosts changed here (vhost-man) are announced, and a change
   * announced by another node is read from the shared repository, so a vhost added on one node is live on all.
   */
  async start(router: StanzaRouter, connections: () => number, vhosts: VhostRegistry, clientAddress: string | undefined): Promise<void> {
    this.router = router;
    this.clientAddress = this.settings.clientAddress ?? clientAddress;
    this.connections = connections;
    this.vhosts = vhosts;
    this.vhostWatch = vhosts.onChange(() => this.refreshingVhosts || this.publisher.announce({ t: 'vhosts', node: this.nodeId }));
    await this.link.connect();
    await this.bus.start({ message: (m) => this.onMessage(m), dropped: (m) => this.onDropped(m), directory: (ev) => this.onDirectory(ev) });
    this.local.observer = this.publisher;
    await this.publisher.writeAll();
    await this.registry.start();
    this.log.info('cluster node started', { node: this.nodeId, peers: this.registry.peers().map((p) => p.id) });
  }

  /** The URIs of this node's WebSocket and BOSH endpoints once they listen (`'web-addresses'` wins), announced at once. */
  publishWeb(uris: string[]): void {
    this.webAddresses = this.settings.webAddresses ?? uris;
    void this.registry.announce().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.vhostWatch?.dispose();
    this.publisher.flush();
    this.local.observer = undefined;
    await this.registry.stop();
    await this.publisher.leave().catch(() => undefined);
    await this.bus.close();
    await this.link.close();
    for (const r of [...this.receipts.keys()]) this.settle(r, false);
    for (const answer of [...this.pending.values()]) answer(undefined);
  }

  /**
   * see-other-host (`'cm-see-other-host'`, or this node drains): the node a new client of `user` (bare JID,
   * when known) should use instead of this one, or undefined. The chosen node's connection count is raised
   * here at once, so a burst of logins between two heartbeats does not all go to the same node.
   */
  redirectTarget(user: string | undefined): RedirectTarget | undefined {
    const strategy = this.settings.seeOtherHost;
    // Without a strategy only a draining node sends clients away; at stream open only a draining node decides without the user.
    if (!this.link.up || (!this.drain.draining && (!strategy || user === undefined))) return undefined;
    const pick = chooseNode(strategy ?? 'least-connections', this.registry.info(), this.registry.peers(), user);
    if (!pick?.address) return undefined;
    pick.connections++;
    return pick;
  }

  /**
   * Drains a node (`on`) or lets it take clients again, this one or another over the bus; undefined when the
   * other node did not answer within the wait. `keep`: a session of this node moved only after the result.
   * `stop`: the drained node stops once the result is out (another node: once it sent it; this one: the
   * caller calls `stopProcess` after its answer).
   */
  async drainNode(node: string, on: boolean, waitMs: number, keep?: string, stop = false): Promise<DrainResult | undefined> {
    if (node === this.nodeId) return this.runDrain(on, waitMs, keep);
    return this.request<DrainResult>(node, waitMs + 5000, (id) => ({ t: 'drain', from: this.nodeId, id, on, waitMs, stop }));
  }

  /** Runs an admin command on another node (roll-out); its result text, or undefined when it did not answer in time. */
  runOn(node: string, req: RolloutRequest, timeoutMs: number): Promise<string | undefined> {
    return this.request<string>(node, timeoutMs, (id) => ({ t: 'run', from: this.nodeId, id, ...req }));
  }

  /** Runs a step of a plugin package roll-out on another node; its result text, or undefined when it did not answer in time. */
  packageStep(node: string, step: PackageStep, timeoutMs: number): Promise<string | undefined> {
    return this.request<string>(node, timeoutMs, (id) => ({ t: 'package', from: this.nodeId, id, step }));
  }

  /** Puts a packed plugin package in Redis under its hash for the other nodes to fetch (it expires after 10 minutes). */
  async storePackage(hash: string, data: Buffer): Promise<void> {
    await this.link.cmd.set(this.keys.package(hash), data, 'PX', 600_000);
  }

  fetchPackage(hash: string): Promise<Buffer | undefined> {
    return this.link.cmd.getBuffer(this.keys.package(hash)).then((b) => b ?? undefined);
  }

  async dropPackage(hash: string): Promise<void> {
    await this.link.cmd.del(this.keys.package(hash)).catch(() => undefined);
  }

  /** Sends a request to a node and waits for the answer with its id; undefined when none came in time. */
  private request<T>(node: string, timeoutMs: number, msg: (id: number) => BusMessage): Promise<T | undefined> {
    const id = ++this.requestIds;
    return new Promise((resolve) => {
      const done = (answer: unknown) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(answer as T | undefined);
      };
      const timer = setTimeout(done, timeoutMs, undefined);
      this.pending.set(id, done);
      void this.bus.send(node, msg(id)).then((ok) => ok || done(undefined));
    });
  }

  /** A drain asked this node to stop: its clients are gone (or the wait ran out); it stops as `kill -TERM` would. */
  stopAfterDrain(): void {
    this.log.info('cluster: the drain is over; this node stops', { sessions: this.local.count() });
    this.stopProcess();
  }

  private async runDrain(on: boolean, waitMs: number, keep?: string): Promise<DrainResult> {
    if (on) return this.drain.start(waitMs, keep);
    await this.drain.stop();
    return { node: this.nodeId, moved: 0, remaining: this.local.count(), elapsedMs: 0 };
  }

  // RemoteLink: what plugins do to a session on another node.

  send(session: RemoteSession, stanza: Element, receipt?: DeliveryReceipt): boolean {
    if (session.gone || !this.bus.up || this.remote.isHidden(session.node)) {
      if (receipt) process.nextTick(receipt, false);
      return false;
    }
    this.router?.handedOver(stanza, session);
    this.publisher.flush();
    const msg: BusMessage = { t: 'stanza', from: this.nodeId, to: session.jid.toString(), xml: stanza.toString() };
    if (receipt) this.receipts.set((msg.r = ++this.receiptIds), { node: session.node, receipt });
    this.count(session.node).sent++;
    void this.bus.send(session.node, msg).then((ok) => {
      if (ok) return;
      this.unreachable(session.node);
      if (msg.r !== undefined) this.settle(msg.r, false);
      else if (reroutable(stanza)) this.toAccount(stanza, session.jid.bareString);
    });
    return true;
  }

  close(session: RemoteSession, condition?: string, text?: string): void {
    this.publisher.flush();
    void this.bus.send(session.node, { t: 'close', from: this.nodeId, to: session.jid.toString(), condition, text });
  }

  // The bus and the directory channel.

  private onMessage(msg: BusMessage): void {
    this.heardFrom(msg.from);
    this.count(msg.from).received++;
    if (msg.t === 'receipt') return this.settle(msg.r, msg.ok);
    if (msg.t === 'drained' || msg.t === 'ran') return this.pending.get(msg.id)?.(msg.result);
    if (msg.t === 'run') {
      const { from, id } = msg;
      const run = this.runner ? this.runner(msg).catch((err: Error) => `failed: ${err.message}`) : Promise.resolve('failed: no commands on this node');
      void run.then((result) => this.bus.send(from, { t: 'ran', from: this.nodeId, id, result }));
      return;
    }
    if (msg.t === 'package') {
      const { from, id } = msg;
      const run = this.installer ? this.installer(msg.step) : Promise.resolve('failed: no plugin roll-outs on this node');
      void run.then((result) => this.bus.send(from, { t: 'ran', from: this.nodeId, id, result }));
      return;
    }
    if (msg.t === 'drain') {
      const { from, id } = msg;
      const stop = msg.on && msg.stop === true;
      void this.runDrain(msg.on, Math.min(msg.waitMs, MAX_DRAIN_TIMEOUT_S * 1000))
        .then((result) => this.bus.send(from, { t: 'drained', from: this.nodeId, id, result }))
        .finally(() => stop && this.stopAfterDrain());
      return;
    }
    const session = this.local.get(msg.to);
    if (msg.t === 'close') return session?.close(msg.condition, msg.text);
    let stanza: Element;
    try {
      stanza = parseXml(msg.xml);
    } catch {
      return this.log.warn('cluster: unreadable stanza from a node', { node: msg.from });
    }
    const r = msg.r;
    if (r !== undefined) {
      const answer = (ok: boolean) => void this.bus.send(msg.from, { t: 'receipt', from: this.nodeId, r, ok });
      // The receipt is told either way (also when send returns false: DeliveryReceipt's contract).
      if (session) session.send(stanza, answer);
      else answer(false);
      return;
    }
    if (session) session.send(stanza);
    // The session ended here before the stanza arrived: the account's other resources or offline storage take it.
    else if (reroutable(stanza)) this.toAccount(stanza, msg.to.split('/')[0]);
  }

  /** A stanza over the bus limits is lost, as on a reset cluster connection; its sender keeps one it asked a receipt for. */
  private onDropped(msg: BusMessage): void {
    this.heardFrom(msg.from);
    if (msg.t === 'stanza' && msg.r !== undefined) void this.bus.send(msg.from, { t: 'receipt', from: this.nodeId, r: msg.r, ok: false });
  }

  private onDirectory(ev: DirectoryEvent): void {
    if (ev.node === this.nodeId || !this.admitted(ev.node)) return;
    this.heardFrom(ev.node);
    switch (ev.t) {
      case 'set':
        this.remote.set(ev.node, ev.jid, ev.entry);
        return this.conflict(ev.node, ev.jid, ev.entry);
      case 'del':
        return this.remote.del(ev.node, ev.jid, ev.seq);
      case 'snapshot':
        return void this.readSnapshot(ev.node);
      case 'leave':
        return this.registry.left(ev.node);
      case 'vhosts':
        return void this.refreshVhosts(ev.node);
      case 'invalidate':
        return this.invalidations.received(ev.cache, ev.key);
    }
  }

  private async refreshVhosts(node: string): Promise<void> {
    if (!this.vhosts) return;
    this.refreshingVhosts = true;
    try {
      const n = await this.vhosts.refresh();
      if (n) this.log.info('cluster: virtual hosts changed on another node', { node, changes: n });
    } catch (err) {
      this.log.warn('cluster: reading the virtual hosts again failed', { node, error: (err as Error).message });
    } finally {
      this.refreshingVhosts = false;
    }
  }

  // Nodes joining and leaving.

  private joined(info: NodeInfo): void {
    this.log.info('cluster node joined', { node: info.id, host: info.host });
    void this.readSnapshot(info.id);
  }

  /**
   * A node is gone: its sessions leave the mirror at once and pending receipts fail. One surviving node
   * (the first to take `<prefix>reaped:<node>:<start>`) sends the unavailable presence of each session that
   * was still available through its pipeline, so contacts everywhere learn of it, and removes the node.
   */
  private lost(info: NodeInfo, how: 'expired' | 'left'): void {
    const gone = this.remote.dropNode(info.id);
    for (const [r, p] of this.receipts) if (p.node === info.id) this.settle(r, false);
    const log = how === 'expired' ? this.log.warn.bind(this.log) : this.log.info.bind(this.log);
    log(how === 'expired' ? 'cluster node lost: its heartbeat expired' : 'cluster node left', { node: info.id, sessions: gone.length });
    void this.reap(info, gone.filter((s) => s.available));
  }

  private async reap(info: NodeInfo, available: RemoteSession[]): Promise<void> {
    try {
      if ((await this.link.cmd.set(this.keys.reaped(info.id, info.startedAt), this.nodeId, 'PX', 60_000, 'NX')) !== 'OK') return;
      for (const s of available) await this.router!.fromClient(s, xml('presence', { type: 'unavailable', from: s.jid.toString() }));
      await this.forget(info.id);
      if (available.length) this.log.info('cluster: sent unavailable presence for the sessions of a lost node', { node: info.id, sessions: available.length });
    } catch (err) {
      this.log.warn('cluster: cleaning up after a lost node failed', { node: info.id, error: (err as Error).message });
    }
  }

  private async forget(id: string): Promise<void> {
    await this.link.cmd.eval(FORGET_NODE, 3, this.keys.alive(id), this.keys.sessions(id), this.keys.nodes, id).catch(() => undefined);
  }

  private async readSnapshot(node: string): Promise<void> {
    this.remote.beginSnapshot(node);
    try {
      const raw = await this.link.cmd.hgetall(this.keys.sessions(node));
      const entries = new Map<string, SessionEntry>();
      for (const [jid, text] of Object.entries(raw)) entries.set(jid, JSON.parse(text) as SessionEntry);
      this.remote.applySnapshot(node, entries);
      for (const [jid, entry] of entries) this.conflict(node, jid, entry);
    } catch (err) {
      this.log.warn('cluster: reading a node\'s sessions failed', { node, error: (err as Error).message });
    }
  }

  // Helpers.

  /** A newer login elsewhere for a full JID bound here replaces it (conflict, as on one node). */
  private conflict(node: string, jid: string, entry: SessionEntry): void {
    const mine = this.local.get(jid);
    if (mine && (mine.startedAt < entry.startedAt || (mine.startedAt === entry.startedAt && this.nodeId < node))) {
      this.log.info('resource conflict: a newer session on another node replaces this one', { jid, node });
      mine.close('conflict', 'Replaced by a new session for the same resource');
    }
  }

  /** A session bound here closes an older one with the same full JID on another node. */
  private added(session: Session): void {
    const twin = this.remote.get(session.jid.toString());
    if (twin) {
      this.log.info('resource conflict: the older session on another node is replaced', { jid: session.jid.toString(), node: twin.node });
      twin.close('conflict', 'Replaced by a new session for the same resource');
    }
  }

  /** Nobody listens on the node's channel: route around it until it is heard from. */
  private unreachable(node: string): void {
    if (this.remote.isHidden(node) || !this.link.up) return;
    this.remote.hide(node);
    this.log.warn('cluster: a node does not take stanzas; its sessions count as offline until it is heard from', { node });
  }

  private heardFrom(node: string): void {
    if (this.remote.isHidden(node)) this.remote.show(node);
  }

  private toAccount(stanza: Element, bare: string): void {
    const again = stanza.clone();
    again.attrs.to = bare;
    this.router?.route(again);
  }

  private settle(r: number, ok: boolean): void {
    const p = this.receipts.get(r);
    if (!p) return;
    this.receipts.delete(r);
    p.receipt(ok);
  }

  private count(node: string): PeerTraffic {
    let t = this.traffic.get(node);
    if (!t) this.traffic.set(node, (t = { sent: 0, received: 0 }));
    return t;
  }

  private admitted(node: string): boolean {
    return !this.settings.staticNodes || this.settings.staticNodes.some((n) => n.id === node);
  }
}
