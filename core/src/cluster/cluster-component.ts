import { type Element, type Jid, type Logger, NS_DISCO_INFO, NS_DISCO_ITEMS, StanzaError, errorReply, iqResult, isErrorOrResult, xml } from '@starling/sdk';
import type { StanzaRouter } from '@starling/sdk/kernel';
import type { AdminCommands } from '../commands/admin-commands';
import { NS_COMMANDS } from '../commands/ad-hoc-command';
import { dataForm } from '../commands/data-form';
import type { ClusterNode } from './cluster-node';
import { DrainNodeCommand } from './drain-command';
import { RolloutCommand, runRollout } from './rollout-command';
import { PluginInstaller } from './plugin-install';
import { PluginRolloutCommand } from './plugin-rollout-command';
import type { PluginHost } from '../kernel/plugin-host';
import type { NodeInfo } from './node-registry';

const NAME = 'cl-comp';
const DESCRIPTION = 'Cluster connection manager';

/** One row of the admin view: a node with its status and figures. */
export interface NodeStatus {
  id: string;
  status: 'connected' | 'disconnected';
  self: boolean;
  info?: NodeInfo;
}

/**
 * The admin view of the cluster (chapter 11.12.3): `cl-comp@<vhost>` answers disco#items with every
 * node and its status (connected or disconnected), disco#info on a node with that node's statistics, and
 * disco#info on the component with the cluster's. Admins only, like the other components.
 */
export class ClusterComponent {
  constructor(
    private readonly cluster: ClusterNode,
    private readonly router: StanzaRouter,
    private readonly commands: AdminCommands,
    private readonly isAdmin: (jid: Jid) => boolean,
    /** The plugins and this node's plugin directories (the built-in one first), for plugin package roll-outs. */
    private readonly plugins: { host: PluginHost; dirs: readonly string[]; log: Logger },
  ) {}

  /**
   * `cl-comp@<vhost>` is a command component (its commands: cluster-node-drain, cluster-rollout, and admin scripts with
   * `AS:Component: cl-comp`); what its commands do not answer (the node list, the figures) is answered here.
   * Before the commands start (they claim the addresses on every vhost).
   */
  start(): void {
    const comp = this.commands.addOwnedComponent({ name: NAME, description: DESCRIPTION, identityType: 'generic' }, (stanza, from, to) => this.handle(stanza, from, to));
    comp.addBuiltIn(new DrainNodeCommand(this.cluster, () => this.nodes().filter((n) => n.status === 'connected' && n.info).map((n) => n.id)));
    comp.addBuiltIn(new RolloutCommand(this.cluster, this.commands));
    this.cluster.runner = (req) => runRollout(this.commands, req);
    const [builtIn, ...configured] = this.plugins.dirs;
    const installer = new PluginInstaller(this.plugins.host, configured, builtIn!, (hash) => this.cluster.fetchPackage(hash), this.cluster.settings.maxPackageBytes, this.plugins.log);
    comp.addBuiltIn(new PluginRolloutCommand(this.cluster, this.plugins.host, installer));
    this.cluster.installer = (step) => installer.run(step);
  }

  /** This node, the live peers and the static peers not heard from. */
  nodes(): NodeStatus[] {
    const c = this.cluster;
    const rows: NodeStatus[] = [{ id: c.nodeId, status: c.connected ? 'connected' : 'disconnected', self: true, info: c.registry.info() }];
    for (const info of c.registry.peers()) rows.push({ id: info.id, status: c.connected ? 'connected' : 'disconnected', self: false, info });
    for (const n of c.settings.staticNodes ?? []) if (!rows.some((r) => r.id === n.id)) rows.push({ id: n.id, status: 'disconnected', self: false });
    return rows.sort((a, b) => a.id.localeCompare(b.id));
  }

  private handle(stanza: Element, from: Jid, to: Jid): void {
    if (stanza.name !== 'iq' || isErrorOrResult(stanza)) return;
    try {
      this.router.route(iqResult(stanza, this.answer(stanza, from, to)));
    } catch (err) {
      this.router.route(errorReply(stanza, err instanceof StanzaError ? err : new StanzaError('internal-server-error')));
    }
  }

  private answer(stanza: Element, from: Jid, to: Jid): Element {
    const q = stanza.firstElement();
    if (stanza.attrs.type !== 'get' || !q || !(q.is('query', NS_DISCO_INFO) || q.is('query', NS_DISCO_ITEMS))) throw new StanzaError('service-unavailable');
    if (!this.isAdmin(from)) throw new StanzaError('forbidden', 'The cluster view is for administrators');
    const node = q.attrs.node as string | undefined;
    const nodes = this.nodes();
    if (q.is('query', NS_DISCO_ITEMS)) {
      if (node !== undefined) throw new StanzaError('item-not-found');
      return xml('query', { xmlns: NS_DISCO_ITEMS }, nodes.map((n) => xml('item', { jid: to.bareString, node: n.id, name: `${n.id} ${n.status}` })));
    }
    if (node === undefined) {
      const live = nodes.filter((n) => n.status === 'connected');
      return xml(
        'query',
        { xmlns: NS_DISCO_INFO },
        xml('identity', { category: 'component', type: 'generic', name: DESCRIPTION }),
        xml('feature', { var: NS_DISCO_INFO }),
        xml('feature', { var: NS_DISCO_ITEMS }),
        xml('feature', { var: NS_COMMANDS }),
        statsForm([
          ['this-node', this.cluster.nodeId],
          ['nodes', String(nodes.length)],
          ['nodes-connected', String(live.length)],
          ['sessions', String(live.reduce((n, r) => n + (r.info?.sessions ?? 0), 0))],
          ['connections', String(live.reduce((n, r) => n + (r.info?.connections ?? 0), 0))],
        ]),
      );
    }
    const row = nodes.find((n) => n.id === node);
    if (!row) throw new StanzaError('item-not-found', `No cluster node ${node}`);
    const traffic = this.cluster.traffic.get(row.id);
    const i = row.info;
    const fields: [string, string][] = [['status', row.status]];
    if (i) {
      if (i.draining) fields.push(['draining', 'true']);
      fields.push(['host', i.host], ['pid', String(i.pid)], ['uptime-s', String(Math.round((Date.now() - i.startedAt) / 1000))], ['sessions', String(i.sessions)], ['connections', String(i.connections)]);
      if (!row.self) fields.push(['heartbeat-age-ms', String(Math.max(0, Date.now() - i.beat))]);
    }
    if (traffic) fields.push(['stanzas-sent', String(traffic.sent)], ['stanzas-received', String(traffic.received)]);
    const throttle = this.cluster.throttle;
    if (throttle && !row.self) fields.push(['throttling-resets', String(throttle.resets.get(row.id) ?? 0)], ['throttling-dropped', String(throttle.dropped.get(row.id) ?? 0)]);
    return xml('query', { xmlns: NS_DISCO_INFO, node }, xml('identity', { category: 'component', type: 'generic', name: `${row.id} ${row.status}` }), statsForm(fields));
  }
}

/** XEP-0128: the figures as a result form. */
function statsForm(fields: [string, string][]): Element {
  return dataForm('result', { fields: [{ var: 'FORM_TYPE', type: 'hidden', values: ['http://jabber.org/protocol/stats'] }, ...fields.map(([v, value]) => ({ var: v, values: [value] }))] });
}
