import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '@starling/sdk';
import { page } from './html';

/** Constant-time comparison of two tokens; an empty token never matches. */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A Set-Cookie value for /admin: HttpOnly, SameSite=Strict, and Secure when the request came over HTTPS. */
export function cookie(req: IncomingMessage, name: string, value: string): string {
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${name}=${value}; Path=/admin; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/**
 * An `application/x-www-form-urlencoded` body of at most `limit` bytes (`httpServer { 'admin-max-body-size' }`)
 * in strict UTF-8, read by the SDK's readBody; undefined for anything else.
 */
export async function readForm(req: IncomingMessage, limit: number): Promise<URLSearchParams | undefined> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return undefined;
  try {
    return new URLSearchParams(await readBody(req, limit));
  } catch {
    return undefined;
  }
}

export function sendHtml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  });
  res.end(body);
}

export function redirect(res: ServerResponse, to: string): void {
  res.writeHead(303, { Location: to });
  res.end();
}

export function forbidden(res: ServerResponse): void {
  sendHtml(res, 403, page('Forbidden', '<p class="error">Forbidden: log in again (missing or wrong CSRF token or session).</p>'));
}
