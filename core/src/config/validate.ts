import { ConfigError } from './errors';
import type { ConfigBean } from './model';

/**
 * Throws a ConfigError (STARLING_CONFIG_UNKNOWN_KEY, at the key's file:line:column) for the first
 * top-level key or bean, in file order, that is not in `knownKeys`. Keys starting with `--` are always
 * accepted. The message suggests the closest known key when there is one.
 */
export function validateTopLevel(root: ConfigBean, knownKeys: ReadonlySet<string>): void {
  const unknown = [...root.entries.keys(), ...root.beans.keys()]
    .filter((key) => !key.startsWith('--') && !knownKeys.has(key))
    .map((key) => ({ key, pos: root.keyPos(key) }))
    .sort((a, b) => a.pos.line - b.pos.line || a.pos.column - b.pos.column);
  if (unknown.length === 0) return;
  const { key, pos } = unknown[0];
  const hint = closest(key, knownKeys);
  const more = unknown.length > 1 ? ` (and ${unknown.length - 1} more unknown: ${unknown.slice(1).map((u) => `'${u.key}'`).join(', ')})` : '';
  throw new ConfigError('STARLING_CONFIG_UNKNOWN_KEY', pos, `unknown top-level key '${key}'${hint ? `; did you mean '${hint}'?` : ''}${more}`);
}

/** The known key nearest to `key` by edit distance, if it is near enough to be a typo. */
function closest(key: string, knownKeys: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const known of knownKeys) {
    const d = editDistance(key.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
