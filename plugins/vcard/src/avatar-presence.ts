import {
  type Element,
  PLUGIN_CONFIG,
  type PluginConfig,
  ROSTER_REPOSITORY,
  type RosterRepository,
  ROUTER,
  type Router,
  SESSIONS,
  type SessionDirectory,
  type StanzaRequest,
  hasFrom,
  inject,
  injectable,
  readdressed,
  xml,
} from '@starling/sdk';
import { VCardStore } from './vcard-store';

export const NS_VCARD_UPDATE = 'vcard-temp:x:update';

/**
 * XEP-0153 done by the server: the user's available broadcasts carry
 * `<x xmlns='vcard-temp:x:update'><photo>sha1</photo></x>` for the stored vCard's photo, and a new photo
 * is announced at once with the current presence of each available resource.
 */
@injectable()
export class AvatarPresence {
  /** `'avatar-hash'` (default true): stamp and announce photo hashes. */
  readonly enabled: boolean;

  constructor(
    @inject(VCardStore) private readonly store: VCardStore,
    @inject(SESSIONS) private readonly sessions: SessionDirectory,
    @inject(ROUTER) private readonly router: Router,
    @inject(ROSTER_REPOSITORY) private readonly roster: RosterRepository,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
  ) {
    this.enabled = config.boolean('avatar-hash', true);
  }

  /** Preprocess: stamps a client's available broadcast with the stored photo hash. Never stops the stanza. */
  readonly stamp = async (req: StanzaRequest): Promise<boolean> => {
    const p = req.stanza;
    if (p.name !== 'presence' || req.direction !== 'out' || req.toKind !== 'none' || p.attrs.type !== undefined || !req.origin) return false;
    // Without a stored vCard the server knows no avatar: whatever the client says stands.
    const hash = await this.store.hash(req.from.bareString);
    if (hash !== null) withHash(p, hash);
    return false;
  };

  /** Sends each available resource's presence, with the new hash, to the contacts and the user's resources. */
  async announce(owner: string): Promise<void> {
    if (!this.enabled) return;
    const hash = (await this.store.hash(owner)) ?? '';
    const mine = this.sessions.resources(owner).filter((s) => s.available && s.presence);
    if (mine.length === 0) return;
    const contacts = (await this.roster.getAll(owner)).filter(hasFrom);
    for (const s of mine) {
      const p = withHash(s.presence!.clone(), hash);
      s.presence = p;
      const from = s.jid.toString();
      for (const c of contacts) this.router.route(readdressed(p, from, c.jid));
      for (const r of this.sessions.resources(owner)) if (r.available) r.send(readdressed(p, from, r.jid.toString()));
    }
  }
}

/** Replaces any vcard-temp:x:update element with one holding this hash ('' → an empty <photo/>: no avatar). */
function withHash(p: Element, hash: string): Element {
  p.children = p.children.filter((c) => typeof c === 'string' || !c.is('x', NS_VCARD_UPDATE));
  p.append(xml('x', { xmlns: NS_VCARD_UPDATE }, xml('photo', {}, hash || undefined)));
  return p;
}
