import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { ArrayLogger } from '../test-support/plugin-test-kit';
import { PLUGIN_HANG_FILE, PLUGIN_JOURNAL_FILE, PluginQuarantine, readQuarantine } from './plugin-quarantine';
import { packageHash } from './package-hash';

describe('plugin boot journal and quarantine', () => {
  const dirs: string[] = [];
  const home = () => {
    const d = mkdtempSync(join(tmpdir(), 'starling-quarantine-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('a journal record left by a dead process quarantines that version, with the way the process ended', () => {
    const h = home();
    new PluginQuarantine(h, new ArrayLogger()).begin('p', '1.0.0', 'aaaa');
    const log = new ArrayLogger();
    const q = new PluginQuarantine(h, log);
    const added = q.recover(() => undefined, 'signal SIGABRT');
    assert.equal(added.length, 1);
    assert.match(added[0].reason, /the process ended while loading it.*signal SIGABRT/);
    assert.ok(q.blocks('p', '1.0.0', 'aaaa'));
    assert.ok(!existsSync(join(h, PLUGIN_JOURNAL_FILE)));
    assert.equal(readQuarantine(h)[0].id, 'p');
    assert.ok(log.lines.some((l) => l.level === 'error' && l.msg.includes('quarantined')));
  });

  it('a load that ends clears the journal: nothing is quarantined', () => {
    const h = home();
    const q = new PluginQuarantine(h, new ArrayLogger());
    q.begin('p', '1.0.0', 'aaaa');
    q.end();
    assert.deepEqual(new PluginQuarantine(h, new ArrayLogger()).recover(() => undefined), []);
  });

  it('a hang in a handler quarantines the installed version of the plugin the watchdog named', () => {
    const h = home();
    mkdirSync(join(h, 'var'), { recursive: true });
    writeFileSync(join(h, PLUGIN_HANG_FILE), JSON.stringify({ plugin: 'p', blockedMs: 2100, at: 'now' }));
    const q = new PluginQuarantine(h, new ArrayLogger());
    const [e] = q.recover((id) => (id === 'p' ? { version: '2.0.0', hash: 'bbbb' } : undefined));
    assert.equal(e.version, '2.0.0');
    assert.match(e.reason, /blocked the event loop for 2100 ms/);
  });

  it('another version lifts the quarantine; the same content stays blocked', () => {
    const h = home();
    new PluginQuarantine(h, new ArrayLogger()).begin('p', '1.0.0', 'aaaa');
    const q = new PluginQuarantine(h, new ArrayLogger());
    q.recover(() => undefined);
    assert.ok(q.blocks('p', '1.0.0', 'aaaa'));
    assert.equal(q.blocks('p', '1.0.1', 'cccc'), undefined);
    assert.equal(q.blocks('p', '1.0.0', 'aaaa'), undefined, 'lifted for good');
    assert.deepEqual(readQuarantine(h), []);
  });

  it('the package hash follows the content, not the times, and skips node_modules', () => {
    const d = home();
    writeFileSync(join(d, 'index.js'), 'a');
    const first = packageHash(d);
    mkdirSync(join(d, 'node_modules'));
    writeFileSync(join(d, 'node_modules', 'x.js'), 'x');
    writeFileSync(join(d, 'index.js'), 'a');
    assert.equal(packageHash(d), first);
    writeFileSync(join(d, 'index.js'), 'b');
    assert.notEqual(packageHash(d), first);
  });
});
