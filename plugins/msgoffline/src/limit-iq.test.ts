import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Session, StanzaError, type StanzaRequest, type UserDataStore, parseJid, xml } from '@starling/sdk';
import { answerLimitIq } from './limit-iq';
import { NS_MSGOFFLINE } from './ns';

class Data {
  values = new Map<string, string>();
  store = {
    get: async (j: string, n: string, k: string) => this.values.get(`${j}|${n}|${k}`) ?? null,
    set: async (j: string, n: string, k: string, v: string) => void this.values.set(`${j}|${n}|${k}`, v),
    remove: async (j: string, n: string, k: string) => void this.values.delete(`${j}|${n}|${k}`),
  } as unknown as UserDataStore;
}

function req(type: 'get' | 'set', limit?: string, from = 'bob@localhost/phone', to = 'bob@localhost'): StanzaRequest {
  const origin = { jid: parseJid(from) } as Session;
  const stanza = xml('iq', { type, id: 'x', from }, xml('msgoffline', { xmlns: NS_MSGOFFLINE, limit }));
  return { stanza, from: parseJid(from), to: parseJid(to), toKind: 'bare', direction: 'in', origin, send: () => undefined };
}
const limitOf = async (r: Promise<unknown>) => ((await r) as ReturnType<typeof xml>).attrs.limit;

describe('the msgoffline limit IQ', () => {
  it('set keeps a value ≥ 0 and echoes it; get reads it back', async () => {
    const d = new Data();
    assert.equal(await limitOf(answerLimitIq(req('set', '10'), d.store)), '10');
    assert.equal(d.values.get('bob@localhost|offline-msgs|store-limit'), '10');
    assert.equal(await limitOf(answerLimitIq(req('get'), d.store)), '10');
  });

  it("'false' and 'none' (and a negative number) remove the user’s value, echoing what was sent; get then says 'false'", async () => {
    for (const v of ['false', 'none', '-5']) {
      const d = new Data();
      await answerLimitIq(req('set', '3'), d.store);
      assert.equal(await limitOf(answerLimitIq(req('set', v), d.store)), v);
      assert.equal(d.values.size, 0);
      assert.equal(await limitOf(answerLimitIq(req('get'), d.store)), 'false');
    }
  });

  it('a missing or non-numeric limit is a bad request with Tigase’s text', async () => {
    for (const v of [undefined, 'lots', '1.5']) {
      await assert.rejects(answerLimitIq(req('set', v), new Data().store), (e: StanzaError) => e.condition === 'bad-request' && e.text === 'Value of limit attribute is incorrect');
    }
  });

  it('only from the account’s own connection', async () => {
    await assert.rejects(answerLimitIq(req('get', undefined, 'alice@localhost/home', 'bob@localhost'), new Data().store), (e: StanzaError) => {
      assert.equal(e.condition, 'not-authorized');
      assert.equal(e.text, 'You are not authorized to access this private storage.');
      return true;
    });
    const noOrigin = { ...req('get'), origin: undefined };
    await assert.rejects(answerLimitIq(noOrigin, new Data().store), StanzaError);
  });
});
