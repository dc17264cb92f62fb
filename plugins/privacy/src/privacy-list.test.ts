import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StanzaError, parseJid, parseXml } from '@starling/sdk';
import { type Party, isDenied, jidMatches, parseList } from './privacy-list';

const party = (jid: string, roster: { subscription: 'none' | 'to' | 'from' | 'both'; groups: string[] } | null = null): Party => ({
  jid: parseJid(jid),
  rosterItem: async () => roster,
});

describe('privacy lists (XEP-0016 §2)', () => {
  it('matches JIDs at the four precedence levels of §2.1', () => {
    const romeo = parseJid('romeo@example.net/orchard');
    assert.ok(jidMatches('romeo@example.net/orchard', romeo));
    assert.ok(!jidMatches('romeo@example.net/balcony', romeo));
    assert.ok(jidMatches('romeo@example.net', romeo));
    assert.ok(jidMatches('example.net/orchard', romeo));
    assert.ok(jidMatches('example.net', romeo));
    assert.ok(!jidMatches('example.org', romeo));
    assert.ok(!jidMatches('juliet@example.net', romeo));
  });

  it('lets the lowest order decide, per stanza kind, and allows when nothing matches', async () => {
    const list = parseList(
      parseXml(
        `<list name="l"><item type="group" value="Enemies" action="deny" order="5"/><item type="jid" value="tybalt@example.com" action="allow" order="1"><message/></item><item type="subscription" value="none" action="deny" order="9"><presence-in/></item></list>`,
      ),
    );
    assert.deepEqual(list.items.map((i) => i.order), [1, 5, 9]);
    const enemy = party('tybalt@example.com', { subscription: 'both', groups: ['Enemies'] });
    assert.equal(await isDenied(list, 'message', enemy), false, 'order 1 allows his messages');
    assert.equal(await isDenied(list, 'iq', enemy), true, 'order 5 denies the rest');
    assert.equal(await isDenied(list, 'presence-in', party('stranger@example.org')), true, 'no subscription');
    assert.equal(await isDenied(list, 'message', party('stranger@example.org')), false, 'no item matches');
    assert.equal(await isDenied(undefined, 'message', enemy), false);
  });

  it('rejects malformed lists with bad-request or jid-malformed', () => {
    const bad = (x: string, condition: string) => assert.throws(() => parseList(parseXml(x)), (e: StanzaError) => e.condition === condition);
    bad('<list/>', 'bad-request');
    bad('<list name="l"><item action="deny"/></list>', 'bad-request');
    bad('<list name="l"><item action="deny" order="-1"/></list>', 'bad-request');
    bad('<list name="l"><item type="jid" action="deny" order="1"/></list>', 'bad-request');
    bad('<list name="l"><item type="jid" value="a@b@c" action="deny" order="1"/></list>', 'jid-malformed');
    bad('<list name="l"><item type="subscription" value="some" action="deny" order="1"/></list>', 'bad-request');
    bad('<list name="l"><item action="deny" order="1"><chat/></item></list>', 'bad-request');
  });
});
