/**
 * Runs asynchronous work one job at a time per key, in call order: e.g. every change to one user's
 * roster, or every presence stanza for one recipient, so that a read-modify-write on storage or a
 * "subscribed, then presence" sequence cannot interleave. Keys with nothing queued cost nothing.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key);
    const result = prev ? prev.then(job) : job();
    const tail = result.then(noop, noop);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.tails.size;
  }
}

function noop(): void {}
