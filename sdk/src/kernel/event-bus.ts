import type { EventBus, EventListener, EventName, StarlingEvents } from '../events';
import type { Logger } from '../services';

/** A small typed event bus; a listener that throws or rejects is logged, never propagated. */
export class KernelEventBus implements EventBus {
  private readonly listeners = new Map<EventName, Set<EventListener<EventName>>>();
  private readonly pending: Set<Promise<void>> | undefined;

  /** With `trackPending`, settled() can wait for asynchronous listeners (the test host). */
  constructor(
    private readonly log: Logger,
    trackPending = false,
  ) {
    this.pending = trackPending ? new Set() : undefined;
  }

  on<E extends EventName>(event: E, listener: EventListener<E>): { dispose(): void } {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as EventListener<EventName>);
    return { dispose: () => void set.delete(listener as EventListener<EventName>) };
  }

  emit<E extends EventName>(event: E, payload: StarlingEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) {
      try {
        const r = l(payload);
        if (r && typeof (r as Promise<void>).then === 'function') this.watch((r as Promise<void>).catch((err) => this.log.error(`listener for ${event} failed`, { err })));
      } catch (err) {
        this.log.error(`listener for ${event} failed`, { err });
      }
    }
  }

  /** Resolves when every asynchronous listener started so far has settled (with trackPending). */
  async settled(): Promise<void> {
    while (this.pending?.size) await Promise.all([...this.pending]);
  }

  /** True while tracked work is still running. */
  busy(): boolean {
    return (this.pending?.size ?? 0) > 0;
  }

  private watch(p: Promise<void>): void {
    if (!this.pending) return;
    const tracked: Promise<void> = p.finally(() => this.pending!.delete(tracked));
    this.pending.add(tracked);
  }
}
