import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@starling/sdk';
import { removeFileDurably, writeFileDurably } from './durable-file';
import { PackageHashes } from './package-hash';

/** "loading <plugin>@<version>#<hash>", written before a version's code runs for the first time, removed after. */
export const PLUGIN_JOURNAL_FILE = join('var', 'plugin-journal.json');
/** Written by the hang watchdog before it ends a blocked process: the plugin whose code was running. */
export const PLUGIN_HANG_FILE = join('var', 'plugin-hang.json');
/** The plugin versions the server will not load again. */
export const PLUGIN_QUARANTINE_FILE = join('var', 'plugin-quarantine.json');
/** The package hashes of the last start, with the file times they were taken at (./package-hash.ts). */
export const PLUGIN_HASHES_FILE = join('var', 'plugin-hashes.json');

export interface JournalEntry {
  id: string;
  version: string;
  hash: string;
  pid: number;
  at: string;
}

export interface HangRecord {
  /** The plugin whose code was running ('' when the main thread was blocked outside plugin code). */
  plugin: string;
  blockedMs: number;
  at: string;
}

export interface QuarantineEntry {
  id: string;
  version: string;
  hash: string;
  reason: string;
  at: string;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * The boot journal and the quarantine (docs/plugins.md, "Plugins that hang or crash the server"). Before a
 * plugin version's modules and `onLoad` run, the journal records it durably; after, it is cleared. A record
 * left at start means that version ended the process (a hang the watchdog stopped, heap out of memory, a
 * crash): it is quarantined and not loaded again until a different version of the plugin is installed.
 */
export class PluginQuarantine {
  private readonly entries = new Map<string, QuarantineEntry>();
  private readonly hashes: PackageHashes;

  constructor(
    private readonly home: string,
    private readonly log: Logger,
  ) {
    mkdirSync(join(home, 'var'), { recursive: true });
    for (const e of readJson<QuarantineEntry[]>(this.file(PLUGIN_QUARANTINE_FILE)) ?? []) this.entries.set(e.id, e);
    this.hashes = new PackageHashes(this.file(PLUGIN_HASHES_FILE));
  }

  /** The content hash of a plugin package, what tells its versions apart (read again only when its files changed). */
  packageHash(dir: string): string {
    return this.hashes.hash(dir);
  }

  /**
   * At start, before any plugin loads: quarantines what the previous process left in the journal and the
   * hang record. `versionOf` gives a plugin's installed version (for a hang outside loading);
   * `previousExit` says how the previous process ended, when a supervisor knows.
   */
  recover(versionOf: (id: string) => { version: string; hash: string } | undefined, previousExit?: string): QuarantineEntry[] {
    const journal = readJson<JournalEntry>(this.file(PLUGIN_JOURNAL_FILE));
    const hang = readJson<HangRecord>(this.file(PLUGIN_HANG_FILE));
    const added: QuarantineEntry[] = [];
    const how = previousExit ? ` (${previousExit})` : '';
    if (hang?.plugin && hang.plugin !== journal?.id) {
      const v = versionOf(hang.plugin);
      if (v) added.push(this.add(hang.plugin, v.version, v.hash, `its code blocked the event loop for ${hang.blockedMs} ms at ${hang.at}; the hang watchdog ended the process${how}`));
    } else if (journal) {
      const reason = hang?.plugin
        ? `loading it blocked the event loop for ${hang.blockedMs} ms at ${hang.at}; the hang watchdog ended the process${how}`
        : `the process ended while loading it, at or after ${journal.at}${how}: a crash, heap out of memory, a hang or a kill`;
      added.push(this.add(journal.id, journal.version, journal.hash, reason));
    }
    if (added.length) this.save();
    if (journal) removeFileDurably(this.file(PLUGIN_JOURNAL_FILE));
    if (hang) removeFileDurably(this.file(PLUGIN_HANG_FILE));
    return added;
  }

  /** The quarantine entry that stops this version from loading, if any; a different version of the plugin lifts it. */
  blocks(id: string, version: string, hash: string): QuarantineEntry | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (e.hash === hash) return e;
    this.entries.delete(id);
    this.save();
    this.log.info('a new version of the plugin lifts its quarantine', { plugin: id, quarantined: `${e.version}#${e.hash}`, installed: `${version}#${hash}` });
    return undefined;
  }

  /** Lifts a plugin's quarantine (an operator's decision); false when it had none. */
  release(id: string): boolean {
    if (!this.entries.delete(id)) return false;
    this.save();
    this.log.info('plugin quarantine lifted by an administrator', { plugin: id });
    return true;
  }

  list(): QuarantineEntry[] {
    return [...this.entries.values()];
  }

  /** Records durably that this version's code is about to run for the first time. */
  begin(id: string, version: string, hash: string): void {
    const entry: JournalEntry = { id, version, hash, pid: process.pid, at: new Date().toISOString() };
    writeFileDurably(this.file(PLUGIN_JOURNAL_FILE), JSON.stringify(entry) + '\n');
  }

  /** The version loaded (or failed cleanly): the process survived it. */
  end(): void {
    removeFileDurably(this.file(PLUGIN_JOURNAL_FILE));
  }

  private add(id: string, version: string, hash: string, reason: string): QuarantineEntry {
    const e: QuarantineEntry = { id, version, hash, reason, at: new Date().toISOString() };
    this.entries.set(id, e);
    this.log.error(`plugin ${id} ${version} is quarantined and will not be loaded: ${reason}; install a new version to lift it`, { plugin: id, version, hash });
    return e;
  }

  private save(): void {
    writeFileDurably(this.file(PLUGIN_QUARANTINE_FILE), JSON.stringify(this.list(), null, 2) + '\n');
  }

  private file(rel: string): string {
    return join(this.home, rel);
  }
}

/** The quarantined versions of a home, read without a server (`plugins list` on a stopped server). */
export function readQuarantine(home: string): QuarantineEntry[] {
  const f = join(home, PLUGIN_QUARANTINE_FILE);
  return existsSync(f) ? (readJson<QuarantineEntry[]>(f) ?? []) : [];
}
