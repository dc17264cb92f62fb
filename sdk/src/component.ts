import type { Jid } from './jid';
import type { DiscoIdentity, Disposable } from './services';
import type { Element } from './xml';

/**
 * A service on its own domain under every virtual host (`pubsub.example.org`, `muc.example.org`), as
 * Tigase's components: `ctx.component({ subdomain: 'pubsub', identity, features, handle })`. The kernel
 * claims `<subdomain>.<vhost>` for each local vhost (following vhosts added and removed at run time),
 * lists it in the server's disco#items, answers disco#info of the domain JID from `identity`, `features`
 * and `infoExtensions`, gives ad-hoc commands on the domain JID to the command framework, and hands
 * every other stanza to `handle`. Unloading the plugin releases the domains.
 */
export interface ComponentSpec {
  /** Default subdomain (`pubsub`, `muc`, `upload`); the plugin bean's `subdomain` config key overrides it. */
  subdomain: string;
  /** disco#info identity of the component's domain JID, e.g. { category: 'conference', type: 'text', name: 'Chat rooms' }. */
  identity: DiscoIdentity;
  /** disco#info features of the component's domain JID. */
  features: string[];
  /**
   * Every stanza addressed to `<subdomain>.<vhost>` or a JID on it (room@, node, full JIDs), except what
   * the kernel answers itself (disco#info without node on the domain JID, ad-hoc commands and the
   * commands disco node on the domain JID). `vhost` is the virtual host the component domain belongs
   * to. Answer with ctx.get(ROUTER).route(reply). A thrown StanzaError becomes the error reply.
   */
  handle(stanza: Element, from: Jid, to: Jid, vhost: string): void | Promise<void>;
  /**
   * The component's name for the command framework: its ad-hoc commands, `AS:Component:` of its admin
   * scripts and `scripts/admin/<name>/` (Tigase's component names: `pubsub`, `muc`, `upload`). Default:
   * `subdomain` as given here (not as configured).
   */
  name?: string;
  /** XEP-0128 extension forms added to the domain JID's disco#info (e.g. XEP-0363's max-file-size). */
  infoExtensions?(vhost: string): Element[];
  /**
   * What the component's admin command scripts may call on its own data, by capability name and method
   * (`{ pubsub: { listNodes: (caller, domain) => … } }` is `pubsub.listNodes(domain)` in a script). Arguments
   * arrive as JSON data from the sandbox and must be checked; return JSON data. `caller` says who runs the
   * command; refuse a vhost the caller may not manage (`caller.isAllowedForDomain`).
   */
  scriptCapabilities?: Record<string, ScriptCapability>;
}

/** Who runs an admin command script that calls a component's capability. */
export interface ScriptCaller {
  /** The admin's full JID. */
  readonly from: Jid;
  /** Tigase's isAllowedForDomain: may the caller manage this virtual host with the running command? */
  isAllowedForDomain(domain: string): boolean;
}

/** A capability object for admin scripts: methods that get the caller first, then the script's arguments. */
export type ScriptCapability = Record<string, (caller: ScriptCaller, ...args: unknown[]) => unknown>;

export interface ComponentHandle extends Disposable {
  /** The component domain for a vhost, e.g. `muc.example.org` (or `conference.example.org` by config). */
  domainFor(vhost: string): string;
  /** The vhost a component domain belongs to, or undefined. */
  vhostOf(componentDomain: string): string | undefined;
}
