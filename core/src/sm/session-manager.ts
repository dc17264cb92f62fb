import { type Element, type Jid, type Logger, type Session, xml } from '@starling/sdk';
import type { KernelEventBus, StanzaRouter } from '@starling/sdk/kernel';
import { C2SSession, type SessionConnection } from './c2s-session';
import type { LocalSessionDirectory } from './session-directory';

/** Binds and unbinds client sessions (Tigase's sess-man, minus the plugins). */
export class SessionManager {
  private readonly ended = new WeakSet<C2SSession>();

  constructor(
    private readonly directory: LocalSessionDirectory,
    private readonly router: StanzaRouter,
    private readonly events: KernelEventBus,
    private readonly log: Logger,
  ) {}

  /** The sessions bound for an account now. */
  resources(bareJid: string): readonly Session[] {
    return this.directory.resources(bareJid);
  }

  bind(conn: SessionConnection, jid: Jid, anonymous = false): C2SSession {
    const session = new C2SSession(
      jid,
      anonymous,
      conn,
      (s, sess) => this.router.filter(s, sess),
      (s) => this.router.route(s),
      (s) => this.directory.changed(s),
    );
    const replaced = this.directory.add(session);
    if (replaced) {
      this.log.info('resource conflict: the older session is replaced', { jid: jid.toString() });
      replaced.close('conflict', 'Replaced by a new session for the same resource');
    }
    this.log.debug('session bound', { jid: jid.toString(), conn: conn.id });
    this.events.emit('session.bound', { session });
    return session;
  }

  /**
   * Ends a session: it leaves the directory, and if it was available the server sends its unavailable
   * presence through the pipeline on its behalf (RFC 6121 §4.6), so contacts and observers learn of it.
   */
  unbind(session: C2SSession, reason: string): void {
    if (this.ended.has(session)) return;
    this.ended.add(session);
    this.directory.remove(session);
    this.log.debug('session closed', { jid: session.jid.toString(), reason });
    const done = () => this.events.emit('session.closed', { session, reason });
    if (!session.available) return done();
    const unavailable: Element = xml('presence', { type: 'unavailable', from: session.jid.toString() });
    this.router
      .fromClient(session, unavailable)
      .catch((err) => this.log.error('unavailable presence failed', { err }))
      .finally(done);
  }
}
