import type { Container } from 'inversify';
import type { Jid, Logger, ServerInfo, ServiceToken, SessionDirectory } from '@starling/sdk';
import type { KernelDiscoRegistry, KernelEventBus, StanzaRouter } from '@starling/sdk/kernel';
import type { AdminUi } from '@starling/admin-ui';
import type { ClusterComponent } from '../cluster/cluster-component';
import type { ClusterNode } from '../cluster/cluster-node';
import type { CredentialService } from '../auth/credential-service';
import type { AdminCommands } from '../commands/admin-commands';
import type { ConfigBeanView } from '../config/config-bean-view';
import type { HttpServer } from '../http/http-server';
import type { BoshService } from '../net/bosh-service';
import type { C2SService } from '../net/c2s-service';
import type { CertificateStore } from '../net/certificates';
import type { ExtComponentService } from '../net/ext-service';
import type { S2SService } from '../net/s2s/s2s-service';
import type { S2SSettings } from '../net/s2s/s2s-settings';
import type { ServedDomains, StreamHost } from '../net/stream-host';
import type { Watchdog } from '../net/watchdog';
import type { WsService } from '../net/ws-service';
import type { LocalSessionDirectory } from '../sm/session-directory';
import type { SessionManager } from '../sm/session-manager';
import type { ResumableSessions } from '../sm/stream-management';
import type { Storage } from '../storage';
import type { SaslAuthenticator } from '../stream/sasl/sasl-authenticator';
import type { InBandRegistration } from '../vhosts/in-band-registration';
import type { VhostManagerConfig } from '../vhosts/vhost-defaults';
import type { VhostRegistry } from '../vhosts/vhost-registry';
import type { PluginCatalog } from './plugin-catalog';
import type { PluginHost } from './plugin-host';
import type { ServerSettings } from './settings';

const token = <T>(name: string) => Symbol.for(`starling.core.${name}`) as ServiceToken<T>;

/** What boot hands the composition root: read from the home before any service exists. */
export const BOOT = {
  container: token<Container>('container'),
  settings: token<ServerSettings>('settings'),
  config: token<ConfigBeanView>('config'),
  log: token<Logger>('log'),
  storage: token<Storage>('storage'),
  catalog: token<PluginCatalog>('catalog'),
  auth: token<SaslAuthenticator>('auth'),
  startedAt: token<number>('startedAt'),
};

/**
 * Core's own services in the root container (the SDK's tokens in sdk/src/tokens.ts are what plugins see).
 * A service that is off in the config (ext, ws2s, bosh, stream management) resolves to null.
 */
export const CORE = {
  isAdmin: token<(jid: Jid | string) => boolean>('isAdmin'),
  serverInfo: token<ServerInfo>('serverInfo'),
  events: token<KernelEventBus>('events'),
  sessions: token<LocalSessionDirectory>('sessions'),
  /** The sessions routing and plugins see: the local ones, plus the other nodes' in cluster mode. */
  directory: token<SessionDirectory>('directory'),
  cluster: token<ClusterNode | null>('cluster'),
  clusterView: token<ClusterComponent | null>('clusterView'),
  router: token<StanzaRouter>('router'),
  disco: token<KernelDiscoRegistry>('disco'),
  credentials: token<CredentialService>('credentials'),
  vhostConfig: token<VhostManagerConfig>('vhostConfig'),
  vhosts: token<VhostRegistry>('vhosts'),
  servedDomains: token<ServedDomains>('servedDomains'),
  certs: token<CertificateStore>('certs'),
  plugins: token<PluginHost>('plugins'),
  commands: token<AdminCommands>('commands'),
  sessionManager: token<SessionManager>('sessionManager'),
  resumable: token<ResumableSessions | null>('resumable'),
  registration: token<InBandRegistration>('registration'),
  streams: token<StreamHost>('streams'),
  watchdog: token<Watchdog>('watchdog'),
  c2s: token<C2SService>('c2s'),
  http: token<HttpServer>('http'),
  adminUi: token<AdminUi>('adminUi'),
  ws2s: token<WsService | null>('ws2s'),
  bosh: token<BoshService | null>('bosh'),
  ext: token<ExtComponentService | null>('ext'),
  s2sSettings: token<S2SSettings | null>('s2sSettings'),
  s2s: token<S2SService | null>('s2s'),
};

/** Resolves a typed token (inversify's get() does not read the type off a symbol). */
export function resolveToken<T>(container: Container, t: ServiceToken<T>): T {
  return container.get<T>(t);
}
