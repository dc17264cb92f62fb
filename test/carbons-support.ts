// XEP-0280 as slixmpp clients see it (test/interop/carbons.py), on one server or on the nodes of a cluster.
import assert from 'node:assert/strict';
import { runInterop } from './harness/python';

type Seen = Record<string, Record<string, string[][]>>;

/**
 * Runs carbons.py: resources `one` and `two` of `account` enable carbons and chat with `peer` (a full JID);
 * `ports` is the server's c2s port, or one port each for one, two and peer (nodes of a cluster). Asserts
 * that each step reached each resource exactly as XEP-0280 says.
 */
export async function runCarbonsInterop(ports: number | number[], account: string, peer: string, password: string): Promise<void> {
  const A = account;
  const B = peer;
  const r = await runInterop<Seen>('carbons.py', [[ports].flat().join(','), A, B, password]);
  assert.deepEqual(r.to_full, { one: [['received', B, `${A}/two`, 'hi two']], two: [['message', B, `${A}/two`, 'hi two']] });
  assert.deepEqual(r.from_two, { one: [['sent', `${A}/two`, B.split('/')[0], 'hello peer']], two: [] });
  assert.deepEqual(
    r.to_bare,
    { one: [['message', B, A, 'hi both']], two: [['message', B, A, 'hi both']] },
    'both resources share the top priority and get the message itself, no carbon',
  );
  assert.deepEqual(r.private, { one: [], two: [] }, '<private/> is not copied');
  assert.deepEqual(r.headline, { one: [], two: [['message', B, `${A}/two`, 'news']] }, 'headlines are not copied');
  assert.deepEqual(r.disabled, { one: [], two: [['message', B, `${A}/two`, 'after disable']] });
}
