import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The concatenated text of files in a directory whose names match, oldest generation first. */
export function readLogs(dir: string, prefix: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && /\.\d+$/.test(f))
    .sort((a, b) => Number(b.split('.').pop()) - Number(a.split('.').pop()))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('');
}

/** Polls until the predicate holds (log lines reach the file from the log worker shortly after they are logged). */
export async function eventually(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
