import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NS_MAM, NS_SID } from '@starling/sdk';
import { MUC, errorOf, join, mucHost, say, submitConfig, to } from './test-support/muc-host';

const A = 'alice@localhost/a';
const B = 'bob@localhost/b';

function mam(from: string, room: string, rsm = '', form = '') {
  return `<iq type='set' id='q' from='${from}' to='${room}@${MUC}'><query xmlns='${NS_MAM}' queryid='f1'>${form}${rsm ? `<set xmlns='http://jabber.org/protocol/rsm'>${rsm}</set>` : ''}</query></iq>`;
}

describe('muc: the room archive (XEP-0313 on rooms)', () => {
  it('stamps stanza-ids on messages of a logged persistent room and pages its archive with RSM', async () => {
    const host = await mucHost({ 'history-size': 2 });
    host.connect(A);
    host.connect(B);
    await join(host, A, 'log', 'Alice');
    await submitConfig(host, A, 'log', { 'muc#roomconfig_persistentroom': '1', 'muc#roomconfig_enablelogging': '1' });
    const [info] = await host.inject(`<iq type='get' id='d' from='${A}' to='log@${MUC}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
    assert.ok(info.getChild('query')!.getChildren('feature').some((f) => f.attrs.var === NS_MAM));
    const ids: string[] = [];
    for (const n of ['one', 'two', 'three', 'four', 'five']) {
      const [reflected] = await say(host, A, 'log', n);
      const sid = reflected.getChild('stanza-id', NS_SID)!;
      assert.equal(sid.attrs.by, `log@${MUC}`);
      ids.push(sid.attrs.id!);
    }
    await join(host, B, 'log', 'Bob');
    const out = await host.inject(mam(B, 'log', '<max>3</max>'));
    const results = to(out, B).filter((s) => s.name === 'message');
    assert.deepEqual(results.map((r) => r.getChild('result', NS_MAM)!.getChild('forwarded')!.getChild('message')!.getChildText('body')), ['one', 'two', 'three'], 'the archive keeps more than history-size');
    assert.deepEqual(results.map((r) => r.getChild('result', NS_MAM)!.attrs.id), ids.slice(0, 3));
    assert.equal(results[0].getChild('result', NS_MAM)!.attrs.queryid, 'f1');
    assert.equal(results[0].attrs.from, `log@${MUC}`);
    const fin = out.at(-1)!;
    assert.equal(fin.attrs.type, 'result');
    assert.equal(fin.getChild('fin', NS_MAM)!.attrs.complete, undefined);
    assert.equal(fin.getChild('fin')!.getChild('set')!.getChildText('last'), ids[2]);

    const next = await host.inject(mam(B, 'log', `<max>3</max><after>${ids[2]}</after>`));
    assert.deepEqual(to(next, B).filter((s) => s.name === 'message').map((r) => r.getChild('result')!.attrs.id), ids.slice(3));
    assert.equal(next.at(-1)!.getChild('fin')!.attrs.complete, 'true');
    const lastPage = await host.inject(mam(B, 'log', '<max>2</max><before/>'));
    assert.deepEqual(to(lastPage, B).filter((s) => s.name === 'message').map((r) => r.getChild('result')!.attrs.id), ids.slice(3));
    await host.close();
  });

  it('filters by with: an occupant JID, the room JID, a real JID when whois is anyone; a malformed JID is jid-malformed', async () => {
    const host = await mucHost();
    host.connect(A);
    host.connect(B);
    await join(host, A, 'open', 'Alice');
    await submitConfig(host, A, 'open', { 'muc#roomconfig_persistentroom': '1', 'muc#roomconfig_enablelogging': '1', 'muc#roomconfig_whois': 'anyone' });
    await join(host, B, 'open', 'Bob');
    for (const [u, text] of [[A, 'a1'], [B, 'b1'], [A, 'a2']]) await say(host, u, 'open', text);
    const withForm = (jid: string) => `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>${NS_MAM}</value></field><field var='with'><value>${jid}</value></field></x>`;
    const bodies = async (jid: string) =>
      to(await host.inject(mam(B, 'open', '', withForm(jid))), B)
        .filter((s) => s.name === 'message')
        .map((r) => r.getChild('result', NS_MAM)!.getChild('forwarded')!.getChild('message')!.getChildText('body'));
    assert.deepEqual(await bodies(`open@${MUC}/Alice`), ['a1', 'a2']);
    assert.deepEqual(await bodies(`open@${MUC}`), ['a1', 'b1', 'a2']);
    assert.deepEqual(await bodies('alice@localhost'), ['a1', 'a2'], 'a participant may filter by real JID in a non-anonymous room');
    assert.equal(errorOf((await host.inject(mam(B, 'open', '', withForm('@bad@'))))[0]), 'jid-malformed');
    await host.close();
  });

  it('refuses rooms without an archive (service-unavailable) and outcasts (forbidden)', async () => {
    const host = await mucHost();
    host.connect(A);
    host.connect(B);
    await join(host, A, 'plain', 'Alice');
    await submitConfig(host, A, 'plain', {});
    assert.equal(errorOf((await host.inject(mam(A, 'plain')))[0]), 'service-unavailable');
    await join(host, A, 'logged', 'Alice');
    await submitConfig(host, A, 'logged', { 'muc#roomconfig_persistentroom': '1', 'muc#roomconfig_enablelogging': '1' });
    await host.inject(`<iq type='set' id='b' from='${A}' to='logged@${MUC}'><query xmlns='http://jabber.org/protocol/muc#admin'><item jid='bob@localhost' affiliation='outcast'/></query></iq>`);
    assert.equal(errorOf((await host.inject(mam(B, 'logged')))[0]), 'forbidden');
    await host.close();
  });

  it('answers bad queries as the mam plugin does: a wrong FORM_TYPE, an unknown or #extended field, a bad date or max are bad-request', async () => {
    const host = await mucHost();
    host.connect(A);
    await join(host, A, 'strict', 'Alice');
    await submitConfig(host, A, 'strict', { 'muc#roomconfig_persistentroom': '1', 'muc#roomconfig_enablelogging': '1' });
    await say(host, A, 'strict', 'kept');
    const formOf = (fields: Record<string, string>) =>
      `<x xmlns='jabber:x:data' type='submit'>${Object.entries(fields).map(([k, v]) => `<field var='${k}'><value>${v}</value></field>`).join('')}</x>`;
    const answer = async (rsm: string, fields: Record<string, string>) => errorOf((await host.inject(mam(A, 'strict', rsm, formOf(fields)))).at(-1));
    assert.equal(await answer('', { FORM_TYPE: 'urn:xmpp:mam:1' }), 'bad-request');
    assert.equal(await answer('', { FORM_TYPE: NS_MAM, colour: 'blue' }), 'bad-request');
    assert.equal(await answer('', { FORM_TYPE: NS_MAM, 'after-id': '1' }), 'bad-request', 'the room offers no #extended fields');
    assert.equal(await answer('', { FORM_TYPE: NS_MAM, start: 'yesterday' }), 'bad-request');
    assert.equal(await answer('<max>many</max>', { FORM_TYPE: NS_MAM }), 'bad-request');
    assert.equal(await answer('<max>-1</max>', { FORM_TYPE: NS_MAM }), 'bad-request');
    const good = await host.inject(mam(A, 'strict', '<max>5</max>', formOf({ FORM_TYPE: NS_MAM, start: '2000-01-01T00:00:00Z' })));
    assert.equal(good.at(-1)!.attrs.type, 'result');
    assert.equal(to(good, A).filter((s) => s.name === 'message').length, 1);
    await host.close();
  });
});
