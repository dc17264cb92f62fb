import { type Element, StanzaError } from '@starling/sdk';
import type { AdHocCommand, CommandCall, CommandReply, CommandStatus } from '../commands/ad-hoc-command';
import { NS_COMMANDS } from '../commands/ad-hoc-command';
import { FIELD, TEXT } from '../commands/command-texts';
import { dataForm } from '../commands/data-form';
import { fromTree } from './element-tree';
import type { PreparedScript } from './prepare-script';
import type { RunOutcome } from './sandbox-protocol';
import type { ScriptLanguage } from './script-language';

/** Where a script came from; the higher rank wins when several define the same command. */
export type ScriptOrigin = { kind: 'upload'; rank: 4 } | { kind: 'file'; path: string; rank: 1 | 2 | 3 };

/** A loaded admin script. */
export interface ScriptDefinition {
  component: string;
  id: string;
  description: string;
  group?: string;
  language: ScriptLanguage;
  /** The text as given (for a file: the whole file). */
  text: string;
  prepared: PreparedScript;
  origin: ScriptOrigin;
}

export type ScriptRunner = (def: ScriptDefinition, call: CommandCall) => Promise<RunOutcome>;

/** An ad-hoc command whose every stage runs the script in the sandbox, as Tigase runs its scripts. */
export class ScriptCommand implements AdHocCommand {
  constructor(
    readonly def: ScriptDefinition,
    private readonly run: ScriptRunner,
  ) {}

  get id(): string {
    return this.def.id;
  }
  get name(): string {
    return this.def.description;
  }
  get group(): string | undefined {
    return this.def.group;
  }

  async execute(call: CommandCall): Promise<CommandReply> {
    let outcome: RunOutcome;
    try {
      outcome = await this.run(this.def, call);
    } catch (err) {
      outcome = { kind: 'error', message: err instanceof Error ? err.message : String(err), debug: '' };
    }
    return replyFor(outcome);
  }
}

const STATUSES = new Set<CommandStatus>(['executing', 'completed', 'canceled']);

/** Tigase's return conventions (Script.runCommand) as a command reply. */
function replyFor(outcome: RunOutcome): CommandReply {
  switch (outcome.kind) {
    case 'packets':
      return packetReply(outcome.packets);
    case 'text':
      return completed([{ var: FIELD.scriptResult, type: 'text-multi', values: outcome.text.split(/\r?\n/) }]);
    case 'none':
      return completed([{ var: FIELD.note, type: 'fixed', values: [TEXT.noResults] }]);
    case 'error':
      return errorReply(outcome.message, outcome.debug);
    case 'crashed':
      throw new StanzaError('internal-server-error', outcome.message);
  }
}

function packetReply(packets: unknown[]): CommandReply {
  let els: Element[];
  try {
    els = packets.map(fromTree);
  } catch (err) {
    return errorReply((err as Error).message, '');
  }
  const reply = els.find((e) => e.name === 'iq' && e.getChild('command', NS_COMMANDS));
  if (!reply) {
    const names = [...new Set(els.map((e) => `<${e.name}/>`))].join(', ');
    return errorReply(`The script returned ${names}; only a command reply (packet.commandResult(...)) can be sent. Use the announce capability for messages.`, '');
  }
  const cmd = reply.getChild('command', NS_COMMANDS)!;
  const status = cmd.attrs.status as CommandStatus;
  return { status: STATUSES.has(status) ? status : 'completed', children: cmd.getChildElements() };
}

/** A finished command's answer: a result form with these fields. */
export function completed(fields: Parameters<typeof dataForm>[1]['fields'], title?: string): CommandReply {
  return { status: 'completed', children: [dataForm('result', { title, fields })] };
}

function errorReply(message: string, debug: string): CommandReply {
  return completed([
    { var: FIELD.note, type: 'fixed', values: [TEXT.executionError] },
    { var: FIELD.errorMessage, type: 'text-multi', values: message.split('\n') },
    ...(debug ? [{ var: FIELD.debugInfo, type: 'text-multi' as const, values: debug.split('\n') }] : []),
  ]);
}

/** A note-only result form, as the built-in script commands answer. */
export function noteReply(note: string, extra: { var: string; values: string[] }[] = []): CommandReply {
  return completed([{ var: FIELD.note, type: 'fixed', values: [note] }, ...extra.map((f) => ({ ...f, type: 'text-multi' as const }))]);
}
