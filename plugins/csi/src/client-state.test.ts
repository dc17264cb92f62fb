import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { xml } from '@starling/sdk';
import { createTestHost } from '@starling/sdk/testing';
import csi from './index';

const NS = 'urn:xmpp:csi:0';

describe('client state indication (XEP-0352) on the test host', () => {
  const setup = async (queueSize?: number) => {
    const host = await createTestHost({
      plugins: [{ plugin: csi, manifest: { id: 'urn:xmpp:csi:0' } }],
      config: queueSize ? { 'urn:xmpp:csi:0': { 'queue-size': queueSize } } : undefined,
    });
    const session = host.connect('mia@localhost/phone');
    host.events.emit('stream.nonza', { session, element: xml('inactive', { xmlns: NS }) });
    const seen = () => session.received.splice(0).map((s) => `${s.name}:${s.attrs.from}:${s.attrs.type ?? ''}:${s.getChildText('status') ?? s.attrs.id ?? ''}`);
    return { host, session, seen };
  };
  const p = (from: string, status: string, type?: string) => xml('presence', { from, to: 'mia@localhost/phone', type }, xml('status', {}, status));

  it('sends an IQ at once, after what was held; never merges subscription requests', async () => {
    const { host, session, seen } = await setup();
    session.send(p('a@localhost/x', 'one'));
    session.send(xml('presence', { from: 'b@localhost', to: 'mia@localhost', type: 'subscribe' }));
    session.send(xml('presence', { from: 'b@localhost', to: 'mia@localhost', type: 'subscribe' }));
    session.send(p('a@localhost/x', 'two'));
    assert.deepEqual(seen(), []);
    session.send(xml('iq', { from: 'localhost', to: 'mia@localhost/phone', type: 'get', id: 'ping1' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    assert.deepEqual(seen(), ['presence:b@localhost:subscribe:', 'presence:b@localhost:subscribe:', 'presence:a@localhost/x::two', 'iq:localhost:get:ping1']);
    await host.close();
  });

  it('flushes when more than queue-size stanzas are held, and stops holding on <active/>', async () => {
    const { host, session, seen } = await setup(2);
    for (const who of ['a', 'b', 'c']) session.send(p(`${who}@localhost/x`, who));
    assert.deepEqual(seen(), ['presence:a@localhost/x::a', 'presence:b@localhost/x::b', 'presence:c@localhost/x::c']);
    session.send(p('a@localhost/x', 'later'));
    assert.deepEqual(seen(), []);
    host.events.emit('stream.nonza', { session, element: xml('active', { xmlns: NS }) });
    assert.deepEqual(seen(), ['presence:a@localhost/x::later']);
    session.send(p('a@localhost/x', 'live'));
    assert.deepEqual(seen(), ['presence:a@localhost/x::live']);
    await host.close();
  });
});
