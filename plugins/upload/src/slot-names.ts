import { randomBytes } from 'node:crypto';

/** A slot id: 144 random bits, URL-safe; the only name a file gets on disk. */
export function newSlotId(): string {
  return randomBytes(18).toString('base64url');
}

export const SLOT_ID = /^[A-Za-z0-9_-]{24}$/;

/**
 * A client's file name is only ever shown in the URL: it must be a plain name (no path separator, no
 * control character, not `.` or `..`) of at most 255 characters.
 */
export function isPlainFileName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && name !== '.' && name !== '..' && !/[/\\\u0000-\u001f\u007f]/.test(name);
}

/** `/upload/<id>/<name>` → its parts, or null when the path is not of that shape. */
export function parseSlotPath(path: string): { id: string; name: string } | null {
  const m = /^\/upload\/([^/]+)\/([^/]+)$/.exec(path);
  if (!m || !SLOT_ID.test(m[1])) return null;
  try {
    return { id: m[1], name: decodeURIComponent(m[2]) };
  } catch {
    return null;
  }
}

export function slotPath(id: string, name: string): string {
  return `/upload/${id}/${encodeURIComponent(name)}`;
}
