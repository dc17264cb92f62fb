import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdhocClient, fieldValues, note } from './commands-support';
import { connect, type TestClient, xml, type XmppElement } from './harness/clients';
import type { TestServer } from './harness/server';
import { federatedPair } from './s2s-support';

const RULES_FIELD = 'Domain filter domains (only LIST and BLACKLIST)';

/**
 * The vhost's `Domain filter policy` set at run time through vhost-man by a slixmpp admin (XEP-0050), then
 * enforced on federation and between local accounts: Tigase's CUSTOM rules (`id|allow|type[|value]`
 * separated by `;`) and LIST. a.test is the filtered vhost; b.test is another Starling server.
 */
describe('s2s domain filter: CUSTOM rules and LIST set with vhost-man', () => {
  let a: TestServer;
  let b: TestServer;
  let admin: AdhocClient;
  const clients: TestClient[] = [];
  const user: Record<string, TestClient> = {};
  const body = (text: string) => (el: XmppElement) => el.is('message') && el.getChildText('body') === text;
  const bounced = (text: string) => (el: XmppElement) => body(text)(el) && el.attrs.type === 'error';
  const condition = (el: XmppElement) => el.getChild('error')?.getChildElements()[0]?.name;
  const send = (from: string, to: string, text: string) => user[from].send(xml('message', { to, type: 'chat' }, xml('body', {}, text)));

  /** vhost-man's edit form for a.test, as the slixmpp admin opens it: start the update, select the item. */
  const editA = async () => {
    const start = await admin.command('vhost-man@a.test', 'comp-repo-item-update');
    return admin.command('vhost-man@a.test', 'comp-repo-item-update', { action: 'next', sessionid: start.sessionid, form: { 'item-list': 'a.test' } });
  };
  /** vhost-man's update of a.test: the edit form (editA), then the fields submitted. */
  const updateA = async (fields: Record<string, string>): Promise<string> => {
    const edit = await editA();
    const done = await admin.command('vhost-man@a.test', 'comp-repo-item-update', { action: 'complete', sessionid: edit.sessionid, form: { 'item-list': 'a.test', 'command-marker': 'true', ...fields } });
    const said = note(done);
    return said === 'Operation successful' ? said : [said, ...(fieldValues(done, 'Warning') ?? [])].join(' ') || JSON.stringify(done);
  };

  before(async () => {
    [a, b] = await federatedPair(
      { domain: 'a.test', users: [['alice', 'secret'], ['dave', 'secret'], ['admin', 'secret']], admins: ['admin@a.test'], config: "'vhost-man' () { defaults { 'vhost-disable-dns-check' = true } }" },
      { domain: 'b.test', users: [['bob', 'secret'], ['carl', 'secret']] },
    );
    await a.start();
    await b.start();
    for (const [name, server] of [['alice', a], ['dave', a], ['bob', b], ['carl', b]] as const) {
      const c = await connect({ port: server.port, username: name, password: 'secret', resource: 'r', domain: server.domain });
      clients.push(c);
      await c.send(xml('presence'));
      user[name] = c;
    }
    admin = await AdhocClient.start(a.port, 'admin@a.test/slix', 'secret');
  });
  after(async () => {
    for (const c of clients) await c.stop();
    await admin?.close();
    await a?.dispose();
    await b?.dispose();
  });

  it('CUSTOM rules: only bob (and vhost-man, which the admin talks to) is reachable, both ways; the rest is refused', async () => {
    // as in Tigase's example, the component the vhost's own admin uses is allowed by a rule of its own
    const rules = '1|allow|self;2|allow|jid|bob@b.test;3|allow|jid|vhost-man@a.test;4|deny|all';
    assert.equal(await updateA({ 'Domain filter policy': 'CUSTOM', [RULES_FIELD]: rules }), 'Operation successful');
    await send('alice', 'bob@b.test/r', 'to bob');
    await user.bob.waitFor(body('to bob'), 20_000, 'allowed by rule 2');
    await send('bob', 'alice@a.test/r', 'from bob');
    await user.alice.waitFor(body('from bob'), 20_000, 'allowed by rule 2 coming in');
    await send('alice', 'carl@b.test/r', 'to carl');
    assert.equal(condition(await user.alice.waitFor(bounced('to carl'), 20_000, 'bounce')), 'policy-violation');
    await send('carl', 'alice@a.test/r', 'from carl');
    await user.alice.expectNothing(body('from carl'), 2000);
    await send('alice', 'dave@a.test/r', 'to dave');
    const local = await user.alice.waitFor(bounced('to dave'), 10_000, 'local refusal');
    assert.equal(condition(local), 'forbidden');
    assert.equal(local.getChild('error')?.getChildText('text'), 'Your packet was blocked by server filtering rules - FORBIDDEN');
  });

  it('LIST with a.test and b.test: every b.test account is reachable again, and vhost-man shows the list', async () => {
    // a LIST vhost lists its own domain to keep talking to its own accounts and components (vhost-man too)
    assert.equal(await updateA({ 'Domain filter policy': 'LIST', [RULES_FIELD]: 'a.test,b.test' }), 'Operation successful');
    await send('alice', 'carl@b.test/r', 'listed');
    await user.carl.waitFor(body('listed'), 20_000, 'allowed by LIST');
    const edit = await editA();
    const field = (v: string) => edit.form!.fields.find((f) => f.var === v)?.values?.[0];
    assert.equal(field('Domain filter policy'), 'LIST');
    assert.equal(field(RULES_FIELD), 'a.test,b.test');
  });

  it('vhost-man refuses a CUSTOM rule that does not parse, naming it', async () => {
    const reply = await updateA({ 'Domain filter policy': 'CUSTOM', [RULES_FIELD]: '1|allow|self;2|maybe|all' });
    assert.match(reply, /^The item did not pass validation checking\. Domain filter domains \(only LIST and BLACKLIST\): '2\|maybe\|all' is not a rule id\|allow\|type\[\|value\]: 'maybe' is neither allow nor deny/);
  });
});
