#!/usr/bin/env node
// Fuzzes the XMPP stream parser (with its guard: UTF-8, restricted XML, size limits) and the TDSL config
// parser with every config reader behind it, a million inputs each by default (not a test: bounded counts
// of the same properties run in `npm test`, `*.fuzz.test.ts`). Needs `npx tsc -b` first.
//
//   node bench/fuzz-stream.mjs [--stream-inputs 1000000] [--tdsl-inputs 1000000] [--seed 1] [--minutes 60]
//                              [--out bench/results] [--replay stream:INDEX|tdsl:INDEX]
//
// Stream inputs (core/src/stream/xml-stream-parser.fuzz.ts): three in four are streams recorded from
// slixmpp and @xmpp/client (bench/fuzz-corpus.mjs) or hand-written ones, mutated 1-8 times at the byte level;
// one in four is random bytes after a stream header. Each is fed whole and in random chunk sizes. Checked:
// nothing throws, at most one stream error and nothing after it, the chunkings agree on the stanzas and on
// ending in an error, no U+FFFD appears that was not sent.
// TDSL inputs (core/src/kernel/config-readers.fuzz.ts): the chapter snippets and etc/config.tdsl with token
// edits (2 in 5) or byte changes (1 in 5), and configs generated from the keys core knows with arbitrary
// values (2 in 5); each is parsed and, when it parses, run through every reader the server runs at start.
// Checked: nothing fails except with a config error naming file:line:column.
// Each kind runs in a worker thread watched by this one: an input that does not finish within 30 s is a
// hang (the worker is ended, the input reported, the run goes on after it); an input over 100 ms is slow.
// Memory: the worker's V8 heap and the process's RSS, sampled every second. Every input is reproducible
// from (seed, kind, index). Writes bench/results/fuzz.json and fuzz.md; exits non-zero on a crash or hang.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const HANG_MS = 30_000;
const SLOW_MS = 100;

if (isMainThread) await main();
else runWorker(workerData);

async function main() {
  const { values: opt } = parseArgs({
    options: {
      'stream-inputs': { type: 'string', default: '1000000' },
      'tdsl-inputs': { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '1' },
      minutes: { type: 'string', default: '60' },
      out: { type: 'string', default: join(ROOT, 'bench/results') },
      replay: { type: 'string' },
    },
  });
  const seed = Number(opt.seed) >>> 0;
  const deadline = Date.now() + Number(opt.minutes) * 60_000;
  if (opt.replay) {
    // `--replay stream:380`: that one input again (a crash prints it; its time is the slowest's check)
    const [kind, index] = opt.replay.split(':');
    // (after the 200 inputs before it, so that V8 has compiled the code an input runs through)
    const k = await runKind(kind, Number(index) + 1, seed, deadline, Math.max(0, Number(index) - 200), Number(index));
    process.stdout.write(`${kind} #${index}: ${k.crashes ? 'CRASH' : 'no crash'}, ${k.timedMs.toFixed(1)} ms\n`);
    process.exit(k.crashes || k.hangs.length ? 1 : 0);
  }
  const result = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadAverageAtStart: loadavg().map((x) => +x.toFixed(1)), seed, kinds: {} };
  for (const [kind, inputs] of [
    ['stream', Number(opt['stream-inputs'])],
    ['tdsl', Number(opt['tdsl-inputs'])],
  ]) {
    if (inputs > 0) result.kinds[kind] = await runKind(kind, inputs, seed, deadline);
  }
  result.loadAverageAtEnd = loadavg().map((x) => +x.toFixed(1));
  mkdirSync(opt.out, { recursive: true });
  writeFileSync(join(opt.out, 'fuzz.json'), JSON.stringify(result, null, 1) + '\n');
  const md = table(result);
  writeFileSync(join(opt.out, 'fuzz.md'), md);
  process.stdout.write(md);
  const bad = Object.values(result.kinds).some((k) => k.crashes > 0 || k.hangs.length > 0);
  process.exit(bad ? 1 : 0);
}

/** Runs `inputs` inputs of one kind in worker threads (a new one after a hang); resolves the totals. */
async function runKind(kind, inputs, seed, deadline, start = 0, timeIndex = -1) {
  const total = { inputs: 0, bytes: 0, crashes: 0, crashSamples: [], hangs: [], slow: 0, slowest: { ms: 0, index: -1 }, outcomes: {}, heapMaxMB: 0, rssMaxMB: 0, heapAfterFirstTenthMB: null, heapAtEndMB: null, seconds: 0 };
  const t0 = Date.now();
  let from = start;
  while (from < inputs && Date.now() < deadline) {
    const progress = new Int32Array(new SharedArrayBuffer(4));
    progress[0] = from;
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { kind, seed, from, to: inputs, progress, deadline, timeIndex } });
    let last = from;
    let reported = from; // inputs before this index are in `total`
    let lastMoved = Date.now();
    let doneSeen = false;
    let hung = false;
    const done = new Promise((resolve, reject) => {
      worker.on('message', (m) => {
        if (m.type === 'crash') {
          total.crashes++;
          if (total.crashSamples.length < 20) total.crashSamples.push(m);
          process.stderr.write(`CRASH ${kind} #${m.index}: ${m.what}\n  input (base64): ${m.input}\n`);
          return;
        }
        merge(total, m.stats);
        reported = m.type === 'done' ? m.index : m.index + 1;
        total.heapMaxMB = Math.max(total.heapMaxMB, m.heapUsedMB);
        if (total.heapAfterFirstTenthMB === null && m.index >= inputs / 10) total.heapAfterFirstTenthMB = m.heapUsedMB;
        total.heapAtEndMB = m.heapUsedMB;
        if (m.type === 'done') {
          total.timedMs = m.timedMs;
          doneSeen = true;
          resolve(m.index);
        } else if (m.index % 50_000 === 49_999) process.stderr.write(`${kind}: ${m.index + 1} inputs, ${total.crashes} crashes, ${total.hangs.length} hangs, slowest ${total.slowest.ms.toFixed(1)} ms, heap ${m.heapUsedMB.toFixed(1)} MB\n`);
      });
      worker.on('error', reject);
      worker.on('exit', () => resolve(null)); // after 'done' this changes nothing
    });
    const watch = setInterval(() => {
      total.rssMaxMB = Math.max(total.rssMaxMB, process.memoryUsage().rss / 2 ** 20);
      const now = Atomics.load(progress, 0);
      if (now !== last) (last = now), (lastMoved = Date.now());
      else if (!doneSeen && !hung && Date.now() - lastMoved > HANG_MS) {
        total.hangs.push({ index: now, seed, kind });
        total.inputs += now + 1 - reported; // those since the last report, and the one that hung
        process.stderr.write(`HANG ${kind} #${now} (seed ${seed}): no progress for ${HANG_MS / 1000} s; ending the worker\n`);
        hung = true;
        worker.terminate();
      }
    }, 1000);
    const end = await done;
    clearInterval(watch);
    // After a hang, go on after the input that hung; after a normal end, this kind is done.
    from = end === null ? Atomics.load(progress, 0) + 1 : inputs;
  }
  total.seconds = Math.round((Date.now() - t0) / 1000);
  return total;
}

function merge(total, s) {
  total.inputs += s.inputs;
  total.bytes += s.bytes;
  total.slow += s.slow;
  if (s.slowest.ms > total.slowest.ms) total.slowest = s.slowest;
  for (const [k, v] of Object.entries(s.outcomes)) total.outcomes[k] = (total.outcomes[k] ?? 0) + v;
}

function table(r) {
  const f = (x, d = 1) => (typeof x === 'number' ? x.toFixed(d) : '–');
  let md = `# Parser fuzzing, ${r.date}\n\nNode ${r.node}, ${r.cpus} CPUs shared with other work (load average ${r.loadAverageAtStart[0]} at the start, ${r.loadAverageAtEnd[0]} at the end); seed ${r.seed}.\n\n`;
  md += '| parser | inputs | MB fed | crashes | hangs (> 30 s) | slow (> 100 ms) | slowest input | V8 heap: after 1/10, end, max | process RSS max | outcomes | took |\n|---|---:|---:|---:|---:|---:|---:|---|---:|---|---:|\n';
  for (const [kind, k] of Object.entries(r.kinds)) {
    const name = kind === 'stream' ? 'XML stream parser and guard (each input whole and in random chunks)' : 'TDSL parser + every config reader';
    md += `| ${name} | ${k.inputs} | ${f(k.bytes / 1e6)} | ${k.crashes} | ${k.hangs.length} | ${k.slow} | ${f(k.slowest.ms)} ms (#${k.slowest.index}) | ${f(k.heapAfterFirstTenthMB)} / ${f(k.heapAtEndMB)} / ${f(k.heapMaxMB)} MB | ${f(k.rssMaxMB)} MB | ${Object.entries(k.outcomes)
      .map(([o, n]) => `${o} ${n}`)
      .join(', ')} | ${k.seconds} s |\n`;
  }
  return md;
}

// ---- the worker: one kind of input, from index `from` ----------------------------------------------------
function runWorker({ kind, seed, from, to, progress, deadline, timeIndex }) {
  const require = createRequire(import.meta.url);
  const dist = join(ROOT, 'core/dist/src');
  const { STREAM_CORPUS, mutateBytes, runBytes, prng } = require(join(dist, 'stream/xml-stream-parser.fuzz.js'));
  const { TDSL_CORPUS, TDSL_TOKENS, mutateTdsl } = require(join(dist, 'config/tdsl-parser.fuzz.js'));
  const { generateConfig, loadConfigText } = require(join(dist, 'kernel/config-readers.fuzz.js'));
  const HEADER = Buffer.from("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
  const visible = (events) => events.map((e) => JSON.stringify(e[0] === 'error' ? ['error'] : e));

  let stats = fresh();
  function fresh() {
    return { inputs: 0, bytes: 0, slow: 0, slowest: { ms: 0, index: -1 }, outcomes: {} };
  }
  const count = (o) => (stats.outcomes[o] = (stats.outcomes[o] ?? 0) + 1);
  const crash = (index, what, input) => parentPort.postMessage({ type: 'crash', index, what: String(what).slice(0, 2000), input: Buffer.from(input).toString('base64') });

  /** One stream input: checks the properties; returns its size. */
  function streamInput(n, rnd) {
    const int = (k) => Math.floor(rnd() * k);
    let input;
    if (n % 4 === 3) {
      const junk = Buffer.alloc(int(256));
      for (let i = 0; i < junk.length; i++) junk[i] = int(256);
      input = Buffer.concat([HEADER, junk]);
    } else {
      input = mutateBytes(STREAM_CORPUS[int(STREAM_CORPUS.length)], Array.from({ length: 1 + int(8) }, () => int(2 ** 32)));
    }
    let whole, split;
    try {
      whole = runBytes(input, input.length, 4096);
      split = runBytes(input, 1 + int(48), 4096);
    } catch (e) {
      crash(n, `the stream parser threw ${e?.stack ?? e}`, input);
      return input.length;
    }
    for (const r of [whole, split]) {
      if (r.errors > 1 || (r.errors === 1 && r.last !== 'error')) return crash(n, 'events after the stream error', input), input.length;
      if (!r.inputHadReplacementChar && r.stanzas.some((s) => s.includes('\uFFFD'))) return crash(n, 'U+FFFD invented', input), input.length;
    }
    const a = visible(whole.events);
    const b = visible(split.events);
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return crash(n, `chunkings disagree: ${a[i]} vs ${b[i]}`, input), input.length;
    count(whole.errors ? 'stream error' : 'no error');
    return input.length;
  }

  /** One TDSL input through the parser and every reader. */
  function tdslInput(n, rnd) {
    const int = (k) => Math.floor(rnd() * k);
    let text;
    const r = n % 5;
    if (r < 2) text = generateConfig(rnd);
    else if (r < 4) text = mutateTdsl(TDSL_CORPUS[int(TDSL_CORPUS.length)], Array.from({ length: 1 + int(6) }, () => [int(1e6), int(9), TDSL_TOKENS[int(TDSL_TOKENS.length)]]));
    else {
      const bytes = Buffer.from(TDSL_CORPUS[int(TDSL_CORPUS.length)]);
      for (let k = 1 + int(8); k > 0; k--) bytes[int(bytes.length)] = int(256);
      text = bytes.toString('utf8');
    }
    try {
      count(loadConfigText(text));
    } catch (e) {
      crash(n, `config loading threw ${e?.stack ?? e}`, text);
    }
    return text.length;
  }

  const one = kind === 'stream' ? streamInput : tdslInput;
  let n = from;
  let timedMs = null;
  const report = (type) => {
    parentPort.postMessage({ type, index: n, stats, timedMs, heapUsedMB: process.memoryUsage().heapUsed / 2 ** 20 });
    stats = fresh();
  };
  for (; n < to && Date.now() < deadline; n++) {
    Atomics.store(progress, 0, n);
    const t = performance.now();
    stats.bytes += one(n, prng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(n, 0x85ebca6b) ^ (kind === 'stream' ? 0 : 0x5bd1e995)) >>> 0));
    const ms = performance.now() - t;
    if (n === timeIndex) timedMs = ms;
    stats.inputs++;
    if (ms > SLOW_MS) stats.slow++;
    if (ms > stats.slowest.ms) stats.slowest = { ms, index: n };
    if (n % 1000 === 999) report('progress');
  }
  report('done');
}
