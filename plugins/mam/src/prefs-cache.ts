/**
 * A bounded map of values read from storage, each kept at most `ttlMs` (0: nothing is kept) and at most
 * `size` entries (the least recently read goes first). A read that started before a write (`forget`) does
 * not put its possibly stale value in: `begin` a read, `put` with the token it gave.
 */
export class ReadCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  /** Counts the writes; a read puts its value only when none happened since it began. */
  private writes = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly size: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (this.now() - e.at >= this.ttlMs) return undefined;
    this.entries.set(key, e);
    return e.value;
  }

  /** Call before reading storage; pass the result to `put`. */
  begin(): number {
    return this.writes;
  }

  put(key: string, value: V, token: number): void {
    if (this.ttlMs <= 0 || token !== this.writes) return;
    this.entries.delete(key);
    if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, at: this.now() });
  }

  /** The stored value changed (or is gone): drop it, and any value a read in flight would bring in. */
  forget(key: string): void {
    this.writes++;
    this.entries.delete(key);
  }
}
