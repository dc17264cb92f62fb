import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  NS_DELAY,
  backends,
  type TestClient,
  type TestServer,
  chat,
  goOnline,
  isError,
  isMessage,
  jid,
  login,
  startServer,
  sync,
  type XmppElement,
} from './offline-support';

const LIMIT = 40;
const SENDERS = ['s1', 's2', 's3', 's4'];
const RECIPIENTS = ['r1', 'r2', 'r3'];
/** s1–s3 spread their bursts over the recipients and keep storing; s4 sends everything to r1 and fills that pair. */
const TARGETS: Record<string, string[]> = { s1: RECIPIENTS, s2: RECIPIENTS, s3: RECIPIENTS, s4: ['r1'] };
const BURST = 10;
/** The server is killed once this many messages were acknowledged: well inside the senders' bursts, before the pairs fill up. */
const KILL_AFTER_ACKS = 250;

interface SenderLog {
  sent: Map<string, string>; // id → recipient
  acked: Set<string>;
  unackedAtKill: number;
}

/**
 * Sends bursts of BURST chats round-robin to the recipients, each burst followed by a ping: a pong
 * means the server processed (stored or bounced) every message before it, since one stream's stanzas
 * are processed in order. Runs until the connection dies.
 */
async function pump(c: TestClient, name: string, log: SenderLog, onAck: () => void): Promise<void> {
  let seq = 0;
  try {
    for (;;) {
      const burst: string[] = [];
      for (let i = 0; i < BURST; i++) {
        const id = `${name}-${++seq}`;
        const to = TARGETS[name][seq % TARGETS[name].length];
        log.sent.set(id, to);
        burst.push(id);
        await c.send(chat(jid(to), id, `payload ${id}`));
      }
      await sync(c);
      for (const id of burst) log.acked.add(id);
      onAck();
    }
  } catch {
    // the server was killed
  }
}

for (const backend of backends()) {
  describe(`offline storage survives kill -9 during a burst of stores (${backend.name})`, () => {
    let server: TestServer;
    const clients: TestClient[] = [];
    before(async () => {
      server = await startServer(`${await backend.config()}'sess-man' {\n    amp () {\n        'store-limit' = ${LIMIT}L\n    }\n}`, [...SENDERS, ...RECIPIENTS]);
    });
    after(async () => {
      for (const c of clients) await c.stop();
      await server.dispose();
      await backend.dispose();
    });

    it('every acknowledged message that did not bounce is delivered exactly once after the restart; nothing twice, nothing bounced and delivered', async (t) => {
      const senders = await Promise.all(SENDERS.map((s) => login(server, s, 'burst', clients)));
      const logs: SenderLog[] = SENDERS.map(() => ({ sent: new Map(), acked: new Set(), unackedAtKill: 0 }));
      let acks = 0;
      let killing: Promise<void> | undefined;
      const onAck = () => {
        acks = logs.reduce((n, l) => n + l.acked.size, 0);
        if (acks >= KILL_AFTER_ACKS && !killing) {
          for (const l of logs) l.unackedAtKill = l.sent.size - l.acked.size;
          killing = server.kill9();
        }
      };
      await Promise.all(senders.map((c, i) => pump(c, SENDERS[i], logs[i], onAck)));
      await killing;
      assert.ok(killing, 'the server was killed while the senders were sending');
      assert.ok(
        logs.some((l) => l.unackedAtKill > 0),
        'messages were in flight at the kill',
      );
      const bounced = new Set<string>();
      senders.forEach((c) => c.inbox.filter(isError()).forEach((e) => bounced.add(e.attrs.id)));
      for (const c of senders) await c.stop();

      server.output = '';
      await server.start();
      const delivered: XmppElement[] = [];
      for (const r of RECIPIENTS) {
        const c = await login(server, r, 'after-crash', clients);
        await goOnline(c);
        let seen = -1;
        while (seen !== c.inbox.filter(isMessage).length) {
          seen = c.inbox.filter(isMessage).length;
          await new Promise((res) => setTimeout(res, 700));
        }
        delivered.push(...c.inbox.filter(isMessage));
      }

      const sentTo = new Map(logs.flatMap((l) => [...l.sent]));
      const acked = new Set(logs.flatMap((l) => [...l.acked]));
      const count = new Map<string, number>();
      for (const m of delivered) {
        const id = m.attrs.id;
        assert.ok(sentTo.has(id), `${id} was sent`);
        assert.equal(m.attrs.to, jid(sentTo.get(id)!), `${id} reached its recipient`);
        assert.ok(m.getChild('delay', NS_DELAY), `${id} carries its delay`);
        count.set(id, (count.get(id) ?? 0) + 1);
      }
      const twice = [...count].filter(([, n]) => n > 1).map(([id]) => id);
      assert.deepEqual(twice, [], 'no message delivered twice');
      const bouncedAndDelivered = [...bounced].filter((id) => count.has(id));
      assert.deepEqual(bouncedAndDelivered, [], 'no bounced message delivered');
      const lost = [...acked].filter((id) => !bounced.has(id) && !count.has(id));
      assert.deepEqual(lost, [], 'every acknowledged message that did not bounce was delivered');

      // The limit held across the crash, and each pair came back oldest first.
      for (const s of SENDERS)
        for (const r of RECIPIENTS) {
          const seqs = delivered.filter((m) => m.attrs.id.startsWith(`${s}-`) && m.attrs.to === jid(r)).map((m) => Number(m.attrs.id.split('-')[1]));
          assert.ok(seqs.length <= LIMIT, `${s}→${r}: ${seqs.length} ≤ ${LIMIT}`);
          assert.deepEqual(
            seqs,
            [...seqs].sort((a, b) => a - b),
            `${s}→${r} in order`,
          );
        }
      assert.ok(bounced.size > 0, 's4→r1 reached the limit before the kill');
      assert.ok(
        delivered.some((m) => !m.attrs.id.startsWith('s4-')),
        'the other pairs were still storing',
      );
      const unackedDelivered = delivered.filter((m) => !acked.has(m.attrs.id)).length;
      t.diagnostic(
        `sent ${sentTo.size}, acknowledged ${acked.size}, in flight at the kill ${logs.reduce((n, l) => n + l.unackedAtKill, 0)}, ` +
          `bounced ${bounced.size}, delivered ${delivered.length} (${unackedDelivered} of them unacknowledged), duplicates 0, lost 0`,
      );

      // Delivered means deleted: a second login finds nothing.
      for (const r of RECIPIENTS) {
        const c = await login(server, r, 'second', clients);
        await goOnline(c);
        await sync(c);
        await new Promise((res) => setTimeout(res, 300));
        assert.equal(c.inbox.filter(isMessage).length, 0, `${r} has nothing left`);
      }
    });
  });
}
