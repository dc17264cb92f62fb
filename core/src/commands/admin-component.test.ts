import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Element, NS_DISCO_INFO, NS_DISCO_ITEMS, parseJid, xml } from '@starling/sdk';
import type { AdHocCommand, CommandCall, CommandReply } from './ad-hoc-command';
import { NS_COMMANDS } from './ad-hoc-command';
import { AdminComponent } from './admin-component';
import { CommandAcl } from './command-acl';
import { CommandSessions } from './command-sessions';
import { dataForm, firstValue } from './data-form';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const COMP = 'sess-man@a.test';

/** Two stages: asks for a name, then greets; remembers what it saw. */
class Greeter implements AdHocCommand {
  readonly id = 'greet';
  readonly name = 'Greet';
  readonly group = '${componentName} examples';
  calls: CommandCall[] = [];
  async execute(call: CommandCall): Promise<CommandReply> {
    this.calls.push(call);
    const name = firstValue(call.values, 'name');
    if (!name) return { status: 'executing', children: [dataForm('form', { fields: [{ var: 'name', type: 'text-single' }] })] };
    return { status: 'completed', children: [dataForm('result', { instructions: `Hello ${name}`, fields: [] })] };
  }
}

class Broken implements AdHocCommand {
  readonly id = 'broken';
  readonly name = 'Broken';
  async execute(): Promise<CommandReply> {
    throw new Error('bug');
  }
}

function setup() {
  const sent: Element[] = [];
  const acl = new CommandAcl(
    new Map([['greet', [{ kind: 'LOCAL' }]]]),
    { isPrivileged: (j) => j.bareString === 'admin@a.test', isLocalDomain: (d) => d === 'a.test', domainRoles: () => undefined },
  );
  const comp = new AdminComponent({ name: 'sess-man', description: 'Session manager', identityType: 'sm' }, acl, new CommandSessions(), (s) => sent.push(s), silent);
  const greeter = new Greeter();
  comp.addBuiltIn(greeter);
  comp.addBuiltIn(new Broken());
  const ask = async (from: string, payload: Element, type = 'set'): Promise<Element> => {
    const iq = xml('iq', { type, id: 'q' + sent.length, from, to: COMP }, payload);
    await comp.handle(iq, parseJid(from), parseJid(COMP));
    const reply = sent.pop();
    assert.ok(reply, 'a reply was sent');
    assert.equal(reply.attrs.to, from);
    assert.equal(reply.attrs.from, COMP);
    return reply;
  };
  const cmd = (attrs: Record<string, string | undefined>, ...children: Element[]) => xml('command', { xmlns: NS_COMMANDS, ...attrs }, ...children);
  return { comp, greeter, ask, cmd, sent };
}

const command = (iq: Element) => iq.getChild('command', NS_COMMANDS)!;
const errorOf = (iq: Element) => {
  const e = iq.getChild('error')!;
  return { type: e.attrs.type, conditions: e.getChildElements().map((c) => c.name), text: e.getChildText('text') };
};

describe('AdminComponent (XEP-0050 over XEP-0030)', () => {
  it('answers disco#info for itself, its command list node and a command node', async () => {
    const { ask } = setup();
    const info = (await ask('bob@a.test/x', xml('query', { xmlns: NS_DISCO_INFO }), 'get')).getChild('query')!;
    assert.deepEqual(info.getChild('identity')!.attrs, { category: 'component', type: 'sm', name: 'Session manager' });
    assert.ok(info.getChildren('feature').some((f) => f.attrs.var === NS_COMMANDS));
    const list = (await ask('bob@a.test/x', xml('query', { xmlns: NS_DISCO_INFO, node: NS_COMMANDS }), 'get')).getChild('query')!;
    assert.equal(list.getChild('identity')!.attrs.type, 'command-list');
    const node = (await ask('bob@a.test/x', xml('query', { xmlns: NS_DISCO_INFO, node: 'greet' }), 'get')).getChild('query')!;
    assert.deepEqual(node.getChild('identity')!.attrs, { category: 'automation', type: 'command-node', name: 'Greet' });
    assert.deepEqual(errorOf(await ask('bob@a.test/x', xml('query', { xmlns: NS_DISCO_INFO, node: 'broken' }), 'get')).conditions, ['item-not-found']);
  });

  it('lists the commands each JID may run, with the group (${componentName} replaced)', async () => {
    const { ask } = setup();
    const items = async (from: string) =>
      (await ask(from, xml('query', { xmlns: NS_DISCO_ITEMS, node: NS_COMMANDS }), 'get'))
        .getChild('query')!
        .getChildren('item')
        .map((i) => i.attrs);
    assert.deepEqual(await items('admin@a.test/x'), [
      { jid: COMP, node: 'greet', name: 'Greet', group: 'Session manager examples' },
      { jid: COMP, node: 'broken', name: 'Broken' },
    ]);
    assert.deepEqual((await items('bob@a.test/x')).map((i) => i.node), ['greet']);
    assert.deepEqual(await items('eve@elsewhere.test/x'), []);
  });

  it('runs a two-stage command in a session, with prev and complete', async () => {
    const { ask, cmd, greeter } = setup();
    const s1 = command(await ask('bob@a.test/x', cmd({ node: 'greet', action: 'execute' })));
    assert.equal(s1.attrs.status, 'executing');
    assert.ok(s1.attrs.sessionid);
    const actions = s1.getChild('actions')!;
    assert.equal(actions.attrs.execute, 'complete');
    assert.deepEqual(actions.getChildElements().map((c) => c.name), ['complete']);

    const submit = (name: string) => dataForm('submit', { fields: [{ var: 'name', values: [name] }] });
    // An empty submit keeps the form up; now there is a previous stage to go back to.
    const s2 = command(await ask('bob@a.test/x', cmd({ node: 'greet', action: 'next', sessionid: s1.attrs.sessionid }, submit(''))));
    assert.equal(s2.attrs.status, 'executing');
    assert.deepEqual(s2.getChild('actions')!.getChildElements().map((c) => c.name), ['prev', 'complete']);
    const back = command(await ask('bob@a.test/x', cmd({ node: 'greet', action: 'prev', sessionid: s1.attrs.sessionid })));
    assert.equal(back.attrs.status, 'executing');
    assert.deepEqual(back.getChild('actions')!.getChildElements().map((c) => c.name), ['complete']);

    const doneIq = await ask('bob@a.test/x', cmd({ node: 'greet', action: 'complete', sessionid: s1.attrs.sessionid }, submit('Romeo')));
    const done = command(doneIq);
    assert.ok(done, doneIq.toString());
    assert.equal(done.attrs.status, 'completed');
    assert.equal(done.attrs.sessionid, s1.attrs.sessionid);
    assert.equal(done.getChild('x', 'jabber:x:data')!.getChildText('instructions'), 'Hello Romeo');
    assert.equal(greeter.calls.at(-1)!.from.toString(), 'bob@a.test/x');
    assert.equal(greeter.calls.at(-1)!.action, 'complete');

    // The session is over.
    const stale = await ask('bob@a.test/x', cmd({ node: 'greet', action: 'complete', sessionid: s1.attrs.sessionid }, submit('x')));
    assert.deepEqual(errorOf(stale), { type: 'modify', conditions: ['bad-request', 'text', 'bad-sessionid'], text: 'Unknown or expired session' });
  });

  it('cancels with Tigase’s note, and only the session’s owner may continue it', async () => {
    const { ask, cmd } = setup();
    const s1 = command(await ask('bob@a.test/x', cmd({ node: 'greet' })));
    const other = await ask('bob@a.test/other', cmd({ node: 'greet', action: 'complete', sessionid: s1.attrs.sessionid }));
    assert.deepEqual(errorOf(other).conditions, ['bad-request', 'text', 'bad-sessionid']);
    const c = command(await ask('bob@a.test/x', cmd({ node: 'greet', action: 'cancel', sessionid: s1.attrs.sessionid })));
    assert.equal(c.attrs.status, 'canceled');
    assert.equal(c.getChild('x')!.getChild('field')!.getChildText('value'), 'Command canceled.');
    const prev = await ask('bob@a.test/x', cmd({ node: 'greet', action: 'prev', sessionid: s1.attrs.sessionid }));
    assert.deepEqual(errorOf(prev).conditions, ['bad-request', 'text', 'bad-sessionid']);
  });

  it('refuses what the ACL does not allow with Tigase’s text, before the command runs', async () => {
    const { ask, cmd } = setup();
    const r = await ask('bob@a.test/x', cmd({ node: 'broken' }));
    assert.deepEqual(errorOf(r), { type: 'auth', conditions: ['forbidden', 'text'], text: 'Only Administrator can call the command.' });
    assert.deepEqual(errorOf(await ask('eve@elsewhere.test/x', cmd({ node: 'greet' }))).conditions, ['forbidden', 'text']);
  });

  it('answers unknown commands, bad actions, IQ get and failing commands with errors', async () => {
    const { ask, cmd } = setup();
    assert.deepEqual(errorOf(await ask('admin@a.test/x', cmd({ node: 'nope' }))).conditions, ['item-not-found', 'text']);
    assert.deepEqual(errorOf(await ask('admin@a.test/x', cmd({ node: 'greet', action: 'dance' }))).conditions, ['bad-request', 'text', 'malformed-action']);
    assert.deepEqual(errorOf(await ask('admin@a.test/x', cmd({ node: 'greet', action: 'prev' }))).conditions, ['bad-request', 'text', 'bad-action']);
    assert.deepEqual(errorOf(await ask('admin@a.test/x', cmd({ node: 'greet' }), 'get')).conditions, ['bad-request', 'text']);
    assert.deepEqual(errorOf(await ask('admin@a.test/x', cmd({ node: 'broken' }))).conditions, ['internal-server-error']);
    assert.deepEqual(errorOf(await ask('admin@a.test/x', xml('query', { xmlns: 'urn:example' }), 'get')).conditions, ['service-unavailable']);
  });

  it('passes isAllowedForDomain through the ACL with the target domain', async () => {
    const { ask, cmd, greeter } = setup();
    await ask('bob@a.test/x', cmd({ node: 'greet' }));
    const call = greeter.calls[0];
    assert.equal(call.isAllowedForDomain('a.test'), true, 'LOCAL allows any domain, as in Tigase');
    assert.equal(call.isAllowedForDomain('not a domain!'), false);
    assert.equal(call.component.jid.toString(), COMP);
  });
});
