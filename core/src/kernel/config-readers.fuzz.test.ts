import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TDSL_CORPUS, TDSL_TOKENS, mutateTdsl } from '../config/tdsl-parser.fuzz';
import { generateConfig, loadConfigText } from './config-readers.fuzz';
import { prng } from '../stream/xml-stream-parser.fuzz';

/** Bounded counts for the normal test run (a few seconds); bench/fuzz-stream.mjs runs a million. */
const RUNS = 2000;

test('the corpus itself (the chapter snippets and etc/config.tdsl) loads through every reader', () => {
  for (const text of TDSL_CORPUS) assert.equal(loadConfigText(text), 'loaded', text);
});

test('fuzz: a config of known keys with arbitrary values loads or fails with a positioned config error, in every reader', () => {
  const outcomes = new Set<string>();
  fc.assert(
    fc.property(fc.integer(), (seed) => {
      outcomes.add(loadConfigText(generateConfig(prng(seed))));
    }),
    { numRuns: RUNS },
  );
  // The generator reaches the readers: some configs load, some are refused by a reader (not only by the parser).
  assert.ok(outcomes.has('loaded') && outcomes.has('config-error'), [...outcomes].join());
});

test('fuzz: mutated snippets and etc/config.tdsl load or fail with a positioned config error, in every reader', () => {
  fc.assert(
    fc.property(fc.nat({ max: TDSL_CORPUS.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.constantFrom(...TDSL_TOKENS)), { maxLength: 4 }), (i, edits) => {
      loadConfigText(mutateTdsl(TDSL_CORPUS[i]!, edits));
    }),
    { numRuns: RUNS },
  );
});
