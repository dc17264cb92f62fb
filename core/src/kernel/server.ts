import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Container } from 'inversify';
import {
  CREDENTIALS,
  DISCO,
  EVENT_BUS,
  type Jid,
  type Logger,
  OFFLINE_REPOSITORY,
  ROSTER_REPOSITORY,
  ROUTER,
  SDK_VERSION,
  SERVER_DATA,
  SERVER_INFO,
  SESSIONS,
  type ServerInfo,
  USER_DATA,
  USER_REPOSITORY,
  StarlingError,
  tryParseJid,
} from '@starling/sdk';
import { CredentialService } from '../auth/credential-service';
import { AdminCommands } from '../commands/admin-commands';
import { type ConfigBean, type ConfigFinding, formatFinding, loadConfigFile, throwConfigErrors } from '../config';
import { CertificateStore } from '../net/certificates';
import { C2SService } from '../net/c2s-service';
import { StreamHost } from '../net/stream-host';
import { HttpServer } from '../http/http-server';
import { WsService } from '../net/ws-service';
import { BoshService } from '../net/bosh-service';
import { Watchdog } from '../net/watchdog';
import { countOfflineTraffic } from '../ops/counting-offline';
import { readDebugSwitches } from '../ops/debug-switches';
import { Logging } from '../ops/logger';
import { KernelDiscoRegistry, KernelEventBus, StanzaRouter } from '@starling/sdk/kernel';
import { SessionManager } from '../sm/session-manager';
import { LocalSessionDirectory } from '../sm/session-directory';
import { dataSourceFromUri, openStorage, type Storage } from '../storage';
import { loadServerSecret } from '../auth/server-secret';
import { SaslAuthenticator } from '../stream/sasl/sasl-authenticator';
import { AdminChannel, type AdminChannelHandlers, runningServerPid } from '../cli/admin-channel';
import { ConfigBeanView } from '../config/config-bean-view';
import { checkHomeConfig } from './config-check';
import { ResumableSessions } from '../sm/stream-management';
import { PluginCatalog } from './plugin-catalog';
import { PluginHost } from './plugin-host';
import { pluginCommands } from './plugin-commands';
import { removePluginStatus, writePluginStatus } from './plugin-status';
import { PluginWatcher } from './plugin-watcher';
import { ExtComponentService } from '../net/ext-service';
import { readExtSettings } from '../net/ext-settings';
import type { ListenerSpec } from '../net/listeners';
import { type ServerSettings, readSettings } from './settings';
import { readVhostManagerConfig } from '../vhosts/vhost-defaults';
import { VhostRegistry } from '../vhosts/vhost-registry';
import { InBandRegistration } from '../vhosts/in-band-registration';
import { AdminUi, readAdminUiLimits } from '../admin-ui/admin-ui';
import { followVhostChanges, forgetAnonymousUsers } from '../vhosts/vhost-effects';

export interface StartOptions {
  home: string;
  /** Defaults to <home>/etc/config.tdsl. */
  configFile?: string;
  logger?: Logger;
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

/** A running Starling: config, storage, kernel container, plugins and listeners. */
export class StarlingServer {
  readonly startedAt = Date.now();
  listeners: ListenerSpec[] = [];
  readonly container = new Container({ defaultScope: 'Singleton' });
  readonly sessions = new LocalSessionDirectory();
  readonly events: KernelEventBus;
  /** XEP-0198 sessions that can be resumed (undefined when stream management is off). */
  private readonly resumable: ResumableSessions | undefined;
  readonly router: StanzaRouter;
  readonly disco: KernelDiscoRegistry;
  readonly plugins: PluginHost;
  /** Watches the plugin directories: packages load, reload and unload as they change on disk. */
  private pluginWatcher: PluginWatcher | undefined;
  /** The local admin channel (var/admin/starling.sock) the CLI reaches this server through. */
  private adminChannel: AdminChannel | undefined;
  /** The XEP-0114 external component listener, when the `ext` bean is configured. */
  readonly ext: ExtComponentService | undefined;
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
  readonly ws2s: WsService | undefined;
  ws2sListeners: ListenerSpec[] = [];
  /** BOSH (XEP-0124/0206), unless `bosh (active: false)`. */
  readonly bosh: BoshService | undefined;
  boshListeners: ListenerSpec[] = [];
  /** One timer checks the idle connections of every connection manager (chapter 11.8). */
  readonly watchdog: Watchdog;
  private readonly admins: Set<string>;
  /** The virtual hosts, managed at run time by vhost-man (core/src/vhosts). */
  readonly vhosts: VhostRegistry;
  private readonly certs: CertificateStore;
  /** The web Admin UI under /admin/ on the httpServer port (core/src/admin-ui). */
  readonly adminUi: AdminUi;

  private constructor(
    readonly settings: ServerSettings,
    readonly storage: Storage,
    top: ConfigBeanView,
    readonly log: Logger,
    auth: SaslAuthenticator,
    readonly catalog: PluginCatalog,
  ) {
    this.admins = new Set(settings.admins);
    this.events = new KernelEventBus(log);
    this.watchdog = new Watchdog(log.child({ c: 'watchdog' }));
    const vhostConfig = readVhostManagerConfig(top);
    this.vhosts = new VhostRegistry(storage.vhosts, settings.domains, settings.defaultDomain, vhostConfig.defaults, storage.serverData, log.child({ c: 'vhost-man' }));
    const liveDomains = { has: (domain: string) => this.vhosts.isLocal(domain), item: (domain: string) => this.vhosts.item(domain) };
    this.router = new StanzaRouter({ sessions: this.sessions, domains: liveDomains, log: log.child({ c: 'router' }) });
    this.disco = new KernelDiscoRegistry((jid) => this.isAdmin(jid));
    this.credentials = new CredentialService(storage.users, settings.scramIterations);
    const info: ServerInfo = {
      name: 'Starling',
      version: SDK_VERSION,
      startedAt: this.startedAt,
      defaultDomain: settings.defaultDomain,
      domains: () => this.vhosts.domains,
      vhostForward: (domain, kind) => {
        const item = this.vhosts.item(domain);
        return (kind === 'presence' ? item?.presenceForward : item?.messageForward) ?? null;
      },
      isAdmin: (jid) => this.isAdmin(jid),
    };
    const c = this.container;
    c.bind(ROUTER).toConstantValue(this.router);
    c.bind(SESSIONS).toConstantValue(this.sessions);
    c.bind(SERVER_INFO).toConstantValue(info);
    c.bind(EVENT_BUS).toConstantValue(this.events);
    c.bind(DISCO).toConstantValue(this.disco);
    c.bind(USER_REPOSITORY).toConstantValue(storage.users);
    c.bind(ROSTER_REPOSITORY).toConstantValue(storage.roster);
    c.bind(OFFLINE_REPOSITORY).toConstantValue(countOfflineTraffic(storage.offline));
    c.bind(USER_DATA).toConstantValue(storage.userData);
    c.bind(SERVER_DATA).toConstantValue(storage.serverData);
    c.bind(CREDENTIALS).toConstantValue(this.credentials);

    const sessMan = top.bean('sess-man');
    this.plugins = new PluginHost({
      root: c,
      router: this.router,
      disco: this.disco,
      events: this.events,
      log,
      catalog: this.catalog,
      globals: (key) => (sessMan?.has(key) ? sessMan.get(key) : top.get(key)),
      vhosts: { domains: () => this.vhosts.domains, onChange: (listener) => this.vhosts.onChange(() => listener()) },
      onChange: (records) => writePluginStatus(settings.home, records),
    });
    const ext = readExtSettings(top, settings.domains);
    this.ext = ext ? new ExtComponentService(ext, this.router, this.disco, log.child({ c: 'ext' })) : undefined;
    this.commands = new AdminCommands({
      home: settings.home,
      top,
      vhosts: this.vhosts,
      vhostConfig,
      installCertificate: (domain, pem, save) => this.certs.install(domain, pem, save),
      router: this.router,
      disco: this.disco,
      sessions: this.sessions,
      storage,
      credentials: this.credentials,
      events: this.events,
      isAdmin: (jid) => this.isAdmin(jid),
      startedAt: this.startedAt,
      log,
    });
    for (const cmd of pluginCommands(this.plugins)) this.commands.components.get('sess-man')!.addBuiltIn(cmd);
    const certs = (this.certs = new CertificateStore(join(settings.home, 'certs'), log));
    const sm = new SessionManager(this.sessions, this.router, this.events, log.child({ c: 'sess-man' }));
    const smSettings = settings.c2s.streamManagement;
    this.resumable = smSettings.enabled ? new ResumableSessions(smSettings, log.child({ c: 'sm' })) : undefined;
    const registration = new InBandRegistration((d) => this.vhosts.item(d), storage.users, this.credentials, this.sessions, vhostConfig.registration, log.child({ c: 'register' }));
    const streams = new StreamHost(log.child({ c: 'streams' }), liveDomains, certs, auth, sm, this.router, () => this.disco.streamFeatures(), this.events, vhostConfig.anonymousTrafficLimit, registration, this.resumable);
    this.c2s = new C2SService(log.child({ c: 'c2s' }), settings.c2s.limits, streams, certs, settings.defaultDomain);
    this.http = new HttpServer('httpServer', log.child({ c: 'http' }), certs, settings.defaultDomain);
    this.adminUi = new AdminUi(this.http, this.router, this.commands, this.vhosts, storage.users, readAdminUiLimits(top.bean('httpServer')), log.child({ c: 'admin-ui' }));
    const web = settings.web;
    this.ws2s = web.ws2s && new WsService(log.child({ c: 'ws2s' }), web.ws2s, streams, certs, settings.defaultDomain);
    this.bosh = web.bosh && new BoshService(log.child({ c: 'bosh' }), web.bosh, streams, certs, settings.defaultDomain);
  }

  static async start(opts: StartOptions): Promise<StarlingServer> {
    await assertNotRunning(opts.home);
    const { settings, storage, top, log, catalog, findings } = await openHome(opts);
    for (const f of findings) log.warn(formatFinding(f));
    const auth = new SaslAuthenticator(storage.users, { iterations: settings.scramIterations, serverSecret: await loadServerSecret(storage.serverData) });
    const server = new StarlingServer(settings, storage, top, log, auth, catalog);
    try {
      server.adminChannel = await AdminChannel.listen(settings.home, server.adminChannelHandlers(), log.child({ c: 'admin-channel' }));
      await server.vhosts.load();
      server.certs.prepare(server.vhosts.domains);
      followVhostChanges(server.vhosts, server.certs, server.sessions, log.child({ c: 'vhost-man' }));
      forgetAnonymousUsers(server.events, storage.users, log.child({ c: 'sess-man' }));
      await server.plugins.loadAll();
      server.pluginWatcher = new PluginWatcher(settings.pluginDirs, server.plugins, log.child({ c: 'plugins' }));
      await server.pluginWatcher.start();
      await server.commands.start();
      server.listeners = await server.c2s.listen(settings.c2s.listeners);
      if (server.ext) server.extListeners = await server.ext.listen();
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
      server.watchdog.watch('c2s', settings.c2s.watchdog, () => server.c2s.watchedConnections());
      server.watchdog.start();
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
    const j = typeof jid === 'string' ? tryParseJid(jid) : jid;
    return j ? this.admins.has(j.bareString) : false;
  }

  /** The local admin channel's requests (`starling user del|passwd` while the server runs). */
  private adminChannelHandlers(): AdminChannelHandlers {
    return {
      deleteUser: async (jid) => {
        const j = tryParseJid(jid);
        if (!j?.local || j.resource || !(await this.credentials.removeUser(j.bareString))) return { deleted: false, sessionsEnded: 0 };
        const sessions = [...this.sessions.resources(j.bareString)];
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
    await this.pluginWatcher?.close();
    await this.c2s.close();
    await this.http.close();
    await this.ws2s?.close();
    await this.bosh?.close();
    await this.ext?.close();
    this.resumable?.endAll('server shutdown');
    await this.plugins.unloadAll();
    removePluginStatus(this.settings.home);
    await this.commands.stop();
    await this.storage.close();
  }
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
