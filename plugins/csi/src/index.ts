import { definePlugin, xml } from '@starling/sdk';
import { ClientState, NS_CSI } from './client-state';

/** True once this version handed its sessions over to a newer one (hot reload): nothing to release then. */
let handedOver = false;

/** `urn:xmpp:csi:0`: XEP-0352 Client State Indication, offered as the `<csi/>` stream feature. */
export default definePlugin<true>({
  services({ bind }) {
    bind(ClientState).toSelf();
  },
  onLoad(ctx) {
    handedOver = false;
    const csi = ctx.container.get(ClientState);
    csi.adopt();
    ctx.streamFeature(xml('csi', { xmlns: NS_CSI }));
    ctx.on('stream.nonza', ({ session, element }) => csi.indicate(session, element));
    ctx.filter(csi.filter);
  },
  saveState() {
    handedOver = true;
    return true;
  },
  restoreState() {
    // The held queues live in the sessions' data (onLoad adopted them); this version releases them on unload.
    handedOver = false;
  },
  onUnload(ctx) {
    if (!handedOver) ctx.container.get(ClientState).releaseAll();
  },
});
