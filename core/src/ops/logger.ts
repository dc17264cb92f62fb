import type { Logger, LogLevel } from '@starling/sdk';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  write(line: string): void;
}

/** A line logger: `2026-11-25T10:00:00.000Z INFO [plugin=amp] message key=value`. */
export class LineLogger implements Logger {
  constructor(
    private readonly sink: LogSink,
    private readonly minLevel: LogLevel = 'info',
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }

  child(bindings: Record<string, unknown>): Logger {
    return new LineLogger(this.sink, this.minLevel, { ...this.bindings, ...bindings });
  }

  isEnabled(level: LogLevel): boolean {
    return LEVELS[level] >= LEVELS[this.minLevel];
  }

  private log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (LEVELS[level] < LEVELS[this.minLevel]) return;
    let line = `${new Date().toISOString()} ${level.toUpperCase()}`;
    for (const k in this.bindings) line += ` [${k}=${String(this.bindings[k])}]`;
    line += ' ' + msg;
    if (fields) for (const k in fields) line += ` ${k}=${formatValue(fields[k])}`;
    this.sink.write(line + '\n');
  }
}

function formatValue(v: unknown): string {
  if (v instanceof Error) return JSON.stringify((v as Error & { code?: string }).code ? `${(v as Error & { code?: string }).code}: ${v.message}` : v.message);
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

export const stderrSink: LogSink = { write: (line) => void process.stderr.write(line) };
