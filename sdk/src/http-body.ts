import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { StarlingError } from './errors';

/**
 * The one HTTP request body reader (core's HTTP stack and BOSH, the Admin UI's forms, plugins' routes):
 * reads the body as UTF-8 up to `limit` bytes; rejects with STARLING_HTTP_BODY_TOO_LARGE beyond it (the rest
 * of the body is drained, not kept) and with STARLING_HTTP_BODY_NOT_UTF8 for bytes that are not strict UTF-8
 * (nothing is replaced with U+FFFD).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new StarlingError('STARLING_HTTP_BODY_TOO_LARGE', `request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (isUtf8(body)) resolve(body.toString('utf8'));
      else reject(new StarlingError('STARLING_HTTP_BODY_NOT_UTF8', 'request body is not valid UTF-8'));
    });
    req.on('error', reject);
  });
}
