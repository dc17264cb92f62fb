import type { Container } from 'inversify';
import type { ComponentHandle, ComponentSpec } from '../component';
import { StarlingError } from '../errors';
import type { EventListener, EventName } from '../events';
import type { PluginContext } from '../plugin';
import {
  type HandoffObserver,
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
import { type ServiceToken, serviceName } from '../service-token';
import type { Element } from '../xml';
import type { KernelComponents } from './component-registry';
import type { KernelDiscoRegistry } from './disco-registry';
import type { KernelEventBus } from './event-bus';
import type { RegistrationSet } from './registrations';

/**
 * Services published by plugins (manifest `provides`), by token. During a hot reload both versions may
 * have published one: the newest publication wins, and disposing it brings the previous one back.
 */
export class ProvidedServices {
  private readonly services = new Map<symbol, { owner: string; service: unknown }[]>();

  publish(owner: string, token: symbol, service: unknown): Disposable {
    const entry = { owner, service };
    let list = this.services.get(token);
    if (!list) this.services.set(token, (list = []));
    list.push(entry);
    return {
      dispose: () => {
        const i = list.indexOf(entry);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0 && this.services.get(token) === list) this.services.delete(token);
      },
    };
  }

  get<T>(token: ServiceToken<T>): T | undefined {
    const list = this.services.get(token);
    return list?.[list.length - 1]?.service as T | undefined;
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
  components: KernelComponents;
  /** The tokens this plugin may publish (its manifest's `provides`). */
  mayProvide: readonly symbol[];
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
  /** The services this context published with provide(). */
  readonly published = new Set<symbol>();
  /** Whether event listeners and timers run. */
  live = false;

  constructor(private readonly deps: PluginContextDeps) {
    this.id = deps.id;
    this.version = deps.version;
    this.config = deps.config;
    this.log = deps.log;
    this.container = deps.container;
  }

  get<T>(id: ServiceToken<T> | symbol | (abstract new (...args: never[]) => T)): T {
    return this.container.get<T>(id as symbol);
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
  handoff(observer: HandoffObserver): Disposable {
    return this.track(this.deps.registrations.add({ kind: 'handoff', handler: observer }));
  }

  feature(ns: string, on: 'server' | 'account' = 'server'): Disposable {
    return this.track(this.deps.disco.addFeature(ns, on));
  }
  identity(identity: DiscoIdentity, on: 'server' | 'account' = 'server'): Disposable {
    return this.track(this.deps.disco.addIdentity(identity, on));
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

  provide<T>(token: ServiceToken<T>, service: T): Disposable {
    if (!this.deps.mayProvide.includes(token))
      throw new StarlingError('STARLING_PLUGIN_PROVIDES', `plugin '${this.id}' provides '${serviceName(token)}' without listing it in its manifest's "provides"`);
    this.published.add(token);
    const own = this.container.isCurrentBound(token) ? undefined : this.container.bind(token).toConstantValue(service);
    const published = this.deps.provided.publish(this.id, token, service);
    return this.track(() => {
      published.dispose();
      if (own && !this.disposed) this.container.unbind(token);
    });
  }

  component(spec: ComponentSpec): ComponentHandle {
    const subdomain = this.config.string('subdomain', spec.subdomain);
    const handle = this.deps.components.register(this.deps.registrations.owner, () => this.live, spec, subdomain);
    this.track(handle);
    return handle;
  }

  lookup<T>(token: ServiceToken<T>): T | undefined {
    return this.deps.provided.get(token);
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
