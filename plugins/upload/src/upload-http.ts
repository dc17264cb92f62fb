import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { LOGGER, type Logger, SERVER_HOME, type ServerHome, UPLOAD_SLOTS, type UploadSlotRepository, inject, injectable } from '@starling/sdk';
import { UploadSettings } from './settings';
import { parseSlotPath } from './slot-names';

const DAY_MS = 86_400_000;

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Access-Control-Allow-Origin': '*' });
  res.end(text);
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The HTTP side of XEP-0363 on the server's httpServer: PUT `/upload/<slot>/<name>` stores the body
 * (exactly the slot's size and content type, within its put expiry, once) as `<home>/var/upload/<slot>`;
 * GET (and HEAD) serve it until the file expires. The client's file name never touches the disk.
 */
@injectable()
export class UploadHttp {
  readonly dir: string;

  constructor(
    @inject(UPLOAD_SLOTS) private readonly slots: UploadSlotRepository,
    @inject(UploadSettings) private readonly settings: UploadSettings,
    @inject(SERVER_HOME) home: ServerHome,
    @inject(LOGGER) private readonly log: Logger,
  ) {
    this.dir = home.varDir('upload');
  }

  private fileOf(id: string): string {
    return join(this.dir, id);
  }

  readonly put = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const slotRef = parseSlotPath(pathOf(req));
    const slot = slotRef && (await this.slots.get(slotRef.id));
    if (!slotRef || !slot || slot.filename !== slotRef.name) return answer(res, 404, 'No such upload slot');
    if (slot.uploadedAt !== undefined) return answer(res, 409, 'This slot has been used');
    if (Date.now() > slot.createdAt + this.settings.putExpiry) return answer(res, 410, 'This slot has expired');
    const length = req.headers['content-length'];
    if (length === undefined || Number(length) !== slot.size) return answer(res, 400, `Content-Length must be ${slot.size}`);
    const type = req.headers['content-type'];
    if (slot.contentType !== undefined && type !== slot.contentType) return answer(res, 400, `Content-Type must be ${slot.contentType}`);
    const part = this.fileOf(slot.id) + '.part';
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > slot.size) req.destroy(new Error('body larger than the slot'));
    });
    try {
      await pipeline(req, createWriteStream(part, { flags: 'wx', mode: 0o640 }));
    } catch (err) {
      await rm(part, { force: true });
      if (res.headersSent || res.destroyed) return;
      return answer(res, received > slot.size ? 413 : 400, (err as Error).message);
    }
    if (received !== slot.size || !(await this.slots.markUploaded(slot.id, Date.now()))) {
      await rm(part, { force: true });
      return answer(res, received !== slot.size ? 400 : 409, received !== slot.size ? `Expected ${slot.size} bytes` : 'This slot has been used');
    }
    await rename(part, this.fileOf(slot.id));
    this.log.info('file uploaded', { owner: slot.owner, slot: slot.id, size: slot.size });
    answer(res, 201, 'Created');
  };

  readonly get = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const slotRef = parseSlotPath(pathOf(req));
    const slot = slotRef && (await this.slots.get(slotRef.id));
    if (!slotRef || !slot || slot.filename !== slotRef.name || slot.uploadedAt === undefined || this.expired(slot.uploadedAt)) {
      return answer(res, 404, 'Not Found');
    }
    res.writeHead(200, {
      'Content-Type': slot.contentType ?? 'application/octet-stream',
      'Content-Length': slot.size,
      'Access-Control-Allow-Origin': '*',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, max-age=86400',
    });
    if (req.method === 'HEAD') return void res.end();
    await pipeline(createReadStream(this.fileOf(slot.id)), res);
  };

  /** CORS preflight for web clients that PUT from another origin. */
  readonly options = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(204, {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, HEAD, PUT, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type',
      'Access-Control-Max-Age': '86400',
    });
    res.end();
  };

  private expired(uploadedAt: number, now = Date.now()): boolean {
    return this.settings.fileExpiryDays > 0 && uploadedAt < now - this.settings.fileExpiryDays * DAY_MS;
  }

  /** Removes slots never used within their put expiry and files past 'file-expiry-days'. */
  async sweep(now = Date.now()): Promise<number> {
    const uploadedBefore = this.settings.fileExpiryDays > 0 ? now - this.settings.fileExpiryDays * DAY_MS : -1;
    let removed = 0;
    for (;;) {
      const batch = await this.slots.expired(now - this.settings.putExpiry, uploadedBefore, 500);
      for (const slot of batch) {
        await rm(this.fileOf(slot.id), { force: true });
        await rm(this.fileOf(slot.id) + '.part', { force: true });
        if (await this.slots.remove(slot.id)) removed++;
      }
      if (batch.length < 500) break;
    }
    if (removed > 0) this.log.info('expired upload slots removed', { removed });
    return removed;
  }
}
