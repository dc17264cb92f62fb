import { resolve } from 'node:path';
import { StarlingError, tryParseJid } from '@starling/sdk';
import type { BeanView } from '../config/bean-view';
import { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from '../scripting/sandbox-protocol';

export interface AdminCommandsConfig {
  /** `'scripts-dir'` (default `scripts/admin`), resolved against the home. */
  scriptsDir: string;
  /** `'script-sandbox' { 'memory-limit' = 32; 'cpu-timeout' = 2000; 'wall-timeout' = 10000; 'pool-size' = 2; 'max-concurrent' = 4; 'result-limit' = 256 }` (MB, ms, KB). */
  limits: SandboxLimits;
  /** `trusted = [ … ]`: bare JIDs that may run every command, like admins. */
  trusted: string[];
}

const LIMIT_KEYS: [keyof SandboxLimits, string, number, number][] = [
  ['memoryMb', 'memory-limit', 8, 4096],
  ['cpuTimeoutMs', 'cpu-timeout', 10, 600_000],
  ['wallTimeoutMs', 'wall-timeout', 10, 3_600_000],
  ['poolSize', 'pool-size', 0, 64],
  ['maxConcurrent', 'max-concurrent', 1, 256],
  ['resultKb', 'result-limit', 1, 65_536],
];

export function readAdminConfig(top: BeanView, home: string): AdminCommandsConfig {
  const dir = top.get('scripts-dir');
  if (dir !== undefined && dir !== null && typeof dir !== 'string') throw typeError(top, 'scripts-dir', 'a directory path');
  const bean = top.bean('script-sandbox');
  const limits = { ...DEFAULT_SANDBOX_LIMITS };
  for (const [field, k, min, max] of LIMIT_KEYS) {
    const v = bean?.get(k);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw typeError(bean!, k, `a whole number from ${min} to ${max}`);
    limits[field] = v;
  }
  if (limits.wallTimeoutMs < limits.cpuTimeoutMs) throw typeError(bean!, 'wall-timeout', `at least the cpu-timeout (${limits.cpuTimeoutMs})`);
  const t = top.get('trusted');
  const list = t === undefined || t === null ? [] : Array.isArray(t) ? t : typeof t === 'string' ? t.split(',') : null;
  if (!list) throw typeError(top, 'trusted', 'a list of bare JIDs');
  const trusted = list.map((x) => {
    const j = tryParseJid(String(x).trim());
    if (!j || !j.local || j.resource) throw typeError(top, 'trusted', 'a list of bare JIDs');
    return j.bareString;
  });
  return { scriptsDir: resolve(home, typeof dir === 'string' ? dir : 'scripts/admin'), limits, trusted };
}

function typeError(b: BeanView, key: string, what: string): StarlingError {
  return new StarlingError('STARLING_CONFIG_TYPE', `${b.where(key)}: '${key}' must be ${what}`);
}
