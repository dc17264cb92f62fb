/**
 * Every TDSL example in README.md and docs/*.md, and etc/config.tdsl, loads, as the chapter's snippets do
 * (seed-snippets.test.ts):
 * - fenced blocks marked ```tdsl parse and pass `checkConfig` (no unknown key) against core's table and
 *   the stock plugin manifests;
 * - inline code spans in the prose (table cells name keys, they are not examples) that are TDSL statements
 *   with a value or a bean (`name { key = value }`, `name () { }`, `'key' = value`) parse, with an elided
 *   `…` read as a value where a value stands and dropped elsewhere.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigBeanView } from '../config/config-bean-view';
import { pluginKeys } from '../kernel/config-check';
import { PluginCatalog } from '../kernel/plugin-catalog';
import { BUILT_IN_PLUGINS_DIR } from '../kernel/server';
import { checkConfig, formatFinding } from './check-config';
import { ConfigBean } from './model';
import { parseTdsl } from './tdsl-parser';

const REPO = path.join(__dirname, '../../../..');
const DOCS = ['README.md', ...readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

const QUIET = { debug() {}, info() {}, warn() {}, error() {}, child: () => QUIET };
const PLUGINS = [...new PluginCatalog(undefined, new ConfigBeanView(new ConfigBean(''))).scan([BUILT_IN_PLUGINS_DIR], QUIET).packages.values()].map(pluginKeys);

/** A key (bare, hyphenated, dotted or quoted), then a block, a bean header or an assignment. */
const INLINE_STATEMENT = /^(?:'[^']+'|"[^"]+"|[A-Za-z][\w.:-]*)\s*(?:\([^)]*\)\s*)?(?:\{.*\}|=\s*\S.*)$/;

interface Example {
  doc: string;
  line: number;
  text: string;
}

function examples(doc: string): { blocks: Example[]; inline: Example[] } {
  const lines = readFileSync(path.join(REPO, doc), 'utf8').split('\n');
  const blocks: Example[] = [];
  const inline: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)/.exec(lines[i]);
    if (fence) {
      const start = i + 1;
      while (i + 1 < lines.length && !lines[i + 1].startsWith('```')) i++;
      if (fence[1] === 'tdsl') blocks.push({ doc, line: start + 1, text: lines.slice(start, i + 1).join('\n') });
      i++;
      continue;
    }
    if (lines[i].startsWith('|')) continue;
    for (const m of lines[i].matchAll(/`([^`]+)`/g)) {
      if (INLINE_STATEMENT.test(m[1]) && /[=(]/.test(m[1])) inline.push({ doc, line: i + 1, text: m[1] });
    }
  }
  return { blocks, inline };
}

describe('TDSL examples in README.md and docs/', () => {
  const all = DOCS.map(examples);

  it('has the examples this test is meant to cover', () => {
    assert.ok(all.flatMap((e) => e.blocks).length >= 2, 'fenced ```tdsl blocks');
    assert.ok(all.flatMap((e) => e.inline).length >= 10, 'inline TDSL statements');
  });

  it('etc/config.tdsl, the default config, loads with no finding at all', () => {
    const file = path.join(REPO, 'etc', 'config.tdsl');
    const findings = checkConfig(parseTdsl(readFileSync(file, 'utf8'), file), { plugins: PLUGINS, domains: ['localhost'] });
    assert.deepEqual(findings.map(formatFinding), []);
  });

  for (const { blocks, inline } of all) {
    for (const ex of blocks) {
      it(`${ex.doc}:${ex.line} (block) loads with only known keys`, () => {
        const root = parseTdsl(ex.text, `${ex.doc}:${ex.line}`);
        const errors = checkConfig(root, { plugins: PLUGINS, domains: ['localhost', 'example.com', 'example.net'] }).filter((f) => f.severity === 'error');
        assert.deepEqual(errors.map(formatFinding), []);
      });
    }
    if (inline.length > 0) {
      it(`${inline[0].doc}: every inline TDSL statement parses`, () => {
        for (const ex of inline) {
          const text = ex.text.replace(/([=:])\s*…/g, "$1 'elided'").replace(/…/g, '');
          assert.doesNotThrow(() => parseTdsl(text, `${ex.doc}:${ex.line}`), `${ex.doc}:${ex.line}: ${ex.text}`);
        }
      });
    }
  }
});
