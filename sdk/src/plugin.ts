import type { Container, ContainerModuleLoadOptions } from 'inversify';
import type { ComponentHandle, ComponentSpec } from './component';
import type { EventListener, EventName } from './events';
import type {
  HandoffObserver,
  IqHandler,
  IqRoute,
  OutboundFilter,
  PostprocessHandler,
  PreprocessHandler,
  StanzaHandler,
  StanzaRoute,
} from './routes';
import type { DiscoIdentity, Disposable, Logger, PluginConfig } from './services';
import type { ServiceToken } from './service-token';
import type { Element } from './xml';

/** The "starling" section of a plugin package's package.json. */
export interface PluginManifest {
  /** Tigase's bean name, e.g. `amp`, `jabber:iq:last`, `urn:xmpp:ping`. */
  id: string;
  /** semver range of @starling/sdk the plugin was built for, e.g. "^0.1.0". */
  sdk: string;
  /** Entry file relative to the package (default: package.json "main"). `.ts` entries are transpiled. */
  main?: string;
  /** Id of the plugin whose bean this one nests in (`msgoffline` in `amp`); inactive when the parent is. */
  parent?: string;
  /** Active when config does not say (default true). */
  enabled?: boolean;
  /** Plugin ids that must be loaded first; reloading or unloading one cascades to this plugin. */
  requires?: string[];
  /**
   * Services this plugin provides to the plugins that require it, by name (`"roster"` is
   * `serviceToken('roster')`). The plugin binds each token in its `services` module (or calls
   * `ctx.provide`); the kernel checks that it did and binds it in each dependent's container.
   */
  provides?: (string | ServiceToken<unknown>)[];
  /** disco#info features advertised while the plugin is loaded. */
  features?: string[];
  /** Features advertised on account (bare JID) disco#info. */
  accountFeatures?: string[];
  /** Config keys with defaults, shown by `config dump` (e.g. { "store-limit": 100 }). */
  config?: Record<string, unknown>;
  /**
   * Further keys the plugin's bean accepts, without a default (`starling check` rejects any key neither
   * here nor in `config`). `"<vhost>"` stands for a key named after a virtual host; `"commands"` allows the
   * bean of a component plugin to hold its command ACL bean (`pubsub { commands { 'list-nodes' = [ 'LOCAL' ] } }`).
   */
  configKeys?: string[];
  description?: string;
}

/** What a plugin gets when it loads. Every registration is tracked and undone on unload. */
export interface PluginContext {
  readonly id: string;
  readonly version: string;
  readonly config: PluginConfig;
  readonly log: Logger;
  /** The plugin's child container: core tokens, what its `requires` provide, and its own bindings. */
  readonly container: Container;
  /** Resolves from the plugin's container: core tokens, required plugins' services, its own bound classes. */
  get<T>(id: ServiceToken<T> | symbol | (abstract new (...args: never[]) => T)): T;

  iq(route: IqRoute, handler: IqHandler): Disposable;
  message(route: StanzaRoute, handler: StanzaHandler, priority?: number): Disposable;
  presence(route: StanzaRoute, handler: StanzaHandler, priority?: number): Disposable;
  preprocess(handler: PreprocessHandler, priority?: number): Disposable;
  postprocess(handler: PostprocessHandler): Disposable;
  filter(handler: OutboundFilter): Disposable;
  /** Sees each stanza handed to a session, this node's or another cluster node's (see HandoffObserver). */
  handoff(observer: HandoffObserver): Disposable;

  /** Adds a disco#info feature on the server JID (or on account JIDs). */
  feature(ns: string, on?: 'server' | 'account'): Disposable;
  /** Adds a disco#info identity on the server JID (or on account JIDs, e.g. PEP's pubsub/pep). */
  identity(identity: DiscoIdentity, on?: 'server' | 'account'): Disposable;
  /** Adds an XEP-0128 extension form to the server's disco#info. */
  discoExtension(form: () => Element | undefined): Disposable;
  /** Adds a stream feature offered to clients after authentication (e.g. roster versioning's <ver/>). */
  streamFeature(feature: Element): Disposable;

  on<E extends EventName>(event: E, listener: EventListener<E>): Disposable;
  /** A repeating timer, cleared on unload. */
  every(ms: number, fn: () => void | Promise<void>): Disposable;
  /** Publishes a service listed in the manifest's `provides` (when it is not bound in the `services` module). */
  provide<T>(token: ServiceToken<T>, service: T): Disposable;
  /**
   * The current provider of a service this plugin does not require (it may come and go at run time, see
   * `plugin.loaded`), or undefined. A required service is injected instead.
   */
  lookup<T>(token: ServiceToken<T>): T | undefined;
  /** Registers a cleanup to run on unload. */
  track(disposable: Disposable | (() => void)): Disposable;
  /**
   * Serves a component on `<subdomain>.<vhost>` for every local virtual host (the bean's `subdomain`
   * key overrides the default: list `"subdomain"` in the manifest's `config`). Released on unload.
   */
  component(spec: ComponentSpec): ComponentHandle;
}

export interface PluginDefinition<State = unknown> {
  /**
   * Inversify bindings for the plugin's own `@injectable()` classes, loaded into its child container on
   * load and unloaded on unload and reload: `services: ({ bind }) => { bind(Query).toSelf(); }`.
   */
  services?: (options: ContainerModuleLoadOptions) => void;
  /** Registers routes and starts work. A throw (or rejection) fails the load; the old version keeps serving. */
  onLoad(ctx: PluginContext): void | Promise<void>;
  /** Called before the registrations are undone. */
  onUnload?(ctx: PluginContext): void | Promise<void>;
  /** Called on the old version during a hot reload; the value goes to the new version's restoreState. */
  saveState?(ctx: PluginContext): State;
  /** Called on the new version with what the old one saved, before any stanza reaches it. */
  restoreState?(ctx: PluginContext, state: State): void;
}

export const PLUGIN_MARK = Symbol.for('starling.plugin');

export type DefinedPlugin<State = unknown> = PluginDefinition<State> & { readonly [PLUGIN_MARK]: true };

/** Declares a plugin; default-export the result from the package's entry. */
export function definePlugin<State = unknown>(def: PluginDefinition<State>): DefinedPlugin<State> {
  if (typeof def?.onLoad !== 'function') throw new TypeError('definePlugin: onLoad(ctx) is required');
  return Object.freeze({ ...def, [PLUGIN_MARK]: true as const });
}

export function isDefinedPlugin(x: unknown): x is DefinedPlugin {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[PLUGIN_MARK] === true;
}
