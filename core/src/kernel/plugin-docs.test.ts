import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { BUILT_IN_PLUGINS_DIR } from './server';
import { PluginCatalog } from './plugin-catalog';
import { PlainBeanView } from '../test-support/plugin-test-kit';
import { ArrayLogger } from '../test-support/plugin-test-kit';

it("docs/plugins.md's table names every stock plugin's id with its folder", () => {
  const doc = readFileSync(join(BUILT_IN_PLUGINS_DIR, '..', 'docs', 'plugins.md'), 'utf8');
  const catalog = new PluginCatalog(undefined, new PlainBeanView('top', {})).scan([BUILT_IN_PLUGINS_DIR], new ArrayLogger());
  assert.ok(catalog.packages.size > 0);
  for (const pkg of catalog.packages.values()) {
    const folder = `plugins/${pkg.dir.split(/[\\/]/).pop()}/`;
    assert.ok(doc.includes(`| \`${pkg.manifest.id}\` | [\`${folder}\`](../${folder}) |`), `a row for ${pkg.manifest.id} → ${folder}`);
  }
});
