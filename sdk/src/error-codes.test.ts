import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { it } from 'node:test';
import { ERROR_CODES, errorCatalogueMarkdown } from './error-codes';

const repo = resolve(__dirname, '..', '..');
/** Quoted STARLING_* names in the sources that are environment variables, not error codes. */
const ENVIRONMENT_VARIABLES = new Set(['STARLING_HOME']);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function codesInSources(): Map<string, string> {
  const plugins = readdirSync(join(repo, 'plugins')).map((p) => join(repo, 'plugins', p, 'src'));
  const roots = [join(repo, 'sdk', 'src'), join(repo, 'core', 'src'), ...plugins.filter((p) => statSync(p, { throwIfNoEntry: false })?.isDirectory())];
  const found = new Map<string, string>();
  for (const file of roots.flatMap((r) => sources(r))) {
    if (file.endsWith('error-codes.ts')) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/'(STARLING_[A-Z0-9_]+)'/g)) {
      if (!ENVIRONMENT_VARIABLES.has(m[1]) && !found.has(m[1])) found.set(m[1], file);
    }
  }
  return found;
}

it('every error code used in sdk, core and plugins is in the catalogue, and every catalogued code is used', () => {
  const used = codesInSources();
  const missing = [...used].filter(([code]) => !(code in ERROR_CODES)).map(([code, file]) => `${code} (${file})`);
  assert.deepEqual(missing, [], 'add these to ERROR_CODES in sdk/src/error-codes.ts');
  const unused = Object.keys(ERROR_CODES).filter((code) => !used.has(code));
  assert.deepEqual(unused, [], 'catalogued but raised nowhere');
});

it('docs/errors.md is generated from the catalogue (node scripts/gen-error-docs.mjs)', () => {
  const doc = readFileSync(join(repo, 'docs', 'errors.md'), 'utf8');
  assert.equal(doc, errorCatalogueMarkdown(), 'docs/errors.md is out of date: run node scripts/gen-error-docs.mjs');
  for (const code of Object.keys(ERROR_CODES)) assert.ok(doc.includes(`| \`${code}\` |`), code);
});
