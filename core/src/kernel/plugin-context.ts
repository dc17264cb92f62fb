import type { Container } from 'inversify';
import {
  type DiscoIdentity,
  type Disposable,
  type Element,
  type EventListener,
  type EventName,
  type IqHandler,
  type IqRoute,
  type Logger,
  type OutboundFilter,
  type PluginConfig,
  type PluginContext,
  type PostprocessHandler,
  type PreprocessHandler,
  Priority,
  type StanzaHandler,
  type StanzaRoute,
  StarlingError,
} from '@starling/sdk';
import type { KernelDiscoRegistry } from '../disco/disco-registry';
import type { RegistrationSet } from '../router/registrations';
import type { KernelEventBus } from './event-bus';

/**
 * Services published by plugins (`provides`), by name. During a hot reload both versions may have
 * published a name: the newest publication wins, and disposing it brings the previous one back.
 */
export class ProvidedServices {
  private readonly services = new Map<string, { owner: string; service: unknown }[]>();

  publish(owner: string, name: string, service: unknown): Disposable {
    const entry = { owner, service };
    let list = this.services.get(name);
    if (!list) this.services.set(name, (list = []));
    list.push(entry);
    return {
      dispose: () => {
        const i = list.indexOf(entry);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0 && this.services.get(name) === list) this.services.delete(name);
      },
    };
  }

  get(name: string): unknown {
    const list = this.services.get(name);
    return list?.[list.length - 1]?.service;
  }
}

export interface PluginContextDeps {
  id: string;
  version: string;
  config: PluginConfig;
  log: Logger;
  container: Container;
  registrations: RegistrationSet;
  disco: KernelDiscoRegistry;
  events: KernelEventBus;
  provided: ProvidedServices;
  /** Names this plugin may publish (manifest `provides`) and use (what its `requires` provide). */
  mayProvide: readonly string[];
}

/**
 * The context handed to a plugin's onLoad; every registration is tracked and disposed LIFO on unload.
 * Event listeners and timers stay dormant until the kernel makes the context live (when its version
 * takes over routing), and fall dormant again when a newer version replaces it, so two versions of a
 * plugin never both react to one event during a hot reload.
 */
export class KernelPluginContext implements PluginContext {
  readonly id: string;
  readonly version: string;
  readonly config: PluginConfig;
  readonly log: Logger;
  readonly container: Container;
  private readonly tracked: Disposable[] = [];
  private disposed = false;
  /** Whether event listeners and timers run. */
  live = false;

  constructor(private readonly deps: PluginContextDeps) {
    this.id = deps.id;
    this.version = deps.version;
    this.config = deps.config;
    this.log = deps.log;
    this.container = deps.container;
  }

  get<T>(token: symbol): T {
    return this.container.get<T>(token);
  }

  iq(route: IqRoute, handler: IqHandler): Disposable {
    return this.track(this.deps.registrations.add({ kind: 'iq', route, handler }));
  }
  message(route: StanzaRoute, handler: StanzaHandler, priority: number = Priority.Normal): Disposable {
    return this.track(this.deps.registrations.add({ kind: 'message', route, handler, priority }));
  }
  presence(route: StanzaRoute, handler: StanzaHandler, priority: number = Priority.Normal): Disposable {
    return this.track(this.deps.registrations.add({ kind: 'presence', route, handler, priority }));
  }
  preprocess(handler: PreprocessHandler, priority: number = Priority.Normal): Disposable {
    return this.track(this.deps.registrations.add({ kind: 'preprocess', handler, priority }));
  }
  postprocess(handler: PostprocessHandler): Disposable {
    return this.track(this.deps.registrations.add({ kind: 'postprocess', handler }));
  }
  filter(handler: OutboundFilter): Disposable {
    return this.track(this.deps.registrations.add({ kind: 'filter', handler }));
  }

  feature(ns: string, on: 'server' | 'account' = 'server'): Disposable {
    return this.track(this.deps.disco.addFeature(ns, on));
  }
  identity(identity: DiscoIdentity): Disposable {
    return this.track(this.deps.disco.addIdentity(identity));
  }
  discoExtension(form: () => Element | undefined): Disposable {
    return this.track(this.deps.disco.addExtension(form));
  }
  streamFeature(feature: Element): Disposable {
    return this.track(this.deps.disco.addStreamFeature(feature));
  }

  on<E extends EventName>(event: E, listener: EventListener<E>): Disposable {
    return this.track(this.deps.events.on(event, (payload) => (this.live ? listener(payload) : undefined)));
  }

  every(ms: number, fn: () => void | Promise<void>): Disposable {
    const timer = setInterval(() => {
      if (!this.live) return;
      try {
        const r = fn();
        if (r) r.catch((err) => this.log.error('timer failed', { err }));
      } catch (err) {
        this.log.error('timer failed', { err });
      }
    }, ms);
    timer.unref();
    return this.track(() => clearInterval(timer));
  }

  provide<T>(name: string, service: T): Disposable {
    if (!this.deps.mayProvide.includes(name))
      throw new StarlingError('STARLING_PLUGIN_PROVIDES', `plugin '${this.id}' provides '${name}' without listing it in its manifest's "provides"`);
    return this.track(this.deps.provided.publish(this.id, name, service));
  }

  use<T>(name: string): T {
    const s = this.deps.provided.get(name);
    if (s === undefined) throw new StarlingError('STARLING_PLUGIN_REQUIRES', `plugin '${this.id}' uses '${name}', which no loaded plugin provides`);
    return s as T;
  }

  track(d: Disposable | (() => void)): Disposable {
    const disposable = typeof d === 'function' ? { dispose: d } : d;
    if (this.disposed) {
      disposable.dispose();
      return disposable;
    }
    this.tracked.push(disposable);
    return disposable;
  }

  /** Undoes every registration, newest first. */
  disposeAll(): void {
    this.disposed = true;
    while (this.tracked.length) {
      const d = this.tracked.pop()!;
      try {
        d.dispose();
      } catch (err) {
        this.log.error('dispose failed', { err });
      }
    }
  }
}
