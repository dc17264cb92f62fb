import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '@starling/sdk';

/**
 * The local admin channel: a Unix socket in the home's `var/admin/` (a directory only the owner can
 * enter) through which the CLI reaches the server running on that home. `user del` and `user passwd` go
 * through it, so the running server ends the sessions of a deleted account; `start` asks it whether a
 * server already runs. One JSON request per line, one JSON answer per line.
 */
export const ADMIN_SOCKET = join('var', 'admin', 'starling.sock');

export type AdminRequest = { op: 'hello' } | { op: 'user-del'; jid: string } | { op: 'user-passwd'; jid: string; password: string };

export type AdminAnswer =
  | { ok: true; pid: number; deleted?: boolean; sessionsEnded?: number; changed?: boolean }
  | { ok: false; error: string };

/** What the running server does for each request. */
export interface AdminChannelHandlers {
  /** Deletes the account and ends its sessions; false when there is no such account. */
  deleteUser(jid: string): Promise<{ deleted: boolean; sessionsEnded: number }>;
  /** false when there is no such account. */
  setPassword(jid: string, password: string): Promise<boolean>;
}

/** Longest request accepted (a JID and a password fit many times over). */
const MAX_REQUEST = 64 * 1024;

export class AdminChannel {
  private constructor(
    private readonly server: Server,
    private readonly path: string,
  ) {}

  /** Listens on the home's socket, replacing a stale one left by a server that died. */
  static async listen(home: string, handlers: AdminChannelHandlers, log: Logger): Promise<AdminChannel> {
    const path = join(home, ADMIN_SOCKET);
    const dir = join(home, 'var', 'admin');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    if (existsSync(path)) rmSync(path, { force: true });
    const server = createServer((socket) => serve(socket, handlers, log));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o600);
    return new AdminChannel(server, path);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }
}

function serve(socket: Socket, handlers: AdminChannelHandlers, log: Logger): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.length > MAX_REQUEST) return void socket.end(JSON.stringify({ ok: false, error: 'request too long' }) + '\n');
    const nl = buffer.indexOf('\n');
    if (nl < 0) return;
    const line = buffer.slice(0, nl);
    answer(line, handlers).then(
      (a) => socket.end(JSON.stringify(a) + '\n'),
      (err: Error) => {
        log.error('admin channel request failed', { err });
        socket.end(JSON.stringify({ ok: false, error: err.message }) + '\n');
      },
    );
  });
}

async function answer(line: string, handlers: AdminChannelHandlers): Promise<AdminAnswer> {
  let req: AdminRequest;
  try {
    req = JSON.parse(line) as AdminRequest;
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  switch (req.op) {
    case 'hello':
      return { ok: true, pid: process.pid };
    case 'user-del':
      return { ok: true, pid: process.pid, ...(await handlers.deleteUser(String(req.jid))) };
    case 'user-passwd':
      return { ok: true, pid: process.pid, changed: await handlers.setPassword(String(req.jid), String(req.password)) };
    default:
      return { ok: false, error: `unknown request '${(req as { op?: unknown }).op}'` };
  }
}

/**
 * Sends one request to the server running on `home`; undefined when none listens there (no socket, or a
 * stale one nobody accepts on).
 */
export async function askRunningServer(home: string, req: AdminRequest): Promise<AdminAnswer | undefined> {
  const path = join(home, ADMIN_SOCKET);
  if (!existsSync(path)) return undefined;
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let data = '';
    let connected = false;
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      socket.write(JSON.stringify(req) + '\n');
    });
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => {
      try {
        resolve(JSON.parse(data) as AdminAnswer);
      } catch {
        reject(new Error(`the running server gave an unreadable answer: ${data.slice(0, 200)}`));
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected && (err.code === 'ECONNREFUSED' || err.code === 'ENOENT')) resolve(undefined);
      else reject(err);
    });
  });
}

/** The pid of the server running on `home`, if one answers on its admin channel. */
export async function runningServerPid(home: string): Promise<number | undefined> {
  const a = await askRunningServer(home, { op: 'hello' });
  return a?.ok ? a.pid : undefined;
}
