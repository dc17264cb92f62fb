import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PluginRecord } from './plugin-host';

/** Where the running server publishes its plugins' state for `starling plugins list`. */
export const PLUGIN_STATUS_FILE = join('var', 'plugins.json');

export interface PluginStatusRow {
  id: string;
  version: string;
  state: string;
  dir: string;
  reloads: number;
  lastError?: string;
  lastErrorAt?: string;
}

export interface PluginStatus {
  pid: number;
  updatedAt: string;
  plugins: PluginStatusRow[];
}

/** Writes var/plugins.json atomically (a reader never sees half a file). */
export function writePluginStatus(home: string, records: PluginRecord[]): void {
  const status: PluginStatus = {
    pid: process.pid,
    updatedAt: new Date().toISOString(),
    plugins: records.map((r) => ({
      id: r.id,
      version: r.version,
      state: r.state,
      dir: r.dir,
      reloads: r.reloads,
      ...(r.lastError ? { lastError: r.lastError, lastErrorAt: new Date(r.lastErrorAt ?? Date.now()).toISOString() } : {}),
    })),
  };
  const file = join(home, PLUGIN_STATUS_FILE);
  mkdirSync(join(home, 'var'), { recursive: true });
  writeFileSync(file + '.tmp', JSON.stringify(status, null, 2) + '\n');
  renameSync(file + '.tmp', file);
}

/** Removes the file at shutdown, if this process wrote it. */
export function removePluginStatus(home: string): void {
  const file = join(home, PLUGIN_STATUS_FILE);
  if (readStatus(file)?.pid === process.pid) rmSync(file, { force: true });
}

function readStatus(file: string): PluginStatus | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PluginStatus;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running server's plugin state, or null when no server of this home is running. */
export function readRunningPluginStatus(home: string): PluginStatus | null {
  const status = readStatus(join(home, PLUGIN_STATUS_FILE));
  return status && alive(status.pid) ? status : null;
}

/** Formats rows as the aligned table `plugins list` prints. */
export function formatPluginTable(rows: PluginStatusRow[]): string {
  const table = [['ID', 'VERSION', 'STATE', 'RELOADS', 'DIRECTORY', 'LAST ERROR']];
  for (const r of rows) table.push([r.id, r.version, r.state, String(r.reloads), r.dir, r.lastError ? `${r.lastErrorAt ?? ''} ${r.lastError}`.trim() : '']);
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  return table.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}
