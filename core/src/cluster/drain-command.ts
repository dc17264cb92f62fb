import type { AdHocCommand, CommandCall, CommandReply } from '../commands/ad-hoc-command';
import { booleanValue, dataForm, firstValue } from '../commands/data-form';
import { completed, noteReply } from '../scripting/script-command';
import type { ClusterNode } from './cluster-node';
import { MAX_DRAIN_TIMEOUT_S } from './cluster-settings';

/**
 * `cluster-node-drain` on cl-comp (XEP-0050): drains a node for maintenance, this one or another (over
 * the bus), or lets it take clients again, and answers with what the drain did once it is over (all
 * clients gone, or the wait ran out). The admin's own session, when bound on the drained node, is moved
 * right after the answer. With `stop`, the drained node then stops its process cleanly (as `kill -TERM`):
 * the sessions still there end with the server's shutdown.
 */
export class DrainNodeCommand implements AdHocCommand {
  readonly id = 'cluster-node-drain';
  readonly name = 'Drain a cluster node';

  constructor(
    private readonly cluster: ClusterNode,
    /** Ids of the live nodes (this one included). */
    private readonly nodes: () => string[],
  ) {}

  async execute(call: CommandCall): Promise<CommandReply> {
    const node = firstValue(call.values, 'node');
    const nodes = this.nodes();
    if (node === undefined) {
      return {
        status: 'executing',
        children: [
          dataForm('form', {
            title: this.name,
            instructions: 'A draining node takes no new clients and tells its clients to move to the least loaded other node (see-other-host).',
            fields: [
              { var: 'node', type: 'list-single', label: 'Node', values: [this.cluster.nodeId], options: nodes.map((n) => ({ value: n })), required: true },
              { var: 'action', type: 'list-single', label: 'Action', values: ['drain'], options: [{ label: 'Drain', value: 'drain' }, { label: 'Take clients again', value: 'resume' }] },
              { var: 'wait', type: 'text-single', label: `Wait for the clients to leave (seconds, at most ${MAX_DRAIN_TIMEOUT_S})`, values: [String(this.cluster.settings.drainTimeoutS)] },
              { var: 'stop', type: 'boolean', label: 'Stop the node once its clients have left or the wait is over', values: ['false'] },
            ],
          }),
        ],
      };
    }
    if (!nodes.includes(node)) return noteReply(`No live cluster node '${node}'.`);
    const action = firstValue(call.values, 'action') ?? 'drain';
    if (action !== 'drain' && action !== 'resume') return noteReply(`Unknown action '${action}': drain or resume.`);
    const wait = Number(firstValue(call.values, 'wait') ?? this.cluster.settings.drainTimeoutS);
    if (!Number.isInteger(wait) || wait < 1 || wait > MAX_DRAIN_TIMEOUT_S) return noteReply(`The wait is a whole number of seconds from 1 to ${MAX_DRAIN_TIMEOUT_S}.`);
    const stop = action === 'drain' && booleanValue(call.values, 'stop', false);
    const admin = call.from.toString();
    const keep = node === this.cluster.nodeId && action === 'drain' ? admin : undefined;
    const r = await this.cluster.drainNode(node, action === 'drain', wait * 1000, keep, stop);
    if (!r) return noteReply(`Node '${node}' did not answer within ${wait + 5} s.`);
    // After the answer has been written: the admin's own session moves, then the node stops if asked.
    if (keep) {
      setImmediate(() => {
        this.cluster.drain.moveOne(keep);
        if (stop) this.cluster.stopAfterDrain();
      });
    }
    const status = action === 'resume' ? 'taking clients' : stop ? (r.remaining === 0 ? 'drained, stopping' : `stopping (${r.remaining} sessions left)`) : r.remaining === 0 ? 'drained' : `draining (${r.remaining} sessions left)`;
    return completed(
      [
        { var: 'node', type: 'text-single', label: 'Node', values: [r.node] },
        { var: 'status', type: 'text-single', label: 'Status', values: [status] },
        { var: 'moved', type: 'text-single', label: 'Clients told to move', values: [String(r.moved)] },
        { var: 'remaining', type: 'text-single', label: 'Sessions left', values: [String(r.remaining)] },
        { var: 'elapsed-ms', type: 'text-single', label: 'Time taken (ms)', values: [String(r.elapsedMs)] },
      ],
      this.name,
    );
  }
}
