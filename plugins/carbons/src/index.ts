import { definePlugin } from '@starling/sdk';
import { Carbons } from './carbons';
import { NS_CARBONS } from './eligibility';

/** `message-carbons`: XEP-0280 Message Carbons (enable/disable per resource, sent and received copies). */
export default definePlugin({
  services({ bind }) {
    bind(Carbons).toSelf();
  },
  onLoad(ctx) {
    const carbons = ctx.get(Carbons);
    ctx.iq({ type: 'set', name: 'enable', xmlns: NS_CARBONS, to: 'bare' }, carbons.toggle);
    ctx.iq({ type: 'set', name: 'disable', xmlns: NS_CARBONS, to: 'bare' }, carbons.toggle);
    ctx.handoff(carbons.note);
    ctx.postprocess(carbons.copy);
  },
});
