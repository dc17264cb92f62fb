import type { PreparedScript } from './prepare-script';

/** Limits for every script run; each has a config key under `'script-sandbox'` (see commands/admin-config.ts). */
export interface SandboxLimits {
  /**
   * Memory of a script, in MB: its isolate's V8 heap limit, and the share of the sandbox process's memory a
   * running script may take (strings, ArrayBuffers); a run that passes it is stopped.
   */
  memoryMb: number;
  /** CPU time the script itself may use, in ms (isolated-vm's timeout: time spent waiting on the host is not counted). */
  cpuTimeoutMs: number;
  /** Wall-clock limit for the whole run, host calls included; the isolate is disposed when it passes. */
  wallTimeoutMs: number;
  /** Isolates kept ready (context and API installed); each is used for one run, then disposed. 0 = none. */
  poolSize: number;
  /** Scripts running at once; more wait in a queue. */
  maxConcurrent: number;
  /** Largest result a script may return (the reply's text, or its stanza as JSON), in KB. */
  resultKb: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { memoryMb: 32, cpuTimeoutMs: 2000, wallTimeoutMs: 10_000, poolSize: 2, maxConcurrent: 4, resultKb: 256 };

/** A plain element tree as it crosses the isolate boundary (JSON). */
export interface ElementTree {
  name: string;
  attrs: Record<string, string>;
  children: (ElementTree | string)[];
}

/** Host side of a capability call: plain JSON data in, plain JSON data out. Throw to raise an Error in the script. */
export type HostCall = (capability: string, method: string, args: unknown[]) => unknown | Promise<unknown>;

export type RunOutcome =
  | { kind: 'packets'; packets: ElementTree[] }
  | { kind: 'text'; text: string }
  | { kind: 'none' }
  | { kind: 'error'; message: string; debug: string }
  /** The sandbox process died or stopped answering during the run (answered `internal-server-error`). */
  | { kind: 'crashed'; message: string };

/** What the sandbox process needs to run a script (the host side stays in the server). */
export interface ScriptJob {
  script: PreparedScript;
  packet: ElementTree;
  componentName: string;
  /** Capability name → method names the script may call (e.g. users: ['add', 'remove']). */
  capabilities: Record<string, readonly string[]>;
}

/** Server → sandbox process. */
export type ToSandbox =
  | { t: 'run'; run: number; job: ScriptJob }
  | { t: 'answer'; call: number; json: string };

/** Sandbox process → server. */
export type FromSandbox =
  | { t: 'call'; run: number; call: number; cap: string; method: string; args: unknown[] }
  | { t: 'done'; run: number; outcome: RunOutcome }
  | { t: 'log'; level: 'info' | 'warn' | 'error'; msg: string; data: Record<string, unknown> };
