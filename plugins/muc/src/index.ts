import { definePlugin } from '@starling/sdk';
import { mucCapability } from './muc-capability';
import { MucService } from './muc-service';
import { NS_MUC } from './muc-ns';

/**
 * `muc`: XEP-0045 Multi-User Chat on `muc.<vhost>` (`subdomain` in the bean changes it): rooms created
 * by joining, instant and reserved configuration, persistent rooms kept in the MUC repository, roles and
 * affiliations, history on join, `muc#register`, and XEP-0410 self-ping. Admin command scripts in
 * `scripts/admin/muc/` get the `muc` capability (list and destroy rooms).
 */
export default definePlugin({
  services({ bind }) {
    bind(MucService).toSelf();
  },
  onLoad(ctx) {
    const muc = ctx.get(MucService);
    const capabilities: { muc?: ReturnType<typeof mucCapability> } = {};
    const handle = ctx.component({
      subdomain: 'muc',
      identity: { category: 'conference', type: 'text', name: 'Chat rooms' },
      features: [NS_MUC],
      handle: muc.handle,
      scriptCapabilities: capabilities,
    });
    capabilities.muc = mucCapability(muc, handle);
  },
});
