#!/usr/bin/env node
// CPU per occupant copy of one room message, in-process (no sockets): the room's old way (a copy per
// occupant, each serialised whole) beside the SDK's Fanout (children serialised once, each copy writes its
// attributes). The message is the one bench/muc-fanout.mjs sends, with the room's stanza-id.
// Usage: node bench/muc-copy-cost.mjs   (needs `npx tsc -b`; 500 copies × 4000 rounds, a few seconds)
import { createRequire } from 'node:module';
const { Element, Fanout, xml } = createRequire(import.meta.url)('../sdk/dist/index.js');

const OCCUPANTS = 500;
const ROUNDS = 4000;
const message = () =>
  new Element('message', { from: 'bench@muc.localhost/u3', type: 'groupchat', id: 'x1' }, [
    xml('body', {}, 'b:1:123456789:lorem ipsum dolor sit amet'),
    xml('stanza-id', { xmlns: 'urn:xmpp:sid:0', id: '42', by: 'bench@muc.localhost' }),
  ]);
const perCopy = (base, to) => new Element(base.name, { ...base.attrs, to }, base.children.slice());

function nsPerCopy(round) {
  let bytes = 0;
  const t = process.cpuUsage();
  for (let r = 0; r < ROUNDS; r++) bytes += round();
  const u = process.cpuUsage(t);
  if (bytes === 0) throw new Error('nothing serialised');
  return ((u.user + u.system) * 1000) / (ROUNDS * OCCUPANTS);
}
const ways = {
  'a copy serialised whole': () => {
    const base = message();
    let n = 0;
    for (let i = 0; i < OCCUPANTS; i++) n += perCopy(base, `user${i}@localhost/bench`).toString().length;
    return n;
  },
  Fanout: () => {
    const out = new Fanout(message());
    let n = 0;
    for (let i = 0; i < OCCUPANTS; i++) n += out.to(`user${i}@localhost/bench`).toString().length;
    return n;
  },
};
for (const pass of ['warm-up', 'measured']) {
  for (const [name, round] of Object.entries(ways)) {
    const ns = nsPerCopy(round);
    if (pass === 'measured') console.log(`${name}: ${ns.toFixed(0)} ns CPU per copy`);
  }
}
