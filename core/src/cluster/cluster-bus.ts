import type { DrainResult } from './node-drain';

/**
 * What nodes tell each other (JSON on the bus). `stanza`: deliver to a local full JID (with `r`, answer
 * with a `receipt`); `close`: end a local session (a newer login for the same full JID elsewhere);
 * `drain` / `drained`: an admin's drain of another node and its result; `run` / `ran`: an admin command
 * rolled out to every node and its result; `package` / `ran`: a step of a plugin package roll-out.
 */
export type BusMessage =
  | { t: 'stanza'; from: string; to: string; xml: string; r?: number }
  | { t: 'receipt'; from: string; r: number; ok: boolean }
  | { t: 'close'; from: string; to: string; condition?: string; text?: string }
  /** Drain the node (`on`), or let it take clients again; answered with `drained`. `stop`: the node stops once it answered. */
  | { t: 'drain'; from: string; id: number; on: boolean; waitMs: number; stop?: boolean }
  | { t: 'drained'; from: string; id: number; result: DrainResult }
  /** Run an admin command here (an admin's roll-out to every node); answered with `ran`. */
  | ({ t: 'run'; from: string; id: number } & RolloutRequest)
  | { t: 'ran'; from: string; id: number; result: string }
  /** A step of a plugin package roll-out on this node; answered with `ran`. */
  | { t: 'package'; from: string; id: number; step: PackageStep };

/**
 * One step of rolling a plugin package out (cl-comp's cluster-plugin-rollout): `stage` fetches the
 * package from Redis, checks its hash and unpacks it beside the plugin directory; `install` puts it in
 * place and loads it; `revert` puts the previous files back and loads them; `finish` removes what is left.
 */
export interface PackageStep {
  step: 'stage' | 'install' | 'revert' | 'finish';
  /** The plugin's id and its package directory's name. */
  plugin: string;
  dirName: string;
  /** SHA-256 of the packed bytes (also their Redis key). */
  hash: string;
  version: string;
}

/** One admin command for every node: its component and node, who asks, and the submitted fields. */
export interface RolloutRequest {
  component: string;
  command: string;
  /** The admin's full JID (the command's ACL applies to it on every node). */
  admin: string;
  /** The component's JID the admin addressed (`cl-comp@<vhost>` → `<component>@<vhost>`). */
  to: string;
  values: [string, string[]][];
}

/** A change of the session directory, seen by every node. */
export type DirectoryEvent =
  | { t: 'set'; node: string; jid: string; seq: number; entry: SessionEntry }
  | { t: 'del'; node: string; jid: string; seq: number }
  /** The node rewrote its whole directory (start, Redis came back): read it again. */
  | { t: 'snapshot'; node: string }
  /** The node stops (a clean shutdown): its sessions are gone. */
  | { t: 'leave'; node: string }
  /** The node changed a virtual host (vhost-man): read them again from the shared repository. */
  | { t: 'vhosts'; node: string }
  /** A plugin on the node changed what an entry of its cache holds (CacheInvalidation): drop this node's copy. */
  | { t: 'invalidate'; node: string; cache: string; key: string };

/** What the cluster knows of a session held by a node: enough to route to it and answer probes for it. */
export interface SessionEntry {
  /** Connection id on its node. */
  id: string;
  startedAt: number;
  priority: number;
  available: boolean;
  interested: boolean;
  /** The last broadcast available presence (XML), or null. */
  presence: string | null;
  /** The flags plugins published for the session (`Session.flags`); absent when there are none. */
  flags?: string[];
  seq: number;
}

export interface BusHandlers {
  message(msg: BusMessage): void;
  /** A message from a node over `'cm-ht-traffic-throttling'` that is not handled. */
  dropped(msg: BusMessage): void;
  directory(ev: DirectoryEvent): void;
}

/**
 * The stanza bus between nodes: one channel per node plus one for directory changes. Redis pub/sub ships;
 * another engine (NATS) fits behind the same interface.
 */
export interface ClusterBus {
  /** Subscribes this node's channel and the directory channel; resolves once both are live. */
  start(handlers: BusHandlers): Promise<void>;
  /** Sends to one node; resolves false when no subscriber took it (the node is gone) or the bus is down. */
  send(node: string, msg: BusMessage): Promise<boolean>;
  /** True while messages can be sent. */
  readonly up: boolean;
  close(): Promise<void>;
}
