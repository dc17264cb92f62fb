import { isAbsolute, join, resolve } from 'node:path';
import { StarlingError } from '@starling/sdk';
import type { BeanView } from '../config/bean-view';
import type { RotationSettings } from './rotating-file';

/** Where the server writes its operational files, from `logging { java.util.logging.FileHandler { … } }` and `stats`. */
export interface OpsFiles {
  /** logs/ under the home: the console log, the pid file and statistics.log.N live here. */
  logsDir: string;
  /** The detailed log: pattern (default logs/starling.log → starling.log.0 … .N), count (10), limit (10 MB). */
  log: RotationSettings;
  consoleFile: string;
  pidFile: string;
  /** statistics.log.N, rotated as the detailed log; written every `frequency` seconds (0 = never). */
  statistics: RotationSettings & { frequencySeconds: number; level: StatsLevel };
}

export type StatsLevel = 'INFO' | 'FINE' | 'FINER' | 'FINEST';
export const STATS_LEVELS: readonly StatsLevel[] = ['INFO', 'FINE', 'FINER', 'FINEST'];

export const DEFAULT_LOG_COUNT = 10;
export const DEFAULT_LOG_LIMIT = 10_000_000;
export const DEFAULT_STATS_FREQUENCY = 60;

export function readOpsFiles(top: BeanView, home: string): OpsFiles {
  const logsDir = join(home, 'logs');
  const fh = top.bean('logging')?.bean('java.util.logging.FileHandler');
  const pattern = stringKey(fh, 'pattern') ?? 'logs/starling.log';
  const count = intKey(fh, 'count', DEFAULT_LOG_COUNT, 1);
  const limit = intKey(fh, 'limit', DEFAULT_LOG_LIMIT, 0);
  const fileLogger = top.bean('stats')?.bean('stats-file-logger');
  const level = stringKey(fileLogger, 'stats-level') ?? 'INFO';
  if (!STATS_LEVELS.includes(level as StatsLevel)) throw typeError(fileLogger!, 'stats-level', `one of ${STATS_LEVELS.join(', ')}`);
  return {
    logsDir,
    log: { pattern: isAbsolute(pattern) ? pattern : resolve(home, pattern), count, limit },
    consoleFile: join(logsDir, 'starling-console.log'),
    pidFile: join(logsDir, 'starling.pid'),
    statistics: {
      pattern: join(logsDir, 'statistics.log'),
      count,
      limit,
      frequencySeconds: intKey(fileLogger, 'frequency', DEFAULT_STATS_FREQUENCY, 0),
      level: level as StatsLevel,
    },
  };
}

function stringKey(b: BeanView | undefined, key: string): string | undefined {
  const v = b?.get(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') throw typeError(b!, key, 'a non-empty string');
  return v;
}

/** The chapter quotes these numbers ('15', '20000000'): a string of digits is accepted as well as a number. */
function intKey(b: BeanView | undefined, key: string, def: number, min: number): number {
  const v = b?.get(key);
  if (v === undefined || v === null) return def;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) throw typeError(b!, key, `a whole number ≥ ${min}`);
  return n;
}

function typeError(b: BeanView, key: string, what: string): StarlingError {
  return new StarlingError('STARLING_CONFIG_TYPE', `${b.where(key)}: '${key}' must be ${what}`);
}
