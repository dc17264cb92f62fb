import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ComponentHandle } from '../component';
import { StanzaError } from '../errors';
import { NS_DISCO_INFO, NS_DISCO_ITEMS } from '../ns';
import { definePlugin } from '../plugin';
import { ROUTER } from '../tokens';
import { parseJid } from '../jid';
import { xml } from '../xml';
import { createTestHost } from '../testing/create-test-host';
import { handlerOwner } from './registrations';
import { MemoryLogger } from '../host/memory-logger';
import { KernelComponents } from './component-registry';
import { KernelDiscoRegistry } from './disco-registry';
import { StanzaRouter } from './stanza-router';

const NS = 'urn:example:rooms';

/** A component that echoes messages back from the JID they were sent to, and refuses `<refuse/>`. */
function roomsPlugin(seen: { vhost: string; to: string }[], handles: ComponentHandle[] = []) {
  return definePlugin({
    onLoad(ctx) {
      const router = ctx.get(ROUTER);
      handles.push(
        ctx.component({
          subdomain: 'rooms',
          identity: { category: 'conference', type: 'text', name: 'Rooms' },
          features: [NS],
          infoExtensions: (vhost) => [xml('x', { xmlns: 'jabber:x:data', type: 'result' }, xml('field', { var: 'vhost' }, xml('value', {}, vhost)))],
          handle(stanza, from, to, vhost) {
            seen.push({ vhost, to: to.toString() });
            if (stanza.getChild('refuse', NS)) throw new StanzaError('not-allowed', 'refused');
            if (stanza.name === 'message') router.route(xml('message', { from: to.toString(), to: from.toString() }, xml('body', {}, 'echo')));
          },
        }),
      );
    },
  });
}

describe('plugin components (ctx.component)', () => {
  it('serves <subdomain>.<vhost> on every vhost: disco#info from the spec, the rest to the handler with its vhost', async () => {
    const seen: { vhost: string; to: string }[] = [];
    const handles: ComponentHandle[] = [];
    const host = await createTestHost({ plugins: [{ plugin: roomsPlugin(seen, handles), manifest: { id: 'rooms' } }], domains: ['localhost', 'example.org'] });
    const alice = host.connect('alice@localhost/a');

    assert.deepEqual(
      host.disco.serverItems(parseJid('alice@localhost')).map((i) => i.jid).sort(),
      ['rooms.example.org', 'rooms.localhost'],
    );
    const [info] = await host.inject(xml('iq', { type: 'get', id: 'i1', from: 'alice@localhost/a', to: 'rooms.example.org' }, xml('query', { xmlns: NS_DISCO_INFO })));
    assert.equal(info.attrs.type, 'result');
    assert.equal(info.attrs.from, 'rooms.example.org');
    const q = info.getChild('query', NS_DISCO_INFO)!;
    assert.deepEqual(q.getChild('identity')!.attrs, { category: 'conference', type: 'text', name: 'Rooms' });
    assert.deepEqual(q.getChildren('feature').map((f) => f.attrs.var), [NS_DISCO_INFO, NS].sort());
    assert.equal(q.getChild('x')!.getChild('field')!.getChildText('value'), 'example.org');
    assert.equal(seen.length, 0, 'disco#info of the domain JID is the kernel’s');

    const out = await host.inject(xml('message', { from: 'alice@localhost/a', to: 'lobby@rooms.localhost/nick' }, xml('body', {}, 'hi')));
    assert.deepEqual(seen, [{ vhost: 'localhost', to: 'lobby@rooms.localhost/nick' }]);
    assert.equal(out.length, 1);
    assert.equal(alice.received.at(-1)!.attrs.from, 'lobby@rooms.localhost/nick');

    await host.inject(xml('iq', { type: 'get', id: 'i2', from: 'alice@localhost/a', to: 'rooms.localhost' }, xml('query', { xmlns: NS_DISCO_ITEMS })));
    assert.deepEqual(seen[1], { vhost: 'localhost', to: 'rooms.localhost' }, 'disco#items goes to the handler');

    const [refused] = await host.inject(xml('iq', { type: 'set', id: 'i3', from: 'alice@localhost/a', to: 'rooms.localhost' }, xml('refuse', { xmlns: NS })));
    assert.equal(refused.attrs.type, 'error');
    assert.ok(refused.getChild('error')!.getChild('not-allowed'));

    assert.equal(handles[0].domainFor('example.org'), 'rooms.example.org');
    assert.equal(handles[0].vhostOf('rooms.example.org'), 'example.org');
    assert.equal(handles[0].vhostOf('rooms.nowhere.org'), undefined);
    assert.equal(handles[0].vhostOf('example.org'), undefined);
    await host.close();
  });

  it('takes its subdomain from the bean, and unloading releases the domains', async () => {
    const seen: { vhost: string; to: string }[] = [];
    const host = await createTestHost({ plugins: [{ plugin: roomsPlugin(seen), manifest: { id: 'rooms', config: { subdomain: 'rooms' } } }], config: { rooms: { subdomain: 'conference' } } });
    host.connect('alice@localhost/a');
    assert.deepEqual(host.disco.serverItems(parseJid('alice@localhost')).map((i) => i.jid), ['conference.localhost']);
    await host.inject(xml('message', { from: 'alice@localhost/a', to: 'x@conference.localhost' }, xml('body', {}, 'hi')));
    assert.equal(seen.length, 1);
    await host.unload('rooms');
    assert.deepEqual(host.disco.serverItems(parseJid('alice@localhost')), []);
    const out = await host.inject(xml('message', { from: 'alice@localhost/a', to: 'x@conference.localhost' }, xml('body', {}, 'hi')));
    assert.equal(seen.length, 1);
    assert.equal(out[0].attrs.to, 'x@conference.localhost', 'the domain is no longer served here: the stanza goes to the server-to-server edge');
    await host.close();
  });

  it('refuses a second plugin with the same component name', async () => {
    await assert.rejects(
      createTestHost({ plugins: [{ plugin: roomsPlugin([]), manifest: { id: 'a' } }, { plugin: roomsPlugin([]), manifest: { id: 'b' } }] }),
      (err: Error & { code?: string }) => err.code === 'STARLING_COMPONENT_DUPLICATE',
    );
  });

  it('keeps serving through a hot reload', async () => {
    const seen: { vhost: string; to: string }[] = [];
    const host = await createTestHost({ plugins: [{ plugin: roomsPlugin(seen), manifest: { id: 'rooms' } }] });
    host.connect('alice@localhost/a');
    await host.reload('rooms');
    await host.inject(xml('message', { from: 'alice@localhost/a', to: 'x@rooms.localhost' }, xml('body', {}, 'hi')));
    assert.equal(seen.length, 1);
    assert.deepEqual(host.disco.serverItems(parseJid('alice@localhost')).map((i) => i.jid), ['rooms.localhost']);
    await host.close();
  });
});

describe('KernelComponents', () => {
  it('follows the virtual hosts as they are added and removed', () => {
    const log = new MemoryLogger([], {}, 'none');
    const vhosts = new Set(['localhost']);
    const listeners = new Set<() => void>();
    const router = new StanzaRouter({ sessions: { get: () => undefined, resources: () => [], all: () => [][Symbol.iterator](), count: () => 0 }, domains: vhosts, log });
    const disco = new KernelDiscoRegistry(() => false);
    const components = new KernelComponents({ router, disco, log, vhosts: { domains: () => vhosts, onChange: (l) => (listeners.add(l), { dispose: () => listeners.delete(l) }) } });
    const change = (f: () => void) => {
      f();
      for (const l of listeners) l();
    };
    const handle = components.register(handlerOwner('p'), () => true, { subdomain: 'pubsub', identity: { category: 'pubsub', type: 'service' }, features: [], handle: () => undefined }, 'pubsub');
    assert.ok(router.hasDomain('pubsub.localhost'));
    change(() => vhosts.add('example.org'));
    assert.ok(router.hasDomain('pubsub.example.org'));
    assert.equal(handle.vhostOf('pubsub.example.org'), 'example.org');
    change(() => vhosts.delete('example.org'));
    assert.ok(!router.hasDomain('pubsub.example.org'));
    assert.deepEqual(disco.serverItems(parseJid('a@localhost')).map((i) => i.jid), ['pubsub.localhost']);
    handle.dispose();
    assert.ok(!router.hasDomain('pubsub.localhost'));
    components.close();
    assert.equal(listeners.size, 0);
  });
});
