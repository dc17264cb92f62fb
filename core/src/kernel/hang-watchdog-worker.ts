import { appendFileSync, mkdirSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Session } from 'node:inspector';
import { parentPort, workerData } from 'node:worker_threads';
import { formatRecord } from '../ops/log-format';
import { writeFileDurably } from './durable-file';
import type { HangWatchdogData } from './hang-watchdog';

/** The hang watchdog's thread (hang-watchdog.ts): it runs while the main thread is blocked. */
const data = workerData as HangWatchdogData;
const names: string[] = [''];
parentPort!.on('message', (m: { slot: number; id: string }) => (names[m.slot] = m.id));

let seen = Atomics.load(data.memory, data.heartbeat);
let seenAt = performance.now();

const timer = setInterval(() => {
  const beat = Atomics.load(data.memory, data.heartbeat);
  const now = performance.now();
  if (beat !== seen) {
    seen = beat;
    seenAt = now;
  } else if (now - seenAt > data.timeoutMs) {
    clearInterval(timer);
    end(Math.round(now - seenAt), names[Atomics.load(data.memory, data.pluginSlot)] ?? '');
  }
}, data.pollMs);

function end(blockedMs: number, plugin: string): void {
  const at = new Date().toISOString();
  const where = plugin ? `in the code of plugin '${plugin}'` : 'outside plugin code';
  const msg = `the main thread has been blocked for ${blockedMs} ms ${where} (more than 'hang-timeout'); ending the process with exit code ${data.exitCode}`;
  try {
    mkdirSync(dirname(data.hangFile), { recursive: true });
    writeFileDurably(data.hangFile, JSON.stringify({ plugin, blockedMs, at }) + '\n');
  } catch {
    // The disk may be the problem; the log line below still names the plugin.
  }
  const line = formatRecord({ level: 60, time: Date.now(), c: 'hang-watchdog', msg, ...(plugin ? { blocked: plugin } : {}) });
  writeSync(2, line);
  if (data.consoleFile) {
    try {
      appendFileSync(data.consoleFile, line);
    } catch {
      // stderr has it
    }
  }
  // process.exit() in a worker ends only the worker. The inspector interrupts the blocked main thread's
  // JavaScript and runs the watchdog's exit there (hang-watchdog.ts: 'exit' listeners run); SIGKILL if that
  // cannot happen (the main thread blocked inside native code).
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 3000);
  try {
    const session = new Session();
    session.connectToMainThread();
    session.post('Runtime.evaluate', { expression: `process[Symbol.for(${JSON.stringify(data.exitHook)})](${data.exitCode})` });
  } catch {
    process.kill(process.pid, 'SIGKILL');
  }
}
