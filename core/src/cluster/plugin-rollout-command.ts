import { basename } from 'node:path';
import type { AdHocCommand, CommandCall, CommandReply } from '../commands/ad-hoc-command';
import { FIELD } from '../commands/command-texts';
import { dataForm, firstValue } from '../commands/data-form';
import { noteReply } from '../scripting/script-command';
import type { PluginHost } from '../kernel/plugin-host';
import { readPluginPackage } from '../kernel/plugin-manifest';
import type { PackageStep } from './cluster-bus';
import type { ClusterNode } from './cluster-node';
import type { PluginInstaller } from './plugin-install';
import { packPlugin } from './plugin-package';

const PLUGIN = 'plugin';
/** How long a node may take for one step (unpacking, loading). */
const STEP_TIMEOUT_MS = 60_000;

/**
 * `cluster-plugin-rollout` on cl-comp (XEP-0050): carries a plugin package from this node to every other
 * live node, for nodes that do not share a file system. The package directory (as it is on this node's
 * disk) is packed, limited to `'max-package-size'`, put in Redis under its SHA-256, and each node in two
 * phases: every node stages it (fetch, hash check, unpack, manifest check); only when all did does each
 * install and load it; a node whose load fails puts its previous files back, and then every node that had
 * installed it reverts too. So a bad package leaves the previous version running on every node.
 */
export class PluginRolloutCommand implements AdHocCommand {
  readonly id = 'cluster-plugin-rollout';
  readonly name = 'Roll a plugin package out to every node';

  constructor(
    private readonly cluster: ClusterNode,
    private readonly host: PluginHost,
    private readonly installer: PluginInstaller,
  ) {}

  async execute(call: CommandCall): Promise<CommandReply> {
    const plugin = firstValue(call.values, PLUGIN)?.trim();
    const choices = this.host.list().filter((r) => !this.installer.isBuiltIn(r.dir));
    if (!plugin) {
      if (choices.length === 0) return noteReply("No plugin on this node comes from 'plugin-dirs'.");
      return {
        status: 'executing',
        children: [
          dataForm('form', {
            title: this.name,
            instructions: "The package directory as it is on this node's disk goes to every other node, is installed in its plugin directory and loaded.",
            fields: [{ var: PLUGIN, type: 'list-single', label: 'Plugin', required: true, values: [choices[0]!.id], options: choices.map((r) => ({ label: `${r.id} ${r.version} ${r.state}`, value: r.id })) }],
          }),
        ],
      };
    }
    const record = choices.find((r) => r.id === plugin);
    if (!record) return noteReply(`There is no plugin '${plugin}' from 'plugin-dirs' on this node.`);
    let step: Omit<PackageStep, 'step'>;
    let data: Buffer;
    try {
      const pkg = readPluginPackage(record.dir);
      if (!pkg || pkg.manifest.id !== plugin) throw new Error(`${record.dir} no longer holds the plugin '${plugin}'`);
      const packed = packPlugin(record.dir, this.cluster.settings.maxPackageBytes);
      data = packed.data;
      step = { plugin, dirName: basename(record.dir), hash: packed.hash, version: pkg.version };
    } catch (err) {
      return noteReply(`The roll-out of ${plugin} did not start.`, [{ var: FIELD.errorMessage, values: [(err as Error).message] }]);
    }
    const peers = this.cluster.registry.peers().map((p) => p.id).sort();
    const results = new Map<string, string>([[this.cluster.nodeId, `source: ${step.version} on disk, ${record.version} ${record.state}`]]);
    const all = async (nodes: string[], name: PackageStep['step']) => {
      await Promise.all(nodes.map(async (node) => results.set(node, (await this.cluster.packageStep(node, { ...step, step: name }, STEP_TIMEOUT_MS)) ?? `failed: no answer within ${STEP_TIMEOUT_MS / 1000} s`)));
      return nodes.filter((n) => !results.get(n)!.startsWith('failed'));
    };
    let note: string;
    await this.cluster.storePackage(step.hash, data);
    try {
      const staged = await all(peers, 'stage');
      if (staged.length < peers.length) note = `Not installed anywhere: not every node could stage ${plugin} ${step.version}.`;
      else {
        const installed = await all(peers, 'install');
        if (installed.length === peers.length) note = `${plugin} ${step.version} runs on ${peers.length + 1} nodes.`;
        else {
          await Promise.all(installed.map(async (node) => results.set(node, `${results.get(node)}; ${(await this.cluster.packageStep(node, { ...step, step: 'revert' }, STEP_TIMEOUT_MS)) ?? 'revert: no answer'}`)));
          note = `Reverted: ${plugin} ${step.version} failed to load on ${peers.filter((n) => !installed.includes(n)).join(', ')}; the previous version runs on every node.`;
        }
      }
    } finally {
      await Promise.all(peers.map((node) => this.cluster.packageStep(node, { ...step, step: 'finish' }, STEP_TIMEOUT_MS)));
      await this.cluster.dropPackage(step.hash);
    }
    return {
      status: 'completed',
      children: [
        dataForm('result', {
          title: `${plugin} ${step.version} (${data.length} bytes packed, SHA-256 ${step.hash.slice(0, 16)}…) to every node`,
          fields: [{ var: FIELD.note, type: 'fixed', values: [note] }],
          table: { columns: [{ var: 'node', label: 'Node' }, { var: 'result', label: 'Result' }], rows: [...results].sort(([a], [b]) => a.localeCompare(b)).map(([node, result]) => ({ node, result })) },
        }),
      ],
    };
  }
}
