import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { type Socket, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { xml } from '@starling/sdk';
import { KernelDiscoRegistry, StanzaRouter } from '@starling/sdk/kernel';
import { ArrayLogger } from '../test-support/plugin-test-kit';
import { LocalSessionDirectory } from '../sm/session-directory';
import { ExtComponentService } from './ext-service';

const header = (to: string, ns = 'jabber:component:accept') => `<?xml version='1.0'?><stream:stream xmlns='${ns}' xmlns:stream='http://etherx.jabber.org/streams' to='${to}'>`;

class Raw {
  data = '';
  closed = false;
  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (this.data += d));
    socket.on('close', () => (this.closed = true));
  }
  static open(port: number): Promise<Raw> {
    return new Promise((res, rej) => {
      const s = connect({ port, host: '127.0.0.1' }, () => res(new Raw(s)));
      s.once('error', rej);
    });
  }
  async until(re: RegExp): Promise<string> {
    for (let t = 0; !re.test(this.data) && t < 3000; t += 10) await new Promise((r) => setTimeout(r, 10));
    return this.data;
  }
  /** Opens the stream and completes the handshake with `secret`. */
  async handshake(domain: string, secret: string): Promise<string> {
    this.socket.write(header(domain));
    const id = /id='([^']+)'/.exec(await this.until(/id='[^']+'/))![1];
    this.socket.write(`<handshake>${createHash('sha1').update(id + secret).digest('hex')}</handshake>`);
    return this.until(/<handshake\/>|<\/stream:error>/);
  }
}

describe('ext listener (XEP-0114)', () => {
  const log = new ArrayLogger();
  const router = new StanzaRouter({ sessions: new LocalSessionDirectory(), domains: ['localhost'], log });
  const service = new ExtComponentService(
    { listeners: [{ port: 0, host: '127.0.0.1' }], items: [{ domain: 'comp.localhost', secret: 'pw' }], maxStanzaSize: 65536, handshakeTimeoutMs: 5000 },
    router,
    new KernelDiscoRegistry(() => false),
    log,
  );
  let port = 0;
  const raws: Raw[] = [];
  const open = async () => {
    const r = await Raw.open(port);
    raws.push(r);
    return r;
  };
  before(async () => {
    port = (await service.listen())[0].port;
  });
  after(async () => {
    for (const r of raws) r.socket.destroy();
    await service.close();
  });

  it('refuses a stream in another namespace and a domain it does not know', async () => {
    const a = await open();
    a.socket.write(header('comp.localhost', 'jabber:client'));
    assert.match(await a.until(/<\/stream:error>/), /<invalid-namespace /);
    const b = await open();
    b.socket.write(header('other.localhost'));
    assert.match(await b.until(/<\/stream:error>/), /<host-unknown /);
  });

  it('refuses a wrong secret', async () => {
    const r = await open();
    assert.match(await r.handshake('comp.localhost', 'wrong'), /<not-authorized /);
    assert.deepEqual(service.components(), []);
  });

  it('routes the domain to the component after the handshake, and only stanzas from its domain back', async () => {
    const r = await open();
    assert.match(await r.handshake('comp.localhost', 'pw'), /<handshake\/>/);
    assert.deepEqual(service.components(), ['comp.localhost']);
    router.route(xml('message', { from: 'alice@localhost/x', to: 'bot@comp.localhost' }, xml('body', {}, 'hello component')));
    assert.match(await r.until(/hello component/), /<message from="alice@localhost\/x" to="bot@comp\.localhost"><body>hello component<\/body><\/message>/);
    r.socket.write(`<message from='comp.evil' to='alice@localhost'/>`);
    assert.match(await r.until(/<\/stream:error>/), /<invalid-from /);
    for (let t = 0; service.components().length && t < 2000; t += 10) await new Promise((res) => setTimeout(res, 10));
    assert.deepEqual(service.components(), [], 'the route goes with the stream');
  });
});
