import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The shipped default config, copied into a new home. */
export const DEFAULT_CONFIG = resolve(__dirname, '../../../../etc/config.tdsl');

/** Makes sure a home has etc/config.tdsl (copying the default) and its working folders. */
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
