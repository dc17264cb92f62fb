import { Priority, definePlugin } from '@starling/sdk';
import { ArchiveQueries } from './archive-queries';
import { Archiver } from './archiver';
import { NS_MAM } from './ns';
import { PrefsStore } from './prefs';
import { Retention } from './retention';
import { MamSettings } from './settings';

/**
 * `urn:xmpp:mam:2` (Tigase's MAM2Processor, a session-manager plugin): XEP-0313 archives of one-to-one
 * chat for every account, XEP-0359 stanza ids on what is archived, archiving preferences, and retention.
 * The inbound archiver runs before amp and delivery, so that a message stored offline or copied by carbons
 * already carries its archive id.
 */
export default definePlugin({
  services({ bind }) {
    bind(MamSettings).toSelf();
    bind(PrefsStore).toSelf();
    bind(Archiver).toSelf();
    bind(ArchiveQueries).toSelf();
    bind(Retention).toSelf();
  },
  onLoad(ctx) {
    const archiver = ctx.get(Archiver);
    const queries = ctx.get(ArchiveQueries);
    const retention = ctx.get(Retention);
    const prefs = ctx.get(PrefsStore);
    ctx.message({ dir: 'out', to: ['bare', 'full'] }, archiver.outgoing, Priority.High + 10);
    ctx.message({ dir: 'in', to: ['bare', 'full'] }, archiver.incoming, Priority.High + 10);
    ctx.iq({ type: 'set', name: 'query', xmlns: NS_MAM, to: 'bare' }, queries.query);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_MAM, to: 'bare' }, queries.form);
    ctx.iq({ type: 'get', name: 'metadata', xmlns: NS_MAM, to: 'bare' }, queries.metadata);
    ctx.iq({ type: 'get', name: 'prefs', xmlns: NS_MAM, to: 'bare' }, queries.getPrefs);
    ctx.iq({ type: 'set', name: 'prefs', xmlns: NS_MAM, to: 'bare' }, queries.setPrefs);
    ctx.on('user.deleted', ({ jid }) => prefs.forget(jid));
    const sweep = () => retention.sweep().then(
      () => undefined,
      (err) => ctx.log.error('archive retention sweep failed', { err }),
    );
    ctx.every(ctx.get(MamSettings).expiredCheckInterval, sweep);
    void sweep();
  },
});
