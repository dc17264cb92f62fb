import type { AdminUiHost, AdminUiLimits } from '@starling/admin-ui';
import { DEFAULT_ADMIN_UI_LIMITS } from '@starling/admin-ui';
import type { HttpRoutes, Logger, UserRepository } from '@starling/sdk';
import type { StanzaRouter } from '@starling/sdk/kernel';
import { passwordMatches } from '../auth/password-check';
import type { AdminCommands } from '../commands/admin-commands';
import type { BeanView } from '../config/bean-view';
import type { VhostRegistry } from '../vhosts/vhost-registry';

/** Reads the Admin UI's limits from the httpServer bean; a bad value is a config error naming its place. */
export function readAdminUiLimits(http: BeanView): AdminUiLimits {
  const rule = { integer: true, min: 1 };
  return {
    idleMs: http.number('admin-idle-timeout', DEFAULT_ADMIN_UI_LIMITS.idleMs / 1000, rule) * 1000,
    loginAttempts: http.number('admin-login-attempts', DEFAULT_ADMIN_UI_LIMITS.loginAttempts, rule),
    maxBodySize: http.number('admin-max-body-size', DEFAULT_ADMIN_UI_LIMITS.maxBodySize, { integer: true, min: 1024 }),
  };
}

/** The Admin UI's view of the server: the HTTP routes, the router, the command components, vhosts and credentials. */
export function adminUiHost(d: {
  routes: HttpRoutes;
  router: StanzaRouter;
  commands: AdminCommands;
  vhosts: VhostRegistry;
  users: UserRepository;
  limits: AdminUiLimits;
  log: Logger;
}): AdminUiHost {
  return {
    routes: d.routes,
    limits: d.limits,
    log: d.log,
    defaultDomain: d.vhosts.defaultDomain,
    request: (iq, timeoutMs) => d.router.request(iq, timeoutMs),
    commandsFor: (viewer) =>
      d.vhosts.domains.flatMap((domain) =>
        [...d.commands.components.values()]
          .map((comp) => ({
            jid: `${comp.name}@${domain}`,
            description: comp.spec.description,
            commands: comp.visibleCommands(viewer).map((c) => ({ node: c.id, name: c.name, group: c.group })),
          }))
          .filter((c) => c.commands.length > 0),
      ),
    isLocalDomain: (domain) => d.vhosts.isLocal(domain),
    checkPassword: (bareJid, password) => passwordMatches(d.users, bareJid, password),
  };
}
