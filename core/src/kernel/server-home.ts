import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ServerHome, StarlingError } from '@starling/sdk';

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** SERVER_HOME: plugins' own folders under `<home>/var/`. */
export class ServerHomeDirs implements ServerHome {
  constructor(private readonly home: string) {}

  varDir(name: string): string {
    if (!NAME.test(name)) throw new StarlingError('STARLING_CONFIG_VALUE', `not a plain folder name under var/: ${JSON.stringify(name)}`);
    const dir = join(this.home, 'var', name);
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    return dir;
  }
}
