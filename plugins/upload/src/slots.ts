import {
  type Element,
  HTTP_ROUTES,
  type HttpRoutes,
  type Jid,
  ROUTER,
  type Router,
  StanzaError,
  UPLOAD_SLOTS,
  type UploadSlotRepository,
  inject,
  injectable,
  xml,
} from '@starling/sdk';
import { UploadSettings } from './settings';
import { isPlainFileName, newSlotId, slotPath } from './slot-names';

export const NS_UPLOAD = 'urn:xmpp:http:upload:0';

/** The disco#info form of the component (XEP-0363 §3): the largest file it takes. */
export function uploadInfoForm(maxFileSize: number): Element {
  const field = (name: string, value: string, type?: string) => xml('field', { var: name, ...(type ? { type } : {}) }, xml('value', null, value));
  return xml('x', { xmlns: 'jabber:x:data', type: 'result' }, field('FORM_TYPE', NS_UPLOAD, 'hidden'), field('max-file-size', String(maxFileSize)));
}

/** XEP-0363 §4: a slot for an account of a local vhost, within the size limit and the account's quota. */
@injectable()
export class SlotService {
  constructor(
    @inject(UPLOAD_SLOTS) private readonly slots: UploadSlotRepository,
    @inject(UploadSettings) private readonly settings: UploadSettings,
    @inject(HTTP_ROUTES) private readonly http: HttpRoutes,
    @inject(ROUTER) private readonly router: Router,
  ) {}

  /** Answers `<request filename size content-type/>` with `<slot><put url/><get url/></slot>`. */
  async request(request: Element, from: Jid, vhost: string): Promise<Element> {
    if (!from.local || !this.router.isLocalDomain(from.domain)) throw new StanzaError('forbidden', 'Only accounts of this server may upload');
    const filename = request.attrs.filename ?? '';
    const sizeText = request.attrs.size ?? '';
    if (!isPlainFileName(filename)) throw new StanzaError('bad-request', 'filename must be a plain file name');
    const size = /^\d+$/.test(sizeText) ? Number(sizeText) : NaN;
    if (!Number.isSafeInteger(size) || size <= 0) throw new StanzaError('bad-request', 'size must be a positive number of bytes');
    const contentType = request.attrs['content-type'];
    if (contentType !== undefined && !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(contentType)) throw new StanzaError('bad-request', 'content-type is not a MIME type');
    const max = this.settings.maxFileSize;
    if (size > max) {
      throw new StanzaError('not-acceptable', `File too large. The maximum file size is ${max} bytes`, {
        extra: [xml('file-too-large', { xmlns: NS_UPLOAD }, xml('max-file-size', null, String(max)))],
      });
    }
    const owner = from.bareString;
    if ((await this.slots.usedBy(owner)) + size > this.settings.userQuota) {
      throw new StanzaError('resource-constraint', `Quota reached: your files may take ${this.settings.userQuota} bytes`, { type: 'wait' });
    }
    const id = newSlotId();
    await this.slots.create({ id, owner, filename, size, ...(contentType === undefined ? {} : { contentType }), createdAt: Date.now() });
    const url = this.baseUrl(vhost) + slotPath(id, filename);
    return xml('slot', { xmlns: NS_UPLOAD }, xml('put', { url }), xml('get', { url }));
  }

  private baseUrl(vhost: string): string {
    const base = this.settings.publicUrl || this.http.baseUrl(vhost);
    if (!base) throw new StanzaError('service-unavailable', 'The HTTP server is not listening');
    return base;
  }
}
