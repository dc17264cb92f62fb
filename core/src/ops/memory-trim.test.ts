import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHeapSpaceStatistics } from 'node:v8';
import { loadGc, loadLowMemoryNotification, loadMallocTrim, MemoryTrimmer } from './memory-trim';

const logged: string[] = [];
const log = { debug() {}, info: (m: string) => void logged.push(m), warn() {}, error() {}, child: () => log };

/** A trimmer over counters the test moves: connections accepted since start and open now. */
function rig(minClosed: number) {
  const state = { accepted: 0, open: 0, trims: 0, gcs: 0 };
  const trimmer = new MemoryTrimmer(
    { intervalMs: 1000, minClosed },
    () => state.accepted,
    () => state.open,
    () => (state.trims++, true),
    log,
    () => void state.gcs++,
    () => 100 * 2 ** 20,
  );
  const connect = (n: number) => ((state.accepted += n), (state.open += n));
  const close = (n: number) => (state.open -= n);
  return { state, trimmer, connect, close };
}

describe('MemoryTrimmer', () => {
  it('trims once enough connections closed since the last trim, then counts again from there', async () => {
    const { state, trimmer, connect, close } = rig(100);
    connect(500);
    assert.equal((await trimmer.check()).trimmed, false, 'nothing closed yet');
    close(99);
    assert.deepEqual(await trimmer.check(), { closed: 99, trimmed: false });
    close(1);
    const c = await trimmer.check();
    assert.equal(c.trimmed, true);
    assert.equal(c.closed, 100);
    assert.equal(state.trims, 1);
    assert.equal(state.gcs, 1, 'a full garbage collection first, so that the closed connections are freed');
    assert.equal((await trimmer.check()).trimmed, false, 'the 100 closed are accounted for');
    // Connections that open and close between two checks count as closed too.
    connect(300);
    close(300);
    assert.equal((await trimmer.check()).closed, 300);
    assert.equal(state.trims, 2);
  });

  it('lets the event loop run timers (the hang watchdog\'s heartbeat) between the collection and the trim', async () => {
    const order: string[] = [];
    let accepted = 0;
    const t = new MemoryTrimmer(
      { intervalMs: 1000, minClosed: 1 },
      () => accepted,
      () => 0,
      () => (order.push('trim'), true),
      log,
      () => {
        order.push('collection');
        setTimeout(() => order.push('timer'), 0);
      },
    );
    accepted = 5;
    assert.equal((await t.check()).trimmed, true);
    assert.deepEqual(order, ['collection', 'timer', 'trim']);
  });

  it('does not trim a server whose connections only grow', async () => {
    const { state, trimmer, connect } = rig(1);
    for (let i = 0; i < 5; i++) {
      connect(1000);
      await trimmer.check();
    }
    assert.equal(state.trims, 0);
  });

  it('without the addon it never trims, and start() says so once instead of starting a timer', async () => {
    logged.length = 0;
    let accepted = 0;
    const t = new MemoryTrimmer({ intervalMs: 1000, minClosed: 1 }, () => accepted, () => 0, null, log);
    accepted = 10;
    assert.deepEqual(await t.check(), { closed: 10, trimmed: false });
    t.start();
    t.stop();
    assert.equal(logged.filter((m) => m.includes('@starling/malloc-trim is not built')).length, 1);
  });

  it('gets a full garbage collection from V8 without --expose-gc on the command line', () => {
    const gc = loadGc();
    assert.ok(gc);
    let garbage: object[] | null = Array.from({ length: 200_000 }, (_, i) => ({ i }));
    const before = process.memoryUsage().heapUsed;
    garbage = null;
    gc();
    assert.equal(garbage, null);
    assert.ok(process.memoryUsage().heapUsed < before, 'the collection freed the array');
  });

  it('loads glibc malloc_trim through @starling/malloc-trim where the addon was built', (t) => {
    const trim = loadMallocTrim();
    const report = process.report.getReport() as { header: { glibcVersionRuntime?: string } };
    if (!report.header.glibcVersionRuntime) return assert.equal(trim, null, 'no glibc: no trim');
    let built: string | undefined;
    try {
      built = require.resolve('@starling/malloc-trim/build/Release/malloc_trim.node');
    } catch {
      return t.skip('@starling/malloc-trim is not built here (npm install builds it with node-gyp)');
    }
    assert.ok(trim, `${built} is built, so the server can trim`);
    assert.equal(typeof trim(), 'boolean');
  });

  it("gets V8's memory-reducing collections through @starling/v8-low-memory where the addon was built: the new space a burst grew shrinks back, which gc() leaves grown", (t) => {
    const lowMemory = loadLowMemoryNotification();
    let built: string | undefined;
    try {
      built = require.resolve('@starling/v8-low-memory/build/Release/v8_low_memory.node');
    } catch {
      assert.equal(lowMemory, null, 'not built: none');
      return t.skip('@starling/v8-low-memory is not built here (npm install builds it with node-gyp)');
    }
    assert.ok(lowMemory, `${built} is built, so the server can ask V8 for its low-memory collections`);
    const gc = loadGc()!;
    const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;
    // Many objects that survive a few scavenges make V8 grow its new space (as a burst of logins does).
    let burst: object[] | null = [];
    for (let i = 0; i < 3_000_000; i++) burst.push({ i });
    burst = null;
    gc();
    const grown = newSpace();
    lowMemory();
    assert.equal(burst, null);
    assert.ok(newSpace() < grown, `new space ${newSpace()} B after the low-memory notification, ${grown} B after gc()`);
  });
});
