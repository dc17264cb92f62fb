import { join, resolve } from 'node:path';
import { type Container, ContainerModule, type ContainerModuleLoadOptions } from 'inversify';
import {
  CACHE_INVALIDATION,
  CacheInvalidations,
  CREDENTIALS,
  DISCO,
  EVENT_BUS,
  MUC_REPOSITORY,
  HTTP_ROUTES,
  MESSAGE_ARCHIVE,
  OFFLINE_REPOSITORY,
  PUBSUB_REPOSITORY,
  ROSTER_REPOSITORY,
  ROUTER,
  SDK_VERSION,
  SERVER_DATA,
  SERVER_HOME,
  SERVER_INFO,
  SESSIONS,
  LayeredConfig,
  type ServiceToken,
  UPLOAD_SLOTS,
  USER_DATA,
  USER_REPOSITORY,
  tryParseJid,
} from '@starling/sdk';
import { KernelDiscoRegistry, KernelEventBus, StanzaRouter } from '@starling/sdk/kernel';
import { ADMIN_UI_HOST, AdminUi } from '@starling/admin-ui';
import { ClusterComponent } from '../cluster/cluster-component';
import { ClusterNode } from '../cluster/cluster-node';
import { readClusterSettings } from '../cluster/cluster-settings';
import { CredentialService } from '../auth/credential-service';
import { AdminCommands } from '../commands/admin-commands';
import { beanOrEmpty } from '../config/config-bean-view';
import { HttpServer } from '../http/http-server';
import { ServerHomeDirs } from './server-home';
import { BoshService } from '../net/bosh-service';
import { C2SService } from '../net/c2s-service';
import { CertificateStore } from '../net/certificates';
import { ExtComponentService } from '../net/ext-service';
import { readExtSettings } from '../net/ext-settings';
import { S2SService } from '../net/s2s/s2s-service';
import { readS2SSettings } from '../net/s2s/s2s-settings';
import { StreamHost } from '../net/stream-host';
import { Watchdog } from '../net/watchdog';
import { WsService } from '../net/ws-service';
import { countOfflineTraffic } from '../ops/counting-offline';
import { LocalSessionDirectory } from '../sm/session-directory';
import { SessionManager } from '../sm/session-manager';
import { ResumableSessions } from '../sm/stream-management';
import { InBandRegistration } from '../vhosts/in-band-registration';
import { readVhostManagerConfig } from '../vhosts/vhost-defaults';
import { VhostRegistry } from '../vhosts/vhost-registry';
import { adminUiHost, readAdminUiLimits } from './admin-ui-host';
import { BOOT, CORE, resolveToken } from './core-tokens';
import { pluginCommands } from './plugin-commands';
import { PluginHost } from './plugin-host';
import { LastGoodVersions } from './plugin-last-good';
import { PluginQuarantine } from './plugin-quarantine';
import { writePluginStatus } from './plugin-status';

type Values<D extends readonly ServiceToken<unknown>[]> = { [K in keyof D]: D[K] extends ServiceToken<infer V> ? V : never };

/** Binds `token` to one instance made by `make` from the services named in `deps`, in that order. */
function provider(bind: ContainerModuleLoadOptions['bind']) {
  return <T, const D extends readonly ServiceToken<unknown>[]>(token: ServiceToken<T>, deps: D, make: (...args: Values<D>) => T): void => {
    bind<T>(token)
      .toResolvedValue((...args: unknown[]) => make(...(args as Values<D>)), [...deps])
      .inSingletonScope();
  };
}

/** Hands the values boot read from the home to the composition root. */
export function bindBoot(container: Container, boot: { [K in keyof typeof BOOT]: (typeof BOOT)[K] extends ServiceToken<infer V> ? V : never }): void {
  for (const key of Object.keys(BOOT) as (keyof typeof BOOT)[]) container.bind(BOOT[key]).toConstantValue(boot[key]);
}

/**
 * The composition root: what the server is made of and how its services depend on each other. Each
 * service is made once, when first resolved; StarlingServer resolves them at boot and starts and stops
 * them in order. The SDK's tokens (what plugins inject) point at the same instances.
 */
export const coreModule = new ContainerModule(({ bind }) => {
  const provide = provider(bind);

  provide(CORE.isAdmin, [BOOT.settings], (settings) => {
    const admins = new Set(settings.admins);
    // Plugins ask ServerInfo.isAdmin with a Jid or a JID string (the MUC service passes bare JID strings).
    return (jid) => admins.has(typeof jid === 'string' ? (tryParseJid(jid)?.bareString ?? '') : jid.bareString);
  });
  provide(CORE.events, [BOOT.log], (log) => new KernelEventBus(log));
  provide(CORE.sessions, [], () => new LocalSessionDirectory());
  provide(CORE.cluster, [BOOT.config, CORE.sessions, BOOT.log], (top, sessions, log) => {
    const cluster = readClusterSettings(top);
    return cluster ? new ClusterNode(cluster, sessions, log.child({ c: 'cluster' })) : null;
  });
  provide(CORE.directory, [CORE.sessions, CORE.cluster], (local, cluster) => cluster?.sessions ?? local);
  provide(CORE.watchdog, [BOOT.log], (log) => new Watchdog(log.child({ c: 'watchdog' })));
  provide(CORE.vhostConfig, [BOOT.config], (top) => readVhostManagerConfig(top));
  provide(
    CORE.vhosts,
    [BOOT.settings, BOOT.storage, CORE.vhostConfig, BOOT.log],
    (settings, storage, vhostConfig, log) =>
      new VhostRegistry(storage.vhosts, settings.domains, settings.defaultDomain, vhostConfig.defaults, storage.serverData, log.child({ c: 'vhost-man' })),
  );
  provide(CORE.servedDomains, [CORE.vhosts], (vhosts) => ({ has: (domain) => vhosts.isLocal(domain), item: (domain) => vhosts.item(domain) }));
  provide(CORE.s2sSettings, [BOOT.config, BOOT.settings], (top, settings) => readS2SSettings(top, (p) => resolve(settings.home, p)) ?? null);
  // Stanzas for domains not served here go to s2s (resolved when the first one comes: s2s needs the router).
  provide(CORE.router, [CORE.directory, CORE.servedDomains, BOOT.log, CORE.s2sSettings, BOOT.container], (sessions, domains, log, s2s, container) =>
    new StanzaRouter({ sessions, domains, log: log.child({ c: 'router' }), remote: s2s ? (stanza) => resolveToken(container, CORE.s2s)!.send(stanza) : undefined }),
  );
  provide(CORE.disco, [CORE.isAdmin], (isAdmin) => new KernelDiscoRegistry(isAdmin));
  provide(CORE.clusterView, [CORE.cluster, CORE.router, CORE.commands, CORE.isAdmin, CORE.plugins, BOOT.settings, BOOT.log], (cluster, router, commands, isAdmin, plugins, settings, log) =>
    cluster ? new ClusterComponent(cluster, router, commands, isAdmin, { host: plugins, dirs: settings.pluginDirs, log: log.child({ c: 'cluster' }) }) : null,
  );
  provide(CORE.credentials, [BOOT.storage, BOOT.settings], (storage, settings) => new CredentialService(storage.users, settings.scramIterations));
  provide(CORE.serverInfo, [BOOT.settings, BOOT.startedAt, CORE.vhosts, CORE.isAdmin], (settings, startedAt, vhosts, isAdmin) => ({
    name: 'Starling',
    version: SDK_VERSION,
    startedAt,
    defaultDomain: settings.defaultDomain,
    domains: () => vhosts.domains,
    vhostForward: (domain, kind) => {
      const item = vhosts.item(domain);
      return (kind === 'presence' ? item?.presenceForward : item?.messageForward) ?? null;
    },
    vhostRules: (domain) => {
      const item = vhosts.item(domain);
      return item?.enabled ? { domainFilter: item.domainFilter, domainFilterDomains: item.domainFilterDomains, trusted: item.trusted } : undefined;
    },
    isAdmin,
  }));

  // What plugins inject (sdk/src/tokens.ts).
  bind(ROUTER).toService(CORE.router);
  bind(SESSIONS).toService(CORE.directory);
  bind(SERVER_INFO).toService(CORE.serverInfo);
  bind(EVENT_BUS).toService(CORE.events);
  bind(DISCO).toService(CORE.disco);
  bind(CREDENTIALS).toService(CORE.credentials);
  provide(USER_REPOSITORY, [BOOT.storage], (storage) => storage.users);
  provide(ROSTER_REPOSITORY, [BOOT.storage], (storage) => storage.roster);
  provide(OFFLINE_REPOSITORY, [BOOT.storage], (storage) => countOfflineTraffic(storage.offline));
  provide(USER_DATA, [BOOT.storage], (storage) => storage.userData);
  provide(MESSAGE_ARCHIVE, [BOOT.storage], (storage) => storage.archive);
  provide(UPLOAD_SLOTS, [BOOT.storage], (storage) => storage.uploads);
  provide(SERVER_DATA, [BOOT.storage], (storage) => storage.serverData);
  provide(PUBSUB_REPOSITORY, [BOOT.storage], (storage) => storage.pubsub);
  provide(MUC_REPOSITORY, [BOOT.storage], (storage) => storage.muc);
  provide(CACHE_INVALIDATION, [CORE.cluster], (cluster) => cluster?.invalidations ?? new CacheInvalidations());

  provide(
    CORE.plugins,
    [BOOT.container, CORE.router, CORE.disco, CORE.events, BOOT.log, BOOT.catalog, BOOT.config, BOOT.settings, CORE.vhosts],
    (root, router, disco, events, log, catalog, top, settings, vhosts) => {
      const sessMan = top.bean('sess-man');
      return new PluginHost({
        root,
        router,
        disco,
        events,
        log,
        catalog,
        globals: new LayeredConfig(sessMan ? [sessMan, top] : [top], 'config'),
        vhosts: { domains: () => vhosts.domains, onChange: (listener) => vhosts.onChange(() => listener()) },
        quarantine: new PluginQuarantine(settings.home, log.child({ c: 'plugins' })),
        lastGood: new LastGoodVersions(settings.home, settings.pluginDirs.slice(1), log.child({ c: 'plugins' })),
        // Set by the supervisor (cli/supervisor.ts) when it restarts the server after a crash.
        previousExit: process.env.STARLING_PREVIOUS_EXIT,
        onChange: (records) => writePluginStatus(settings.home, records),
      });
    },
  );
  provide(CORE.ext, [BOOT.config, BOOT.settings, CORE.router, CORE.disco, BOOT.log], (top, settings, router, disco, log) => {
    const ext = readExtSettings(top, settings.domains);
    return ext ? new ExtComponentService(ext, router, disco, log.child({ c: 'ext' })) : null;
  });
  provide(CORE.s2s, [CORE.s2sSettings, CORE.router, CORE.vhosts, CORE.sessions, CORE.certs, CORE.disco, CORE.isAdmin, BOOT.log], (s2s, router, vhosts, sessions, certs, disco, isAdmin, log) =>
    s2s ? new S2SService(s2s, router, vhosts, sessions, certs, disco, isAdmin, log.child({ c: 's2s' })) : null,
  );
  provide(CORE.certs, [BOOT.settings, BOOT.log], (settings, log) => new CertificateStore(join(settings.home, 'certs'), log));
  provide(
    CORE.commands,
    [BOOT.settings, BOOT.config, BOOT.storage, BOOT.startedAt, BOOT.log, CORE.vhosts, CORE.vhostConfig, CORE.certs, CORE.router, CORE.disco, CORE.directory, CORE.credentials, CORE.events, CORE.isAdmin, CORE.plugins],
    (settings, top, storage, startedAt, log, vhosts, vhostConfig, certs, router, disco, sessions, credentials, events, isAdmin, plugins) => {
      const commands = new AdminCommands({
        home: settings.home,
        top,
        vhosts,
        vhostConfig,
        installCertificate: (domain, pem, save) => certs.install(domain, pem, save),
        router,
        disco,
        pluginComponents: plugins.components,
        sessions,
        storage,
        credentials,
        events,
        isAdmin,
        startedAt,
        log,
      });
      for (const cmd of pluginCommands(plugins)) commands.components.get('sess-man')!.addBuiltIn(cmd);
      return commands;
    },
  );
  provide(CORE.sessionManager, [CORE.sessions, CORE.router, CORE.events, BOOT.log], (sessions, router, events, log) => new SessionManager(sessions, router, events, log.child({ c: 'sess-man' })));
  provide(CORE.resumable, [BOOT.settings, BOOT.log], (settings, log) => {
    const sm = settings.c2s.streamManagement;
    return sm.enabled ? new ResumableSessions(sm, log.child({ c: 'sm' })) : null;
  });
  provide(
    CORE.registration,
    [CORE.vhosts, BOOT.storage, CORE.credentials, CORE.sessions, CORE.vhostConfig, BOOT.log],
    (vhosts, storage, credentials, sessions, vhostConfig, log) =>
      new InBandRegistration((d) => vhosts.item(d), storage.users, credentials, sessions, vhostConfig.registration, log.child({ c: 'register' })),
  );
  provide(
    CORE.streams,
    [BOOT.log, CORE.servedDomains, CORE.certs, BOOT.auth, CORE.sessionManager, CORE.router, CORE.disco, CORE.events, CORE.vhostConfig, CORE.registration, CORE.resumable, CORE.cluster],
    (log, domains, certs, auth, sm, router, disco, events, vhostConfig, registration, resumable, cluster) =>
      new StreamHost(log.child({ c: 'streams' }), domains, certs, auth, sm, router, () => disco.streamFeatures(), events, vhostConfig.anonymousTrafficLimit, registration, resumable ?? undefined, (user) => cluster?.redirectTarget(user)),
  );
  provide(CORE.c2s, [BOOT.log, BOOT.settings, CORE.streams, CORE.certs], (log, settings, streams, certs) => new C2SService(log.child({ c: 'c2s' }), settings.c2s.limits, streams, certs, settings.defaultDomain));
  provide(CORE.http, [BOOT.log, CORE.certs, BOOT.settings], (log, certs, settings) => new HttpServer('httpServer', log.child({ c: 'http' }), certs, settings.defaultDomain));
  provide(SERVER_HOME, [BOOT.settings], (settings) => new ServerHomeDirs(settings.home));
  provide(HTTP_ROUTES, [CORE.http], (http) => ({
    route: (method, path, handler) => http.route(method, path, handler),
    routePrefix: (method, prefix, handler) => http.routePrefix(method, prefix, handler),
    baseUrl: (host) => http.baseUrl(host),
  }));
  provide(
    ADMIN_UI_HOST,
    [HTTP_ROUTES, CORE.router, CORE.commands, CORE.vhosts, BOOT.storage, BOOT.config, BOOT.log],
    (routes, router, commands, vhosts, storage, top, log) =>
      adminUiHost({ routes, router, commands, vhosts, users: storage.users, limits: readAdminUiLimits(beanOrEmpty(top, 'httpServer')), log: log.child({ c: 'admin-ui' }) }),
  );
  provide(CORE.adminUi, [ADMIN_UI_HOST], (host) => new AdminUi(host));
  provide(CORE.ws2s, [BOOT.log, BOOT.settings, CORE.streams, CORE.certs], (log, settings, streams, certs) =>
    settings.web.ws2s ? new WsService(log.child({ c: 'ws2s' }), settings.web.ws2s, streams, certs, settings.defaultDomain) : null,
  );
  // In cluster mode the session-creation response's `host` names the cluster node holding the session (chapter 11.10.2).
  provide(CORE.bosh, [BOOT.log, BOOT.settings, CORE.streams, CORE.certs, CORE.cluster], (log, settings, streams, certs, cluster) => {
    const bosh = settings.web.bosh;
    if (!bosh) return null;
    const named = cluster && bosh.nodeHostname !== undefined ? { ...bosh, nodeHostname: cluster.nodeId } : bosh;
    return new BoshService(log.child({ c: 'bosh' }), named, streams, certs, settings.defaultDomain);
  },
  );
});
