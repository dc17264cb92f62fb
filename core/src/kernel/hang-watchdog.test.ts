import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { HANG_EXIT_CODE } from './hang-watchdog';
import { PLUGIN_HANG_FILE } from './plugin-quarantine';

/** A child process that starts the watchdog, then blocks its main thread inside plugin `spinner`'s code. */
const CHILD = `
const { HangWatchdog } = require(${JSON.stringify(join(__dirname, 'hang-watchdog.js'))});
const { runAsPlugin } = require('@starling/sdk/kernel');
const log = { info() {}, warn() {}, error() {}, debug() {}, child() { return log; } };
HangWatchdog.start({ home: process.argv[1], timeoutMs: 300, log });
process.on('exit', (code) => process.stderr.write('exit listener ran with ' + code + '\\n'));
setTimeout(() => runAsPlugin('spinner', () => { for (;;) {} }), 100);
`;

it('ends a process whose main thread is blocked with exit code 75, its exit listeners run, and names the plugin that was running', () => {
  const home = mkdtempSync(join(tmpdir(), 'starling-hang-'));
  try {
    const r = spawnSync(process.execPath, ['-e', CHILD, home], { encoding: 'utf8', timeout: 60_000, cwd: __dirname });
    assert.equal(r.status, HANG_EXIT_CODE, r.stderr);
    assert.match(r.stderr, /blocked for \d+ ms in the code of plugin 'spinner'/);
    assert.match(r.stderr, /exit listener ran with 75\n/);
    assert.doesNotMatch(r.stderr, /debugger/i);
    assert.equal(JSON.parse(readFileSync(join(home, PLUGIN_HANG_FILE), 'utf8')).plugin, 'spinner');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
