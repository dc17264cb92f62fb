/**
 * The text form of a log record, shared by the file log, the console log and stderr:
 * `2026-12-05 21:09:41.504 [c2s] server INFO: message key=value` (UTC time, the component or plugin id in
 * brackets, the debug namespace, Tigase's level name).
 */

/** pino's level numbers → the java.util.logging names a Tigase operator knows. */
export const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'FINEST', 20: 'FINE', 30: 'INFO', 40: 'WARNING', 50: 'SEVERE', 60: 'SEVERE' };

/** Keys pino or the logger put on every record; everything else is printed as key=value. */
const RESERVED = new Set(['level', 'time', 'msg', 'c', 'plugin', 'ns', 'console']);

export interface LogRecord {
  level: number;
  time: number;
  msg?: string;
  c?: string;
  plugin?: string;
  ns?: string;
  /** A raw block for the console log only (environment, effective config, shutdown statistics). */
  console?: 1;
  [key: string]: unknown;
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

export function formatRecord(r: LogRecord): string {
  const who = r.plugin ?? r.c ?? 'server';
  let line = `${formatTime(r.time)} [${who}] ${r.ns ?? 'server'} ${LEVEL_NAMES[r.level] ?? 'INFO'}: ${r.msg ?? ''}`;
  for (const k in r) if (!RESERVED.has(k)) line += ` ${k}=${formatValue(r[k])}`;
  return line + '\n';
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  // pino's error serializer: { type, message, stack, code? }
  if (v && typeof v === 'object' && 'message' in v && 'stack' in v) {
    const e = v as { message: string; code?: string };
    return JSON.stringify(e.code ? `${e.code}: ${e.message}` : e.message);
  }
  return JSON.stringify(v);
}
