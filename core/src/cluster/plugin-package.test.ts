import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { packPlugin, sha256, unpackPlugin } from './plugin-package';

describe('plugin packages for a roll-out', () => {
  const root = mkdtempSync(join(tmpdir(), 'starling-pkg-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  const makePackage = (name: string) => {
    const dir = join(root, name);
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'dist/index.js', starling: { id: name } }));
    writeFileSync(join(dir, 'dist', 'index.js'), 'exports.default = {};\n');
    writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    return dir;
  };

  it('packs every file but .git and unpacks the same files and modes after checking the hash', () => {
    const dir = makePackage('p1');
    const packed = packPlugin(dir, 1 << 20);
    assert.equal(packed.files, 3);
    assert.equal(packed.hash, sha256(packed.data));
    const into = join(root, 'p1-copy');
    assert.equal(unpackPlugin(packed.data, packed.hash, into, 1 << 20), 3);
    assert.equal(readFileSync(join(into, 'dist', 'index.js'), 'utf8'), 'exports.default = {};\n');
    assert.equal(statSync(join(into, 'run.sh')).mode & 0o777, 0o755);
    assert.throws(() => statSync(join(into, '.git')), /ENOENT/);
  });

  it('refuses a package over the size limit, a damaged one and a symbolic link', () => {
    const dir = makePackage('p2');
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(4096, 7).map((_, i) => (i * 7919) % 251));
    assert.throws(() => packPlugin(dir, 1024), (e: Error & { code?: string }) => e.code === 'STARLING_CLUSTER_PACKAGE' && /larger than 'max-package-size' \(1024 bytes; packed: \d+\)/.test(e.message));
    const packed = packPlugin(dir, 1 << 20);
    const damaged = Buffer.from(packed.data);
    damaged[damaged.length - 5] ^= 0xff;
    const into = join(root, 'p2-copy');
    assert.throws(() => unpackPlugin(damaged, packed.hash, into, 1 << 20), /damaged on the way/);
    assert.throws(() => statSync(into), /ENOENT/, 'nothing is written before the hash is checked');
    symlinkSync('/etc/passwd', join(dir, 'link'));
    assert.throws(() => packPlugin(dir, 1 << 20), /link is a symbolic link/);
  });

  it('refuses a package naming a file outside its directory', () => {
    const evil = gzipSync(Buffer.from(JSON.stringify({ files: [{ path: '../escaped.js', mode: 0o644, data: '' }] })));
    assert.throws(() => unpackPlugin(evil, sha256(evil), join(root, 'p3'), 1 << 20), /outside its directory: \.\.\/escaped\.js/);
    assert.throws(() => statSync(join(root, 'escaped.js')), /ENOENT/);
  });
});
