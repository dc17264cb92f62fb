import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Container } from 'inversify';
import { type Jid, type Logger, type ServiceToken, StarlingError, tryParseJid } from '@starling/sdk';
import type { KernelDiscoRegistry, KernelEventBus, StanzaRouter } from '@starling/sdk/kernel';
import type { AdminUi } from '@starling/admin-ui';
import type { ClusterComponent } from '../cluster/cluster-component';
import type { ClusterNode } from '../cluster/cluster-node';
import type { CredentialService } from '../auth/credential-service';
import { loadServerSecret } from '../auth/server-secret';
import { AdminChannel, type AdminChannelHandlers, runningServerPid } from '../cli/admin-channel';
import type { AdminCommands } from '../commands/admin-commands';
import { type ConfigBean, type ConfigFinding, formatFinding, loadConfigFile, throwConfigErrors } from '../config';
import { ConfigBeanView } from '../config/config-bean-view';
import type { HttpServer } from '../http/http-server';
import type { BoshService } from '../net/bosh-service';
import type { C2SService } from '../net/c2s-service';
import type { CertificateStore } from '../net/certificates';
import type { ExtComponentService } from '../net/ext-service';
import type { S2SService } from '../net/s2s/s2s-service';
import type { ListenerSpec } from '../net/listeners';
import type { Watchdog } from '../net/watchdog';
import type { WsService } from '../net/ws-service';
import { readDebugSwitches } from '../ops/debug-switches';
import { Logging } from '../ops/logger';
import { counters } from '../ops/counters';
import { loadCollector, loadMallocTrim, MemoryTrimmer } from '../ops/memory-trim';
import type { LocalSessionDirectory } from '../sm/session-directory';
import type { ResumableSessions } from '../sm/stream-management';
import { dataSourceFromUri, openStorage, type Storage } from '../storage';
import { SaslAuthenticator } from '../stream/sasl/sasl-authenticator';
import { followVhostChanges, forgetAnonymousUsers } from '../vhosts/vhost-effects';
import type { VhostRegistry } from '../vhosts/vhost-registry';
import { bindBoot, coreModule } from './composition';
import { checkHomeConfig } from './config-check';
import { CORE, resolveToken } from './core-tokens';
import { HangWatchdog } from './hang-watchdog';
import { PluginCatalog } from './plugin-catalog';
import type { PluginHost } from './plugin-host';
import { removePluginStatus } from './plugin-status';
import { PluginWatcher } from './plugin-watcher';
import { type ServerSettings, readSettings } from './settings';

export interface StartOptions {
  home: string;
  /** Defaults to <home>/etc/config.tdsl. */
  configFile?: string;
  logger?: Logger;
  /** The console log the hang watchdog appends its line to (logs/starling-console.log). */
  consoleLogFile?: string;
  /** Told the settings as soon as the config is read, before anything loads (the supervisor's restart keys). */
  onSettings?: (settings: ServerSettings) => void;
}

/** The directory that holds the built-in plugin packages (the repository's plugins/). */
export const BUILT_IN_PLUGINS_DIR = resolve(__dirname, '../../../../plugins');

export interface LoadedHome {
  settings: ServerSettings;
  config: ConfigBean;
  top: ConfigBeanView;
  log: Logger;
  catalog: PluginCatalog;
  /** What checking every key found: unknown keys (errors), Tigase keys not implemented, unit traps. */
  findings: ConfigFinding[];
}

/**
 * Reads the home's config and checks every key against core's table and the plugin manifests, without
 * throwing for unknown keys (`starling check` lists them all). Reads only: creates and opens nothing.
 */
export function readHome(opts: StartOptions): LoadedHome {
  const home = resolve(opts.home);
  const file = opts.configFile ?? join(home, 'etc', 'config.tdsl');
  const config = loadConfigFile(file);
  const top = new ConfigBeanView(config);
  const settings = readSettings(top, home, BUILT_IN_PLUGINS_DIR);
  const log = opts.logger ?? Logging.stderrOnly(readDebugSwitches(top)).log;
  const catalog = new PluginCatalog(top.bean('sess-man'), top).scan(settings.pluginDirs, log);
  return { settings, config, top, log, catalog, findings: checkHomeConfig(config, catalog, settings.domains, settings.c2s.listeners) };
}

/** readHome, failing on the first unknown key: what the server and every CLI command share. */
export function loadHome(opts: StartOptions): LoadedHome {
  const loaded = readHome(opts);
  throwConfigErrors(loaded.findings);
  return loaded;
}

/** loadHome, then opens the configured storage. */
export async function openHome(opts: StartOptions): Promise<LoadedHome & { storage: Storage }> {
  const loaded = loadHome(opts);
  const storage = await openStorage(dataSourceFromUri(loaded.settings.dataSourceUri, loaded.settings.home));
  return { ...loaded, storage };
}

/**
 * A running Starling: config, storage, kernel container, plugins and listeners. What it is made of is
 * bound in the composition root (./composition.ts) and resolved here; start() and stop() give the order.
 */
export class StarlingServer {
  readonly startedAt = Date.now();
  listeners: ListenerSpec[] = [];
  readonly container = new Container({ defaultScope: 'Singleton' });
  readonly sessions: LocalSessionDirectory;
  readonly events: KernelEventBus;
  /** XEP-0198 sessions that can be resumed (null when stream management is off). */
  private readonly resumable: ResumableSessions | null;
  readonly router: StanzaRouter;
  readonly disco: KernelDiscoRegistry;
  readonly plugins: PluginHost;
  /** Watches the plugin directories: packages load, reload and unload as they change on disk. */
  private pluginWatcher: PluginWatcher | undefined;
  /** Ends the process when the main thread is blocked past 'hang-timeout' (./hang-watchdog.ts). */
  private hangWatchdog: HangWatchdog | undefined;
  /** The local admin channel (var/admin/starling.sock) the CLI reaches this server through. */
  private adminChannel: AdminChannel | undefined;
  /** The XEP-0114 external component listener, when the `ext` bean is configured. */
  readonly ext: ExtComponentService | null;
  extListeners: { port: number; host: string }[] = [];
  readonly credentials: CredentialService;
  /** Ad-hoc commands on the kernel components and the admin scripts (core/src/commands, core/src/scripting). */
  readonly commands: AdminCommands;
  private readonly c2s: C2SService;
  /**
   * The HTTP port of `httpServer { connections { 8080 () {} } }`, for the admin UI and `/metrics`:
   * mount with `server.http.route('GET', '/metrics', handler)` before or after start.
   */
  readonly http: HttpServer;
  httpListeners: ListenerSpec[] = [];
  /** XMPP over WebSocket (RFC 7395), unless `ws2s (active: false)`. */
  readonly ws2s: WsService | null;
  ws2sListeners: ListenerSpec[] = [];
  /** BOSH (XEP-0124/0206), unless `bosh (active: false)`. */
  readonly bosh: BoshService | null;
  boshListeners: ListenerSpec[] = [];
  /** One timer checks the idle connections of every connection manager (chapter 11.8). */
  readonly watchdog: Watchdog;
  private readonly adminJid: (jid: Jid | string) => boolean;
  /** The virtual hosts, managed at run time by vhost-man (core/src/vhosts). */
  readonly vhosts: VhostRegistry;
  private readonly certs: CertificateStore;
  /** The web Admin UI under /admin/ on the httpServer port (the admin-ui package). */
  readonly adminUi: AdminUi;
  /** Server-to-server federation (core/src/net/s2s), unless `s2s (active: false)`. */
  readonly s2s: S2SService | null;
  s2sListeners: ListenerSpec[] = [];
  /** Cluster mode (core/src/cluster): this node's link to the others, and the `cl-comp` admin view. */
  readonly cluster: ClusterNode | null;
  private readonly clusterView: ClusterComponent | null;
  /** Gives freed memory back to the system after many client connections closed (ops/memory-trim.ts). */
  private memoryTrim: MemoryTrimmer | undefined;

  private constructor(
    readonly settings: ServerSettings,
    readonly storage: Storage,
    config: ConfigBeanView,
    readonly log: Logger,
    auth: SaslAuthenticator,
    readonly catalog: PluginCatalog,
  ) {
    const c = this.container;
    bindBoot(c, { container: c, settings, config, log, storage, catalog, auth, startedAt: this.startedAt });
    c.load(coreModule);
    const get = <T>(token: ServiceToken<T>): T => resolveToken(c, token);
    this.adminJid = get(CORE.isAdmin);
    this.events = get(CORE.events);
    this.watchdog = get(CORE.watchdog);
    this.vhosts = get(CORE.vhosts);
    this.sessions = get(CORE.sessions);
    this.router = get(CORE.router);
    this.disco = get(CORE.disco);
    this.credentials = get(CORE.credentials);
    this.plugins = get(CORE.plugins);
    this.ext = get(CORE.ext);
    this.commands = get(CORE.commands);
    this.certs = get(CORE.certs);
    this.resumable = get(CORE.resumable);
    this.c2s = get(CORE.c2s);
    this.http = get(CORE.http);
    this.adminUi = get(CORE.adminUi);
    this.ws2s = get(CORE.ws2s);
    this.bosh = get(CORE.bosh);
    this.s2s = get(CORE.s2s);
    this.cluster = get(CORE.cluster);
    this.clusterView = get(CORE.clusterView);
  }

  static async start(opts: StartOptions): Promise<StarlingServer> {
    await assertNotRunning(opts.home);
    const { settings, storage, top, log, catalog, findings } = await openHome(opts);
    opts.onSettings?.(settings);
    for (const f of findings) log.warn(formatFinding(f));
    const auth = new SaslAuthenticator(storage.users, { iterations: settings.scramIterations, serverSecret: await loadServerSecret(storage.serverData) });
    const server = new StarlingServer(settings, storage, top, log, auth, catalog);
    try {
      server.adminChannel = await AdminChannel.listen(settings.home, server.adminChannelHandlers(), log.child({ c: 'admin-channel' }));
      await server.vhosts.load();
      await server.certs.prepare(server.vhosts.domains);
      followVhostChanges(server.vhosts, server.certs, server.sessions, log.child({ c: 'vhost-man' }));
      forgetAnonymousUsers(server.events, storage.users, log.child({ c: 'sess-man' }));
      await server.cluster?.start(server.router, () => Object.values(server.clientConnections()).reduce((a, b) => a + b, 0), server.vhosts, clientAddress(settings.c2s.listeners));
      server.clusterView?.start();
      server.hangWatchdog = HangWatchdog.start({ home: settings.home, timeoutMs: settings.hangTimeoutMs, consoleFile: opts.consoleLogFile, log: log.child({ c: 'hang-watchdog' }) });
      await server.plugins.loadAll();
      server.pluginWatcher = new PluginWatcher(settings.pluginDirs, server.plugins, log.child({ c: 'plugins' }));
      await server.pluginWatcher.start();
      await server.commands.start();
      server.listeners = await server.c2s.listen(settings.c2s.listeners);
      if (server.ext) server.extListeners = await server.ext.listen();
      if (server.s2s) {
        server.s2sListeners = await server.s2s.start(storage.serverData, settings.defaultDomain);
        for (const l of server.s2sListeners) log.info(`s2s listening on ${describe(l)}`);
        server.watchdog.watch('s2s', server.s2s.settings.watchdog, () => server.s2s!.watchedConnections());
      }
      server.adminUi.mount();
      server.httpListeners = await server.http.listen(settings.web.http.listeners);
      for (const l of server.httpListeners) log.info(`httpServer listening on ${describe(l)}`);
      if (server.ws2s) {
        server.ws2sListeners = await server.ws2s.listen();
        for (const l of server.ws2sListeners) log.info(`ws2s (WebSocket) listening on ${describe(l)}`);
        server.watchdog.watch('ws2s', settings.web.ws2s!.watchdog, () => server.ws2s!.watchedConnections());
      }
      if (server.bosh) {
        server.boshListeners = await server.bosh.listen();
        for (const l of server.boshListeners) log.info(`bosh listening on ${describe(l)}`);
        server.watchdog.watch('bosh', settings.web.bosh!.watchdog, () => server.bosh!.watchedConnections(), { pings: false });
      }
      server.cluster?.publishWeb(webAddresses(server.ws2sListeners, server.boshListeners));
      server.watchdog.watch('c2s', settings.c2s.watchdog, () => server.c2s.watchedConnections());
      server.watchdog.start();
      const memoryLog = log.child({ c: 'memory' });
      server.memoryTrim = new MemoryTrimmer(
        settings.memoryTrim,
        () => counters.connectionsAccepted,
        () => server.c2s.connectionCount(),
        loadMallocTrim(),
        memoryLog,
        settings.memoryTrim.intervalMs > 0 ? loadCollector(memoryLog) : null,
      );
      server.memoryTrim.start();
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  /** Open client connections by connection manager (for the statistics). */
  clientConnections(): { c2s: number; ws2s: number; bosh: number } {
    return { c2s: this.c2s.connectionCount(), ws2s: this.ws2s ? [...this.ws2s.watchedConnections()].length : 0, bosh: this.bosh?.sessionCount() ?? 0 };
  }

  isAdmin(jid: Jid | string): boolean {
    return this.adminJid(jid);
  }

  /** The local admin channel's requests (`starling user del|passwd` while the server runs). */
  private adminChannelHandlers(): AdminChannelHandlers {
    return {
      deleteUser: async (jid) => {
        const j = tryParseJid(jid);
        if (!j?.local || j.resource || !(await this.credentials.removeUser(j.bareString))) return { deleted: false, sessionsEnded: 0 };
        const sessions = [...(this.cluster?.sessions ?? this.sessions).resources(j.bareString)];
        for (const s of sessions) s.close();
        this.log.info('account deleted from the command line', { jid: j.bareString, sessionsEnded: sessions.length });
        this.events.emit('user.deleted', { jid: j.bareString });
        return { deleted: true, sessionsEnded: sessions.length };
      },
      setPassword: async (jid, password) => {
        const j = tryParseJid(jid);
        if (!j?.local || j.resource || !(await this.storage.users.exists(j.bareString))) return false;
        return this.credentials.setPassword(j.bareString, password);
      },
    };
  }

  async stop(): Promise<void> {
    await this.adminChannel?.close();
    this.watchdog.stop();
    this.memoryTrim?.stop();
    await this.pluginWatcher?.close();
    await this.c2s.close();
    await this.http.close();
    await this.ws2s?.close();
    await this.bosh?.close();
    await this.ext?.close();
    await this.s2s?.close();
    this.resumable?.endAll('server shutdown');
    await this.cluster?.stop();
    await this.plugins.unloadAll();
    removePluginStatus(this.settings.home);
    await this.commands.stop();
    await this.storage.close();
    await this.hangWatchdog?.stop();
  }
}

/** Where clients reach this server by default (see-other-host in cluster mode): its first c2s port that is not direct TLS. */
function clientAddress(listeners: readonly ListenerSpec[]): string | undefined {
  const l = listeners.find((x) => x.tls !== 'direct' && x.port !== 0);
  return l && `${advertisedHost(l)}:${l.port}`;
}

/** Where web clients reach this server by default (see-other-uri in cluster mode): a URI per WebSocket and BOSH port. */
function webAddresses(ws2s: readonly ListenerSpec[], bosh: readonly ListenerSpec[]): string[] {
  const uri = (l: ListenerSpec, scheme: string, path: string) => `${scheme}${l.tls === 'direct' ? 's' : ''}://${advertisedHost(l)}:${l.port}${path}`;
  return [...ws2s.map((l) => uri(l, 'ws', '/xmpp-websocket')), ...bosh.map((l) => uri(l, 'http', '/http-bind'))];
}

/** A listener's host as clients name it: the machine's name for a wildcard address, an IPv6 address in brackets. */
function advertisedHost(l: ListenerSpec): string {
  return l.host === '::' || l.host === '0.0.0.0' ? hostname() : l.host.includes(':') ? `[${l.host}]` : l.host;
}

function describe(l: ListenerSpec): string {
  return `${l.host === '::' ? '*' : l.host}:${l.port}${l.tls === 'direct' ? ' (TLS)' : ''}`;
}

/** Before anything is opened or written (logs, pid file, storage): a second start must leave the running server's files alone. */
export async function assertNotRunning(home: string): Promise<void> {
  const runningPid = await runningServerPid(resolve(home));
  if (runningPid !== undefined) throw new StarlingError('STARLING_ALREADY_RUNNING', `a server is already running on ${resolve(home)} (pid ${runningPid})`);
}

export function homeLooksInitialised(home: string): boolean {
  return existsSync(join(home, 'etc', 'config.tdsl'));
}
