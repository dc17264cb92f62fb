import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PackageHashes, packageHash } from './package-hash';

function pkg(): { dir: string; cache: string } {
  const root = mkdtempSync(join(tmpdir(), 'starling-hash-'));
  const dir = join(root, 'p');
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"p","version":"1.0.0"}');
  writeFileSync(join(dir, 'dist', 'index.js'), 'module.exports = 1;');
  return { dir, cache: join(root, 'plugin-hashes.json') };
}

/** A fresh instance, as the next start makes; the racy window off, the package was just written. */
const nextStart = (cache: string) => new PackageHashes(cache, 0);

describe('package hashes kept across starts', () => {
  it('hashes a package once; the next start takes the kept hash without reading its files', () => {
    const { dir, cache } = pkg();
    const first = nextStart(cache);
    assert.equal(first.hash(dir), packageHash(dir));
    assert.equal(first.hashed, 1);
    const second = nextStart(cache);
    assert.equal(second.hash(dir), packageHash(dir));
    assert.equal(second.hashed, 0);
  });

  it('reads the package again when a file changes, even with the same size and mtime, or when one is added', () => {
    const { dir, cache } = pkg();
    const before = nextStart(cache).hash(dir);
    const index = join(dir, 'dist', 'index.js');
    const { atime, mtime } = statSync(index);
    writeFileSync(index, 'module.exports = 2;');
    utimesSync(index, atime, mtime);
    const changed = nextStart(cache);
    assert.notEqual(changed.hash(dir), before);
    assert.equal(changed.hashed, 1);
    writeFileSync(join(dir, 'dist', 'extra.js'), '');
    const added = nextStart(cache);
    assert.equal(added.hash(dir), packageHash(dir));
    assert.equal(added.hashed, 1);
  });

  it('does not trust a hash taken while the files were fresh (coarse file times), nor a cache that does not parse', () => {
    const { dir, cache } = pkg();
    new PackageHashes(cache).hash(dir);
    const again = new PackageHashes(cache);
    again.hash(dir);
    assert.equal(again.hashed, 1, 'files changed within the racy window of the kept hash are read again');
    writeFileSync(cache, '{ not json');
    const broken = nextStart(cache);
    assert.equal(broken.hash(dir), packageHash(dir));
    assert.equal(broken.hashed, 1);
  });
});
