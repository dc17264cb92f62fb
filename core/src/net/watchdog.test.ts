import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { Logger } from '@starling/sdk';
import { parseConfig } from '../config';
import { ConfigBeanView } from '../config/config-bean-view';
import { type WatchedConnection, Watchdog, idleTime, verdict } from './watchdog';
import { DEFAULT_WATCHDOG_DELAY, DEFAULT_WATCHDOG_TIMEOUT, readWatchdogSettings } from './watchdog-config';

const SEED = join(__dirname, '../../../src/config/fixtures/seed');
const seed = (name: string) => new ConfigBeanView(parseConfig(readFileSync(join(SEED, name), 'utf8'), name));
const tdsl = (text: string) => new ConfigBeanView(parseConfig(text, 'test.tdsl'));

interface Line {
  level: string;
  msg: string;
}
function memoryLog(lines: Line[]): Logger {
  const log: Logger = {
    debug: (msg) => void lines.push({ level: 'debug', msg }),
    info: (msg) => void lines.push({ level: 'info', msg }),
    warn: (msg) => void lines.push({ level: 'warn', msg }),
    error: (msg) => void lines.push({ level: 'error', msg }),
    child: () => log,
  };
  return log;
}

/** A connection that records what the watchdog did to it. */
class FakeConnection implements WatchedConnection {
  sent: string[] = [];
  stopped: string | undefined;
  writable = true;
  constructor(
    readonly id: string,
    public lastReceived: number,
    public lastTransfer = lastReceived,
  ) {}
  pingWhitespace(): boolean {
    this.sent.push(' ');
    return this.writable;
  }
  pingXmpp(): boolean {
    this.sent.push('xmpp');
    return this.writable;
  }
  forceStop(reason: string): void {
    this.stopped = reason;
  }
}

describe('watchdog decisions', () => {
  const s = { delayMs: 60_000, timeoutMs: 120_000, maxInactivityMs: 180_000, pingType: 'xmpp' as const };

  it('measures idle time from the last received stanza for XMPP pings and from any transfer for whitespace', () => {
    const c = new FakeConnection('c', 1_000, 5_000);
    assert.equal(idleTime(c, 'xmpp', 10_000), 9_000);
    assert.equal(idleTime(c, 'whitespace', 10_000), 5_000);
  });

  it('pings at watchdog-timeout and stops at max-inactivity-time (both inclusive, as Tigase compares with >=)', () => {
    assert.equal(verdict(119_999, s), 'ok');
    assert.equal(verdict(120_000, s), 'ping');
    assert.equal(verdict(179_999, s), 'ping');
    assert.equal(verdict(180_000, s), 'stop');
  });
});

describe('Watchdog: the chapter 11.8.3 timeline on a fake clock', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }));
  afterEach(() => mock.timers.reset());

  it('checks every delay, pings once idle passes the timeout, stops after max inactivity, then has nothing to check', () => {
    const lines: Line[] = [];
    const wd = new Watchdog(memoryLog(lines), () => Date.now());
    const conns = new Set<FakeConnection>();
    const silent = new FakeConnection('silent', 20_000); // the client's last stanza, at 20 s
    const answering = new FakeConnection('answering', 20_000);
    conns.add(silent).add(answering);
    wd.watch('c2s', { delayMs: 60_000, timeoutMs: 120_000, maxInactivityMs: 180_000, pingType: 'xmpp' }, () => conns);
    wd.start();

    mock.timers.tick(60_000); // check 1: idle 40 s
    mock.timers.tick(60_000); // check 2: idle 100 s
    assert.deepEqual([silent.sent, answering.sent], [[], []]);
    mock.timers.tick(60_000); // check 3: idle 160 s → ping
    assert.deepEqual([silent.sent, answering.sent], [['xmpp'], ['xmpp']]);
    answering.lastReceived = Date.now() + 50; // the ping's result comes back
    mock.timers.tick(60_000); // check 4: silent idle 220 s → stopped; answering idle 60 s → fine
    assert.equal(silent.stopped, 'watchdog');
    assert.equal(answering.stopped, undefined);
    assert.deepEqual(answering.sent, ['xmpp']);
    conns.delete(silent); // the manager forgets a stopped connection
    mock.timers.tick(60_000); // check 5: only the answering client is left
    assert.deepEqual(wd.stats('c2s'), { runs: 5, pings: 2, stopped: 1 });
    assert.ok(lines.some((l) => l.level === 'info' && /max inactive time exceeded/.test(l.msg)));
    wd.stop();
  });

  it('stops a connection whose ping cannot be written', () => {
    const wd = new Watchdog(memoryLog([]), () => Date.now());
    const dead = new FakeConnection('dead', 0);
    dead.writable = false;
    wd.watch('c2s', { delayMs: 1_000, timeoutMs: 2_000, maxInactivityMs: 60_000, pingType: 'whitespace' }, () => [dead]);
    wd.start();
    mock.timers.tick(1_000);
    mock.timers.tick(1_000);
    assert.deepEqual(dead.sent, [' ']);
    assert.equal(dead.stopped, 'watchdog');
  });

  it('runs several managers on their own delays from one timer', () => {
    const wd = new Watchdog(memoryLog([]), () => Date.now());
    wd.watch('c2s', { delayMs: 1_000, timeoutMs: 10_000, maxInactivityMs: 20_000, pingType: 'xmpp' }, () => []);
    wd.watch('bosh', { delayMs: 3_000, timeoutMs: 10_000, maxInactivityMs: 20_000, pingType: 'xmpp' }, () => []);
    wd.start();
    for (let i = 0; i < 6; i++) mock.timers.tick(1_000);
    assert.equal(wd.stats('c2s')!.runs, 6);
    assert.equal(wd.stats('bosh')!.runs, 2);
    wd.stop();
    for (let i = 0; i < 6; i++) mock.timers.tick(1_000);
    assert.equal(wd.stats('c2s')!.runs, 6, 'no checks after stop()');
  });

  it('with pings: false (BOSH) never pings, only stops, and does not warn about the timeout', () => {
    const lines: Line[] = [];
    const wd = new Watchdog(memoryLog(lines), () => Date.now());
    const idle = new FakeConnection('idle', 0);
    wd.watch('bosh', { delayMs: 1_000, timeoutMs: 1_000, maxInactivityMs: 3_000, pingType: 'whitespace' }, () => [idle], { pings: false });
    wd.start();
    mock.timers.tick(1_000);
    mock.timers.tick(1_000);
    assert.deepEqual(idle.sent, []);
    assert.equal(idle.stopped, undefined);
    mock.timers.tick(1_000);
    assert.equal(idle.stopped, 'watchdog');
    assert.ok(!lines.some((l) => l.level === 'warn'));
  });

  it('warns when max-inactivity-time is not longer than watchdog-timeout (chapter: it MUST be longer)', () => {
    const lines: Line[] = [];
    new Watchdog(memoryLog(lines)).watch('c2s', { delayMs: 1_000, timeoutMs: 5_000, maxInactivityMs: 5_000, pingType: 'xmpp' }, () => []);
    assert.ok(lines.some((l) => l.level === 'warn' && /max-inactivity-time/.test(l.msg)));
  });
});

describe('readWatchdogSettings', () => {
  it("uses Tigase's defaults: 10 min delay, 29 min timeout, whitespace pings, 24 h for c2s", () => {
    assert.deepEqual(readWatchdogSettings(tdsl(''), 'c2s'), {
      delayMs: DEFAULT_WATCHDOG_DELAY,
      timeoutMs: DEFAULT_WATCHDOG_TIMEOUT,
      pingType: 'whitespace',
      maxInactivityMs: 24 * 3600_000,
    });
    assert.equal(DEFAULT_WATCHDOG_DELAY, 600_000);
    assert.equal(DEFAULT_WATCHDOG_TIMEOUT, 1_740_000);
  });

  it('has per-manager defaults: bosh 10 min, s2s 2 h, ws2s pings with XMPP', () => {
    assert.equal(readWatchdogSettings(tdsl(''), 'bosh').maxInactivityMs, 600_000);
    assert.equal(readWatchdogSettings(tdsl(''), 's2s').maxInactivityMs, 7_200_000);
    assert.equal(readWatchdogSettings(tdsl(''), 'ws2s').pingType, 'xmpp');
  });

  it('reads the chapter 11.8.2 global snippet', () => {
    const s = readWatchdogSettings(seed('18-watchdog-global.tdsl'), 'c2s');
    assert.deepEqual([s.timeoutMs, s.delayMs, s.pingType], [70_000, 60_000, 'xmpp']);
  });

  it("reads the chapter's per-component snippet (bare keys, quoted numbers), over the global values", () => {
    const s = readWatchdogSettings(tdsl(`'watchdog-delay' = 60000\n` + readFileSync(join(SEED, '19-c2s-watchdog.tdsl'), 'utf8')), 'c2s');
    assert.deepEqual([s.delayMs, s.timeoutMs], [1500, 3000]);
    assert.equal(readWatchdogSettings(seed('19-c2s-watchdog.tdsl'), 'bosh').delayMs, DEFAULT_WATCHDOG_DELAY, 'only c2s is changed');
  });

  it("reads the timeline snippet: 120 s timeout, and '180000' as 180 s of max inactivity", () => {
    const s = readWatchdogSettings(seed('20-watchdog-timeline.tdsl'), 'c2s');
    assert.deepEqual([s.timeoutMs, s.maxInactivityMs], [120_000, 180_000]);
  });

  it("reads the chapter's list of defaults as seconds (86400L is 24 h, 600L is 10 min)", () => {
    const top = seed('21-max-inactivity-defaults.tdsl');
    assert.equal(readWatchdogSettings(top, 'c2s').maxInactivityMs, 86_400_000);
    assert.equal(readWatchdogSettings(top, 'bosh').maxInactivityMs, 600_000);
    assert.equal(readWatchdogSettings(top, 'cl-comp').maxInactivityMs, 180_000);
  });

  it("takes Tigase 8's maxInactivityTime field in milliseconds, and a top-level max-inactivity-time for every manager", () => {
    assert.equal(readWatchdogSettings(tdsl('c2s { maxInactivityTime = 90000 }'), 'c2s').maxInactivityMs, 90_000);
    assert.equal(readWatchdogSettings(tdsl(`'max-inactivity-time' = 300L`), 'c2s').maxInactivityMs, 300_000);
    assert.equal(readWatchdogSettings(tdsl(`'max-inactivity-time' = 300L\nc2s { 'max-inactivity-time' = 60L }`), 'c2s').maxInactivityMs, 60_000);
  });

  it('accepts the ping type in any case and rejects others with the place in the file', () => {
    assert.equal(readWatchdogSettings(tdsl(`c2s { 'watchdog-ping-type' = 'XMPP' }`), 'c2s').pingType, 'xmpp');
    assert.throws(
      () => readWatchdogSettings(tdsl(`\nc2s {\n  'watchdog-ping-type' = 'icmp'\n}`), 'c2s'),
      (err: Error & { code?: string }) => err.code === 'STARLING_CONFIG_TYPE' && /test\.tdsl:3:\d+/.test(err.message) && /'whitespace' or 'xmpp'/.test(err.message),
    );
  });

  it('rejects a delay of zero and a duration that is not a number', () => {
    assert.throws(() => readWatchdogSettings(tdsl(`'watchdog-delay' = 0`), 'c2s'), /watchdog-delay/);
    assert.throws(() => readWatchdogSettings(tdsl(`'watchdog-timeout' = 'soon'`), 'c2s'), /watchdog-timeout' must be a number of milliseconds/);
  });
});
