import { resolve } from 'node:path';
import { tryParseJid } from '@starling/sdk';
import type { BeanView } from '../config/bean-view';
import { beanOrEmpty } from '../config/config-bean-view';
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
  const dir = top.string('scripts-dir', 'scripts/admin');
  const bean = beanOrEmpty(top, 'script-sandbox');
  const limits = { ...DEFAULT_SANDBOX_LIMITS };
  for (const [field, k, min, max] of LIMIT_KEYS) limits[field] = bean.number(k, limits[field], { integer: true, min, max });
  if (limits.wallTimeoutMs < limits.cpuTimeoutMs) throw bean.fail('wall-timeout', `at least the cpu-timeout (${limits.cpuTimeoutMs})`);
  const trusted = top.list('trusted', [], 'a list of bare JIDs').map((x) => {
    const j = tryParseJid(x);
    if (!j || !j.local || j.resource) throw top.fail('trusted', 'a list of bare JIDs');
    return j.bareString;
  });
  return { scriptsDir: resolve(home, dir), limits, trusted };
}
