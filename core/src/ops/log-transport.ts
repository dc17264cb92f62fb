import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { formatRecord, type LogRecord } from './log-format';
import { RotatingFile, type RotationSettings } from './rotating-file';

/** What the log worker writes (pino.transport options; plain data, copied into the worker). */
export interface LogTransportOptions {
  /** The detailed log (logs/starling.log.N), every record that passed the debug switches. */
  file?: RotationSettings;
  /** The console log (logs/starling-console.log), appended: INFO and above, and the console blocks. */
  consoleFile?: string;
}

const INFO = 30;

/**
 * The pino transport that runs in pino's worker thread: the main thread only serialises a record and
 * hands it over; formatting, rotation and every write system call happen here, off the event loop.
 */
export default function logTransport(opts: LogTransportOptions): Writable {
  const file = opts.file ? new RotatingFile(opts.file) : undefined;
  let consoleFd: number | undefined;
  if (opts.consoleFile) {
    mkdirSync(dirname(opts.consoleFile), { recursive: true });
    consoleFd = openSync(opts.consoleFile, 'a');
  }
  let partial = '';
  const writeChunk = (chunk: string): void => {
    const text = partial + chunk;
    const last = text.lastIndexOf('\n');
    partial = text.slice(last + 1);
    if (last < 0) return;
    let detailed = '';
    let consoleText = '';
    for (const json of text.slice(0, last).split('\n')) {
      if (!json) continue;
      const r = JSON.parse(json) as LogRecord;
      if (r.console) {
        consoleText += r.msg ?? '';
        continue;
      }
      const line = formatRecord(r);
      detailed += line;
      if (r.level >= INFO) consoleText += line;
    }
    if (detailed && file) file.write(detailed);
    if (consoleFd !== undefined && consoleText) writeSync(consoleFd, consoleText);
  };
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _enc, cb) {
      try {
        writeChunk(chunk.toString());
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    final(cb) {
      file?.close();
      if (consoleFd !== undefined) closeSync(consoleFd);
      cb();
    },
  });
}
