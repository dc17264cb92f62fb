import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseXml, xml } from '@starling/sdk';
import { createTestHost } from '@starling/sdk/testing';
import { verificationString } from './caps-hash';
import { CAPS_SERVICE } from './caps-registry';
import caps from './index';

const SIMPLE = `<query xmlns="http://jabber.org/protocol/disco#info">
  <identity category="client" name="Exodus 0.9.1" type="pc"/>
  <feature var="http://jabber.org/protocol/caps"/><feature var="http://jabber.org/protocol/disco#info"/>
  <feature var="http://jabber.org/protocol/disco#items"/><feature var="http://jabber.org/protocol/muc"/></query>`;

const COMPLEX = `<query xmlns="http://jabber.org/protocol/disco#info">
  <identity xml:lang="en" category="client" name="Psi 0.11" type="pc"/>
  <identity xml:lang="el" category="client" name="Ψ 0.11" type="pc"/>
  <feature var="http://jabber.org/protocol/caps"/><feature var="http://jabber.org/protocol/disco#info"/>
  <feature var="http://jabber.org/protocol/disco#items"/><feature var="http://jabber.org/protocol/muc"/>
  <x xmlns="jabber:x:data" type="result">
    <field var="FORM_TYPE" type="hidden"><value>urn:xmpp:dataforms:softwareinfo</value></field>
    <field var="ip_version"><value>ipv4</value><value>ipv6</value></field>
    <field var="os"><value>Mac</value></field>
    <field var="os_version"><value>10.5.1</value></field>
    <field var="software"><value>Psi</value></field>
    <field var="software_version"><value>0.11</value></field>
  </x></query>`;

describe('entity capabilities (XEP-0115)', () => {
  it('computes the verification strings of the XEP’s examples (§5.2, §5.3)', () => {
    assert.equal(verificationString(parseXml(SIMPLE), 'sha-1'), 'QgayPKawpkPSDYmwT/WM94uAlu0=');
    assert.equal(verificationString(parseXml(COMPLEX), 'sha-1'), 'q07IKJEyjvHSyhy//CH0CxmKi8w=');
  });

  it('asks a client once per verification string and shares verified features between sessions', async () => {
    const host = await createTestHost({ plugins: [{ plugin: caps, manifest: { id: 'caps', provides: ['caps'] } }] });
    const service = host.context('caps')!.get(CAPS_SERVICE);
    const c = xml('c', { xmlns: 'http://jabber.org/protocol/caps', hash: 'sha-1', node: 'https://exodus.example', ver: 'QgayPKawpkPSDYmwT/WM94uAlu0=' });
    host.connect('alice@localhost/pc');
    const out = await host.inject(xml('presence', { from: 'alice@localhost/pc' }, c));
    const query = out.find((s) => s.name === 'iq' && s.attrs.to === 'alice@localhost/pc');
    assert.ok(query, 'the server asks the client what its caps mean');
    assert.equal(query.getChild('query')!.attrs.node, 'https://exodus.example#QgayPKawpkPSDYmwT/WM94uAlu0=');
    assert.deepEqual(service.of('alice@localhost/pc'), { node: 'https://exodus.example', ver: 'QgayPKawpkPSDYmwT/WM94uAlu0=', hash: 'sha-1' });
    assert.equal(service.features('alice@localhost/pc'), undefined);

    await host.inject(xml('iq', { type: 'result', id: query.attrs.id, from: 'alice@localhost/pc', to: 'localhost' }, parseXml(SIMPLE)));
    assert.ok(service.features('alice@localhost/pc')!.includes('http://jabber.org/protocol/muc'));

    host.connect('bob@localhost/pc');
    const again = await host.inject(xml('presence', { from: 'bob@localhost/pc' }, c.clone()));
    assert.equal(again.filter((s) => s.name === 'iq').length, 0, 'a known verification string is not asked again');
    assert.ok(service.features('bob@localhost/pc')!.includes('http://jabber.org/protocol/muc'));

    host.connect('carol@localhost/liar');
    const lie = xml('c', { xmlns: 'http://jabber.org/protocol/caps', hash: 'sha-1', node: 'n', ver: 'AAAA' });
    const q2 = (await host.inject(xml('presence', { from: 'carol@localhost/liar' }, lie))).find((s) => s.name === 'iq')!;
    await host.inject(xml('iq', { type: 'result', id: q2.attrs.id, from: 'carol@localhost/liar', to: 'localhost' }, parseXml(SIMPLE)));
    assert.ok(service.features('carol@localhost/liar'), 'an unverified answer counts for its own session');
    host.connect('dave@localhost/x');
    const q3 = await host.inject(xml('presence', { from: 'dave@localhost/x' }, lie.clone()));
    assert.equal(q3.filter((s) => s.name === 'iq').length, 1, 'but is never shared: the next session is asked again');
    await host.close();
  });

  it('emits caps.learned for each session once its features are known, and asks a waiting session when the asked one leaves', async () => {
    const host = await createTestHost({ plugins: [{ plugin: caps, manifest: { id: 'caps', provides: ['caps'] } }] });
    const learned: string[] = [];
    host.events.on('caps.learned', ({ session, features }) => void learned.push(`${session.jid} ${features.includes('http://jabber.org/protocol/muc')}`));
    const c = () => xml('c', { xmlns: 'http://jabber.org/protocol/caps', hash: 'sha-1', node: 'https://exodus.example', ver: 'QgayPKawpkPSDYmwT/WM94uAlu0=' });
    const pc = host.connect('alice@localhost/pc');
    const asked = (await host.inject(xml('presence', { from: 'alice@localhost/pc' }, c()))).find((s) => s.name === 'iq')!;
    const bob = host.connect('bob@localhost/pc');
    const meanwhile = await host.inject(xml('presence', { from: 'bob@localhost/pc' }, c()));
    assert.equal(meanwhile.filter((s) => s.name === 'iq').length, 0, 'one query per verification string at a time');
    assert.deepEqual(learned, [], 'nothing is known before the answer');
    pc.close('gone');
    const reasked = bob.received.filter((s) => s.name === 'iq' && s.attrs.type === 'get');
    assert.equal(reasked.length, 1, 'the session that waited is asked when the asked one leaves');
    assert.notEqual(reasked[0].attrs.id, asked.attrs.id);
    await host.inject(xml('iq', { type: 'result', id: reasked[0].attrs.id, from: 'bob@localhost/pc', to: 'localhost' }, parseXml(SIMPLE)));
    assert.deepEqual(learned, ['bob@localhost/pc true']);
    host.connect('carol@localhost/pc');
    await host.inject(xml('presence', { from: 'carol@localhost/pc' }, c()));
    assert.deepEqual(learned, ['bob@localhost/pc true', 'carol@localhost/pc true'], 'a known verification string is learned at once');
    await host.close();
  });

  it('emits caps.learned for the sessions that waited on the same verification string when the asked one answers', async () => {
    const host = await createTestHost({ plugins: [{ plugin: caps, manifest: { id: 'caps', provides: ['caps'] } }] });
    const learned: string[] = [];
    host.events.on('caps.learned', ({ session }) => void learned.push(session.jid.toString()));
    const c = () => xml('c', { xmlns: 'http://jabber.org/protocol/caps', hash: 'sha-1', node: 'https://exodus.example', ver: 'QgayPKawpkPSDYmwT/WM94uAlu0=' });
    host.connect('alice@localhost/pc');
    const asked = (await host.inject(xml('presence', { from: 'alice@localhost/pc' }, c()))).find((s) => s.name === 'iq')!;
    host.connect('bob@localhost/pc');
    await host.inject(xml('presence', { from: 'bob@localhost/pc' }, c()));
    await host.inject(xml('iq', { type: 'result', id: asked.attrs.id, from: 'alice@localhost/pc', to: 'localhost' }, parseXml(SIMPLE)));
    assert.deepEqual(learned, ['alice@localhost/pc', 'bob@localhost/pc']);
    await host.close();
  });
});
