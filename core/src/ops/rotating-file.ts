import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** java.util.logging.FileHandler's rotation: `count` files of `limit` bytes; generation 0 is the newest. */
export interface RotationSettings {
  /** The file name pattern; `%g` marks the generation, else `.N` is appended (Tigase: logs/tigase.log → tigase.log.0). */
  pattern: string;
  count: number;
  /** Bytes per file before rotating; 0 = no limit. */
  limit: number;
}

export function generationFile(pattern: string, g: number): string {
  return pattern.includes('%g') ? pattern.replaceAll('%g', String(g)) : `${pattern}.${g}`;
}

/**
 * A size-rotated log file written with synchronous appends (it runs in the log worker thread, or for
 * low-volume logs such as statistics.log on the main thread). At open, an existing generation 0 is
 * rotated away, as FileHandler does without `append`, so each run starts a fresh `.0`. While open, a
 * `<.0 file>.lck` marks the file as in use; close() removes it.
 */
export class RotatingFile {
  private fd: number;
  private size = 0;
  private readonly lockFile: string;

  constructor(readonly settings: RotationSettings) {
    const first = generationFile(settings.pattern, 0);
    mkdirSync(dirname(first), { recursive: true });
    this.lockFile = first + '.lck';
    closeSync(openSync(this.lockFile, 'w'));
    if (existsSync(first) && statSync(first).size > 0) this.shift();
    this.fd = openSync(first, 'a');
  }

  /** Appends whole lines; rotates after a line brings the file to `limit` bytes or more. */
  write(text: string): void {
    const { limit } = this.settings;
    if (limit <= 0 || this.size + Buffer.byteLength(text) < limit) {
      this.size += writeSync(this.fd, text);
      return;
    }
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf('\n', start);
      const end = nl < 0 ? text.length : nl + 1;
      this.size += writeSync(this.fd, text.slice(start, end));
      start = end;
      if (this.size >= limit) this.rotate();
    }
  }

  close(): void {
    closeSync(this.fd);
    rmSync(this.lockFile, { force: true });
  }

  private rotate(): void {
    closeSync(this.fd);
    this.shift();
    this.fd = openSync(generationFile(this.settings.pattern, 0), 'a');
    this.size = 0;
  }

  /** .N-2 → .N-1, …, .0 → .1 (the oldest falls off). */
  private shift(): void {
    const { pattern, count } = this.settings;
    for (let g = count - 2; g >= 0; g--) {
      const from = generationFile(pattern, g);
      if (existsSync(from)) renameSync(from, generationFile(pattern, g + 1));
    }
    if (count <= 1) rmSync(generationFile(pattern, 0), { force: true });
  }
}
