import type { LogLevel, Logger } from '../services';

export interface LogRecord {
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A logger that keeps every record when given an array (for assertions such as "the failure was logged
 * with the plugin id"; pass null to keep none) and echoes those at or above `echo` to stderr.
 */
export class MemoryLogger implements Logger {
  constructor(
    readonly records: LogRecord[] | null = [],
    private readonly bindings: Record<string, unknown> = {},
    private readonly echo: LogLevel | 'none' = 'none',
  ) {}

  private write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    const rec = { level, msg, fields: { ...this.bindings, ...fields } };
    this.records?.push(rec);
    if (this.echo !== 'none' && RANK[level] >= RANK[this.echo]) {
      const extra = Object.entries(rec.fields)
        .map(([k, v]) => `${k}=${v instanceof Error ? (v.stack ?? v.message) : typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase()} ${msg}${extra ? ' ' + extra : ''}\n`);
    }
  }
  debug(msg: string, fields?: Record<string, unknown>): void {
    this.write('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.write('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.write('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.write('error', msg, fields);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new MemoryLogger(this.records, { ...this.bindings, ...bindings }, this.echo);
  }
}
