import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { COMPONENT_CAPABILITIES } from './script-capabilities';
import { TypeScriptChecker } from './ts-checker';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const checker = new TypeScriptChecker(silent);
after(() => checker.close());

const HELLO2 = `const p = packet

const name = Command.getFieldValue(packet, "name")

if (name == null) {
  const res = p.commandResult(Command.DataType.form)
  Command.addTitle(res, "Hello World Script")
  Command.addInstructions(res, "Please provide some details")
  Command.addFieldValue(res, "name", name ?? "", "text-single", "Your name")
  return res
}

const res = p.commandResult(Command.DataType.result)
Command.addTitle(res, "Hello World Script")
Command.addInstructions(res, \`Hello \${name}, how are you?\`)
const online: SessionInfo[] = sessions.list(p.getStanzaTo()!.getDomain())
log(online.length)
return res
`;

describe('TypeScriptChecker (ts-morph in a worker)', () => {
  it('is not started until the first TypeScript script', () => {
    assert.equal(checker.started, false);
  });

  it('accepts the chapter’s second hello script in TypeScript (and the API typings compile) and emits JavaScript', async () => {
    const js = await checker.compile(HELLO2, 'hello2.ts', COMPONENT_CAPABILITIES['sess-man']);
    assert.equal(checker.started, true);
    assert.match(js, /const online = sessions\.list\(p\.getStanzaTo\(\)\.getDomain\(\)\);/);
    assert.doesNotMatch(js, /SessionInfo/);
  });

  it('reports type errors with line:column in the admin’s text', async () => {
    const bad = 'const res = packet.commandResult("result")\nCommand.addTitle(res, 5)\nres.nope()\nreturn res';
    await assert.rejects(checker.compile(bad, 'bad.ts', {}), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'STARLING_SCRIPT_TYPES');
      assert.deepEqual(err.message.split('\n'), [
        "bad.ts:2:23 - error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'.",
        "bad.ts:3:5 - error TS2339: Property 'nope' does not exist on type 'Packet'.",
      ]);
      return true;
    });
  });

  it('declares only the capabilities of the script’s component, and no imports', async () => {
    await assert.rejects(checker.compile('users.count("a.test")', 'vm.ts', COMPONENT_CAPABILITIES['vhost-man']), /vm\.ts:1:1 - error TS2304: Cannot find name 'users'/);
    assert.match(await checker.compile('vhosts.list().length', 'vm.ts', COMPONENT_CAPABILITIES['vhost-man']), /vhosts\.list\(\)\.length/);
    await assert.rejects(checker.compile('import { readFileSync } from "fs"\nresult = 1', 'imp.ts', {}), /imp\.ts:1:1 - error: scripts cannot import modules/);
  });

  it('keeps each script’s names to itself', async () => {
    await checker.compile('const shared = 1\nresult = shared', 'a.ts', {});
    await checker.compile('const shared = "again"\nresult = shared', 'b.ts', {});
  });
});
