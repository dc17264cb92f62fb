import { isAbsolute, join, resolve } from 'node:path';
import type { BeanView } from '../config/bean-view';
import { beanOrEmpty } from '../config/config-bean-view';
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
  const fh = beanOrEmpty(beanOrEmpty(top, 'logging'), 'java.util.logging.FileHandler');
  const pattern = nonEmpty(fh, 'pattern', 'logs/starling.log');
  // The chapter quotes these numbers ('15', '20000000'): the typed view takes a quoted number too.
  const count = fh.number('count', DEFAULT_LOG_COUNT, { integer: true, min: 1 });
  const limit = fh.number('limit', DEFAULT_LOG_LIMIT, { integer: true, min: 0 });
  const fileLogger = beanOrEmpty(beanOrEmpty(top, 'stats'), 'stats-file-logger');
  return {
    logsDir,
    log: { pattern: isAbsolute(pattern) ? pattern : resolve(home, pattern), count, limit },
    consoleFile: join(logsDir, 'starling-console.log'),
    pidFile: join(logsDir, 'starling.pid'),
    statistics: {
      pattern: join(logsDir, 'statistics.log'),
      count,
      limit,
      frequencySeconds: fileLogger.number('frequency', DEFAULT_STATS_FREQUENCY, { integer: true, min: 0 }),
      level: fileLogger.enum('stats-level', STATS_LEVELS, 'INFO'),
    },
  };
}

function nonEmpty(b: BeanView, key: string, def: string): string {
  const v = b.string(key, def);
  if (v === '') throw b.fail(key, 'a non-empty string');
  return v;
}
