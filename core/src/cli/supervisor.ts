import { type ChildProcess, spawn } from 'node:child_process';
import { formatRecord } from '../ops/log-format';
import { HANG_EXIT_CODE } from '../kernel/hang-watchdog';
import { DEFAULT_RESTARTS } from '../kernel/settings';

/** The message a supervised server sends once it serves (after that, any exit but a requested stop is a crash). */
export const RUNNING_MESSAGE = 'starling:running';

/** What a supervised server sends as soon as it has read its config: 'restart-limit' and 'restart-window'. */
export interface RestartLimitsMessage {
  type: 'starling:restart-limits';
  limit: number;
  windowMs: number;
}

export function restartLimitsMessage(restarts: { limit: number; windowMs: number }): RestartLimitsMessage {
  return { type: 'starling:restart-limits', limit: restarts.limit, windowMs: restarts.windowMs };
}

function isRestartLimits(m: unknown): m is RestartLimitsMessage {
  const r = m as Partial<RestartLimitsMessage> | null;
  return typeof r === 'object' && r !== null && r.type === 'starling:restart-limits' && Number.isFinite(r.limit) && Number.isFinite(r.windowMs);
}

/** How long a stop request waits for the server before SIGKILL (the hang watchdog ends a blocked one sooner). */
const STOP_GRACE_MS = 60_000;

function say(level: 30 | 50, msg: string): void {
  process.stderr.write(formatRecord({ level, time: Date.now(), c: 'supervisor', msg }));
}

/** How a server process ended, in words an operator can act on. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (code === HANG_EXIT_CODE) return `exit code ${code}: the hang watchdog ended it, its main thread was blocked`;
  if (signal === 'SIGABRT') return 'signal SIGABRT: a fatal V8 error such as JavaScript heap out of memory';
  if (signal === 'SIGKILL') return 'signal SIGKILL: killed, e.g. by the kernel out of memory';
  if (signal) return `signal ${signal}`;
  return `exit code ${code}`;
}

/** Whether an exit is a crash worth a restart: always a hang, abort or kill; any other exit once the server served. */
function isCrash(code: number | null, signal: NodeJS.Signals | null, served: boolean): boolean {
  if (code === HANG_EXIT_CODE || signal === 'SIGABRT' || signal === 'SIGKILL' || signal === 'SIGSEGV' || signal === 'SIGBUS') return true;
  return served && code !== 0;
}

/**
 * `starling start`: runs the server as a child process (`start --foreground`) and restarts it after a crash
 * (a hang the watchdog ended, heap out of memory, a fatal signal), at most 'restart-limit' times within
 * 'restart-window'. The restarted server quarantines the plugin version that was loading or running
 * (kernel/plugin-quarantine.ts) and is told how its predecessor ended. SIGTERM and SIGINT go to the server;
 * the supervisor exits with its exit code. A config error or a clean exit is not restarted.
 *
 * The supervisor does not read the config itself: each server it starts reads it once and sends its restart
 * keys back (RestartLimitsMessage) before any plugin loads, so an edited 'restart-limit' applies from the
 * next restart on. Until the first server has sent them (it failed before reading its config) the defaults apply.
 */
export async function supervise(home: string, cliFile: string): Promise<number> {
  let { limit, windowMs } = DEFAULT_RESTARTS;
  const restarts: number[] = [];
  let stopping: NodeJS.Signals | undefined;
  let child: ChildProcess | undefined;
  let previousExit: string | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = signal;
    child?.kill(signal);
    setTimeout(() => child?.kill('SIGKILL'), STOP_GRACE_MS).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (;;) {
    const env = { ...process.env };
    if (previousExit) env.STARLING_PREVIOUS_EXIT = previousExit;
    const proc = spawn(process.execPath, [...process.execArgv, cliFile, 'start', '--foreground', '--home', home], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env });
    child = proc;
    let served = false;
    proc.on('message', (m) => {
      if (m === RUNNING_MESSAGE) served = true;
      else if (isRestartLimits(m)) ({ limit, windowMs } = m);
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => proc.once('exit', (c, s) => res([c, s])));
    child = undefined;
    if (stopping) return code ?? 0;
    const how = describeExit(code, signal);
    if (!isCrash(code, signal, served)) {
      if (code !== 0) say(50, `the server (pid ${proc.pid}) ended with ${how}${served ? '' : ' before it served'}; not restarting`);
      return code ?? 1;
    }
    const now = Date.now();
    while (restarts.length && restarts[0] <= now - windowMs) restarts.shift();
    if (restarts.length >= limit) {
      say(50, `the server (pid ${proc.pid}) ended with ${how}; not restarting: ${restarts.length} restarts within ${windowMs / 1000} s already ('restart-limit' = ${limit}, 'restart-window' = ${windowMs / 1000})`);
      return code ?? 1;
    }
    restarts.push(now);
    say(50, `the server (pid ${proc.pid}) ended with ${how}; restarting it (${restarts.length} of ${limit} within ${windowMs / 1000} s)`);
    previousExit = how;
  }
}
