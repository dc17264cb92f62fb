import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { createTestHost, loadPluginPackage } from './index';

const REPO = resolve(__dirname, '../../..');

/** The two files of the quickest plugin, as section 1 of docs/plugins.md shows them. */
function documentedFiles(): { packageJson: string; indexTs: string } {
  const doc = readFileSync(join(REPO, 'docs/plugins.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## 1.'), doc.indexOf('## 2.'));
  const block = (lang: string) => {
    const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section);
    assert.ok(m, `a ${lang} block in section 1 of docs/plugins.md`);
    return m[1];
  };
  return { packageJson: block('json'), indexTs: block('ts') };
}

/** Writes `plugins/hello/{package.json,index.ts}` under `home` and loads it as the test host does. */
async function greet(home: string): Promise<string> {
  const { packageJson, indexTs } = documentedFiles();
  const dir = join(home, 'plugins', 'hello');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), packageJson);
  writeFileSync(join(dir, 'index.ts'), indexTs);
  const host = await createTestHost({ plugins: [loadPluginPackage(dir)] });
  try {
    host.connect('alice@localhost/phone');
    const [reply] = await host.inject(`<iq type='get' id='1' from='alice@localhost/phone' to='localhost'><hello xmlns='urn:example:hello'/></iq>`);
    return reply.toString();
  } finally {
    await host.close();
  }
}

const EXPECTED = `<iq type="result" id="1" from="localhost" to="alice@localhost/phone"><hello xmlns="urn:example:hello">Hello, alice!</hello></iq>`;

describe('the two-file .ts plugin of docs/plugins.md on the test host', () => {
  it('loads from a home outside the repository (no node_modules there)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'starling-home-'));
    try {
      assert.equal(await greet(home), EXPECTED);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('loads from a folder inside the repository', async () => {
    const home = mkdtempSync(join(REPO, '.tmp-home-'));
    try {
      assert.equal(await greet(home), EXPECTED);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
