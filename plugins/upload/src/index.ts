import { HTTP_ROUTES, ROUTER, StanzaError, definePlugin, iqResult } from '@starling/sdk';
import { UploadSettings } from './settings';
import { NS_UPLOAD, SlotService, uploadInfoForm } from './slots';
import { UploadHttp } from './upload-http';

/**
 * `upload`: XEP-0363 HTTP File Upload. The component `upload.<vhost>` (the bean's `subdomain`) gives local
 * accounts slots; the server's httpServer takes the PUT and serves the GET under `/upload/`.
 */
export default definePlugin({
  services({ bind }) {
    bind(UploadSettings).toSelf();
    bind(SlotService).toSelf();
    bind(UploadHttp).toSelf();
  },
  onLoad(ctx) {
    const settings = ctx.get(UploadSettings);
    const slots = ctx.get(SlotService);
    const http = ctx.get(UploadHttp);
    const routes = ctx.get(HTTP_ROUTES);
    const router = ctx.get(ROUTER);
    ctx.track(routes.routePrefix('PUT', '/upload/', http.put));
    ctx.track(routes.routePrefix('GET', '/upload/', http.get));
    ctx.track(routes.routePrefix('OPTIONS', '/upload/', http.options));
    ctx.track(
      ctx.component({
        subdomain: 'upload',
        identity: { category: 'store', type: 'file', name: 'HTTP File Upload' },
        features: [NS_UPLOAD],
        infoExtensions: () => [uploadInfoForm(settings.maxFileSize)],
        async handle(stanza, from, _to, vhost) {
          if (!stanza.is('iq') || (stanza.attrs.type !== 'get' && stanza.attrs.type !== 'set')) return;
          const request = stanza.getChild('request', NS_UPLOAD);
          if (stanza.attrs.type !== 'get' || !request) throw new StanzaError('service-unavailable');
          router.route(iqResult(stanza, await slots.request(request, from, vhost)));
        },
      }),
    );
    const sweep = () => http.sweep().then(
      () => undefined,
      (err) => ctx.log.error('upload expiry sweep failed', { err }),
    );
    ctx.every(settings.expiredCheckInterval, sweep);
    void sweep();
  },
});
