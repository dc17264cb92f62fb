// XEP-0352 (CSI) under a presence storm: what reaches 1000 inactive clients with and without CSI.
// In process, on the SDK test host (the server's own router, filters and plugin runtime): each session
// gets `--contacts` contacts' presence `--updates` times each, then one chat message with a body (urgent,
// so CSI flushes). Counts the stanzas and serialised bytes written to the sessions. No sockets, no timing.
//   node bench/csi-presence.mjs [--clients 1000] [--contacts 20] [--updates 10]
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { xml } from '@starling/sdk';
import { createTestHost, loadPluginPackage } from '@starling/sdk/testing';

const REPO = join(fileURLToPath(import.meta.url), '..', '..');
const { values } = parseArgs({ options: { clients: { type: 'string', default: '1000' }, contacts: { type: 'string', default: '20' }, updates: { type: 'string', default: '10' } } });
const [clients, contacts, updates] = [values.clients, values.contacts, values.updates].map(Number);

async function run(withCsi) {
  const host = await createTestHost({ plugins: withCsi ? [loadPluginPackage(join(REPO, 'plugins', 'csi'))] : [] });
  const sessions = [];
  for (let i = 0; i < clients; i++) sessions.push(host.connect(`user${i}@localhost/phone`));
  if (withCsi) for (const session of sessions) host.events.emit('stream.nonza', { session, element: xml('inactive', { xmlns: 'urn:xmpp:csi:0' }) });
  let stanzas = 0;
  let bytes = 0;
  const count = (s) => {
    for (const el of s.received) bytes += Buffer.byteLength(el.toString());
    stanzas += s.received.length;
    s.received.length = 0;
  };
  for (let u = 0; u < updates; u++) {
    for (const s of sessions) {
      for (let c = 0; c < contacts; c++) s.send(xml('presence', { from: `contact${c}@localhost/pc`, to: s.jid.toString() }, xml('show', {}, u % 2 ? 'away' : 'chat'), xml('status', {}, `update ${u}`)));
      count(s);
    }
  }
  for (const s of sessions) {
    s.send(xml('message', { from: 'contact0@localhost/pc', to: s.jid.toString(), type: 'chat' }, xml('body', {}, 'ping?')));
    count(s);
  }
  await host.close();
  return { stanzas, bytes };
}

const without = await run(false);
const withCsi = await run(true);
const row = (name, r) => `| ${name} | ${r.stanzas} | ${(r.bytes / 1024).toFixed(0)} KiB | ${(r.bytes / clients).toFixed(0)} B |`;
console.log(`${clients} inactive clients, ${contacts} contacts × ${updates} presence updates each, then one chat message\n`);
console.log('| | stanzas sent | bytes sent | bytes per client |\n|---|---|---|---|');
console.log(row('without CSI', without));
console.log(row('with CSI (urn:xmpp:csi:0)', withCsi));
console.log(`\nCSI cut: ${(100 * (1 - withCsi.bytes / without.bytes)).toFixed(1)} % of the bytes, ${(100 * (1 - withCsi.stanzas / without.stanzas)).toFixed(1)} % of the stanzas`);
