import { type ChildProcess, execFile, spawn } from 'node:child_process';
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

/** slixmpp (test/interop/echo_bot.py) answering "echo: <body>" on a c2s port; resolves once it is online. */
export function echoBot(port: number, fullJid: string, password: string): Promise<{ proc: ChildProcess; got: { from: string; body: string }[] }> {
  return new Promise((resolve, reject) => {
    const proc = spawn('/usr/bin/python3', [join(REPO, 'test/interop/echo_bot.py'), String(port), fullJid, password, '120'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const got: { from: string; body: string }[] = [];
    let buf = '';
    let err = '';
    proc.stderr!.on('data', (d) => (err += d));
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        if (line.ready) resolve({ proc, got });
        if (line.got) got.push(line.got);
      }
    });
    proc.once('exit', (code) => reject(new Error(`echo bot exited with ${code}: ${err}`)));
  });
}
