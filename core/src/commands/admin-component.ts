import {
  type Element,
  type Jid,
  type Logger,
  NS_DATA_FORMS,
  NS_DISCO_INFO,
  NS_DISCO_ITEMS,
  StanzaError,
  errorReply,
  iqResult,
  isErrorOrResult,
  tryParseJid,
  xml,
} from '@starling/sdk';
import { type AdHocCommand, type CommandAction, type CommandReply, NS_COMMANDS } from './ad-hoc-command';
import type { CommandAcl } from './command-acl';
import { CommandSessions } from './command-sessions';
import { FIELD, TEXT } from './command-texts';
import { dataForm, formValues } from './data-form';

/** A kernel component with ad-hoc commands (Tigase's BasicComponent), e.g. sess-man. */
export interface ComponentSpec {
  /** The component name and the local part of its JIDs (`sess-man@<vhost>`). */
  name: string;
  /** Its disco name, e.g. "Session manager". */
  description: string;
  /** Its disco identity type (category `component`). */
  identityType: string;
}

const ACTIONS = new Set<CommandAction>(['execute', 'next', 'prev', 'complete', 'cancel']);

/**
 * Answers everything addressed to `<name>@<vhost>`: disco#info and disco#items (the command list on node
 * `http://jabber.org/protocol/commands`, filtered by the ACL) and XEP-0050 command requests, with
 * multi-stage sessions. The ACL check is made here for every stage, never left to a command.
 */
export class AdminComponent {
  private readonly builtIns = new Map<string, AdHocCommand>();
  private readonly scripts = new Map<string, AdHocCommand>();
  /** A kernel service that owns the component's address (cl-comp): it answers what the commands do not claim. */
  owner: ((stanza: Element, from: Jid, to: Jid) => void) | undefined;

  constructor(
    readonly spec: ComponentSpec,
    readonly acl: CommandAcl,
    private readonly sessions: CommandSessions,
    private readonly send: (stanza: Element) => void,
    private readonly log: Logger,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  addBuiltIn(cmd: AdHocCommand): void {
    this.builtIns.set(cmd.id, cmd);
  }

  isBuiltIn(id: string): boolean {
    return this.builtIns.has(id);
  }

  /** Installs or replaces a script command. */
  setScript(cmd: AdHocCommand): void {
    this.scripts.set(cmd.id, cmd);
  }

  removeScript(id: string): boolean {
    return this.scripts.delete(id);
  }

  scriptIds(): string[] {
    return [...this.scripts.keys()];
  }

  command(id: string): AdHocCommand | undefined {
    return this.builtIns.get(id) ?? this.scripts.get(id);
  }

  /** Built-ins first, then scripts by name. */
  commands(): AdHocCommand[] {
    const scripts = [...this.scripts.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return [...this.builtIns.values(), ...scripts];
  }

  /** The commands this JID may see and run. */
  visibleCommands(viewer: Jid): AdHocCommand[] {
    return this.commands().filter((c) => this.acl.canCall(viewer, c.id));
  }

  /**
   * True for what this component answers on a plugin component's domain JID (the rest is the plugin's):
   * XEP-0050 commands, and disco on the commands node or on one of its commands' nodes.
   */
  claims(stanza: Element): boolean {
    if (stanza.name !== 'iq') return false;
    const payload = stanza.firstElement();
    if (payload?.is('command', NS_COMMANDS)) return true;
    if (!payload?.is('query', NS_DISCO_INFO) && !payload?.is('query', NS_DISCO_ITEMS)) return false;
    const node = payload.attrs.node;
    return node === NS_COMMANDS || (node !== undefined && this.command(node) !== undefined);
  }

  /** The router's address handler for this component's JIDs. */
  async handle(stanza: Element, from: Jid, to: Jid): Promise<void> {
    if (this.owner && !this.claims(stanza)) return this.owner(stanza, from, to);
    try {
      await this.dispatch(stanza, from, to);
    } catch (err) {
      if (isErrorOrResult(stanza)) return;
      if (err instanceof StanzaError) return this.send(errorReply(stanza, err));
      this.log.error('command request failed', { component: this.name, err });
      this.send(errorReply(stanza, new StanzaError('internal-server-error')));
    }
  }

  private async dispatch(stanza: Element, from: Jid, to: Jid): Promise<void> {
    if (stanza.name !== 'iq') {
      if (stanza.name === 'message' && !isErrorOrResult(stanza)) throw new StanzaError('service-unavailable');
      return;
    }
    const type = stanza.attrs.type;
    if (type === 'result' || type === 'error') return;
    const payload = stanza.firstElement();
    if (payload?.is('query', NS_DISCO_INFO) && type === 'get') return this.send(iqResult(stanza, this.discoInfo(payload.attrs.node, from)));
    if (payload?.is('query', NS_DISCO_ITEMS) && type === 'get') return this.send(iqResult(stanza, this.discoItems(payload.attrs.node, from, to)));
    if (payload?.is('command', NS_COMMANDS)) {
      if (type !== 'set') throw new StanzaError('bad-request', 'Commands are executed with IQ set');
      return this.runCommand(stanza, payload, from, to);
    }
    throw new StanzaError('service-unavailable');
  }

  private discoInfo(node: string | undefined, viewer: Jid): Element {
    const features = (...ns: string[]) => ns.map((v) => xml('feature', { var: v }));
    if (node === undefined)
      return xml(
        'query',
        { xmlns: NS_DISCO_INFO },
        xml('identity', { category: 'component', type: this.spec.identityType, name: this.spec.description }),
        features(NS_DISCO_INFO, NS_DISCO_ITEMS, NS_COMMANDS, NS_DATA_FORMS),
      );
    if (node === NS_COMMANDS)
      return xml('query', { xmlns: NS_DISCO_INFO, node }, xml('identity', { category: 'automation', type: 'command-list', name: `${this.spec.description} commands` }), features(NS_COMMANDS));
    const cmd = this.command(node);
    if (!cmd || !this.acl.canCall(viewer, cmd.id)) throw new StanzaError('item-not-found');
    return xml('query', { xmlns: NS_DISCO_INFO, node }, xml('identity', { category: 'automation', type: 'command-node', name: cmd.name }), features(NS_COMMANDS, NS_DATA_FORMS));
  }

  private discoItems(node: string | undefined, viewer: Jid, to: Jid): Element {
    if (node !== undefined && node !== NS_COMMANDS) {
      const cmd = this.command(node);
      if (!cmd || !this.acl.canCall(viewer, cmd.id)) throw new StanzaError('item-not-found');
      return xml('query', { xmlns: NS_DISCO_ITEMS, node });
    }
    const jid = to.bareString;
    return xml(
      'query',
      { xmlns: NS_DISCO_ITEMS, node },
      this.visibleCommands(viewer).map((c) => xml('item', { jid, node: c.id, name: c.name, group: c.group?.replace('${componentName}', this.spec.description) })),
    );
  }

  /**
   * Runs one command in a single stage with submitted values, as an admin's roll-out on every cluster node
   * does (the command's ACL applies to `from` here as on its own node); the command's answer.
   */
  async runSubmitted(id: string, from: Jid, to: Jid, values: Map<string, string[]>): Promise<CommandReply> {
    const cmd = this.command(id);
    if (!cmd || this.acl.isDisabled(id)) throw new StanzaError('item-not-found', `There is no command ${id} here`);
    if (!this.acl.canCall(from, id)) throw new StanzaError('forbidden', TEXT.forbidden);
    const command = xml('command', { xmlns: NS_COMMANDS, node: id, action: 'complete' });
    const reply = await cmd.execute({
      iq: xml('iq', { type: 'set', id: 'cluster-rollout', from: from.toString(), to: to.toString() }, command),
      command,
      from,
      action: 'complete',
      values,
      component: { name: this.name, jid: to.bare() },
      isAllowedForDomain: (domain) => {
        const d = tryParseJid(domain);
        return d !== null && !d.local && !d.resource && this.acl.canCall(from, id, d.domain);
      },
    });
    this.log.info('admin command run', { user: from.bareString, from: from.toString(), component: this.name, node: id, action: 'complete', status: reply.status, via: 'cluster-rollout' });
    return reply;
  }

  /** Runs a command stage and logs it (info; refusals and failures at warning): who, from which full JID, which node. */
  private async runCommand(stanza: Element, req: Element, from: Jid, to: Jid): Promise<void> {
    const who = { user: from.bareString, from: from.toString(), component: this.name, to: to.toString(), node: req.attrs.node, action: req.attrs.action ?? 'execute' };
    let status: string;
    try {
      status = await this.runStage(stanza, req, from, to);
    } catch (err) {
      const condition = err instanceof StanzaError ? err.condition : 'internal-server-error';
      this.log.warn('admin command failed', { ...who, condition, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
    this.log.info('admin command run', { ...who, status });
  }

  private async runStage(stanza: Element, req: Element, from: Jid, to: Jid): Promise<string> {
    const node = req.attrs.node;
    if (!node) throw new StanzaError('bad-request', 'The command has no node');
    const cmd = this.command(node);
    if (!cmd || this.acl.isDisabled(node)) throw new StanzaError('item-not-found', `There is no command ${node} here`);
    if (!this.acl.canCall(from, node)) throw new StanzaError('forbidden', TEXT.forbidden);
    const action = (req.attrs.action ?? 'execute') as CommandAction;
    if (!ACTIONS.has(action)) throw commandError('bad-request', 'malformed-action', `Unknown action '${action}'`);

    const owner = from.toString();
    const target = to.bareString;
    const sid = req.attrs.sessionid;
    const session = sid !== undefined ? this.sessions.get(sid, owner, target, node) : undefined;
    if (sid !== undefined && !session) throw commandError('bad-request', 'bad-sessionid', 'Unknown or expired session');

    if (action === 'cancel') {
      if (session) this.sessions.close(session.id);
      const note = dataForm('result', { fields: [{ var: FIELD.note, type: 'fixed', values: [TEXT.canceled] }] });
      this.respond(stanza, node, sid ?? CommandSessions.newId(), { status: 'canceled', children: [note] }, false);
      return 'canceled';
    }
    if (action === 'prev') {
      if (!session || session.stages.length < 2) throw commandError('bad-request', 'bad-action', 'There is no previous stage');
      session.stages.pop();
      this.respond(stanza, node, session.id, session.stages[session.stages.length - 1], session.stages.length > 1);
      return 'executing';
    }

    const reply = await cmd.execute({
      iq: stanza,
      command: req,
      from,
      action,
      values: formValues(req),
      component: { name: this.name, jid: to.bare() },
      isAllowedForDomain: (domain) => {
        const d = tryParseJid(domain);
        return d !== null && !d.local && !d.resource && this.acl.canCall(from, node, d.domain);
      },
    });
    if (reply.status === 'executing') {
      const s = session ?? this.sessions.open(CommandSessions.newId(), owner, target, node);
      s.stages.push(reply);
      this.respond(stanza, node, s.id, reply, s.stages.length > 1);
      return reply.status;
    }
    if (session) this.sessions.close(session.id);
    this.respond(stanza, node, session?.id ?? CommandSessions.newId(), reply, false);
    return reply.status;
  }

  /** Sends the <command/> reply; a stage that expects input gets <actions/> (complete, and prev after the first stage). */
  private respond(stanza: Element, node: string, sessionid: string, reply: CommandReply, canGoBack: boolean): void {
    const children = reply.children.map((c) => c.clone());
    if (reply.status === 'executing') {
      let actions = children.find((c) => c.name === 'actions');
      if (!actions) {
        actions = xml('actions', { execute: 'complete' }, xml('complete'));
        children.unshift(actions);
      }
      if (canGoBack && !actions.getChild('prev')) actions.children.unshift(xml('prev'));
    }
    this.send(iqResult(stanza, xml('command', { xmlns: NS_COMMANDS, node, sessionid, status: reply.status }, children)));
  }
}

function commandError(condition: 'bad-request', specific: string, text: string): StanzaError {
  return new StanzaError(condition, text, { extra: [xml(specific, { xmlns: NS_COMMANDS })] });
}
