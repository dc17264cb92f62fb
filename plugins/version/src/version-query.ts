import { arch, release, type } from 'node:os';
import { type Element, NS_VERSION, type ServerInfo, xml } from '@starling/sdk';

/** The operating system as Tigase reports it: name-architecture-release, then the runtime. */
export function operatingSystem(): string {
  return `${type()}-${arch()}-${release()}, Node.js-${process.versions.node}`;
}

/** XEP-0092 answer: name and version, and `os` only when the operator allows it (XEP-0092 §5 privacy). */
export function versionQuery(info: Pick<ServerInfo, 'name' | 'version'>, os?: string): Element {
  return xml('query', { xmlns: NS_VERSION }, xml('name', {}, info.name), xml('version', {}, info.version), os === undefined ? undefined : xml('os', {}, os));
}
