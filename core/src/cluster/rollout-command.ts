import { type Element, StanzaError, tryParseJid } from '@starling/sdk';
import type { AdHocCommand, CommandCall, CommandReply } from '../commands/ad-hoc-command';
import type { AdminCommands } from '../commands/admin-commands';
import { FIELD } from '../commands/command-texts';
import { dataForm, firstValue, formValues } from '../commands/data-form';
import type { RolloutRequest } from './cluster-bus';
import type { ClusterNode } from './cluster-node';

const COMPONENT = 'component';
const COMMAND = 'command';
/** How long a node may take to run the command. */
const NODE_TIMEOUT_MS = 30_000;

/**
 * `cluster-rollout` on cl-comp (XEP-0050), as Tigase's `notify-cluster`: runs one admin command with the
 * submitted fields on every live node (this one, and the others over the bus), and answers with each
 * node's result. With `add-script` it installs an admin script on every node; with `plugin-reload` (or
 * enable/disable) it reloads a plugin directory on every node.
 */
export class RolloutCommand implements AdHocCommand {
  readonly id = 'cluster-rollout';
  readonly name = 'Run a command on every cluster node';

  constructor(
    private readonly cluster: ClusterNode,
    private readonly commands: AdminCommands,
  ) {}

  async execute(call: CommandCall): Promise<CommandReply> {
    const component = firstValue(call.values, COMPONENT)?.trim();
    const command = firstValue(call.values, COMMAND)?.trim();
    if (!component || !command) return this.form();
    const values = [...call.values].filter(([k]) => k !== COMPONENT && k !== COMMAND && k !== 'FORM_TYPE');
    const domain = call.component.jid.domain;
    const req: RolloutRequest = { component, command, admin: call.from.toString(), to: `${component}@${domain}`, values };
    const nodes = [this.cluster.nodeId, ...this.cluster.registry.peers().map((p) => p.id)].sort();
    const results = await Promise.all(
      nodes.map(async (node) => ({
        node,
        result: node === this.cluster.nodeId ? await runRollout(this.commands, req) : ((await this.cluster.runOn(node, req, NODE_TIMEOUT_MS)) ?? `no answer within ${NODE_TIMEOUT_MS / 1000} s`),
      })),
    );
    return {
      status: 'completed',
      children: [
        dataForm('result', {
          title: `${command} on ${component}, every node`,
          fields: [],
          table: { columns: [{ var: 'node', label: 'Node' }, { var: 'result', label: 'Result' }], rows: results },
        }),
      ],
    };
  }

  private form(): CommandReply {
    return {
      status: 'executing',
      children: [
        dataForm('form', {
          title: this.name,
          instructions: "The command's own fields go in the same form (add-script: Description, Command Id, Language, Script text; plugin-reload: plugin).",
          fields: [
            { var: COMPONENT, type: 'text-single', label: 'Component', values: ['sess-man'], required: true },
            { var: COMMAND, type: 'text-single', label: 'Command node', values: ['add-script'], required: true },
          ],
        }),
      ],
    };
  }
}

/** Runs a rolled-out command on this node; its result in a line (the command's note, or its status). */
export async function runRollout(commands: AdminCommands, req: RolloutRequest): Promise<string> {
  const comp = commands.components.get(req.component);
  const admin = tryParseJid(req.admin);
  const to = tryParseJid(req.to);
  if (!comp || !admin || !to) return `failed: no component '${req.component}' here`;
  try {
    return summary(await comp.runSubmitted(req.command, admin, to, new Map(req.values)));
  } catch (err) {
    return `failed: ${err instanceof StanzaError ? err.condition + (err.text ? ` (${err.text})` : '') : (err as Error).message}`;
  }
}

function summary(reply: CommandReply): string {
  const form = reply.children.find((c: Element) => c.name === 'x');
  const values = form ? formValues(form) : new Map<string, string[]>();
  const note = values.get(FIELD.note)?.join(' ');
  const error = values.get(FIELD.errorMessage)?.join(' ');
  const title = form?.getChildText('title');
  return [note ?? title ?? reply.status, error].filter(Boolean).join(': ');
}
