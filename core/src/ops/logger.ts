import type { Logger, LogLevel } from '@starling/sdk';
import pino from 'pino';
import type { DebugSwitches } from './debug-switches';
import { formatRecord, type LogRecord } from './log-format';
import type { LogTransportOptions } from './log-transport';

const FINEST = 10;
const FINE = 20;
const INFO = 30;

/**
 * The SDK's Logger on pino. INFO and above always pass; FINE (debug) and FINEST (the XML trace) pass when
 * the debug switches enable this logger's namespace, kernel component or plugin. The decision is cached
 * per switches generation, so a disabled debug call costs one integer compare.
 */
export class PinoLogger implements Logger {
  private gen = -1;
  private fine = false;

  constructor(
    private readonly p: pino.Logger,
    private readonly switches: DebugSwitches,
    private readonly ns: string,
    private readonly component: string | undefined,
    private readonly plugin: string | undefined,
  ) {}

  /** FINE (or FINEST) records of this logger are written. */
  isFineEnabled(): boolean {
    if (this.gen !== this.switches.generation) {
      this.gen = this.switches.generation;
      this.fine = this.switches.isFine(this.ns, this.component, this.plugin);
    }
    return this.fine;
  }

  isEnabled(level: LogLevel): boolean {
    return level !== 'debug' || this.isFineEnabled();
  }

  /** FINEST: the wire trace. */
  trace(msg: string, fields?: Record<string, unknown>): void {
    if (this.isFineEnabled()) this.emit(FINEST, msg, fields);
  }
  debug(msg: string, fields?: Record<string, unknown>): void {
    if (this.isFineEnabled()) this.emit(FINE, msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.emit(INFO, msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.emit(40, msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.emit(50, msg, fields);
  }

  /** `{ c }` names a kernel component, `{ plugin }` a plugin (namespace xmpp.impl), `{ ns }` a debug namespace. */
  child(bindings: Record<string, unknown>): PinoLogger {
    const plugin = typeof bindings.plugin === 'string' ? bindings.plugin : this.plugin;
    const component = typeof bindings.c === 'string' ? bindings.c : this.component;
    let ns = typeof bindings.ns === 'string' ? bindings.ns : this.ns;
    if (typeof bindings.plugin === 'string' && typeof bindings.ns !== 'string') {
      ns = 'xmpp.impl';
      bindings = { ...bindings, ns };
    }
    return new PinoLogger(this.p.child(bindings), this.switches, ns, component, plugin);
  }

  private emit(level: number, msg: string, fields: Record<string, unknown> | undefined): void {
    const method = level === FINEST ? this.p.trace : level === FINE ? this.p.debug : level === INFO ? this.p.info : level === 40 ? this.p.warn : this.p.error;
    if (fields) method.call(this.p, fields, msg);
    else method.call(this.p, msg);
  }
}

const PINO_OPTIONS: pino.LoggerOptions = {
  level: 'trace',
  base: undefined,
  timestamp: pino.stdTimeFunctions.epochTime,
};

/** INFO-and-above records as text lines on stderr (console blocks are for the console log file only). */
const STDERR = {
  write(json: string): void {
    const r = JSON.parse(json) as LogRecord;
    if (r.level >= INFO && !r.console) process.stderr.write(formatRecord(r));
  },
};

/** pino's transport stream (a thread-stream to the worker). */
type WorkerStream = ReturnType<typeof pino.transport>;

/** The server's logging: a pino logger whose records a worker thread formats and writes (log-transport.ts). */
export class Logging {
  private constructor(
    readonly log: PinoLogger,
    readonly switches: DebugSwitches,
    private readonly root: pino.Logger,
    private readonly stream: WorkerStream | undefined,
  ) {}

  /**
   * The files through the log worker; INFO and above also to stderr, written at once on this thread so that
   * a line is on stderr before whatever the server does next (stderr lines are few: no FINE, no trace).
   */
  static toFiles(options: LogTransportOptions, switches: DebugSwitches): Logging {
    const stream: WorkerStream = pino.transport({ target: require.resolve('./log-transport'), options });
    // The worker failing (a disk that fills, a directory removed) must not take the server down: say so on stderr.
    stream.on('error', (err: Error) => process.stderr.write(`starling: the log worker failed, log files are no longer written: ${err.message}\n`));
    const root = pino(PINO_OPTIONS, pino.multistream([{ level: 'trace', stream }, { level: 'info', stream: STDERR }]));
    return new Logging(new PinoLogger(root, switches, 'server', undefined, undefined), switches, root, stream);
  }

  /** INFO and above to stderr only (the CLI's short commands: no worker, no files). */
  static stderrOnly(switches: DebugSwitches): Logging {
    const root = pino(PINO_OPTIONS, STDERR);
    return new Logging(new PinoLogger(root, switches, 'server', undefined, undefined), switches, root, undefined);
  }

  /** A block of text for the console log only (environment, effective config, shutdown statistics). */
  consoleBlock(text: string): void {
    this.root.info({ console: 1 }, text.endsWith('\n') ? text : text + '\n');
  }

  /** Flushes and stops the log worker (every record logged before is on disk when this resolves). */
  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    await new Promise<void>((resolve) => {
      stream.once('close', () => resolve());
      stream.once('error', () => resolve());
      try {
        stream.end();
      } catch {
        resolve();
      }
    });
  }
}
