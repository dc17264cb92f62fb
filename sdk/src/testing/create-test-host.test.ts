import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StanzaError } from '../errors';
import { definePlugin } from '../plugin';
import { Priority } from '../routes';
import { SERVER_DATA, SERVER_INFO } from '../tokens';
import type { ServerDataStore } from '../storage';
import type { ServerInfo } from '../services';
import { xml } from '../xml';
import { createTestHost } from './create-test-host';

const NS = 'urn:example:test';

const echo = definePlugin({
  onLoad(ctx) {
    ctx.iq({ type: 'get', name: 'echo', xmlns: NS, to: ['host', 'bare'] }, (req) => xml('echo', { xmlns: NS }, req.stanza.firstElement()!.text()));
    ctx.iq({ type: 'set', name: 'fail', xmlns: NS, to: 'host' }, () => {
      throw new StanzaError('not-allowed', 'no');
    });
    ctx.iq({ type: 'set', name: 'crash', xmlns: NS, to: 'host' }, () => {
      throw new Error('bug');
    });
    ctx.message({ dir: 'in', to: 'host' }, (req) => {
      req.send(xml('message', { from: req.to.toString(), to: req.from.toString(), type: 'chat' }, xml('body', {}, 'got ' + req.stanza.getChildText('body'))));
      return true;
    });
  },
});

describe('createTestHost', () => {
  it('routes an injected IQ to the plugin and returns the reply', async () => {
    const host = await createTestHost({ plugins: [echo] });
    const out = await host.inject(xml('iq', { type: 'get', id: '1', from: 'alice@localhost/a', to: 'localhost' }, xml('echo', { xmlns: NS }, 'hi')));
    assert.equal(out.length, 1);
    assert.equal(out[0].toString(), `<iq type="result" id="1" from="localhost" to="alice@localhost/a"><echo xmlns="${NS}">hi</echo></iq>`);
    await host.close();
  });

  it('accepts stanzas as XML text', async () => {
    const host = await createTestHost({ plugins: [echo] });
    const [reply] = await host.inject(`<iq type='get' id='2' from='alice@localhost/a'><echo xmlns='${NS}'>own account</echo></iq>`);
    assert.equal(reply.attrs.to, 'alice@localhost/a');
    assert.equal(reply.getChildText('echo', NS), 'own account');
    await host.close();
  });

  it('answers the way the server does: service-unavailable, StanzaError, internal-server-error', async () => {
    const host = await createTestHost({ plugins: [echo] });
    const from = 'alice@localhost/a';
    const [none] = await host.inject(xml('iq', { type: 'get', id: '3', from, to: 'localhost' }, xml('nope', { xmlns: 'urn:nope' })));
    assert.ok(none.getChild('error')?.getChild('service-unavailable'));
    const [denied] = await host.inject(xml('iq', { type: 'set', id: '4', from, to: 'localhost' }, xml('fail', { xmlns: NS })));
    assert.equal(denied.getChild('error')?.attrs.type, 'cancel');
    assert.ok(denied.getChild('error')?.getChild('not-allowed'));
    const [crash] = await host.inject(xml('iq', { type: 'set', id: '5', from, to: 'localhost' }, xml('crash', { xmlns: NS })));
    assert.ok(crash.getChild('error')?.getChild('internal-server-error'));
    assert.ok(host.logs.some((l) => l.level === 'error' && l.fields.plugin === 'plugin-1' && (l.fields.err as Error).message === 'bug'));
    await host.close();
  });

  it('delivers what a plugin sends to a connected session, and filters outbound stanzas', async () => {
    const tagger = definePlugin({
      onLoad(ctx) {
        ctx.filter((s) => (s.name === 'message' ? (s.attrs['data-filtered'] = 'yes', s) : s));
      },
    });
    const host = await createTestHost({ plugins: [echo, tagger] });
    const alice = host.connect('alice@localhost/phone');
    const out = await host.inject(xml('message', { from: 'alice@localhost/phone', to: 'localhost' }, xml('body', {}, 'ping')));
    assert.equal(out.length, 1);
    assert.equal(alice.received.length, 1);
    assert.equal(alice.received[0].getChildText('body'), 'got ping');
    assert.equal(alice.received[0].attrs['data-filtered'], 'yes');
    await host.close();
  });

  it('shows handoff observers each stanza handed to a session, before the filters, also one a filter drops', async () => {
    const seen: string[] = [];
    const watcher = definePlugin({
      onLoad(ctx) {
        ctx.handoff((s, session) => void seen.push(`${s.getChildText('body')} -> ${session.jid.toString()}`));
        ctx.filter((s) => (s.getChildText('body') === 'got drop' ? null : s));
      },
    });
    const host = await createTestHost({ plugins: [echo, watcher] });
    const alice = host.connect('alice@localhost/phone');
    await host.inject(xml('message', { from: 'alice@localhost/phone', to: 'localhost' }, xml('body', {}, 'ping')));
    await host.inject(xml('message', { from: 'alice@localhost/phone', to: 'localhost' }, xml('body', {}, 'drop')));
    assert.deepEqual(seen, ['got ping -> alice@localhost/phone', 'got drop -> alice@localhost/phone']);
    assert.deepEqual(alice.received.map((m) => m.getChildText('body')), ['got ping']);
    await host.close();
  });

  it('gives plugins their config bean, core services and injected fakes', async () => {
    const seen: unknown[] = [];
    const store: Partial<ServerDataStore> = { get: async () => 'from-fake' };
    const p = definePlugin({
      async onLoad(ctx) {
        seen.push(ctx.config.number('limit', 1), ctx.config.string('name', 'x'), ctx.config.child('inner')?.boolean('on', false));
        seen.push(ctx.get<ServerInfo>(SERVER_INFO).isAdmin('boss@localhost/x'));
        seen.push(await ctx.get<ServerDataStore>(SERVER_DATA).get('n', 'k'));
      },
    });
    const host = await createTestHost({
      plugins: [{ plugin: p, manifest: { id: 'cfg', config: { name: 'default' } } }],
      config: { 'sess-man': { cfg: { limit: 7, inner: { on: true } } } },
      admins: ['boss@localhost'],
      services: { [SERVER_DATA]: store },
    });
    assert.deepEqual(seen, [7, 'default', true, true, 'from-fake']);
    await host.close();
  });

  it('hands state over on reload and undoes registrations on unload', async () => {
    let count = 0;
    const make = (tag: string) =>
      definePlugin<number>({
        onLoad(ctx) {
          ctx.iq({ type: 'get', name: 'n', xmlns: NS, to: 'host' }, () => xml('n', { xmlns: NS, tag }, String(++count)));
        },
        saveState: () => count,
        restoreState: (_ctx, n) => (count = n * 10),
      });
    const host = await createTestHost({ plugins: [{ plugin: make('a'), manifest: { id: 'n' } }] });
    const ask = async () => (await host.inject(xml('iq', { type: 'get', id: 'x', from: 'a@localhost/r', to: 'localhost' }, xml('n', { xmlns: NS }))))[0];
    assert.equal((await ask()).getChildText('n', NS), '1');
    await host.reload('n', make('b'));
    const r = await ask();
    assert.equal(r.getChild('n', NS)?.attrs.tag, 'b');
    assert.equal(r.getChildText('n', NS), '11');
    await host.unload('n');
    assert.ok((await ask()).getChild('error')?.getChild('service-unavailable'));
    await host.close();
  });

  it('runs out handlers for a local sender before in handlers, in priority order', async () => {
    const order: string[] = [];
    const p = definePlugin({
      onLoad(ctx) {
        ctx.message({ dir: 'out', to: 'bare' }, () => void order.push('out-low'), Priority.Low);
        ctx.message({ dir: 'out', to: 'bare' }, () => void order.push('out-high'), Priority.High);
        ctx.message({ dir: 'in', to: 'bare' }, () => {
          order.push('in');
          return true;
        });
        ctx.postprocess(async () => void order.push('post'));
      },
    });
    const host = await createTestHost({ plugins: [p] });
    host.connect('alice@localhost/a');
    await host.inject(xml('message', { from: 'alice@localhost/a', to: 'bob@localhost' }, xml('body', {}, 'x')));
    assert.deepEqual(order, ['out-high', 'out-low', 'in', 'post']);
    await host.close();
  });

  it('rejects when a plugin fails to load', async () => {
    const bad = definePlugin({
      onLoad() {
        throw new Error('cannot start');
      },
    });
    await assert.rejects(createTestHost({ plugins: [bad] }), /cannot start/);
  });
});
