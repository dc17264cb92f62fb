import type { Jid } from '../jid';
import type { DiscoIdentity, DiscoRegistry } from '../services';
import type { Element } from '../xml';

export interface DiscoItem {
  jid: string;
  name?: string;
  node?: string;
  /** Shown only to admins (component JIDs, as in Tigase). */
  adminOnly?: boolean;
}

export type NodeInfoProvider = (to: Jid, viewer: Jid) => Promise<Element | undefined>;
export type NodeItemsProvider = (to: Jid, viewer: Jid) => Promise<Element[] | undefined>;
export type AccountItemsProvider = (account: Jid, viewer: Jid) => Promise<{ jid: string; name?: string; node?: string }[]>;

type Entry<T> = { value: T };

/** Collects what plugins advertise; the disco plugin answers queries from it. */
export class KernelDiscoRegistry implements DiscoRegistry {
  private readonly features = new Set<Entry<string>>();
  private readonly account = new Set<Entry<string>>();
  private readonly identities = new Set<Entry<DiscoIdentity>>();
  private readonly accountIdentitySet = new Set<Entry<DiscoIdentity>>();
  private readonly extensions = new Set<Entry<() => Element | undefined>>();
  private readonly items = new Set<Entry<DiscoItem>>();
  private readonly streamFeatureSet = new Set<Entry<Element>>();
  private readonly accountItemSet = new Set<Entry<AccountItemsProvider>>();
  private readonly nodes = new Map<string, { info?: NodeInfoProvider; items?: NodeItemsProvider }>();

  constructor(private readonly isAdmin: (jid: Jid) => boolean) {}

  addFeature(ns: string, on: 'server' | 'account' = 'server'): { dispose(): void } {
    return track(on === 'server' ? this.features : this.account, ns);
  }
  addIdentity(identity: DiscoIdentity, on: 'server' | 'account' = 'server'): { dispose(): void } {
    return track(on === 'server' ? this.identities : this.accountIdentitySet, identity);
  }
  addExtension(form: () => Element | undefined): { dispose(): void } {
    return track(this.extensions, form);
  }
  /** Stream features offered after authentication, next to bind (they live here with the other advertisements). */
  addStreamFeature(feature: Element): { dispose(): void } {
    return track(this.streamFeatureSet, feature);
  }
  streamFeatures(): Element[] {
    return [...this.streamFeatureSet].map((e) => e.value);
  }
  addItem(item: DiscoItem): { dispose(): void } {
    return track(this.items, item);
  }
  addNode(node: string, providers: { info?: NodeInfoProvider; items?: NodeItemsProvider }): { dispose(): void } {
    this.nodes.set(node, providers);
    return { dispose: () => this.nodes.get(node) === providers && void this.nodes.delete(node) };
  }
  addAccountItems(provider: AccountItemsProvider): { dispose(): void } {
    return track(this.accountItemSet, provider);
  }

  serverFeatures(): string[] {
    return unique(this.features);
  }
  accountFeatures(): string[] {
    return unique(this.account);
  }
  accountIdentities(): DiscoIdentity[] {
    return [...this.accountIdentitySet].map((e) => e.value);
  }
  serverIdentities(): DiscoIdentity[] {
    return [...this.identities].map((e) => e.value);
  }
  serverExtensions(): Element[] {
    const out: Element[] = [];
    for (const e of this.extensions) {
      const form = e.value();
      if (form) out.push(form);
    }
    return out;
  }
  serverItems(viewer: Jid): { jid: string; name?: string; node?: string }[] {
    const admin = this.isAdmin(viewer);
    return [...this.items]
      .map((e) => e.value)
      .filter((i) => admin || !i.adminOnly)
      .map(({ jid, name, node }) => ({ jid, name, node }));
  }
  async accountItems(account: Jid, viewer: Jid): Promise<{ jid: string; name?: string; node?: string }[]> {
    const out: { jid: string; name?: string; node?: string }[] = [];
    for (const e of [...this.accountItemSet]) out.push(...(await e.value(account, viewer)));
    return out;
  }
  async nodeInfo(node: string, to: Jid, viewer: Jid): Promise<Element | undefined> {
    return this.nodes.get(node)?.info?.(to, viewer);
  }
  async nodeItems(node: string, to: Jid, viewer: Jid): Promise<Element[] | undefined> {
    return this.nodes.get(node)?.items?.(to, viewer);
  }
}

function track<T>(set: Set<Entry<T>>, value: T): { dispose(): void } {
  const entry = { value };
  set.add(entry);
  return { dispose: () => void set.delete(entry) };
}

function unique(set: Set<Entry<string>>): string[] {
  return [...new Set([...set].map((e) => e.value))].sort();
}
