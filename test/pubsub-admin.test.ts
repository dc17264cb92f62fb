import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdhocClient, NS_COMMANDS, fieldValues, note, submit, within } from './commands-support';
import { type TestClient, connect, xml } from './harness/clients';
import { DOMAIN, TestServer } from './harness/server';

const SERVICE = `pubsub.${DOMAIN}`;
const PS = 'http://jabber.org/protocol/pubsub';
const EVENT = 'http://jabber.org/protocol/pubsub#event';

/** Ad-hoc commands on the PubSub component (issue #18 item 6): stock node scripts, ACLs, the component's scripts directory. */
describe('admin commands on the pubsub component with slixmpp (XEP-0050)', () => {
  let server: TestServer;
  let admin: AdhocClient;
  let bob: AdhocClient;
  let carol: TestClient;
  const nodes = async (c: AdhocClient, jid = SERVICE) => (await c.items(jid, NS_COMMANDS)).map((i) => i.node);

  before(async () => {
    server = await (
      await TestServer.create({
        users: [['admin', 'secret'], ['bob', 'bobpw'], ['carol', 'pw']],
        config: `pubsub { commands { 'list-nodes' = [ 'LOCAL' ] } }\n`,
      })
    ).start();
    admin = await AdhocClient.start(server.port, `admin@${DOMAIN}/slix`, 'secret');
    bob = await AdhocClient.start(server.port, `bob@${DOMAIN}/slix`, 'bobpw');
    carol = await connect({ port: server.port, username: 'carol', password: 'pw', resource: 'c' });
    await carol.send(xml('presence'));
  });
  after(async () => {
    await admin?.close();
    await bob?.close();
    await carol?.stop();
    await server?.dispose();
  });

  it('offers the stock node commands and the script commands on pubsub.<vhost>, filtered by the ACL', async () => {
    const info = await admin.request({ op: 'info', jid: SERVICE });
    assert.ok(info.features!.includes(NS_COMMANDS), 'the component domain advertises ad-hoc commands');
    assert.ok(info.features!.includes(PS));
    const mine = await nodes(admin);
    for (const id of ['add-script', 'del-script', 'list-nodes', 'create-node', 'delete-node', 'purge-node']) assert.ok(mine.includes(id), `${id} in ${mine.join(' ')}`);
    assert.deepEqual(await nodes(bob), ['list-nodes'], 'a local user sees only what the ACL lets it run');
    const refused = await bob.command(SERVICE, 'delete-node');
    assert.equal(refused.error?.condition, 'forbidden');
  });

  it('creates, lists, purges and deletes nodes; subscribers hear of the purge and the deletion', async () => {
    const created = await submit(admin, SERVICE, 'create-node', { node: 'announcements', owner: `admin@${DOMAIN}` });
    assert.equal(note(created), 'Operation successful');
    const listed = await bob.command(SERVICE, 'list-nodes');
    assert.ok(fieldValues(listed, 'nodes')!.some((l) => l.startsWith('announcements (owner ')), JSON.stringify(listed.form));

    await carol.iq(xml('iq', { type: 'set', to: SERVICE }, xml('pubsub', { xmlns: PS }, xml('subscribe', { node: 'announcements', jid: `carol@${DOMAIN}` }))));
    const purged = await submit(admin, SERVICE, 'purge-node', { node: 'announcements' });
    assert.equal(note(purged), 'Operation successful');
    await carol.waitFor((el) => el.getChild('event', EVENT)?.getChild('purge')?.attrs.node === 'announcements');

    const form = await admin.command(SERVICE, 'delete-node');
    assert.ok(form.form!.fields.find((f) => f.var === 'node')!.options.some((o) => o.value === 'announcements'));
    const deleted = await admin.command(SERVICE, 'delete-node', { action: 'complete', sessionid: form.sessionid, form: { node: 'announcements' } });
    assert.equal(note(deleted), 'Operation successful');
    await carol.waitFor((el) => el.getChild('event', EVENT)?.getChild('delete')?.attrs.node === 'announcements');
    assert.equal(note(await submit(admin, SERVICE, 'delete-node', { node: 'announcements' })), "There is no node 'announcements'");
  });

  it('answers the same commands on pubsub@<vhost>', async () => {
    assert.ok((await nodes(admin, `pubsub@${DOMAIN}`)).includes('list-nodes'));
    assert.equal(note(await submit(admin, `pubsub@${DOMAIN}`, 'create-node', { node: 'via-component-jid' })), 'Operation successful');
    assert.ok(fieldValues(await admin.command(SERVICE, 'list-nodes'), 'nodes')!.some((l) => l.startsWith('via-component-jid ')));
  });

  it('loads a script dropped into scripts/admin/pubsub/ with the pubsub capability', async () => {
    const dir = join(server.home, 'scripts', 'admin', 'pubsub');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'count-nodes.js'), `// AS:Description: Count nodes\n// AS:CommandId: count-nodes\npubsub.listNodes(packet.getStanzaTo().getDomain()).length`);
    await within(5000, async () => (await nodes(admin)).includes('count-nodes'), 'the pubsub script appears');
    assert.deepEqual(fieldValues(await admin.command(SERVICE, 'count-nodes'), 'Script result'), ['1']);
    // A script of another component does not get the pubsub capability.
    writeFileSync(join(server.home, 'scripts', 'admin', 'sneaky.js'), `// AS:Description: Sneaky\n// AS:CommandId: sneaky\nresult = typeof pubsub`);
    await within(5000, async () => (await nodes(admin, `sess-man@${DOMAIN}`)).includes('sneaky'), 'the sess-man script appears');
    assert.deepEqual(fieldValues(await admin.command(`sess-man@${DOMAIN}`, 'sneaky'), 'Script result'), ['undefined']);
  });
});
