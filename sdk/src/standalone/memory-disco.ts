import type { Jid } from '../jid';
import type { DiscoIdentity, DiscoRegistry, Disposable } from '../services';
import type { Element } from '../xml';

type Entry<T> = { value: T };
interface NodeProviders {
  info?: (to: Jid, viewer: Jid) => Promise<Element | undefined>;
  items?: (to: Jid, viewer: Jid) => Promise<Element[] | undefined>;
}

function track<T>(set: Set<Entry<T>>, value: T): Disposable {
  const entry = { value };
  set.add(entry);
  return { dispose: () => void set.delete(entry) };
}

/** What the standalone host's plugins advertise, for assertions (`host.disco.serverFeatures()`). */
export class MemoryDiscoRegistry implements DiscoRegistry {
  private readonly features = new Set<Entry<string>>();
  private readonly account = new Set<Entry<string>>();
  private readonly identities = new Set<Entry<DiscoIdentity>>();
  private readonly extensions = new Set<Entry<() => Element | undefined>>();
  private readonly streamFeatureSet = new Set<Entry<Element>>();
  private readonly nodes = new Map<string, NodeProviders>();

  addFeature(ns: string, on: 'server' | 'account'): Disposable {
    return track(on === 'server' ? this.features : this.account, ns);
  }
  addIdentity(identity: DiscoIdentity): Disposable {
    return track(this.identities, identity);
  }
  addExtension(form: () => Element | undefined): Disposable {
    return track(this.extensions, form);
  }
  addStreamFeature(feature: Element): Disposable {
    return track(this.streamFeatureSet, feature);
  }

  serverFeatures(): string[] {
    return [...new Set([...this.features].map((e) => e.value))].sort();
  }
  accountFeatures(): string[] {
    return [...new Set([...this.account].map((e) => e.value))].sort();
  }
  serverIdentities(): DiscoIdentity[] {
    return [...this.identities].map((e) => e.value);
  }
  serverExtensions(): Element[] {
    return [...this.extensions].map((e) => e.value()).filter((f): f is Element => f !== undefined);
  }
  streamFeatures(): Element[] {
    return [...this.streamFeatureSet].map((e) => e.value);
  }
  serverItems(_viewer: Jid): { jid: string; name?: string; node?: string }[] {
    return [];
  }
  addNode(node: string, providers: NodeProviders): Disposable {
    this.nodes.set(node, providers);
    return { dispose: () => this.nodes.get(node) === providers && void this.nodes.delete(node) };
  }
  async nodeInfo(node: string, to: Jid, viewer: Jid): Promise<Element | undefined> {
    return this.nodes.get(node)?.info?.(to, viewer);
  }
  async nodeItems(node: string, to: Jid, viewer: Jid): Promise<Element[] | undefined> {
    return this.nodes.get(node)?.items?.(to, viewer);
  }
}
