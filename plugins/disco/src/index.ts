import {
  DISCO,
  type DiscoRegistry,
  NS_DISCO_INFO,
  NS_DISCO_ITEMS,
  ROSTER_REPOSITORY,
  type RosterRepository,
  SERVER_INFO,
  SESSIONS,
  type ServerInfo,
  type SessionDirectory,
  USER_REPOSITORY,
  type UserRepository,
  definePlugin,
} from '@starling/sdk';
import { DiscoHandlers } from './disco-handlers';

/** `disco`: XEP-0030 service discovery, answered from the kernel's disco registry. */
export default definePlugin({
  onLoad(ctx) {
    const disco = new DiscoHandlers({
      registry: ctx.get<DiscoRegistry>(DISCO),
      info: ctx.get<ServerInfo>(SERVER_INFO),
      sessions: ctx.get<SessionDirectory>(SESSIONS),
      users: ctx.get<UserRepository>(USER_REPOSITORY),
      roster: ctx.get<RosterRepository>(ROSTER_REPOSITORY),
    });
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_DISCO_INFO, to: 'host' }, disco.serverInfo);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_DISCO_ITEMS, to: 'host' }, disco.serverItems);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_DISCO_INFO, to: 'bare' }, disco.accountInfo);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_DISCO_ITEMS, to: 'bare' }, disco.accountItems);
  },
});
