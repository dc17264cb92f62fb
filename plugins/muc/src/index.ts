import { definePlugin } from '@starling/sdk';
import { MucService } from './muc-service';
import { NS_MUC } from './muc-ns';

/**
 * `muc`: XEP-0045 Multi-User Chat on `muc.<vhost>` (`subdomain` in the bean changes it): rooms created
 * by joining, instant and reserved configuration, persistent rooms kept in the MUC repository, roles and
 * affiliations, history on join, `muc#register`, and XEP-0410 self-ping.
 */
export default definePlugin({
  services({ bind }) {
    bind(MucService).toSelf();
  },
  onLoad(ctx) {
    const muc = ctx.get(MucService);
    ctx.component({
      subdomain: 'muc',
      identity: { category: 'conference', type: 'text', name: 'Chat rooms' },
      features: [NS_MUC],
      handle: muc.handle,
    });
  },
});
