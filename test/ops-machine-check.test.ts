import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from './harness/server';

const SCRIPT = join(REPO, 'scripts', 'machine-check.sh');

describe('scripts/machine-check.sh (chapter 11.5)', () => {
  it('reports every setting it checks, and exits 0 when all are fine or 1 when one is low', () => {
    const r = spawnSync('/bin/sh', [SCRIPT], { encoding: 'utf8' });
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
    for (const key of ['open files (soft', 'open files (hard', 'fs.file-max', 'net.core.somaxconn', 'net.ipv4.tcp_max_syn_backlog', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_tw_reuse', 'net.ipv4.tcp_keepalive_time'])
      assert.match(r.stdout, new RegExp(`^ {2}(ok|LOW|n/a) +${key.replace(/[().]/g, '\\$&')}`, 'm'), key);
    assert.equal(r.status === 1, /^ {2}LOW /m.test(r.stdout), 'exit 1 exactly when a setting is low');
  });

  it('refuses unknown options', () => {
    const r = spawnSync('/bin/sh', [SCRIPT, '--bogus'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown option: --bogus/);
  });
});
