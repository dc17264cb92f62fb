import type { Container } from 'inversify';
import { StarlingError } from '../errors';
import type { EventListener, EventName } from '../events';
import type { PluginContext } from '../plugin';
import {
  type IqHandler,
  type IqRoute,
  type OutboundFilter,
  type PostprocessHandler,
  type PreprocessHandler,
  Priority,
  type StanzaHandler,
  type StanzaRoute,
} from '../routes';
import type { DiscoIdentity, Disposable, Logger, PluginConfig } from '../services';
import type { Element } from '../xml';
import type { LocalEventBus } from './local-event-bus';
import type { RouteRegistration } from '../route-table';
import type { MemoryDiscoRegistry } from './memory-disco';

/** Services published through `provides`, by name (the newest publication wins). */
export class LocalProvidedServices {
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
      },
    };
  }

  get(name: string): unknown {
    const list = this.services.get(name);
    return list?.[list.length - 1]?.service;
  }
}

export interface StandaloneContextDeps {
  id: string;
  version: string;
  config: PluginConfig;
  log: Logger;
  container: Container;
  disco: MemoryDiscoRegistry;
  events: LocalEventBus;
  provided: LocalProvidedServices;
  mayProvide: readonly string[];
  /** Called when a registration is added or removed. */
  onRoutesChanged(): void;
}

/** The PluginContext of the standalone host: registrations are tracked and undone newest first. */
export class StandalonePluginContext implements PluginContext {
  readonly id: string;
  readonly version: string;
  readonly config: PluginConfig;
  readonly log: Logger;
  readonly container: Container;
  readonly registrations = new Set<RouteRegistration>();
  private readonly tracked: Disposable[] = [];
  private disposed = false;

  constructor(private readonly deps: StandaloneContextDeps) {
    this.id = deps.id;
    this.version = deps.version;
    this.config = deps.config;
    this.log = deps.log;
    this.container = deps.container;
  }

  get<T>(token: symbol): T {
    return this.container.get<T>(token);
  }

  private register(reg: RouteRegistration): Disposable {
    this.registrations.add(reg);
    this.deps.onRoutesChanged();
    return this.track(() => this.registrations.delete(reg) && this.deps.onRoutesChanged());
  }

  iq(route: IqRoute, handler: IqHandler): Disposable {
    return this.register({ kind: 'iq', route, handler });
  }
  message(route: StanzaRoute, handler: StanzaHandler, priority: number = Priority.Normal): Disposable {
    return this.register({ kind: 'message', route, handler, priority });
  }
  presence(route: StanzaRoute, handler: StanzaHandler, priority: number = Priority.Normal): Disposable {
    return this.register({ kind: 'presence', route, handler, priority });
  }
  preprocess(handler: PreprocessHandler, priority: number = Priority.Normal): Disposable {
    return this.register({ kind: 'preprocess', handler, priority });
  }
  postprocess(handler: PostprocessHandler): Disposable {
    return this.register({ kind: 'postprocess', handler });
  }
  filter(handler: OutboundFilter): Disposable {
    return this.register({ kind: 'filter', handler });
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
    return this.track(this.deps.events.on(event, listener));
  }

  every(ms: number, fn: () => void | Promise<void>): Disposable {
    const timer = setInterval(() => {
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
