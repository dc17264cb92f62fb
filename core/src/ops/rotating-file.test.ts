import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { RotatingFile, generationFile } from './rotating-file';

describe('RotatingFile (java.util.logging.FileHandler rotation)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'starling-rot-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps .0 the newest, shifts older files up and drops beyond count', () => {
    const pattern = join(dir, 'logs', 'starling.log');
    const f = new RotatingFile({ pattern, count: 3, limit: 20 });
    for (let i = 1; i <= 6; i++) f.write(`line ${i} ${'x'.repeat(20)}\n`);
    f.close();
    assert.deepEqual(readdirSync(join(dir, 'logs')).sort(), ['starling.log.0', 'starling.log.1', 'starling.log.2']);
    // each line reaches the limit, so every file holds one line; .0 is empty after the last rotation
    assert.equal(readFileSync(generationFile(pattern, 0), 'utf8'), '');
    assert.match(readFileSync(generationFile(pattern, 1), 'utf8'), /^line 6 /);
    assert.match(readFileSync(generationFile(pattern, 2), 'utf8'), /^line 5 /);
  });

  it('rotates at line boundaries inside one batch and holds a .lck file while open', () => {
    const pattern = join(dir, 'app.log');
    const f = new RotatingFile({ pattern, count: 5, limit: 25 });
    assert.ok(existsSync(pattern + '.0.lck'));
    f.write('aaaaaaaaaa\nbbbbbbbbbb\ncccccccccc\ndddddddddd\n');
    f.close();
    assert.ok(!existsSync(pattern + '.0.lck'), 'the lock file goes at close');
    assert.equal(readFileSync(pattern + '.1', 'utf8'), 'aaaaaaaaaa\nbbbbbbbbbb\ncccccccccc\n');
    assert.equal(readFileSync(pattern + '.0', 'utf8'), 'dddddddddd\n');
  });

  it('starts each run with a fresh .0 (the previous run becomes .1) and honours %g in the pattern', () => {
    const pattern = join(dir, 'run-%g.txt');
    writeFileSync(join(dir, 'run-0.txt'), 'previous run\n');
    const f = new RotatingFile({ pattern, count: 2, limit: 0 });
    f.write('this run\n');
    f.close();
    assert.equal(readFileSync(join(dir, 'run-1.txt'), 'utf8'), 'previous run\n');
    assert.equal(readFileSync(join(dir, 'run-0.txt'), 'utf8'), 'this run\n');
  });
});
