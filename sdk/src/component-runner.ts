import { dirname } from 'node:path';
import { StarlingError } from './errors';
import { SDK_VERSION } from './index';
import type { Logger } from './services';
import type { Session, SessionDirectory } from './session';
import { Element } from './xml';
import { EmbeddedHost } from './host/embedded-host';
import { MemoryLogger } from './host/memory-logger';
import type { PlainBean } from './host/plain-config';
import { type PluginInput, loadPluginPackage } from './host/plugin-spec';

export interface ComponentOptions {
  /** The plugin: a definePlugin() result, `{ plugin, manifest }`, or the directory of a built plugin package. */
  plugin: PluginInput | string;
  /** The server's external component listener, e.g. `xmpp://127.0.0.1:5270` (XEP-0114). */
  service: string;
  /** The component's domain, which the server routes to it (e.g. `motd.localhost`). */
  domain: string;
  /** The shared secret the server has for this domain. */
  password: string;
  /** Config shaped like config.tdsl; the plugin reads its own bean (`{ 'motd-bot': { … } }`). */
  config?: PlainBean;
  /** Bare JIDs that SERVER_INFO.isAdmin() accepts. */
  admins?: string[];
  /** Reconnect when the connection drops (default true). */
  reconnect?: boolean;
  log?: Logger;
}

export interface RunningComponent {
  readonly domain: string;
  /** The plugin host inside the component (its disco registry, stores, event bus). */
  readonly host: EmbeddedHost;
  /** Unloads the plugin and closes the stream. */
  stop(): Promise<void>;
}

/** The parts of @xmpp/component-core 0.13 used here (it ships no type declarations). */
interface XmppElement {
  name: string;
  attrs: Record<string, string>;
  children: (XmppElement | string)[];
}
interface XmppComponent {
  status: string;
  on(event: 'open', fn: (el: XmppElement) => void): void;
  on(event: 'stanza', fn: (el: XmppElement) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  on(event: 'status', fn: (status: string) => void): void;
  emit(event: 'error', err: unknown): void;
  authenticate(id: string, password: string): Promise<void>;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  write(s: string): Promise<void>;
}

/** SERVER_INFO.name inside a component. */
const COMPONENT_NAME = 'Starling (component)';

const NO_SESSIONS: SessionDirectory = {
  get: (): Session | undefined => undefined,
  resources: () => [],
  all: () => new Map<string, Session>().values(),
  count: () => 0,
};

function toElement(el: XmppElement): Element {
  const e = new Element(el.name, { ...el.attrs });
  for (const c of el.children) {
    if (typeof c === 'string') e.children.push(c);
    else e.cnode(toElement(c));
  }
  return e;
}

/** Loads @xmpp/component's pieces from its own dependency tree (it is CommonJS). */
function xmppComponentParts(): { Component: new (o: { service: string; domain: string }) => XmppComponent; reconnect: (o: { entity: XmppComponent }) => { stop(): void } } {
  let base: string;
  try {
    base = dirname(require.resolve('@xmpp/component/package.json'));
  } catch {
    throw new StarlingError('STARLING_COMPONENT_DEPENDENCY', 'running a plugin as an external component needs @xmpp/component@0.13 (npm install @xmpp/component@0.13.1)');
  }
  const from = (id: string) => require(require.resolve(id, { paths: [base] }));
  return { Component: from('@xmpp/component-core').Component, reconnect: from('@xmpp/reconnect') };
}

/**
 * Runs a plugin out of process as an XEP-0114 external component: the same plugin module that the server
 * loads in process, here on the embedded kernel whose only domain is the component's. Stanzas the server
 * routes to the domain go through the plugin's handlers; what the plugin emits goes back over the stream.
 */
export async function runComponent(opts: ComponentOptions): Promise<RunningComponent> {
  const log = opts.log ?? new MemoryLogger(null, { component: opts.domain }, 'info');
  const plugin = typeof opts.plugin === 'string' ? loadPluginPackage(opts.plugin) : opts.plugin;
  const { Component, reconnect } = xmppComponentParts();
  const entity = new Component({ service: opts.service, domain: opts.domain });
  const send = (stanza: Element) => {
    if (entity.status !== 'online') {
      log.warn('not connected: dropping an outgoing stanza', { stanza: stanza.toString() });
      return;
    }
    if (stanza.attrs.from === undefined) stanza.attrs.from = opts.domain;
    entity.write(stanza.toString()).catch((err) => log.warn('write failed', { err }));
  };
  const host = new EmbeddedHost({
    plugins: [plugin],
    config: opts.config,
    domains: [opts.domain],
    admins: opts.admins,
    sessions: NO_SESSIONS,
    log,
    name: COMPONENT_NAME,
    version: SDK_VERSION,
    remote: send,
  });
  await host.start();

  entity.on('open', (el) => {
    entity.authenticate(el.attrs.id, opts.password).catch((err) => entity.emit('error', err));
  });
  entity.on('stanza', (el) => {
    host.router.inbound(toElement(el)).catch((err) => log.error('stanza processing failed', { err }));
  });
  entity.on('status', (status) => log.debug('component connection', { status }));
  // Before the first 'online', start() rejects with the error; afterwards the reconnect logic takes over.
  let online = false;
  entity.on('error', (err) => online && log.warn('component connection error', { err: err.message }));
  const retry = opts.reconnect === false ? undefined : reconnect({ entity });
  try {
    await entity.start();
  } catch (err) {
    retry?.stop();
    await host.close();
    const e = err as { condition?: string; message?: string };
    throw new StarlingError('STARLING_COMPONENT_CONNECT', `could not connect ${opts.domain} to ${opts.service}: ${e.condition ?? e.message ?? String(err)}`);
  }
  online = true;
  log.info('external component online', { domain: opts.domain, service: opts.service });
  return {
    domain: opts.domain,
    host,
    async stop() {
      retry?.stop();
      await host.close();
      await entity.stop().catch(() => undefined);
    },
  };
}
