import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NS_MUC_REQUEST } from './room-voice';
import { MUC, errorOf, item, join, mucHost, submitConfig, to } from './test-support/muc-host';

const A = 'alice@localhost/a';
const B = 'bob@localhost/b';
const C = 'carol@localhost/c';

function requestForm(fields: Record<string, string>): string {
  const f = Object.entries(fields)
    .map(([k, v]) => `<field var='${k}'><value>${v}</value></field>`)
    .join('');
  return `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>${NS_MUC_REQUEST}</value></field>${f}</x>`;
}
const send = (host: Awaited<ReturnType<typeof mucHost>>, from: string, fields: Record<string, string>) =>
  host.inject(`<message id='v' from='${from}' to='stage@${MUC}'>${requestForm(fields)}</message>`);

describe('muc: voice requests (XEP-0045 §7.13, §8.6)', () => {
  it('sends a visitor’s request to every moderator session only; ignores requests from those with voice', async () => {
    const host = await mucHost();
    for (const u of [A, 'alice@localhost/phone', B, C]) host.connect(u);
    await join(host, A, 'stage', 'Alice');
    await submitConfig(host, A, 'stage', { 'muc#roomconfig_moderatedroom': '1' });
    await join(host, 'alice@localhost/phone', 'stage', 'Alice');
    await join(host, B, 'stage', 'Bob');
    await join(host, C, 'stage', 'Carol');
    const out = await send(host, B, { 'muc#role': 'participant' });
    assert.deepEqual(out.map((s) => s.attrs.to).sort(), [A, 'alice@localhost/phone'], 'both sessions of the moderator, nobody else');
    const form = out[0].getChild('x', 'jabber:x:data')!;
    assert.equal(form.attrs.type, 'form');
    assert.equal(form.getChildText('title'), 'Voice request');
    await host.inject(`<iq type='set' id='mod' from='${A}' to='stage@${MUC}'><query xmlns='http://jabber.org/protocol/muc#admin'><item nick='Carol' role='participant'/></query></iq>`);
    assert.deepEqual(await send(host, C, { 'muc#role': 'participant' }), [], 'Carol has voice already');
    await host.close();
  });

  it('refuses a request for another role (bad-request) and one from outside the room (not-acceptable); a declined approval changes nothing', async () => {
    const host = await mucHost();
    for (const u of [A, B, C]) host.connect(u);
    await join(host, A, 'stage', 'Alice');
    await submitConfig(host, A, 'stage', { 'muc#roomconfig_moderatedroom': '1' });
    await join(host, B, 'stage', 'Bob');
    assert.equal(errorOf((await send(host, B, { 'muc#role': 'moderator' }))[0]), 'bad-request');
    assert.equal(errorOf((await send(host, C, { 'muc#role': 'participant' }))[0]), 'not-acceptable');
    assert.deepEqual(await send(host, A, { 'muc#roomnick': 'Bob', 'muc#request_allow': 'false' }), []);
    assert.deepEqual(await host.inject(`<message id='skip' from='${A}' to='stage@${MUC}'><x xmlns='jabber:x:data' type='cancel'/></message>`), [], 'a cancelled approval form is no error');
    assert.equal(errorOf((await send(host, A, { 'muc#roomnick': 'Nobody', 'muc#request_allow': 'true' }))[0]), 'item-not-found');
    const granted = await send(host, A, { 'muc#roomnick': 'Bob', 'muc#request_allow': '1' });
    assert.equal(item(to(granted, B)[0]).role, 'participant');
    await host.close();
  });
});
