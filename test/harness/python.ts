import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './server';

/** Runs a slixmpp script from test/interop with Debian's python3 and parses the JSON it prints. */
export function runInterop<T = Record<string, unknown>>(script: string, args: (string | number)[], timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', [join(REPO, 'test', 'interop', script), ...args.map(String)], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${script} failed: ${err.message}\n${stderr}`));
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`${script} printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}
