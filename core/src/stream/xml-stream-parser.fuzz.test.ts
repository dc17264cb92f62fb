import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { firstInvalidUtf8, XmlStreamParser } from './xml-stream-parser';
import { STREAM_CORPUS, mutateBytes, runBytes, type ParseRun } from './xml-stream-parser.fuzz';

/** Bounded counts for the normal test run (a few seconds); bench/fuzz-stream.mjs runs millions. */
const RUNS = 3000;

function checkRun(r: ParseRun): void {
  assert.ok(r.errors <= 1, 'at most one error');
  if (r.errors === 1) assert.equal(r.last, 'error', 'nothing after the error');
  for (const s of r.stanzas) assert.ok(!s.includes('\uFFFD') || r.inputHadReplacementChar, 'no U+FFFD that was not in the input');
}

test('the recorded client streams (slixmpp, @xmpp/client) parse without an error, whole and a byte at a time', () => {
  assert.ok(STREAM_CORPUS.length > 10, 'the corpus in fixtures/streams');
  for (const input of STREAM_CORPUS) {
    for (const chunk of [input.length, 1]) {
      const r = runBytes(input, chunk);
      assert.equal(r.errors, 0, `${input.toString().slice(0, 200)}: ${JSON.stringify(r.events.at(-1))}`);
      assert.ok(r.stanzas.length > 0);
    }
  }
});

test('fuzz: arbitrary bytes after a stream header never throw, report at most one error and never invent U+FFFD', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), fc.integer({ min: 1, max: 64 }), (bytes, chunk) => {
      checkRun(runBytes(Buffer.from(bytes), chunk));
    }),
    { numRuns: RUNS },
  );
});

/**
 * A token cut off by the end of the input is only judged when its end arrives (a start tag waits for its
 * '>'), so at the end of a fuzzed input one chunking may have decided what another has not yet: the events
 * of one run must be a prefix of the other's, never different.
 */
test('fuzz: mutated real streams give the same events however the bytes are split', () => {
  fc.assert(
    fc.property(fc.nat({ max: STREAM_CORPUS.length - 1 }), fc.array(fc.nat(), { maxLength: 8 }), fc.integer({ min: 1, max: 97 }), (i, seeds, chunk) => {
      const input = mutateBytes(STREAM_CORPUS[i]!, seeds);
      const whole = runBytes(input, input.length);
      checkRun(whole);
      // Two faults in one token may be found in either order (a pending tag is judged when its '>' arrives,
      // bytes as they come): the stanzas delivered and that the stream ended in an error must agree.
      const visible = (events: unknown[]) => events.map((e) => ((e as unknown[])[0] === 'error' ? ['error'] : e));
      const split = visible(runBytes(input, chunk).events);
      const all = visible(whole.events);
      const n = Math.min(split.length, all.length);
      assert.deepEqual(split.slice(0, n), all.slice(0, n), `chunk size ${chunk}`);
    }),
    { numRuns: RUNS },
  );
});

test('fuzz: the UTF-8 check agrees with Node’s isUtf8 on arbitrary bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      assert.equal(firstInvalidUtf8(bytes) === -1, isUtf8(bytes));
    }),
    { numRuns: RUNS * 3 },
  );
});

test('fuzz: well-formed text in any Unicode is delivered exactly, whatever the chunking', () => {
  const xmlChar = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '').replace(/\r/g, ''));
  fc.assert(
    fc.property(xmlChar, fc.integer({ min: 1, max: 7 }), (text, chunk) => {
      const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      const input = Buffer.from(`<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'><message><body>${escaped}</body></message>`);
      const r = runBytes(input, chunk);
      assert.equal(r.errors, 0, JSON.stringify(r.events));
      assert.deepEqual(r.bodies, [text]);
    }),
    { numRuns: RUNS },
  );
});

test('fuzz: a stanza never grows past the byte limit in the parser’s buffer', () => {
  fc.assert(
    fc.property(fc.integer({ min: 64, max: 2048 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }), (limit, unit) => {
      let fails = 0;
      const parser = new XmlStreamParser({
        maxStanzaSize: limit,
        onStreamStart() {},
        onStanza() {},
        onStreamEnd() {},
        onError: () => void fails++,
      });
      parser.writeBytes(Buffer.from("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'><message><body>"));
      const piece = Buffer.from(unit.repeat(16));
      let fed = 0;
      while (fails === 0 && fed <= limit + piece.length) {
        parser.writeBytes(piece);
        fed += piece.length;
      }
      assert.equal(fails, 1, 'the stanza was cut');
      assert.ok(fed <= limit + piece.length + 32, `cut after ${fed} bytes with a limit of ${limit}`);
    }),
    { numRuns: 500 },
  );
});
