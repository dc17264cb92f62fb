import type { EventBus, EventListener, EventName, Logger, StarlingEvents } from '@starling/sdk';

/** A small typed event bus; a listener that throws or rejects is logged, never propagated. */
export class KernelEventBus implements EventBus {
  private readonly listeners = new Map<EventName, Set<EventListener<EventName>>>();

  constructor(private readonly log: Logger) {}

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
        if (r && typeof (r as Promise<void>).then === 'function') (r as Promise<void>).catch((err) => this.log.error(`listener for ${event} failed`, { err }));
      } catch (err) {
        this.log.error(`listener for ${event} failed`, { err });
      }
    }
  }
}
