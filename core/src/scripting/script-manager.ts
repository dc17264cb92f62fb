import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { type Logger, StarlingError } from '@starling/sdk';
import { type FSWatcher, watch } from 'chokidar';
import type { AdminComponent } from '../commands/admin-component';
import { commandFileStem, isValidCommandId } from './command-id';
import { prepareJavaScript, type PreparedScript } from './prepare-script';
import { ScriptCommand, type ScriptDefinition, type ScriptOrigin, type ScriptRunner } from './script-command';
import { readHeader, stripHeader, writeHeader } from './script-header';
import { type ScriptLanguage, languageOfFile } from './script-language';
import { writeFileDurably } from '../kernel/durable-file';
import type { TypeScriptChecker } from './ts-checker';

/** Components whose scripts sit in the base directory without an `AS:Component:` line go to sess-man, as before Tigase 4.4. */
export const DEFAULT_SCRIPT_COMPONENT = 'sess-man';
/** Tigase's component classes (`AS:ComponentClass:`) and the components that stand for them here. */
const COMPONENT_CLASSES: Record<string, string> = {
  'tigase.server.xmppsession.SessionManager': 'sess-man',
  'tigase.vhosts.VHostManager': 'vhost-man',
  'tigase.server.MessageRouter': 'message-router',
};
const RANK_BUILT_IN = 1;
const RANK_BASE = 2;
const RANK_COMPONENT_DIR = 3;

export interface ScriptManagerOptions {
  components: ReadonlyMap<string, AdminComponent>;
  /** The home's scripts directory (`scripts-dir`, default `<home>/scripts/admin`): loaded, watched, written. */
  dir: string;
  /** The stock scripts shipped with Starling, loaded under the home's (read-only, not watched); omitted when it is `dir`. */
  builtInDir?: string;
  checker: TypeScriptChecker;
  /** Capability names per component (what the TypeScript checker declares). */
  capabilities: (component: string) => Record<string, readonly string[]>;
  run: ScriptRunner;
  log: Logger;
}

export interface UploadRequest {
  component: string;
  id: string;
  description: string;
  group?: string;
  language: ScriptLanguage;
  text: string;
  saveToDisk: boolean;
}

/** What "Remove command script" did with the files that defined the command. */
export interface RemoveReport {
  deleted: string[];
  /** Files left on disk: stock scripts, files that serve other components too, "Remove from disk" off, or a failed delete. */
  kept: { path: string; why: 'stock' | 'shared' | 'not-asked' | 'failed' }[];
}

const key = (component: string, id: string) => `${component}\n${id}`;

/**
 * The admin scripts of all components: stock scripts, files in the scripts directory (watched with
 * chokidar: a saved file becomes a command, an edit replaces it, a delete removes it) and scripts uploaded
 * with "New command script". When several define the same command, an upload beats a file in
 * `<dir>/<component>/`, which beats a file in `<dir>/`, which beats a stock script.
 */
export class ScriptManager {
  /** component+id → definitions by source (file path or 'upload'). */
  private readonly entries = new Map<string, Map<string, ScriptDefinition>>();
  /** file path → the component+id keys it defines. */
  private readonly fileKeys = new Map<string, Set<string>>();
  private readonly queues = new Map<string, Promise<void>>();
  private watcher: FSWatcher | undefined;

  constructor(private readonly o: ScriptManagerOptions) {}

  /** Loads every script file; JavaScript is ready when this resolves, TypeScript files finish in the background. */
  async loadAll(): Promise<void> {
    try {
      mkdirSync(this.o.dir, { recursive: true });
    } catch (err) {
      this.o.log.error('cannot create the scripts directory; scripts cannot be saved to disk', { dir: this.o.dir, err });
    }
    const files: string[] = [];
    const stock = this.stockDir();
    if (stock) files.push(...scriptFiles(stock));
    files.push(...scriptFiles(this.o.dir));
    for (const name of this.o.components.keys()) {
      if (stock) files.push(...scriptFiles(join(stock, name)));
      files.push(...scriptFiles(join(this.o.dir, name)));
    }
    const ts: string[] = [];
    for (const f of files) {
      if (languageOfFile(f)?.ext === 'ts') ts.push(f);
      else await this.loadFile(f);
    }
    for (const f of ts) void this.loadFile(f);
  }

  /** Loads the scripts of a component that appeared after loadAll (a plugin component loaded at run time). */
  async loadComponent(name: string): Promise<void> {
    const files: string[] = [];
    const stock = this.stockDir();
    if (stock) files.push(...scriptFiles(stock), ...scriptFiles(join(stock, name)));
    files.push(...scriptFiles(this.o.dir), ...scriptFiles(join(this.o.dir, name)));
    for (const f of files) await this.loadFile(f);
  }

  /** The installation's stock scripts directory, when it is not the home's scripts directory. */
  private stockDir(): string | undefined {
    const stock = this.o.builtInDir && resolve(this.o.builtInDir);
    return stock && stock !== resolve(this.o.dir) ? stock : undefined;
  }

  /** Watches the scripts directory and its component subdirectories. */
  async watch(): Promise<void> {
    const root = resolve(this.o.dir);
    if (!existsSync(root)) return;
    const w = watch(root, {
      ignoreInitial: true,
      depth: 1,
      awaitWriteFinish: { stabilityThreshold: 150, pollInterval: 25 },
      ignored: (p: string) => p !== root && isSkipped(basename(p)),
    });
    w.on('add', (p) => void this.loadFile(p));
    w.on('change', (p) => void this.loadFile(p));
    w.on('unlink', (p) => void this.unloadFile(p));
    w.on('unlinkDir', (d) => {
      for (const f of [...this.fileKeys.keys()]) if (f.startsWith(d + sep)) void this.unloadFile(f);
    });
    w.on('error', (err) => this.o.log.error('watching the scripts directory failed', { err }));
    await new Promise<void>((res) => w.once('ready', () => res()));
    this.watcher = w;
  }

  async stop(): Promise<void> {
    await this.watcher?.close();
    this.watcher = undefined;
    await Promise.allSettled(this.queues.values());
  }

  /** Loads a script given with "New command script"; throws a StarlingError whose message the admin sees. */
  async upload(r: UploadRequest): Promise<void> {
    const comp = this.component(r.component);
    if (!isValidCommandId(r.id))
      throw new StarlingError('STARLING_SCRIPT_ID', `'${r.id}' is not a valid command id: use letters, digits, '.', '_' and '-' (up to 64), optionally after a namespace like http://jabber.org/protocol/admin#`);
    if (comp.isBuiltIn(r.id)) throw new StarlingError('STARLING_SCRIPT_ID', `'${r.id}' is a built-in command and cannot be replaced`);
    const description = r.description.replace(/[\r\n]+/g, ' ').trim();
    if (!description) throw new StarlingError('STARLING_SCRIPT_HEADER', 'the description must not be empty');
    const group = r.group?.replace(/[\r\n]+/g, ' ').trim() || undefined;
    const stem = commandFileStem(r.id);
    const filename = `${stem}.${r.language.ext}`;
    // Checked as the admin wrote it, so that error positions match their text.
    const prepared = await this.prepare(r.language, r.text, filename, r.component);
    if (!r.saveToDisk) {
      this.install({ component: r.component, id: r.id, description, group, language: r.language, text: r.text, prepared, origin: { kind: 'upload', rank: 4 } });
      return;
    }
    const path = join(this.o.dir, r.component, filename);
    // One header block: the form's values, written over whatever AS: lines the text brought.
    const text = writeHeader({ description, commandId: r.id, component: r.component, group }) + stripHeader(r.text);
    this.claimFile(path, r.id, r.language);
    mkdirSync(dirname(path), { recursive: true });
    // Whole or not at all, even when the process dies or the machine loses power in the middle.
    writeFileDurably(path, text);
    this.install({ component: r.component, id: r.id, description, group, language: r.language, text, prepared, origin: { kind: 'file', path, rank: RANK_COMPONENT_DIR } });
    this.fileKeys.set(path, new Set([key(r.component, r.id)]));
  }

  /**
   * Removes a script command ("Remove command script"): every source of it, until a file defining it
   * changes or the server restarts. With `fromDisk`, its files in the scripts directory are deleted too
   * (a file in the base directory only when it serves this component alone; stock scripts never, even when
   * the scripts directory is the stock one). Says what became of each file; undefined when there was no such
   * script command.
   */
  remove(component: string, id: string, fromDisk: boolean): RemoveReport | undefined {
    const k = key(component, id);
    const defs = this.entries.get(k);
    if (!defs || defs.size === 0) return undefined;
    this.entries.delete(k);
    this.component(component).removeScript(id);
    const report: RemoveReport = { deleted: [], kept: [] };
    for (const def of defs.values()) {
      if (def.origin.kind !== 'file') continue;
      const path = def.origin.path;
      this.fileKeys.get(path)?.delete(k);
      const why = !fromDisk ? 'not-asked' : this.undeletable(path, component);
      if (why) {
        report.kept.push({ path, why });
        continue;
      }
      try {
        unlinkSync(path);
        report.deleted.push(path);
      } catch (err) {
        this.o.log.warn('could not delete a script file', { path, err });
        report.kept.push({ path, why: 'failed' });
      }
    }
    return report;
  }

  /** The script commands of a component in effect, by id, each with where it comes from. */
  list(component: string): ScriptDefinition[] {
    const out: ScriptDefinition[] = [];
    for (const [k, defs] of this.entries) {
      const def = k.startsWith(`${component}\n`) ? best(defs) : undefined;
      if (def) out.push(def);
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Where a definition comes from, for listings: `upload`, `stock`, or the file's path under the scripts directory. */
  sourceOf(def: ScriptDefinition): string {
    if (def.origin.kind === 'upload') return 'upload (not saved)';
    if (def.origin.rank === RANK_BUILT_IN) return `stock: ${basename(def.origin.path)}`;
    return relative(this.o.dir, def.origin.path);
  }

  /** The definition in effect for a command. */
  current(component: string, id: string): ScriptDefinition | undefined {
    return best(this.entries.get(key(component, id)));
  }

  /** Loads (or reloads) one file; a broken file is logged and skipped, and an earlier good version stays. */
  loadFile(path: string): Promise<void> {
    return this.serial(path, () => this.load(path));
  }

  unloadFile(path: string): Promise<void> {
    return this.serial(path, async () => {
      for (const k of this.fileKeys.get(path) ?? []) this.drop(k, path);
      this.fileKeys.delete(path);
    });
  }

  private serial(path: string, op: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(path) ?? Promise.resolve()).then(op).catch((err) => this.o.log.error('loading a script file failed', { path, err }));
    this.queues.set(path, next);
    void next.then(() => this.queues.get(path) === next && this.queues.delete(path));
    return next;
  }

  private async load(path: string): Promise<void> {
    const language = languageOfFile(path);
    if (!language || isSkipped(basename(path))) return;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return; // gone again; the unlink event follows
    }
    const place = this.placeOf(path);
    if (!place) return;
    const h = readHeader(text);
    if (!h.commandId || !h.description) {
      this.o.log.warn('script file skipped: it needs AS:Description: and AS:CommandId: lines', { path });
      return;
    }
    const id = h.commandId;
    const byClass = h.componentClasses?.map((c) => COMPONENT_CLASSES[c]).filter((c) => c !== undefined);
    const targets = place.component ? [place.component] : [...new Set([...(h.components ?? []), ...(byClass ?? [])])];
    if (targets.length === 0) targets.push(DEFAULT_SCRIPT_COMPONENT);
    const keys = new Set<string>();
    for (const component of targets) {
      if (!this.o.components.has(component)) {
        this.o.log.warn('script file names an unknown component', { path, component, known: [...this.o.components.keys()] });
        continue;
      }
      if (this.o.components.get(component)!.isBuiltIn(id)) {
        this.o.log.warn('script file skipped: its id is a built-in command', { path, id });
        continue;
      }
      const k = key(component, id);
      keys.add(k);
      const existing = this.entries.get(k)?.get(path);
      if (existing && existing.text === text) continue;
      let prepared: PreparedScript;
      try {
        prepared = await this.prepare(language, text, basename(path), component);
      } catch (err) {
        this.o.log.error('script file skipped', { path, component, error: (err as Error).message });
        continue;
      }
      const origin: ScriptOrigin = { kind: 'file', path, rank: place.rank };
      this.install({ component, id, description: h.description, group: h.group, language, text, prepared, origin });
      this.o.log.info('script command loaded', { component, id, path });
    }
    for (const old of this.fileKeys.get(path) ?? []) if (!keys.has(old)) this.drop(old, path);
    this.fileKeys.set(path, keys);
  }

  /** Where a file sits: the stock or base directory (components from its header) or a component directory. */
  private placeOf(path: string): { rank: 1 | 2 | 3; component?: string } | undefined {
    const dir = resolve(dirname(path));
    const stock = this.stockDir();
    if (stock && dir === stock) return { rank: RANK_BUILT_IN };
    // A stock component's scripts (scripts/admin/muc/ of the installation) when the home is elsewhere.
    if (stock && resolve(dirname(dir)) === stock && this.o.components.has(basename(dir))) return { rank: RANK_BUILT_IN, component: basename(dir) };
    if (dir === resolve(this.o.dir)) return { rank: RANK_BASE };
    if (resolve(dirname(dir)) === resolve(this.o.dir)) {
      const component = basename(dir);
      if (this.o.components.has(component)) return { rank: RANK_COMPONENT_DIR, component };
      this.o.log.warn('script file in a directory that is not a component', { path, known: [...this.o.components.keys()] });
    }
    return undefined;
  }

  private async prepare(language: ScriptLanguage, text: string, filename: string, component: string): Promise<PreparedScript> {
    const js = language.ext === 'ts' ? await this.o.checker.compile(text, filename, this.o.capabilities(component)) : text;
    return prepareJavaScript(js, filename);
  }

  /** Refuses to overwrite a file that holds another command. */
  private claimFile(path: string, id: string, language: ScriptLanguage): void {
    if (!existsSync(path)) return;
    const other = readHeader(readFileSync(path, 'utf8')).commandId;
    if (other !== undefined && other !== id)
      throw new StarlingError('STARLING_SCRIPT_FILE', `${relative(this.o.dir, path)} already holds command '${other}'; choose another id or ${language.name} file`);
  }

  /** Why a script file may not be deleted for this component, or undefined when it may. */
  private undeletable(path: string, component: string): 'stock' | 'shared' | undefined {
    const dir = resolve(dirname(path));
    if (dir === resolve(this.o.dir, component)) return undefined;
    // The base directory holds the stock scripts when the home is the installation (npm start in the repository).
    if (this.o.builtInDir && (dir === resolve(this.o.builtInDir) || resolve(dirname(dir)) === resolve(this.o.builtInDir))) return 'stock';
    if (dir !== resolve(this.o.dir)) return 'shared';
    const comps = readHeader(readFileSync(path, 'utf8')).components ?? [DEFAULT_SCRIPT_COMPONENT];
    return comps.length === 1 && comps[0] === component ? undefined : 'shared';
  }

  private install(def: ScriptDefinition): void {
    const k = key(def.component, def.id);
    let defs = this.entries.get(k);
    if (!defs) this.entries.set(k, (defs = new Map()));
    const source = def.origin.kind === 'file' ? def.origin.path : 'upload';
    defs.delete(source);
    defs.set(source, def);
    this.publish(def.component, def.id);
  }

  private drop(k: string, source: string): void {
    const defs = this.entries.get(k);
    if (!defs?.delete(source)) return;
    const [component, id] = k.split('\n');
    if (defs.size === 0) this.entries.delete(k);
    this.publish(component, id);
    this.o.log.info('script command unloaded', { component, id, source });
  }

  private publish(component: string, id: string): void {
    const comp = this.component(component);
    const def = best(this.entries.get(key(component, id)));
    if (def) comp.setScript(new ScriptCommand(def, this.o.run));
    else comp.removeScript(id);
  }

  private component(name: string): AdminComponent {
    const c = this.o.components.get(name);
    if (!c) throw new StarlingError('STARLING_SCRIPT_COMPONENT', `there is no component ${name}`);
    return c;
  }
}

/** Highest rank; among equals the one loaded last. */
function best(defs: Map<string, ScriptDefinition> | undefined): ScriptDefinition | undefined {
  let out: ScriptDefinition | undefined;
  for (const d of defs?.values() ?? []) if (!out || d.origin.rank >= out.origin.rank) out = d;
  return out;
}

/** Hidden files and editor backups (`~`) are never scripts. */
function isSkipped(name: string): boolean {
  return name.startsWith('.') || name.endsWith('~');
}

function scriptFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => !isSkipped(basename(p)) && languageOfFile(p) !== undefined && statSync(p).isFile());
}
