import { arch, release, type } from 'node:os';
import { type Element, NS_VERSION, PLUGIN_CONFIG, type PluginConfig, SERVER_INFO, type ServerInfo, inject, injectable, xml } from '@starling/sdk';

/** The operating system as Tigase reports it: name-architecture-release, then the runtime. */
export function operatingSystem(): string {
  return `${type()}-${arch()}-${release()}, Node.js-${process.versions.node}`;
}

/** XEP-0092 answer: name and version, and `os` only when the operator allows it (XEP-0092 §5 privacy). */
export function versionQuery(info: Pick<ServerInfo, 'name' | 'version'>, os?: string): Element {
  return xml('query', { xmlns: NS_VERSION }, xml('name', {}, info.name), xml('version', {}, info.version), os === undefined ? undefined : xml('os', {}, os));
}

/** The server's answer, built once from SERVER_INFO and `include-os`. */
@injectable()
export class VersionQuery {
  private readonly query: Element;

  constructor(@inject(SERVER_INFO) info: ServerInfo, @inject(PLUGIN_CONFIG) config: PluginConfig) {
    this.query = versionQuery(info, config.boolean('include-os', false) ? operatingSystem() : undefined);
  }

  readonly answer = (): Element => this.query.clone();
}
