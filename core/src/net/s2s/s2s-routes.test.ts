import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveTargets, type SrvResolver } from './s2s-routes';

type Srv = { name: string; port: number; priority: number; weight: number };
const dns = (records: Record<string, Srv[]>): SrvResolver => ({
  resolveSrv: async (name) => {
    const r = records[name];
    if (!r) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    return r;
  },
});

describe('s2s routes', () => {
  it('takes a dns-overrides entry alone, direct TLS when it says so', async () => {
    const overrides = new Map([
      ['other.test', { host: '127.0.0.1', port: 15269, directTls: false }],
      ['tls.test', { host: '127.0.0.1', port: 15270, directTls: true }],
    ]);
    const t = await resolveTargets('other.test', overrides, dns({ '_xmpp-server._tcp.other.test': [{ name: 'x', port: 1, priority: 0, weight: 0 }] }));
    assert.deepEqual(t, [{ host: '127.0.0.1', port: 15269, directTls: false }]);
    assert.deepEqual(await resolveTargets('tls.test', overrides, dns({})), [{ host: '127.0.0.1', port: 15270, directTls: true }]);
  });

  it('uses _xmpps-server records alone as direct TLS targets, and ignores a "." among other records', async () => {
    const only = await resolveTargets('tls.example', new Map(), dns({ '_xmpps-server._tcp.tls.example': [{ name: 'xmpp.tls.example', port: 5270, priority: 0, weight: 0 }] }));
    assert.deepEqual(only, [{ host: 'xmpp.tls.example', port: 5270, directTls: true }]);
    const mixed = await resolveTargets(
      'mixed.example',
      new Map(),
      dns({ '_xmpps-server._tcp.mixed.example': [{ name: '.', port: 0, priority: 0, weight: 0 }], '_xmpp-server._tcp.mixed.example': [{ name: 'in.mixed.example', port: 5269, priority: 0, weight: 0 }] }),
    );
    assert.deepEqual(mixed, [{ host: 'in.mixed.example', port: 5269, directTls: false }]);
  });

  it('orders SRV records by priority, direct TLS (XEP-0368) first at equal priority, then weight', async () => {
    const t = await resolveTargets(
      'example.org',
      new Map(),
      dns({
        '_xmpp-server._tcp.example.org': [
          { name: 'b.example.org', port: 5269, priority: 10, weight: 0 },
          { name: 'a.example.org', port: 5269, priority: 5, weight: 0 },
        ],
        '_xmpps-server._tcp.example.org': [{ name: 'tls.example.org', port: 443, priority: 5, weight: 0 }],
      }),
    );
    assert.deepEqual(t.map((x) => `${x.host}:${x.port}${x.directTls ? ' tls' : ''}`), ['tls.example.org:443 tls', 'a.example.org:5269', 'b.example.org:5269']);
  });

  it('falls back to the domain on 5269 without SRV records, and gives nothing when SRV says "."', async () => {
    assert.deepEqual(await resolveTargets('plain.test', new Map(), dns({})), [{ host: 'plain.test', port: 5269, directTls: false }]);
    assert.deepEqual(await resolveTargets('none.test', new Map(), dns({ '_xmpp-server._tcp.none.test': [{ name: '.', port: 0, priority: 0, weight: 0 }] })), []);
  });
});
