import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConfigError } from './errors';
import { parseTdsl } from './tdsl-parser';
import { TDSL_CORPUS, TDSL_TOKENS, mutateTdsl } from './tdsl-parser.fuzz';

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
  assert.ok(TDSL_CORPUS.length > 10, 'the corpus (fixtures/seed and etc/config.tdsl)');
  fc.assert(
    fc.property(fc.nat({ max: TDSL_CORPUS.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.constantFrom(...TDSL_TOKENS)), { maxLength: 6 }), (i, edits) => {
      parseOrConfigError(mutateTdsl(TDSL_CORPUS[i]!, edits));
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: byte-mutated chapter snippets (decoded as UTF-8, as the file is read) parse or fail with a positioned ConfigError', () => {
  fc.assert(
    fc.property(fc.nat({ max: TDSL_CORPUS.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 8 }), (i, flips) => {
      const bytes = Buffer.from(TDSL_CORPUS[i]!);
      for (const [at, b] of flips) if (bytes.length) bytes[at % bytes.length] = b;
      parseOrConfigError(bytes.toString('utf8'));
    }),
    { numRuns: 3000 },
  );
});
