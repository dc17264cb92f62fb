import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError } from './errors';
import { parseTdsl } from './tdsl-parser';

/** The chapter's snippets (fixtures/seed) plus the default config: the corpus the mutations start from. */
const SEED_DIR = join(__dirname, '..', '..', '..', 'src', 'config', 'fixtures', 'seed');
const CORPUS = readdirSync(SEED_DIR)
  .filter((f) => f.endsWith('.tdsl'))
  .map((f) => readFileSync(join(SEED_DIR, f), 'utf8'));
const TOKENS = ['{', '}', '(', ')', '[', ']', '=', ':', ',', '\n', "'", '"', '#', '+', '-', '*', '/', 'L', '5', "env('X')", "prop('y', 'z')", 'active: false', '\u0000', '😀', '\\'];

/** Parsing never fails with anything but a ConfigError carrying file:line:column. */
function parseOrConfigError(text: string): void {
  try {
    parseTdsl(text, 'fuzz.tdsl');
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    assert.match(e.message, /^fuzz\.tdsl:\d+:\d+: /);
  }
}

test('fuzz: TDSL from arbitrary text parses or fails with a positioned ConfigError', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), parseOrConfigError), { numRuns: 3000 });
});

test('fuzz: mutated chapter snippets parse or fail with a positioned ConfigError', () => {
  assert.ok(CORPUS.length > 10, `corpus in ${SEED_DIR}`);
  fc.assert(
    fc.property(fc.nat({ max: CORPUS.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.constantFrom(...TOKENS)), { maxLength: 6 }), (i, edits) => {
      let text = CORPUS[i]!;
      for (const [at, del, ins] of edits) {
        const p = at % (text.length + 1);
        text = text.slice(0, p) + ins + text.slice(p + del);
      }
      parseOrConfigError(text);
    }),
    { numRuns: 3000 },
  );
});
