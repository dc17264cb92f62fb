import { resolve } from 'node:path';
import { type Element, type EventBus, type Jid, type Logger, type SessionDirectory, SDK_VERSION, StarlingError } from '@starling/sdk';
import type { CredentialService } from '../auth/credential-service';
import type { BeanView } from '../config/bean-view';
import type { ComponentCommandPort, KernelComponents, KernelDiscoRegistry, ServedComponent, StanzaRouter } from '@starling/sdk/kernel';
import { counters } from '../ops/counters';
import { toTree } from '../scripting/element-tree';
import { ScriptSandbox } from '../scripting/sandbox';
import { capabilityHost, capabilityNames } from '../scripting/script-capabilities';
import type { ScriptRunner } from '../scripting/script-command';
import { ScriptManager } from '../scripting/script-manager';
import { TypeScriptChecker } from '../scripting/ts-checker';
import type { Storage } from '../storage';
import { AdminComponent, type ComponentSpec } from './admin-component';
import { type AdminCommandsConfig, readAdminConfig } from './admin-config';
import { type AclEnvironment, CommandAcl } from './command-acl';
import { CommandSessions } from './command-sessions';
import { MotdStore } from './motd';
import { AddScriptCommand, ListScriptsCommand, RemoveScriptCommand } from './script-admin-commands';
import { vhostManCommands } from './vhost-man-commands';
import { checkVhostDns } from '../vhosts/vhost-dns-check';
import type { VhostManagerConfig } from '../vhosts/vhost-defaults';
import type { VhostRegistry } from '../vhosts/vhost-registry';

/** The kernel components with ad-hoc commands, by Tigase's names. */
export const KERNEL_COMPONENTS: readonly ComponentSpec[] = [
  { name: 'sess-man', description: 'Session manager', identityType: 'sm' },
  { name: 'vhost-man', description: 'VHost Manager', identityType: 'generic' },
  { name: 'message-router', description: 'Message router', identityType: 'router' },
  { name: 'stats', description: 'Server statistics', identityType: 'stats' },
];

/** The stock scripts shipped with Starling (the repository's scripts/admin). */
export const STOCK_SCRIPTS_DIR = resolve(__dirname, '../../../../scripts/admin');

export interface AdminCommandsDeps {
  home: string;
  top: BeanView;
  vhosts: VhostRegistry;
  vhostConfig: VhostManagerConfig;
  installCertificate(domain: string, pem: string, save: boolean): void;
  router: StanzaRouter;
  disco: KernelDiscoRegistry;
  /** The plugins' components (pubsub, muc, …): each gets a command component of its name. */
  pluginComponents?: KernelComponents;
  sessions: SessionDirectory;
  storage: Storage;
  credentials: CredentialService;
  events: EventBus;
  isAdmin(jid: Jid): boolean;
  startedAt: number;
  log: Logger;
}

/**
 * Ad-hoc commands and admin scripts: the components (`sess-man@<vhost>`, `vhost-man@<vhost>`,
 * `message-router@<vhost>`), their ACLs from config, the built-in add-script / del-script, the script
 * sandbox and the watched scripts directory.
 */
export class AdminCommands {
  readonly config: AdminCommandsConfig;
  readonly components = new Map<string, AdminComponent>();
  readonly sandbox: ScriptSandbox;
  readonly checker: TypeScriptChecker;
  readonly scripts: ScriptManager;
  readonly vhosts: VhostRegistry;
  readonly motd: MotdStore;
  private readonly disposables: { dispose(): void }[] = [];
  private readonly claims = new Map<string, { dispose(): void }[]>();
  /** The plugin components being served, by name (their command components stay in `components` when they go). */
  private readonly served = new Map<string, ServedComponent>();
  private readonly log: Logger;
  private started = false;
  private readonly acl: (name: string) => CommandAcl;
  private readonly newComponent: (spec: ComponentSpec) => AdminComponent;

  constructor(private readonly d: AdminCommandsDeps) {
    this.log = d.log.child({ c: 'commands' });
    this.config = readAdminConfig(d.top, d.home);
    this.vhosts = d.vhosts;
    this.motd = new MotdStore(d.storage.serverData);
    const trusted = new Set(this.config.trusted);
    const env: AclEnvironment = {
      isPrivileged: (jid) => d.isAdmin(jid) || trusted.has(jid.bareString),
      isLocalDomain: (domain) => this.vhosts.isLocal(domain),
      domainRoles: (domain) => this.vhosts.rolesOf(domain),
    };
    const sessions = new CommandSessions();
    const send = (stanza: Element) => d.router.route(stanza);
    this.acl = (name) => CommandAcl.fromConfig(d.top.bean(name) ?? d.top.bean('sess-man')?.bean(name), env);
    this.newComponent = (spec) => {
      const comp = new AdminComponent(spec, this.acl(spec.name), sessions, send, this.log.child({ component: spec.name }));
      comp.addBuiltIn(new AddScriptCommand(this.scripts, this.log));
      comp.addBuiltIn(new RemoveScriptCommand(this.scripts, (name) => this.scriptList(name), this.log));
      comp.addBuiltIn(new ListScriptsCommand(this.scripts));
      return comp;
    };

    this.sandbox = new ScriptSandbox(this.config.limits, this.log);
    this.checker = new TypeScriptChecker(this.log);
    const services = {
      credentials: d.credentials,
      users: d.storage.users,
      roster: d.storage.roster,
      sessions: d.sessions,
      router: d.router,
      events: d.events,
      motd: this.motd,
      vhosts: this.vhosts,
      server: { name: 'Starling', version: SDK_VERSION, startedAt: d.startedAt },
      log: this.log.child({ c: 'script' }),
    };
    const run: ScriptRunner = async (def, call) => {
      counters.scriptRuns++;
      const outcome = await this.sandbox.run({
        script: def.prepared,
        packet: toTree(call.iq),
        componentName: def.component,
        capabilities: this.capabilityNames(def.component),
        host: capabilityHost(services, { from: call.from, component: def.component, isAllowedForDomain: call.isAllowedForDomain }, this.served.get(def.component)?.capabilities()),
      });
      // Time-outs, memory, errors and crashes of a script, with who ran it (the command framework logs the run itself).
      if (outcome.kind === 'error' || outcome.kind === 'crashed')
        this.log.warn(outcome.kind === 'crashed' ? 'script crashed the sandbox process' : 'script failed', { component: def.component, id: def.id, from: call.from.toString(), error: outcome.message });
      return outcome;
    };
    this.scripts = new ScriptManager({
      components: this.components,
      dir: this.config.scriptsDir,
      builtInDir: STOCK_SCRIPTS_DIR,
      checker: this.checker,
      capabilities: (component) => this.capabilityNames(component),
      run,
      log: this.log,
    });
    for (const spec of KERNEL_COMPONENTS) this.components.set(spec.name, this.newComponent(spec));
    const vhostMan = this.components.get('vhost-man')!;
    for (const cmd of vhostManCommands({
      vhosts: d.vhosts,
      config: d.vhostConfig,
      isAdmin: (jid) => d.isAdmin(jid),
      dnsCheck: (domain) => checkVhostDns(domain, d.vhostConfig.dnsAddresses),
      installCertificate: (domain, pem, save) => d.installCertificate(domain, pem, save),
      log: this.log.child({ component: 'vhost-man' }),
    }))
      vhostMan.addBuiltIn(cmd);
  }

  private capabilityNames(component: string): Record<string, readonly string[]> {
    return capabilityNames(component, this.served.get(component)?.capabilities());
  }

  /**
   * A plugin component (Tigase's pubsub, muc…) gets a command component of its name: its ad-hoc commands on
   * its domain JIDs, add-script/del-script, `AS:Component: <name>` scripts and `scripts/admin/<name>/`.
   */
  private attach(served: ServedComponent): ComponentCommandPort {
    const { name } = served;
    let comp = this.components.get(name);
    if (KERNEL_COMPONENTS.some((k) => k.name === name)) throw new StarlingError('STARLING_COMPONENT_DUPLICATE', `'${name}' is the name of a kernel component`);
    if (!comp) {
      comp = this.newComponent({ name, description: served.identity.name ?? name, identityType: served.identity.type });
      this.components.set(name, comp);
      // A plugin component loaded after start gets its `<name>@<vhost>` addresses too.
      for (const [domain, held] of this.claims) this.claimAddress(comp, domain, held);
    }
    this.served.set(name, served);
    if (this.started) void this.scripts.loadComponent(name);
    const c = comp;
    return {
      claims: (stanza) => c.claims(stanza),
      handle: (stanza, from, to) => c.handle(stanza, from, to),
      dispose: () => {
        if (this.served.get(name) === served) this.served.delete(name);
      },
    };
  }

  /**
   * A kernel service whose address is a command component too (cl-comp in cluster mode): the component's
   * commands and scripts answer the command stanzas, `owner` the rest (its disco). Before start().
   */
  addOwnedComponent(spec: ComponentSpec, owner: (stanza: Element, from: Jid, to: Jid) => void): AdminComponent {
    const comp = this.newComponent(spec);
    comp.owner = owner;
    this.components.set(spec.name, comp);
    return comp;
  }

  /** Claims the component JIDs on every virtual host, lists them in disco for admins, loads and watches the scripts. */
  async start(): Promise<void> {
    if (this.d.pluginComponents) this.disposables.push(this.d.pluginComponents.setCommandHost({ attach: (served) => this.attach(served) }));
    for (const domain of this.vhosts.all().map((i) => i.domain)) this.claimDomain(domain);
    this.disposables.push(
      this.vhosts.onChange((c) => {
        if (c.kind === 'added') this.claimDomain(c.item.domain);
        if (c.kind === 'removed') this.releaseDomain(c.item.domain);
      }),
    );
    this.disposables.push(this.motd.deliverOnLogin(this.d.events, this.d.router));
    this.sandbox.warm();
    await this.scripts.loadAll();
    await this.scripts.watch();
    this.started = true;
    this.log.info('admin commands ready', { scripts: this.config.scriptsDir, components: [...this.components.keys()] });
  }

  async stop(): Promise<void> {
    for (const x of this.disposables.splice(0).reverse()) x.dispose();
    for (const domain of [...this.claims.keys()]) this.releaseDomain(domain);
    await this.scripts.stop();
    await this.checker.close();
    await this.sandbox.close();
  }

  /** The component JIDs on a virtual host (`sess-man@<domain>`, …), answered and listed in disco for admins. */
  private claimDomain(domain: string): void {
    if (this.claims.has(domain)) return;
    const held: { dispose(): void }[] = [];
    for (const comp of this.components.values()) this.claimAddress(comp, domain, held);
    this.claims.set(domain, held);
  }

  private claimAddress(comp: AdminComponent, domain: string, held: { dispose(): void }[]): void {
    const jid = `${comp.name}@${domain}`;
    held.push(this.d.router.registerAddress(jid, (stanza, from, to) => comp.handle(stanza, from, to)));
    held.push(this.d.disco.addItem({ jid, name: comp.spec.description, adminOnly: true }));
  }

  private releaseDomain(domain: string): void {
    for (const x of (this.claims.get(domain) ?? []).reverse()) x.dispose();
    this.claims.delete(domain);
  }

  private scriptList(component: string): { id: string; name: string }[] {
    const comp = this.components.get(component);
    if (!comp) return [];
    return comp
      .scriptIds()
      .map((id) => ({ id, name: comp.command(id)!.name }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
