import type { TypedConfig } from '@starling/sdk';

/**
 * The debug namespaces of chapter 11.4 (`debug = [ … ]`). `server` is the kernel at INFO, on by default;
 * a kernel component's name (`c2s`, `sess-man`, `router`, `watchdog`, `commands`, `plugins`, `ext`…)
 * switches that component to FINE; `*` switches everything.
 */
export const DEBUG_NAMESPACES: Readonly<Record<string, string>> = {
  server: 'the kernel at INFO (on by default)',
  'xmpp.XMPPIOService': 'every byte of XML sent and received, per connection (SASL payloads and passwords masked)',
  io: 'sockets and TLS: connections accepted and closed, TLS handshakes',
  xml: 'the XML stream parser: stream errors and rejected input',
  cluster: 'cluster mode: nodes joining and leaving, Redis connection errors, directory and heartbeat writes that failed',
  'xmpp.impl': 'every plugin (per plugin: debug-packages = [ plugin id ])',
};

/** Tigase names that map onto a Starling component. */
const ALIASES: Readonly<Record<string, string>> = { 'xmpp.init': 'watchdog' };

/** Which loggers log at FINE; changed at run time by the `debug` ad-hoc command. */
export class DebugSwitches {
  /** Bumped on every change; loggers cache their decision per generation. */
  generation = 0;
  private names = new Set<string>();
  private pluginIds = new Set<string>();

  constructor(debug: readonly string[] = ['server'], packages: readonly string[] = []) {
    this.set(debug, packages);
  }

  get debug(): string[] {
    return [...this.names];
  }

  get packages(): string[] {
    return [...this.pluginIds];
  }

  set(debug: readonly string[], packages: readonly string[]): void {
    this.names = new Set(debug.map((d) => ALIASES[d] ?? d));
    this.pluginIds = new Set(packages);
    this.generation++;
  }

  /** FINE for a logger of this namespace, kernel component or plugin? */
  isFine(ns: string, component: string | undefined, plugin: string | undefined): boolean {
    if (this.names.has('*')) return true;
    if (plugin !== undefined) return this.names.has('xmpp.impl') || this.names.has(plugin) || this.pluginIds.has(plugin);
    if (ns !== 'server') return this.names.has(ns);
    return component !== undefined && this.names.has(component);
  }
}

/** Reads `debug` and `debug-packages`: lists, comma-separated strings as in Tigase's old init.properties, or true/false. */
export function readDebugSwitches(top: TypedConfig): DebugSwitches {
  return new DebugSwitches(names(top, 'debug', ['server']), names(top, 'debug-packages', []));
}

function names(top: TypedConfig, key: string, def: string[]): string[] {
  const v = top.get(key);
  if (v === false) return [];
  if (v === true) return ['*'];
  return top.list(key, def, "a list of names, e.g. [ 'server', 'xmpp.XMPPIOService' ]");
}
