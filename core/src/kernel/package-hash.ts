import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The files of a plugin package that its hash covers (every file but node_modules/ and dot files), sorted. */
function packageFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  walk(dir);
  return files.sort();
}

function contentHash(dir: string, files: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(relative(dir, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** A content hash of a plugin package (every file but node_modules/ and dot files): what tells one version from another. */
export function packageHash(dir: string): string {
  return contentHash(dir, packageFiles(dir));
}

interface CachedHash {
  /** A SHA-256 of each file's path, size, inode, mtime and ctime. */
  files: string;
  hash: string;
  /** When hashing began (ms since epoch). */
  at: number;
}

/**
 * A file changed less than this before its package was hashed (or after) is not trusted to the cache: file
 * times are kept in coarse ticks, so a write just after the hash could carry a time just before it.
 */
const RACY_MS = 2000;

/**
 * Package hashes kept across starts (`var/plugin-hashes.json`), so a start does not read every file of every
 * plugin again (30–42 ms per start). A cached hash is used only while each file of the package has the path,
 * size, inode, mtime and ctime it had when it was hashed, and none changed within RACY_MS of that: a write
 * always moves a file's ctime, which no program can set back, so a package whose content changed is always
 * hashed again. The hash is the content hash either way; what the quarantine keys on does not change.
 */
export class PackageHashes {
  private readonly entries: Record<string, CachedHash>;
  /** How many packages this instance has read (a cached hash is not counted). */
  hashed = 0;

  constructor(
    private readonly file: string,
    private readonly racyMs = RACY_MS,
  ) {
    this.entries = readCache(file);
  }

  hash(dir: string): string {
    const at = Date.now();
    const files = packageFiles(dir);
    let newest = 0;
    const print = createHash('sha256');
    for (const f of files) {
      const st = statSync(f);
      newest = Math.max(newest, st.ctimeMs, st.mtimeMs);
      print.update(`${relative(dir, f)}\0${st.size}\0${st.ino}\0${st.mtimeMs}\0${st.ctimeMs}\n`);
    }
    const stamp = print.digest('hex');
    const cached = this.entries[dir];
    if (cached && cached.files === stamp && newest < cached.at - this.racyMs) return cached.hash;
    this.hashed++;
    const hash = contentHash(dir, files);
    this.entries[dir] = { files: stamp, hash, at };
    this.save();
    return hash;
  }

  private save(): void {
    try {
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.entries));
      renameSync(tmp, this.file);
    } catch {
      // a cache: the next start hashes again
    }
  }
}

function readCache(file: string): Record<string, CachedHash> {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, CachedHash>) : {};
  } catch {
    return {};
  }
}
