import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StarlingError } from '@starling/sdk';

/** The shipped default config, copied into a new home. */
export const DEFAULT_CONFIG = resolve(__dirname, '../../../../etc/config.tdsl');

/** Makes sure a home has etc/config.tdsl (copying the default) and its working folders: `init` and `start` only. */
export function prepareHome(home: string): { home: string; created: boolean } {
  const dir = resolve(home);
  const cfg = join(dir, 'etc', 'config.tdsl');
  let created = false;
  if (!existsSync(cfg)) {
    mkdirSync(join(dir, 'etc'), { recursive: true });
    copyFileSync(DEFAULT_CONFIG, cfg);
    created = true;
  }
  for (const sub of ['var', 'logs', 'certs', join('scripts', 'admin')]) mkdirSync(join(dir, sub), { recursive: true });
  return { home: dir, created };
}

/** An existing home, for every command but `init` and `start`: those never create one. */
export function existingHome(home: string, homeFlag: string): string {
  const dir = resolve(home);
  if (!existsSync(join(dir, 'etc', 'config.tdsl'))) {
    throw new StarlingError(
      'STARLING_CLI_NO_HOME',
      `no home at ${dir} (no etc/config.tdsl); create one with 'starling init${homeFlag}' (or 'starling start${homeFlag}'), or pass --home DIR`,
    );
  }
  return dir;
}
