import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Container, ContainerModule } from 'inversify';
import { type DefinedPlugin, LOGGER, type Logger, PLUGIN_CONFIG, StarlingError, isDefinedPlugin } from '@starling/sdk';
import type { KernelDiscoRegistry } from '../disco/disco-registry';
import { RegistrationSet } from '../router/registrations';
import type { KernelEventBus } from './event-bus';
import type { BeanView } from './bean-view';
import { KernelPluginContext, type ProvidedServices } from './plugin-context';
import { PluginConfigView } from './plugin-config';
import type { PluginPackage } from './plugin-manifest';
import type { PluginModules } from './plugin-modules';

/** One loaded version of a plugin: its definition, context, registrations and child container. */
export interface PluginInstance {
  pkg: PluginPackage;
  /** The files of its module graph and its package.json, with their mtime and size when loaded. */
  files: Map<string, string>;
  def: DefinedPlugin;
  ctx: KernelPluginContext;
  registrations: RegistrationSet;
  container: Container;
}

export interface InstanceDeps {
  root: Container;
  disco: KernelDiscoRegistry;
  events: KernelEventBus;
  log: Logger;
  provided: ProvidedServices;
  modules: PluginModules;
  bean: (id: string) => BeanView | undefined;
  globals: (key: string) => unknown;
  /** Called when a live instance adds or removes a registration. */
  routesChanged: () => void;
  loadTimeoutMs: number;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StarlingError('STARLING_PLUGIN_TIMEOUT', `${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Requires a package's entry module and checks that it exports a definePlugin() result. */
export function requireDefinition(pkg: PluginPackage, modules: PluginModules): DefinedPlugin {
  const mod = modules.load(pkg.entry) as { default?: unknown };
  const def = mod && (isDefinedPlugin(mod.default) ? mod.default : isDefinedPlugin(mod) ? mod : undefined);
  if (!def) throw new StarlingError('STARLING_PLUGIN_ENTRY', `${pkg.entry} does not export a plugin made with definePlugin()`);
  return def;
}

/**
 * Loads a version of a plugin beside whatever else runs: its code, a child container, a context and an
 * inactive registration set, then `onLoad`. Nothing routes to it yet; on failure nothing of it remains.
 */
export async function createInstance(pkg: PluginPackage, deps: InstanceDeps): Promise<PluginInstance> {
  const id = pkg.manifest.id;
  const def = requireDefinition(pkg, deps.modules);
  const files = fingerprint([join(pkg.dir, 'package.json'), ...deps.modules.filesOf(pkg.dir)]);
  const log = deps.log.child({ plugin: id });
  const container = new Container({ parent: deps.root, defaultScope: 'Singleton' });
  const config = new PluginConfigView(deps.bean(id), pkg.manifest.config ?? {}, deps.globals);
  container.bind(LOGGER).toConstantValue(log);
  container.bind(PLUGIN_CONFIG).toConstantValue(config);
  const registrations = new RegistrationSet({ id, inflight: 0 }, deps.routesChanged);
  const ctx = new KernelPluginContext({
    id,
    version: pkg.version,
    config,
    log,
    container,
    registrations,
    disco: deps.disco,
    events: deps.events,
    provided: deps.provided,
    mayProvide: pkg.manifest.provides ?? [],
  });
  try {
    if (def.services) container.load(new ContainerModule(def.services));
    for (const f of pkg.manifest.features ?? []) ctx.feature(f, 'server');
    for (const f of pkg.manifest.accountFeatures ?? []) ctx.feature(f, 'account');
    await withTimeout(Promise.resolve(def.onLoad(ctx)), deps.loadTimeoutMs, `onLoad of '${id}'`);
  } catch (err) {
    ctx.disposeAll();
    container.unbindAll();
    throw err;
  }
  return { pkg, files, def, ctx, registrations, container };
}

/** mtime and size of each file ('' for a missing one): enough to tell whether a package changed. */
export function fingerprint(files: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of files) {
    try {
      const st = statSync(f);
      out.set(f, `${st.mtimeMs}:${st.size}`);
    } catch {
      out.set(f, '');
    }
  }
  return out;
}

/** True when none of the instance's files changed on disk since it loaded. */
export function unchangedOnDisk(p: PluginInstance): boolean {
  for (const [f, was] of fingerprint(p.files.keys())) if (p.files.get(f) !== was) return false;
  return true;
}

/** Takes an instance out of service for good: onUnload, then its registrations undone newest first. */
export async function retireInstance(p: PluginInstance, log: Logger): Promise<void> {
  p.ctx.live = false;
  p.registrations.active = false;
  try {
    await p.def.onUnload?.(p.ctx);
  } catch (err) {
    log.error('onUnload failed', { plugin: p.pkg.manifest.id, err });
  }
  p.ctx.disposeAll();
  p.container.unbindAll();
}
