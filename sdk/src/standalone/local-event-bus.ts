import type { EventBus, EventListener, EventName, StarlingEvents } from '../events';
import type { Logger } from '../services';

/** The standalone host's event bus: a listener that throws or rejects is logged, never propagated. */
export class LocalEventBus implements EventBus {
  private readonly listeners = new Map<EventName, Set<EventListener<EventName>>>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  on<E extends EventName>(event: E, listener: EventListener<E>): { dispose(): void } {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as EventListener<EventName>);
    return { dispose: () => void set.delete(listener as EventListener<EventName>) };
  }

  emit<E extends EventName>(event: E, payload: StarlingEvents[E]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        const r = l(payload);
        if (r && typeof (r as Promise<void>).then === 'function') {
          const p = (r as Promise<void>).catch((err) => this.log.error(`listener for ${event} failed`, { err })).finally(() => this.pending.delete(p));
          this.pending.add(p);
        }
      } catch (err) {
        this.log.error(`listener for ${event} failed`, { err });
      }
    }
  }

  /** Resolves when every asynchronous listener started so far has settled. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
