/**
 * Which plugin's code the main thread is running, kept in one 32-bit cell that another thread can read while
 * the main thread is blocked: the server's hang watchdog (core/src/kernel/hang-watchdog.ts) names the plugin
 * that blocked the event loop. The kernel marks plugin code around the synchronous part of every call into a
 * plugin: loading its modules, `onLoad`, stanza handlers, filters and components. Slot 0 is "no plugin".
 */
const ids: string[] = [''];
const slots = new Map<string, number>();
let cell: Int32Array<ArrayBufferLike> = new Int32Array(1);
let index = 0;
let onSlot: ((slot: number, id: string) => void) | undefined;

/** The slot of plugin `id` (assigned on first use, then fixed): kept on its `HandlerOwner` for `callAsPlugin`. */
export function pluginSlot(id: string): number {
  let slot = slots.get(id);
  if (slot === undefined) {
    slot = ids.push(id) - 1;
    slots.set(id, slot);
    onSlot?.(slot, id);
  }
  return slot;
}

/**
 * Marks the code of the plugin in `slot` as running and returns the previous mark, which the caller gives
 * back to `leavePlugin` (in a `finally`) once the synchronous part of its call into the plugin returns.
 */
export function enterPlugin(slot: number): number {
  const prev = cell[index];
  cell[index] = slot;
  return prev;
}

export function leavePlugin(mark: number): void {
  cell[index] = mark;
}

/**
 * Calls `fn(a, b)` marked as the code of the plugin in `slot` (only its synchronous part: what can block the
 * thread). The kernel's per-stanza path: no lookup and no closure, the handler and its arguments are passed.
 */
export function callAsPlugin<A, B, R>(slot: number, fn: (a: A, b: B) => R, a: A, b: B): R {
  const mark = enterPlugin(slot);
  try {
    return fn(a, b);
  } finally {
    leavePlugin(mark);
  }
}

/** Runs `fn` marked as the code of plugin `id`: for the calls made once per plugin (its modules, `onLoad`). */
export function runAsPlugin<T>(id: string, fn: () => T): T {
  return callAsPlugin(pluginSlot(id), fn, undefined, undefined);
}

/**
 * Moves the marker into shared memory (`memory[at]`) and reports every plugin id's slot, now and as new
 * ids appear, so that the reader can name the plugin from the slot alone.
 */
export function sharePluginActivity(memory: Int32Array, at: number, listener: (slot: number, id: string) => void): void {
  memory[at] = cell[index];
  cell = memory;
  index = at;
  onSlot = listener;
  for (let s = 1; s < ids.length; s++) listener(s, ids[s]);
}

/** Back to private memory (the watchdog stopped). */
export function unsharePluginActivity(): void {
  const now = cell[index];
  cell = new Int32Array(1);
  index = 0;
  cell[0] = now;
  onSlot = undefined;
}
