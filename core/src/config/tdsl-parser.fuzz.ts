import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Shared by the TDSL fuzz tests (bounded) and bench/fuzz-stream.mjs (millions of inputs): the corpus (the
 * chapter's snippets in fixtures/seed and the shipped etc/config.tdsl) and a token mutator.
 */

const REPO = join(__dirname, '..', '..', '..', '..');
const SEED_DIR = join(REPO, 'core', 'src', 'config', 'fixtures', 'seed');

export const TDSL_CORPUS: readonly string[] = [
  ...readdirSync(SEED_DIR)
    .filter((f) => f.endsWith('.tdsl'))
    .sort()
    .map((f) => readFileSync(join(SEED_DIR, f), 'utf8')),
  readFileSync(join(REPO, 'etc', 'config.tdsl'), 'utf8'),
];

/** What a token mutation inserts. */
export const TDSL_TOKENS: readonly string[] = ['{', '}', '(', ')', '[', ']', '=', ':', ',', '\n', "'", '"', '#', '+', '-', '*', '/', 'L', '5', "env('X')", "prop('y', 'z')", 'active: false', '\u0000', '😀', '\\', '1e308', '9'.repeat(30), '\r', '\uFEFF', '\uD800'];

/** Applies edits: at position `at` (modulo the length), delete `del` characters and insert `ins`. */
export function mutateTdsl(text: string, edits: readonly (readonly [number, number, string])[]): string {
  for (const [at, del, ins] of edits) {
    const p = at % (text.length + 1);
    text = text.slice(0, p) + ins + text.slice(p + del);
  }
  return text;
}
