import type { RouteRegistration } from '../route-table';
import { pluginSlot } from './plugin-activity';

/** Who registered a handler: a loaded plugin instance (or the kernel). */
export interface HandlerOwner {
  readonly id: string;
  /** The plugin's slot in the hang watchdog's marker (plugin-activity), looked up once. */
  readonly slot: number;
  /** Handler invocations of this owner still running; a reload waits for 0 before unloading. */
  inflight: number;
}

export function handlerOwner(id: string): HandlerOwner {
  return { id, slot: pluginSlot(id), inflight: 0 };
}

export type Registration = RouteRegistration;

/**
 * The registrations of one plugin instance. A set is built while the plugin loads and only takes part
 * in routing once the kernel activates it, so a new version can load beside the old one.
 */
export class RegistrationSet {
  readonly items = new Set<Registration>();
  active = false;

  constructor(
    readonly owner: HandlerOwner,
    private readonly onChange: () => void,
  ) {}

  add(reg: Registration): { dispose(): void } {
    this.items.add(reg);
    if (this.active) this.onChange();
    return {
      dispose: () => {
        if (this.items.delete(reg) && this.active) this.onChange();
      },
    };
  }
}
