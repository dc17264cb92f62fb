import type { EventBus, Logger, SessionDirectory, UserRepository } from '@starling/sdk';
import type { CertificateStore } from '../net/certificates';
import type { VhostRegistry } from './vhost-registry';

/**
 * What a vhost change does at once: a new (or re-enabled) vhost gets its certificate (loaded from
 * `certs/<domain>.pem` or generated self-signed), and the sessions of a removed or disabled vhost end
 * with the stream error `host-gone` (RFC 6120 4.9.3.5). New streams to it already get `host-unknown`.
 */
export function followVhostChanges(vhosts: VhostRegistry, certs: CertificateStore, sessions: SessionDirectory, log: Logger): { dispose(): void } {
  const endSessions = (domain: string, why: string) => {
    const gone = [...sessions.all()].filter((s) => s.jid.domain === domain);
    for (const s of gone) s.close('host-gone', `${domain} ${why}`);
    if (gone.length > 0) log.info('ended the sessions of a virtual host', { domain, sessions: gone.length, why });
  };
  return vhosts.onChange((c): void | Promise<void> => {
    const domain = c.item.domain;
    if (c.kind === 'removed') return endSessions(domain, 'is no longer served here');
    if (c.kind === 'updated' && c.previous.enabled && !c.item.enabled) endSessions(domain, 'has been disabled');
    // Off the event loop; the change (and the command that made it) completes once the certificate is there.
    if (c.item.enabled && (c.kind === 'added' || !c.previous.enabled)) return certs.prepare([domain]);
  });
}

/**
 * A temporary (SASL ANONYMOUS) account leaves nothing behind: when its session ends, whatever a plugin
 * stored under its JID (roster items, offline messages, private data) is deleted.
 */
export function forgetAnonymousUsers(events: EventBus, users: UserRepository, log: Logger): { dispose(): void } {
  return events.on('session.closed', async ({ session }) => {
    if (!session.anonymous) return;
    await users.remove(session.jid.bareString);
    log.debug('anonymous user removed', { jid: session.jid.bareString });
  });
}
