import type { ComponentHandle, ComponentSpec, ScriptCapability } from '../component';
import { StanzaError, StarlingError } from '../errors';
import type { Jid } from '../jid';
import { NS_COMMANDS, NS_DISCO_INFO } from '../ns';
import type { Disposable, Logger } from '../services';
import { iqResult } from '../stanza';
import { type Element, xml } from '../xml';
import type { KernelDiscoRegistry } from './disco-registry';
import type { HandlerOwner } from './registrations';
import { enterPlugin, leavePlugin } from './plugin-activity';
import type { StanzaRouter } from './stanza-router';

/** The virtual hosts components are served on: the server's live vhost list, or the test host's domains. */
export interface VhostSource {
  /** The local (enabled) virtual hosts now. */
  domains(): Iterable<string>;
  /** Called whenever the list may have changed. */
  onChange(listener: () => void): Disposable;
}

/** A virtual host list that never changes. */
export function fixedVhosts(domains: readonly string[]): VhostSource {
  return { domains: () => domains, onChange: () => ({ dispose: () => undefined }) };
}

/** What the command framework learns about a component it hosts commands for. */
export interface ServedComponent {
  /** The component's name (`pubsub`, `muc`): command scripts name it in `AS:Component:`. */
  readonly name: string;
  /** The plugin that registered it. */
  readonly pluginId: string;
  readonly identity: ComponentSpec['identity'];
  /** The capabilities its admin scripts get (those of the version that routes now). */
  capabilities(): Record<string, ScriptCapability>;
}

/** The command framework's side of one component: it answers ad-hoc commands on the component's domain JIDs. */
export interface ComponentCommandPort extends Disposable {
  /** True for a stanza the command framework answers: XEP-0050 commands, disco on the commands node or on a command's node. */
  claims(stanza: Element): boolean;
  handle(stanza: Element, from: Jid, to: Jid): void | Promise<void>;
}

/** The command framework (core's admin commands); the test host has none. */
export interface ComponentCommandHost {
  attach(component: ServedComponent): ComponentCommandPort;
}

/** One plugin version's registration of a component. */
interface Entry {
  spec: ComponentSpec;
  subdomain: string;
  owner: HandlerOwner;
  live: () => boolean;
}

/** All versions of one named component (two during a hot reload), newest last, and its command port. */
interface Served extends ServedComponent {
  entries: Entry[];
  port?: ComponentCommandPort;
}

/**
 * The kernel's components (sdk ComponentSpec): claims `<subdomain>.<vhost>` in the router for every
 * local vhost and component, lists the domains in the server's disco#items, answers disco#info of the
 * domain JIDs, passes command stanzas to the command framework and the rest to the live version's handler.
 */
export class KernelComponents {
  private readonly served = new Map<string, Served>();
  /** Claimed component domain → the component name and vhost, with its router and disco claims. */
  private readonly claims = new Map<string, { name: string; vhost: string; held: Disposable[] }>();
  private commandHost: ComponentCommandHost | undefined;
  private readonly vhostWatch: Disposable;

  constructor(
    private readonly deps: { router: StanzaRouter; disco: KernelDiscoRegistry; vhosts: VhostSource; log: Logger },
  ) {
    this.vhostWatch = deps.vhosts.onChange(() => this.sync());
  }

  /** Serves a component for a plugin version; `subdomain` is the configured one. Dispose to release it. */
  register(owner: HandlerOwner, live: () => boolean, spec: ComponentSpec, subdomain: string): ComponentHandle {
    const name = spec.name ?? spec.subdomain;
    if (!/^[a-z0-9][a-z0-9-]*$/i.test(subdomain)) throw new StarlingError('STARLING_COMPONENT_SUBDOMAIN', `component '${name}': '${subdomain}' is not a valid subdomain (letters, digits and '-')`);
    let s = this.served.get(name);
    if (s && s.pluginId !== owner.id) throw new StarlingError('STARLING_COMPONENT_DUPLICATE', `component '${name}' is already served by plugin '${s.pluginId}'`);
    const taken = [...this.served.values()].find((o) => o.name !== name && o.entries.some((e) => e.subdomain === subdomain));
    if (taken) throw new StarlingError('STARLING_COMPONENT_DUPLICATE', `subdomain '${subdomain}' is already used by component '${taken.name}'`);
    if (!s) {
      const entries: Entry[] = [];
      s = { name, pluginId: owner.id, identity: spec.identity, entries, capabilities: () => current(entries)?.spec.scriptCapabilities ?? {} };
      this.served.set(name, s);
      s.port = this.commandHost?.attach(s);
    }
    const entry: Entry = { spec, subdomain, owner, live };
    s.entries.push(entry);
    const served = s;
    this.sync();
    let disposed = false;
    return {
      domainFor: (vhost) => `${subdomain}.${vhost}`,
      vhostOf: (domain) => {
        const c = this.claims.get(domain);
        if (c?.name === name) return c.vhost;
        const suffix = subdomain + '.';
        if (!domain.startsWith(suffix)) return undefined;
        const vhost = domain.slice(suffix.length);
        return [...this.deps.vhosts.domains()].includes(vhost) ? vhost : undefined;
      },
      dispose: () => {
        if (disposed) return;
        disposed = true;
        served.entries.splice(served.entries.indexOf(entry), 1);
        if (served.entries.length === 0) {
          this.served.delete(name);
          served.port?.dispose();
        }
        this.sync();
      },
    };
  }

  /** The components served now. */
  list(): ServedComponent[] {
    return [...this.served.values()];
  }

  /** Lets the command framework answer ad-hoc commands on every component's domain JIDs. */
  setCommandHost(host: ComponentCommandHost): Disposable {
    this.commandHost = host;
    for (const s of this.served.values()) s.port = host.attach(s);
    return {
      dispose: () => {
        if (this.commandHost !== host) return;
        this.commandHost = undefined;
        for (const s of this.served.values()) {
          s.port?.dispose();
          s.port = undefined;
        }
      },
    };
  }

  close(): void {
    this.vhostWatch.dispose();
    for (const domain of [...this.claims.keys()]) this.release(domain);
  }

  /** Claims the domains of every component on every vhost, and releases what no longer is. */
  private sync(): void {
    const want = new Map<string, { name: string; vhost: string }>();
    const vhosts = [...this.deps.vhosts.domains()];
    for (const s of this.served.values()) {
      const head = s.entries[s.entries.length - 1];
      for (const vhost of vhosts) want.set(`${head.subdomain}.${vhost}`, { name: s.name, vhost });
    }
    for (const [domain, c] of this.claims) {
      const w = want.get(domain);
      if (!w || w.name !== c.name || w.vhost !== c.vhost) this.release(domain);
    }
    for (const [domain, w] of want) {
      if (this.claims.has(domain)) continue;
      if (this.deps.router.isLocalDomain(domain)) {
        this.deps.log.warn('component domain is also a virtual host; the virtual host wins', { component: w.name, domain });
        continue;
      }
      const s = this.served.get(w.name)!;
      const held = [
        this.deps.router.registerDomain(domain, (stanza, from, to) => this.dispatch(w.name, w.vhost, stanza, from, to)),
        this.deps.disco.addItem({ jid: domain, name: s.identity.name }),
      ];
      this.claims.set(domain, { ...w, held });
    }
  }

  private release(domain: string): void {
    const c = this.claims.get(domain);
    if (!c) return;
    this.claims.delete(domain);
    for (const d of c.held.reverse()) d.dispose();
  }

  private async dispatch(name: string, vhost: string, stanza: Element, from: Jid, to: Jid): Promise<void> {
    const s = this.served.get(name);
    if (!s) return this.deps.router.replyError(stanza, new StanzaError('service-unavailable'));
    const entry = current(s.entries)!;
    entry.owner.inflight++;
    try {
      const onDomain = !to.local && !to.resource;
      const port = onDomain && s.port?.claims(stanza) ? s.port : undefined;
      if (!port && onDomain && isInfoQuery(stanza)) return this.deps.router.route(iqResult(stanza, this.info(s, entry, vhost)));
      const mark = enterPlugin(entry.owner.slot);
      let done: void | Promise<void>;
      try {
        done = port ? port.handle(stanza, from, to) : entry.spec.handle(stanza, from, to, vhost);
      } finally {
        leavePlugin(mark);
      }
      await done;
    } catch (err) {
      if (!(err instanceof StanzaError)) this.deps.log.error('component handler failed', { component: name, plugin: s.pluginId, err });
      this.deps.router.replyError(stanza, err instanceof StanzaError ? err : new StanzaError('internal-server-error'));
    } finally {
      entry.owner.inflight--;
    }
  }

  private info(s: Served, entry: Entry, vhost: string): Element {
    const features = new Set([NS_DISCO_INFO, ...entry.spec.features]);
    if (s.port) features.add(NS_COMMANDS);
    const { category, type, name } = entry.spec.identity;
    return xml(
      'query',
      { xmlns: NS_DISCO_INFO },
      xml('identity', { category, type, ...(name !== undefined ? { name } : {}) }),
      [...features].sort().map((v) => xml('feature', { var: v })),
      entry.spec.infoExtensions?.(vhost) ?? [],
    );
  }
}

/** The version that routes (the old one until a hot reload switches), else the newest. */
function current(entries: Entry[]): Entry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].live()) return entries[i];
  return entries[entries.length - 1];
}

function isInfoQuery(stanza: Element): boolean {
  if (stanza.name !== 'iq' || stanza.attrs.type !== 'get') return false;
  const q = stanza.firstElement();
  return q?.is('query', NS_DISCO_INFO) === true && q.attrs.node === undefined;
}
