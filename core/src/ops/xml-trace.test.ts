import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MASK, OUTSIDE, maskSecrets } from './xml-trace';

/** Feeds the chunks through the masker like one connection's reads. */
function maskAll(chunks: string[]): string {
  let state = OUTSIDE;
  let out = '';
  for (const c of chunks) {
    const r = maskSecrets(c, state);
    out += r.text;
    state = r.state;
  }
  return out + state.pending;
}

const PLAIN = `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGFsaWNlAHMzY3IzdA==</auth>`;

describe('maskSecrets', () => {
  it('masks SASL payloads and passwords, keeps everything else', () => {
    assert.equal(maskAll([PLAIN]), `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${MASK}</auth>`);
    assert.equal(maskAll([`<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>Yz1iaXdz</response><message><body>hi</body></message>`]), `<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>${MASK}</response><message><body>hi</body></message>`);
    assert.equal(maskAll([`<query xmlns='jabber:iq:register'><username>a</username><password>s3cr3t</password></query>`]), `<query xmlns='jabber:iq:register'><username>a</username><password>${MASK}</password></query>`);
    assert.equal(maskAll([`<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`]), `<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`);
    assert.equal(maskAll([`<authors>x</authors>`]), `<authors>x</authors>`);
  });

  it('masks a payload split anywhere across reads', () => {
    for (let i = 1; i < PLAIN.length - 1; i++)
      for (const j of [i + 1, i + 7, PLAIN.length - 1]) {
        if (j <= i || j >= PLAIN.length) continue;
        const out = maskAll([PLAIN.slice(0, i), PLAIN.slice(i, j), PLAIN.slice(j)]);
        assert.ok(!/AGFsaWNl|s3cr3t|HMzY3Iz|IzdA/.test(out), `split at ${i}/${j}: ${out}`);
        assert.ok(out.endsWith('</auth>'), `split at ${i}/${j}: ${out}`);
      }
  });
});
