import { definePlugin, xml } from '@starling/sdk';
import { ClientState, NS_CSI } from './client-state';

/** `urn:xmpp:csi:0`: XEP-0352 Client State Indication, offered as the `<csi/>` stream feature. */
export default definePlugin<true>({
  services({ bind }) {
    bind(ClientState).toSelf();
  },
  onLoad(ctx) {
    const csi = ctx.get(ClientState);
    csi.adopt();
    ctx.streamFeature(xml('csi', { xmlns: NS_CSI }));
    ctx.on('stream.nonza', ({ session, element }) => csi.indicate(session, element));
    ctx.filter(csi.filter);
  },
  // A hot reload: the held queues stay in the sessions' data and the new version adopts them in onLoad.
  saveState: (ctx) => ctx.get(ClientState).handOver(),
  onUnload(ctx) {
    const csi = ctx.get(ClientState);
    if (!csi.handedOver) csi.releaseAll();
  },
});
