/**
 * The API of Starling admin command scripts (ad-hoc commands loaded with "New command script" or from
 * `scripts/admin/`). Scripts run in an isolated-vm sandbox: no `require`, `process`, file system or network;
 * only what is declared here. Names follow Tigase's scripting API, so its Groovy examples translate line
 * by line:
 *
 *   const p = packet;
 *   const res = p.commandResult(Command.DataType.result);
 *   Command.addTitle(res, 'Hello World Script');
 *   Command.addInstructions(res, 'Hello admin, how are you?');
 *   return res;
 *
 * The script's value is its result: a top-level `return`, else the value of the last expression; if that
 * is null or undefined, the `result` variable; else `packet` if the script replaced it. A Packet (or an
 * array of Packets) is sent as the command reply; any other value is shown in a result form field
 * `Script result`. TypeScript scripts are type-checked against this file before they are accepted.
 *
 * Capability objects (`users`, `sessions`, …) exist only on the components that grant them; the type
 * checker declares exactly the ones of the script's component.
 */

/** An XML element (Tigase's tigase.xml.Element). */
declare class Element {
  /** (name), (name, cdata), (name, attNames, attValues), (name, cdata, attNames, attValues), (name, children, attNames, attValues), (name, { attr: value }). */
  constructor(name: string, cdataOrAttrs?: string | Record<string, string> | Element[] | string[], attNames?: string[], attValues?: string[]);
  name: string;
  attrs: Record<string, string>;
  children: (Element | string)[];
  getName(): string;
  getXMLNS(): string | null;
  getAttribute(name: string): string | null;
  getAttributeStaticStr(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  getChild(name: string, xmlns?: string): Element | null;
  getChildren(): Element[];
  /** Follows child names from this element, e.g. findChild(['iq', 'command', 'x']). */
  findChild(path: string[]): Element | null;
  addChild(child: Element): this;
  addChildren(children: Element[]): this;
  removeChild(child: Element): boolean;
  getCData(): string | null;
  setCData(text: string): void;
  clone(): Element;
  toString(): string;
}

/** A bare JID (tigase.xmpp.jid.BareJID). */
declare class BareJID {
  static bareJIDInstance(jid: string): BareJID;
  static bareJIDInstance(localpart: string | null, domain: string): BareJID;
  getLocalpart(): string | null;
  getDomain(): string;
  equals(other: unknown): boolean;
  toString(): string;
}

/** A JID (tigase.xmpp.jid.JID). The server normalises JIDs again wherever they are used. */
declare class JID {
  static jidInstance(jid: string): JID;
  static jidInstance(localpart: string | null, domain: string, resource?: string): JID;
  getLocalpart(): string | null;
  getDomain(): string;
  getResource(): string | null;
  getBareJID(): BareJID;
  copyWithoutResource(): JID;
  equals(other: unknown): boolean;
  toString(): string;
}

type CommandDataType = 'form' | 'submit' | 'result' | 'cancel';
type CommandActionName = 'execute' | 'next' | 'prev' | 'complete' | 'cancel';
type CommandStatusName = 'executing' | 'completed' | 'canceled';
type FieldType = 'boolean' | 'fixed' | 'hidden' | 'jid-multi' | 'jid-single' | 'list-multi' | 'list-single' | 'text-multi' | 'text-private' | 'text-single';
type FieldOption = string | { label?: string; value: string };

/** A stanza (tigase.server.Packet). */
declare class Packet {
  constructor(element: Element);
  readonly element: Element;
  getElement(): Element;
  getElemName(): string;
  /** The sender (for the command packet: the admin's full JID). */
  getStanzaFrom(): JID | null;
  /** The addressee (for the command packet: this component, e.g. sess-man@example.com). */
  getStanzaTo(): JID | null;
  getStanzaId(): string | null;
  getType(): string | null;
  getAttributeStaticStr(name: string): string | null;
  /**
   * The reply to an ad-hoc command: an IQ result with a <command/> of the same node and an empty data
   * form of this type. `form` asks for input (status executing), `result` shows a result (completed).
   */
  commandResult(type: CommandDataType | null): Packet;
  okResult(): Packet;
  copyElementOnly(): Packet;
  toString(): string;
}

/** Ad-hoc command and data form helpers (tigase.server.Command). The first argument is the command packet. */
declare const Command: {
  readonly DataType: { readonly form: 'form'; readonly submit: 'submit'; readonly result: 'result'; readonly cancel: 'cancel' };
  readonly Action: { readonly execute: 'execute'; readonly next: 'next'; readonly prev: 'prev'; readonly complete: 'complete'; readonly cancel: 'cancel' };
  readonly Status: { readonly executing: 'executing'; readonly completed: 'completed'; readonly canceled: 'canceled' };
  /** The first value of a submitted field, or null. */
  getFieldValue(packet: Packet, name: string): string | null;
  /** All values of a submitted field (text-multi, jid-multi, list-multi), or null. */
  getFieldValues(packet: Packet, name: string): string[] | null;
  getCheckBoxFieldValue(packet: Packet, name: string): boolean;
  getFieldKeys(packet: Packet): string[];
  getAction(packet: Packet): CommandActionName | null;
  getNode(packet: Packet): string | null;
  getSessionId(packet: Packet): string | null;
  /**
   * Adds (or replaces) a field: addFieldValue(res, name, value, type?, label?, options?). With options and
   * no type the field is list-single. Tigase's list form addFieldValue(res, name, value, label, labels, values, type?)
   * works too. An array value gives several values (text-multi, jid-multi, list-multi).
   */
  addFieldValue(packet: Packet, name: string, value: string | string[] | null, type?: FieldType | null, label?: string | null, options?: FieldOption[]): Element;
  addFieldValue(packet: Packet, name: string, value: string | string[] | null, label: string, labels: string[], values?: string[], type?: FieldType): Element;
  /** A text-multi field; each line of each value becomes a value. */
  addFieldMultiValue(packet: Packet, name: string, values: string[], label?: string): Element;
  /** A read-only (fixed) field, e.g. Command.addTextField(res, 'Note', 'Operation successful'). */
  addTextField(packet: Packet, name: string, text: string): Element;
  addHiddenField(packet: Packet, name: string, value: string): Element;
  addCheckBoxField(packet: Packet, name: string, value: boolean, label?: string): Element;
  removeFieldValue(packet: Packet, name: string): boolean;
  addTitle(packet: Packet, title: string): void;
  addInstructions(packet: Packet, text: string): void;
  /** A XEP-0050 <note/>. */
  addNote(packet: Packet, text: string, type?: 'info' | 'warn' | 'error'): void;
  /** Offers an action on a form (next, prev, complete); the first one added is the default. */
  addAction(packet: Packet, action: 'next' | 'prev' | 'complete'): void;
  setStatus(packet: Packet, status: CommandStatusName): void;
};

/** tigase.server.Iq helpers. */
declare const Iq: {
  commandResultForm(packet: Packet): Packet;
  commandResultResult(packet: Packet): Packet;
};

/** The ad-hoc command request being executed. Assign a reply Packet to it to return that reply. */
declare var packet: Packet;
/** Assign a value to return it when the script itself yields nothing (Tigase's `result` binding). */
declare var result: unknown;
/** The name of the component the script runs on, e.g. `sess-man`. */
declare const componentName: string;
/** True if the caller may manage this virtual host with the running command (admins always may). */
declare function isAllowedForDomain(domain: string): boolean;
/** Writes a line to the server log. */
declare function log(...values: unknown[]): void;

/** An online resource. */
interface SessionInfo {
  jid: string;
  /** ms since epoch when the resource was bound. */
  since: number;
  lastActivity: number;
  priority: number;
  available: boolean;
}

interface UserStats {
  jid: string;
  exists: boolean;
  rosterSize: number;
  onlineResources: string[];
}

/**
 * Capabilities a component grants its scripts. Every JID and domain must belong to one of the server's
 * virtual hosts the caller may manage (isAllowedForDomain); otherwise the call throws.
 */
interface StarlingCapabilities {
  /** sess-man: the user repository. */
  users: {
    exists(jid: string): boolean;
    /** Creates the account; false if it exists. */
    add(jid: string, password: string): boolean;
    /** Deletes the account and all its data, and ends its sessions; false if there was none. */
    remove(jid: string): boolean;
    /** false if there is no such account. */
    setPassword(jid: string, password: string): boolean;
    list(domain: string, limit?: number, offset?: number): string[];
    count(domain: string): number;
    stats(jid: string): UserStats;
  };
  /** sess-man: online sessions. */
  sessions: {
    list(domain: string): SessionInfo[];
    /** Bare JIDs with at least one resource, sorted. */
    onlineUsers(domain: string): string[];
    /** Number of users online (not resources). */
    count(domain: string): number;
    /** Ends the resource (full JID) or all resources (bare JID); returns how many ended. */
    end(jid: string): number;
  };
  /** sess-man: a message from the server to every available resource of a virtual host. Returns how many got it. */
  announce: {
    send(domain: string, body: string, subject?: string): number;
  };
  /** sess-man: the message of the day, sent to each user of the virtual host at login. */
  motd: {
    get(domain: string): string | null;
    set(domain: string, text: string): void;
    /** false if there was none. */
    remove(domain: string): boolean;
  };
  /** vhost-man: the virtual hosts with their owner and administrators (DOMAIN_OWNER / DOMAIN_ADMIN ACLs). */
  vhosts: {
    list(): { domain: string; isDefault: boolean; owner: string | null; admins: string[] }[];
    setRoles(domain: string, owner: string | null, admins: string[]): void;
  };
  /** Every component: facts about the server. */
  server: {
    info(): { name: string; version: string; startedAt: number; uptimeSeconds: number; domains: string[]; defaultDomain: string };
  };
}
