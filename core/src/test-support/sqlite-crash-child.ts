/**
 * Child process of `sqlite-durability.test.ts`: stores offline messages for the recipient argv[3] into
 * the SQLite file argv[2] as fast as it can, alone and in batches, and reports each id to the parent over IPC as soon
 * as its store() has resolved, until the parent kills it.
 */
import { openStorage } from '../storage/open-storage';

function send(message: unknown): void {
  if (!process.send) throw new Error('sqlite-crash-child must be forked with an IPC channel');
  process.send(message);
}

async function main(): Promise<void> {
  const [file, recipient] = process.argv.slice(2);
  const storage = await openStorage({ kind: 'sqlite', file });
  send({ ready: true });
  for (let round = 0; ; round++) {
    const batch = [0, 1, 2, 3].map((j) => ({
      to: recipient,
      from: `sender${j}@crash.test`,
      stanza: `<message id="r${round}-${j}"><body>${'x'.repeat(200)}</body></message>`,
      stamp: Date.now(),
    }));
    const pending = [
      storage.offline.store(batch[0], 0).then((id) => [id]),
      storage.offline.storeMany(batch.slice(1), 1_000_000),
    ];
    for (const p of pending) void p.then((ids) => send({ ids }));
    await Promise.all(pending);
    await new Promise((resolve) => setImmediate(resolve)); // let the IPC channel flush
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
