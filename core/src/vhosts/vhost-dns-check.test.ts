import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type DnsLookups, DnsUnreachable, checkVhostDns } from './vhost-dns-check';

const notFound = () => Promise.reject(Object.assign(new Error('queryA ENOTFOUND'), { code: 'ENOTFOUND' }));
function dns(records: { srv?: Record<string, string[]>; a?: Record<string, string[]> }): DnsLookups {
  return {
    resolveSrv: (n) => (records.srv?.[n] ? Promise.resolve(records.srv[n].map((name) => ({ name }))) : notFound()),
    resolve4: (n) => (records.a?.[n] ? Promise.resolve(records.a[n]) : notFound()),
    resolve6: () => notFound(),
  };
}

describe("the vhost DNS check (Tigase's validateItem step 5)", () => {
  it('accepts SRV targets or A records that point at the configured address', async () => {
    assert.equal(await checkVhostDns('a.example', ['192.0.2.7'], dns({ srv: { '_xmpp-client._tcp.a.example': ['xmpp.a.example'] }, a: { 'xmpp.a.example': ['192.0.2.7'] } })), null);
    assert.equal(await checkVhostDns('b.example', ['192.0.2.7'], dns({ a: { 'b.example': ['192.0.2.7'] } })), null);
    assert.equal(await checkVhostDns('c.example', ['xmpp.host.example'], dns({ srv: { '_xmpp-client._tcp.c.example': ['xmpp.host.example'] } })), null);
  });

  it("answers Tigase's texts when the records point elsewhere or are missing", async () => {
    assert.match((await checkVhostDns('a.example', ['192.0.2.7'], dns({ srv: { '_xmpp-client._tcp.a.example': ['elsewhere.example'] }, a: { 'elsewhere.example': ['198.51.100.1'] } })))!, /^Incorrect DNS SRV settings/);
    assert.match((await checkVhostDns('b.example', ['192.0.2.7'], dns({ a: { 'b.example': ['198.51.100.1'] } })))!, /^Incorrect IP address/);
    assert.equal(await checkVhostDns('c.example', ['192.0.2.7'], dns({})), 'No DNS settings found for given host');
  });

  it('says so when no DNS server answers, so that the check can be skipped', async () => {
    const down: DnsLookups = { resolveSrv: () => Promise.reject(Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' })), resolve4: notFound, resolve6: notFound };
    await assert.rejects(checkVhostDns('d.example', [], down), DnsUnreachable);
  });
});
