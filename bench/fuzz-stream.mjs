#!/usr/bin/env node
// Fuzzes the XMPP stream parser and the TDSL config parser with millions of inputs (not a test: the
// bounded property tests run in `npm test`). Needs `npx tsc -b` first.
//
//   node bench/fuzz-stream.mjs [--inputs 1000000] [--seed 1] [--seconds 600]
//
// Stream inputs: real client streams (core/src/stream/xml-stream-parser.fuzz.ts) mutated 1-8 times, fed
// whole and in random chunk sizes; every 4th input is random bytes after a stream header. TDSL inputs:
// the chapter snippets with token insertions/deletions. Checked per input: nothing throws (other than
// ConfigError for TDSL), at most one stream error and nothing after it, chunkings agree on the stanzas
// delivered and on ending in an error, no U+FFFD
// appears that was not sent; per input and overall: time (the slowest input is reported) and heap.
import { parseArgs } from 'node:util';
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { STREAM_CORPUS, mutateBytes, runBytes, prng } = require(join(root, 'core/dist/src/stream/xml-stream-parser.fuzz.js'));
const { parseTdsl } = require(join(root, 'core/dist/src/config/tdsl-parser.js'));
const { ConfigError } = require(join(root, 'core/dist/src/config/errors.js'));

const { values: opt } = parseArgs({ options: { inputs: { type: 'string' }, seed: { type: 'string' }, seconds: { type: 'string' } } });
const INPUTS = Number(opt.inputs ?? 1_000_000);
const SEED = Number(opt.seed ?? 1);
const DEADLINE = Date.now() + Number(opt.seconds ?? 600) * 1000;
const rnd = prng(SEED);
const int = (n) => Math.floor(rnd() * n);

const SEED_DIR = join(root, 'core/src/config/fixtures/seed');
const TDSL = readdirSync(SEED_DIR).filter((f) => f.endsWith('.tdsl')).map((f) => readFileSync(join(SEED_DIR, f), 'utf8'));
const TOKENS = ['{', '}', '(', ')', '[', ']', '=', ':', ',', '\n', "'", '"', '#', '+', '-', '*', '/', 'L', '5', "env('X')", 'active: false', '\u0000', '😀', '\\', '1e308', '9'.repeat(30)];
const HEADER = Buffer.from("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");

const fail = (what, input) => {
  console.error(`FAILED: ${what}\ninput (base64): ${Buffer.from(input).toString('base64')}`);
  process.exit(1);
};
// Two faults in one token may be found in either order (a pending tag is judged when its '>' arrives,
// bytes as they come): the stanzas delivered and that the stream ended in an error must agree.
const visible = (events) => events.map((e) => (e[0] === 'error' ? ['error'] : e)).map((e) => JSON.stringify(e));

let stream = 0, tdsl = 0, streamErrors = 0, stanzas = 0, configErrors = 0, slowest = 0, bytes = 0;
const heapStart = process.memoryUsage().heapUsed;
let heapMax = heapStart;
const started = Date.now();
for (let n = 0; n < INPUTS && Date.now() < DEADLINE; n++) {
  const t0 = performance.now();
  if (n % 10 === 9) {
    let text = TDSL[int(TDSL.length)];
    for (let k = 1 + int(6); k > 0; k--) {
      const p = int(text.length + 1);
      text = text.slice(0, p) + TOKENS[int(TOKENS.length)] + text.slice(p + int(8));
    }
    try {
      parseTdsl(text, 'fuzz.tdsl');
    } catch (e) {
      if (!(e instanceof ConfigError) || !/^fuzz\.tdsl:\d+:\d+: /.test(e.message)) fail(`TDSL threw ${e?.stack ?? e}`, text);
      configErrors++;
    }
    tdsl++;
  } else {
    let input;
    if (n % 4 === 3) {
      const junk = Buffer.alloc(int(256));
      for (let i = 0; i < junk.length; i++) junk[i] = int(256);
      input = Buffer.concat([HEADER, junk]);
    } else {
      const seeds = Array.from({ length: 1 + int(8) }, () => int(2 ** 32));
      input = mutateBytes(STREAM_CORPUS[int(STREAM_CORPUS.length)], seeds);
    }
    bytes += input.length;
    let whole, split;
    try {
      whole = runBytes(input, input.length, 4096);
      split = runBytes(input, 1 + int(48), 4096);
    } catch (e) {
      fail(`stream parser threw ${e?.stack ?? e}`, input);
    }
    for (const r of [whole, split]) {
      if (r.errors > 1 || (r.errors === 1 && r.last !== 'error')) fail('events after the error', input);
      if (!r.inputHadReplacementChar && r.stanzas.some((s) => s.includes('\uFFFD'))) fail('U+FFFD invented', input);
    }
    const a = visible(whole.events), b = visible(split.events);
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) fail(`chunkings disagree: ${a[i]} vs ${b[i]}`, input);
    streamErrors += whole.errors;
    stanzas += whole.stanzas.length;
    stream++;
  }
  slowest = Math.max(slowest, performance.now() - t0);
  if (n % 50_000 === 0) {
    heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
    if (n > 0) process.stderr.write(`${n} inputs…\n`);
  }
}
const secs = (Date.now() - started) / 1000;
console.log(
  `fuzz-stream seed ${SEED}: ${stream + tdsl} inputs in ${secs.toFixed(0)} s — stream parser ${stream} (${(bytes / 1e6).toFixed(1)} MB, each fed whole and in random chunks; ` +
    `${streamErrors} stream errors, ${stanzas} stanzas), TDSL ${tdsl} (${configErrors} ConfigErrors); no crash, no hang (slowest input ${slowest.toFixed(1)} ms), ` +
    `heap ${(heapStart / 1e6).toFixed(1)} → max ${(heapMax / 1e6).toFixed(1)} MB`,
);
