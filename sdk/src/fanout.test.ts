import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Fanout } from './fanout';
import { xml } from './xml';

describe('Fanout', () => {
  const base = () => xml('message', { from: 'room@muc.x.test/ann', type: 'groupchat', id: 'm1' }, xml('body', {}, 'a < b & "c"'), xml('x', { xmlns: 'urn:x' }));

  it('writes each copy as the plain element with that `to` would be written', () => {
    const b = base();
    const out = new Fanout(b);
    for (const to of ['bob@x.test/phone', "eve@x.test/o'hara"]) {
      const plain = xml('message', { ...b.attrs, to }, ...b.children.map((c) => (typeof c === 'string' ? c : c.clone())));
      assert.equal(out.to(to).toString(), plain.toString());
    }
  });

  it('serialises the shared children once, however many copies are written', () => {
    const b = base();
    let calls = 0;
    const body = b.getChild('body')!;
    const serialise = body.toString.bind(body);
    body.toString = () => (calls++, serialise());
    const out = new Fanout(b);
    for (let i = 0; i < 5; i++) out.to(`u${i}@x.test/r`).toString();
    assert.equal(calls, 1);
  });

  it('writes a copy whose children or attributes were changed as it now is', () => {
    const out = new Fanout(base());
    const trimmed = out.to('bob@x.test/r').remove('x', 'urn:x');
    assert.equal(trimmed.toString(), '<message from="room@muc.x.test/ann" type="groupchat" id="m1" to="bob@x.test/r"><body>a &lt; b &amp; "c"</body></message>');
    const added = out.to('bob@x.test/r');
    added.c('delay', { xmlns: 'urn:xmpp:delay' });
    assert.match(added.toString(), /<x xmlns="urn:x"\/><delay xmlns="urn:xmpp:delay"\/><\/message>$/);
    const renamed = out.to('bob@x.test/r');
    delete renamed.attrs.id;
    assert.equal(renamed.toString().startsWith('<message from="room@muc.x.test/ann" type="groupchat" to="bob@x.test/r">'), true);
    assert.equal(out.to('carol@x.test/r').clone().toString(), out.to('carol@x.test/r').toString());
  });
});
