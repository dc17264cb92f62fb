import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { StarlingError } from '@starling/sdk';

/** A plugin package directory packed for the bus: its bytes (gzip of JSON) and their SHA-256. */
export interface PackedPlugin {
  data: Buffer;
  hash: string;
  files: number;
}

interface PackedFile {
  path: string;
  mode: number;
  data: string;
}

/** Unpacked files may be at most this many times the packed limit (a gzip bomb stops there). */
const EXPANSION = 20;

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Packs a plugin package directory (every regular file under it, `.git` left out; symbolic links are
 * refused: they would point elsewhere on another machine). Fails with STARLING_CLUSTER_PACKAGE when the
 * packed size passes `maxBytes` (`'cl-comp' { 'max-package-size' }`).
 */
export function packPlugin(dir: string, maxBytes: number): PackedPlugin {
  const files: PackedFile[] = [];
  let raw = 0;
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      if (name === '.git') continue;
      const path = join(at, name);
      const st = lstatSync(path);
      if (st.isSymbolicLink()) throw new StarlingError('STARLING_CLUSTER_PACKAGE', `${relative(dir, path)} is a symbolic link: a rolled-out package holds files only`);
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) {
        raw += st.size;
        if (raw > maxBytes * EXPANSION) throw tooLarge(maxBytes);
        files.push({ path: relative(dir, path).split(sep).join('/'), mode: st.mode & 0o777, data: readFileSync(path).toString('base64') });
      }
    }
  };
  walk(dir);
  const data = gzipSync(Buffer.from(JSON.stringify({ files })));
  if (data.length > maxBytes) throw tooLarge(maxBytes, data.length);
  return { data, hash: sha256(data), files: files.length };
}

/**
 * Checks the packed bytes against their hash and writes the files under `into` (a new directory).
 * Fails with STARLING_CLUSTER_PACKAGE on a hash mismatch, a size over `maxBytes`, or a path that would
 * leave `into`; nothing is written before the hash has been checked.
 */
export function unpackPlugin(data: Buffer, hash: string, into: string, maxBytes: number): number {
  if (data.length > maxBytes) throw tooLarge(maxBytes, data.length);
  if (sha256(data) !== hash) throw new StarlingError('STARLING_CLUSTER_PACKAGE', `the package's SHA-256 is ${sha256(data)}, not ${hash}: it was damaged on the way`);
  let files: PackedFile[];
  try {
    files = (JSON.parse(gunzipSync(data, { maxOutputLength: maxBytes * EXPANSION * 2 }).toString('utf8')) as { files: PackedFile[] }).files;
  } catch (err) {
    throw new StarlingError('STARLING_CLUSTER_PACKAGE', `the package cannot be read: ${(err as Error).message}`);
  }
  const root = resolve(into);
  mkdirSync(root, { recursive: true });
  for (const f of files) {
    const path = resolve(root, f.path);
    if (!path.startsWith(root + sep)) throw new StarlingError('STARLING_CLUSTER_PACKAGE', `the package names a file outside its directory: ${f.path}`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.from(f.data, 'base64'), { mode: f.mode & 0o777 });
  }
  return files.length;
}

function tooLarge(maxBytes: number, size?: number): StarlingError {
  return new StarlingError('STARLING_CLUSTER_PACKAGE', `the package is larger than 'max-package-size' (${maxBytes} bytes${size === undefined ? '' : `; packed: ${size}`})`);
}
