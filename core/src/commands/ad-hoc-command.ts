import type { Element, Jid } from '@starling/sdk';

export const NS_COMMANDS = 'http://jabber.org/protocol/commands';
export type CommandAction = 'execute' | 'next' | 'prev' | 'complete' | 'cancel';
export type CommandStatus = 'executing' | 'completed' | 'canceled';

/** What a component tells its commands about itself. */
export interface ComponentRef {
  /** The component name, e.g. `sess-man`. */
  readonly name: string;
  /** Its address on the virtual host the request went to, e.g. `sess-man@localhost`. */
  readonly jid: Jid;
}

/** One step of an ad-hoc command, as the command implementation sees it. */
export interface CommandCall {
  /** The whole request IQ. */
  readonly iq: Element;
  /** The request's <command/>. */
  readonly command: Element;
  /** The caller's full JID. */
  readonly from: Jid;
  readonly action: CommandAction;
  /** Values of the submitted data form, by field var (empty on the first step). */
  readonly values: Map<string, string[]>;
  readonly component: ComponentRef;
  /** Tigase's isAllowedForDomain: may the caller manage this virtual host with this command? */
  isAllowedForDomain(domain: string): boolean;
}

/** A command's answer: the <command/> status and its children (a data form, notes, actions). */
export interface CommandReply {
  status: CommandStatus;
  children: Element[];
}

/** An ad-hoc command (XEP-0050) on a component; its node is its id, as in Tigase. */
export interface AdHocCommand {
  readonly id: string;
  readonly name: string;
  /** Tigase's optional group, shown as the `group` attribute in the command list. */
  readonly group?: string;
  execute(call: CommandCall): Promise<CommandReply>;
}
