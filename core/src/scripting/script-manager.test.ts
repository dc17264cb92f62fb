import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { AdminComponent } from '../commands/admin-component';
import { CommandAcl } from '../commands/command-acl';
import { CommandSessions } from '../commands/command-sessions';
import type { AdHocCommand } from '../commands/ad-hoc-command';
import type { ScriptCommand } from './script-command';
import { ScriptManager } from './script-manager';
import { JAVASCRIPT } from './script-language';
import { TypeScriptChecker } from './ts-checker';

const warnings: string[] = [];
const log = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error: (m: string) => void warnings.push(m), child: () => log };
const checker = new TypeScriptChecker(log);
const roots: string[] = [];
after(async () => {
  await checker.close();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const script = (id: string, desc: string, body = 'result = 1', extra = '') => `// AS:Description: ${desc}\n// AS:CommandId: ${id}\n${extra}${body}\n`;

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'starling-scripts-'));
  roots.push(root);
  const stock = join(root, 'stock');
  const dir = join(root, 'home', 'scripts', 'admin');
  mkdirSync(stock, { recursive: true });
  mkdirSync(dir, { recursive: true });
  const acl = new CommandAcl(new Map(), { isPrivileged: () => true, isLocalDomain: () => true, domainRoles: () => undefined });
  const components = new Map<string, AdminComponent>();
  for (const name of ['sess-man', 'vhost-man']) {
    const c = new AdminComponent({ name, description: name, identityType: 'generic' }, acl, new CommandSessions(), () => undefined, log);
    c.addBuiltIn({ id: 'add-script', name: 'New command script' } as AdHocCommand);
    components.set(name, c);
  }
  const manager = new ScriptManager({ components, dir, builtInDir: stock, checker, capabilities: () => ({}), run: async () => ({ kind: 'none' }), log });
  const desc = (comp: string, id: string) => components.get(comp)!.command(id)?.name;
  const origin = (comp: string, id: string) => (components.get(comp)!.command(id) as ScriptCommand | undefined)?.def.origin;
  return { root, stock, dir, manager, components, desc, origin };
}

describe('ScriptManager', () => {
  beforeEach(() => void warnings.splice(0));

  it('loads stock, base-directory and component-directory scripts, the most specific winning', async () => {
    const { stock, dir, manager, desc, origin } = setup();
    writeFileSync(join(stock, 'a.js'), script('a', 'stock a', undefined, '// AS:Component: sess-man, vhost-man\n'));
    writeFileSync(join(stock, 'b.js'), script('b', 'stock b'));
    writeFileSync(join(stock, 'c.js'), script('c', 'by class', undefined, '// AS:ComponentClass: tigase.vhosts.VHostManager\n'));
    writeFileSync(join(dir, 'b.js'), script('b', 'home b'));
    mkdirSync(join(dir, 'vhost-man'));
    writeFileSync(join(dir, 'vhost-man', 'a.js'), script('a', 'vhost-man a'));
    writeFileSync(join(dir, 'other.txt'), script('x', 'not a script'));
    writeFileSync(join(dir, 'nohead.js'), 'result = 1');
    writeFileSync(join(dir, 'unknown.js'), script('u', 'unknown', undefined, '// AS:Component: nosuch\n'));
    writeFileSync(join(dir, 'add.js'), script('add-script', 'shadow'));
    await manager.loadAll();
    assert.equal(desc('sess-man', 'a'), 'stock a');
    assert.equal(desc('vhost-man', 'a'), 'vhost-man a');
    assert.equal(desc('sess-man', 'b'), 'home b', 'no AS:Component: means sess-man');
    assert.deepEqual(origin('sess-man', 'b'), { kind: 'file', path: join(dir, 'b.js'), rank: 2 });
    assert.equal(desc('vhost-man', 'b'), undefined);
    assert.equal(desc('vhost-man', 'c'), 'by class', 'Tigase component classes map to components');
    assert.equal(desc('sess-man', 'c'), undefined);
    assert.equal(desc('sess-man', 'add-script'), 'New command script', 'built-ins cannot be shadowed');
    assert.ok(warnings.includes('script file skipped: it needs AS:Description: and AS:CommandId: lines'));
    assert.ok(warnings.includes('script file names an unknown component'));
    assert.ok(warnings.includes('script file skipped: its id is a built-in command'));
  });

  it('uploads with and without saving, and removes every source of a command', async () => {
    const { stock, dir, manager, desc, origin } = setup();
    writeFileSync(join(stock, 'hello.js'), script('hello', 'stock hello'));
    await manager.loadAll();
    await manager.upload({ component: 'sess-man', id: 'hello', description: 'uploaded', language: JAVASCRIPT, text: 'result = 2', saveToDisk: false });
    assert.equal(desc('sess-man', 'hello'), 'uploaded');
    assert.deepEqual(origin('sess-man', 'hello'), { kind: 'upload', rank: 4 });
    assert.deepEqual(manager.remove('sess-man', 'hello', true), { deleted: [], kept: [{ path: join(stock, 'hello.js'), why: 'stock' }] });
    assert.equal(desc('sess-man', 'hello'), undefined, 'the stock one is hidden too');
    assert.ok(existsSync(join(stock, 'hello.js')), 'stock files are never deleted');
    assert.equal(manager.remove('sess-man', 'hello', true), undefined);

    await manager.upload({ component: 'vhost-man', id: 'http://example.com/ns#tool', description: 'Tool', group: 'G', language: JAVASCRIPT, text: 'result = 3', saveToDisk: true });
    const file = join(dir, 'vhost-man', 'tool.js');
    assert.equal(readFileSync(file, 'utf8'), '// AS:Description: Tool\n// AS:CommandId: http://example.com/ns#tool\n// AS:Component: vhost-man\n// AS:Group: G\nresult = 3');
    // The text's own AS: lines give way to the form's: one header block, and the file loads back to the same command.
    await manager.upload({ component: 'sess-man', id: 'form-id', description: 'Form', language: JAVASCRIPT, text: '// AS:Description: Text\n// AS:CommandId: text-id\n// AS:Component: vhost-man\nresult = 5', saveToDisk: true });
    const saved = join(dir, 'sess-man', 'form-id.js');
    assert.equal(readFileSync(saved, 'utf8'), '// AS:Description: Form\n// AS:CommandId: form-id\n// AS:Component: sess-man\n//\n//\n//\nresult = 5');
    const fresh = setup();
    mkdirSync(join(fresh.dir, 'sess-man'));
    writeFileSync(join(fresh.dir, 'sess-man', 'form-id.js'), readFileSync(saved));
    await fresh.manager.loadAll();
    assert.equal(fresh.desc('sess-man', 'form-id'), 'Form');
    assert.equal(fresh.desc('sess-man', 'text-id'), undefined);
    assert.equal(fresh.desc('vhost-man', 'form-id'), undefined);
    await assert.rejects(
      manager.upload({ component: 'vhost-man', id: 'tool', description: 'Other', language: JAVASCRIPT, text: 'result = 4', saveToDisk: true }),
      /vhost-man\/tool\.js already holds command 'http:\/\/example\.com\/ns#tool'/,
    );
    await assert.rejects(manager.upload({ component: 'sess-man', id: 'x', description: 'Bad', language: JAVASCRIPT, text: 'result = (', saveToDisk: true }), /x\.js:1(:\d+)? SyntaxError: Unexpected end of input/);
    assert.equal(existsSync(join(dir, 'sess-man', 'x.js')), false, 'nothing is written when the script does not compile');
    assert.deepEqual(manager.remove('vhost-man', 'http://example.com/ns#tool', true), { deleted: [file], kept: [] });
    assert.equal(existsSync(file), false);
  });

  it('deletes a base-directory file only when it serves this component alone', async () => {
    const { dir, manager } = setup();
    writeFileSync(join(dir, 'shared.js'), script('shared', 'Shared', undefined, '// AS:Component: sess-man,vhost-man\n'));
    writeFileSync(join(dir, 'own.js'), script('own', 'Own'));
    await manager.loadAll();
    assert.deepEqual(manager.remove('sess-man', 'shared', true), { deleted: [], kept: [{ path: join(dir, 'shared.js'), why: 'shared' }] });
    assert.deepEqual(manager.remove('sess-man', 'own', true), { deleted: [join(dir, 'own.js')], kept: [] });
    assert.ok(existsSync(join(dir, 'shared.js')));
    assert.equal(existsSync(join(dir, 'own.js')), false);
  });

  it('never deletes stock scripts, even when the home is the installation', async () => {
    const { dir, components } = setup();
    writeFileSync(join(dir, 'stock.js'), script('stock', 'Stock'));
    const manager = new ScriptManager({ components, dir, builtInDir: dir, checker, capabilities: () => ({}), run: async () => ({ kind: 'none' }), log });
    await manager.loadAll();
    assert.deepEqual(manager.remove('sess-man', 'stock', true), { deleted: [], kept: [{ path: join(dir, 'stock.js'), why: 'stock' }] });
    assert.ok(existsSync(join(dir, 'stock.js')));
  });

  it('follows the watched directory: new file within 2 s, edits, a broken edit kept out, deletes', async () => {
    const { dir, manager, desc } = setup();
    await manager.loadAll();
    await manager.watch();
    try {
      const waitFor = async (what: string, ok: () => boolean) => {
        const t = Date.now();
        while (!ok()) {
          if (Date.now() - t > 2000) throw new Error(`${what} not within 2 s`);
          await new Promise((r) => setTimeout(r, 25));
        }
      };
      mkdirSync(join(dir, 'vhost-man'));
      writeFileSync(join(dir, 'vhost-man', 'w.js'), script('w', 'first'));
      await waitFor('added', () => desc('vhost-man', 'w') === 'first');
      writeFileSync(join(dir, 'vhost-man', 'w.js'), script('w', 'second'));
      await waitFor('changed', () => desc('vhost-man', 'w') === 'second');
      writeFileSync(join(dir, 'vhost-man', 'w.js'), script('w', 'broken', 'result = ('));
      await waitFor('logged', () => warnings.includes('script file skipped'));
      assert.equal(desc('vhost-man', 'w'), 'second');
      writeFileSync(join(dir, 'vhost-man', 'w.js'), script('renamed', 'third'));
      await waitFor('renamed', () => desc('vhost-man', 'renamed') === 'third' && desc('vhost-man', 'w') === undefined);
      rmSync(join(dir, 'vhost-man', 'w.js'));
      await waitFor('removed', () => desc('vhost-man', 'renamed') === undefined);
    } finally {
      await manager.stop();
    }
  });
});
