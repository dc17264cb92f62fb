import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { connect } from './harness/clients';
import { CLI, DOMAIN, REPO, TestServer } from './harness/server';

const run = promisify(execFile);

async function cliFails(server: TestServer, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    await server.cli(...args);
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  throw new Error(`starling ${args.join(' ')} did not fail`);
}

/** Asserts that SASL refuses the login (a client-side stream timeout on a loaded machine is retried). */
async function loginRefused(port: number, username: string, password: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const c = await connect({ port, username, password });
      await c.stop();
      assert.fail(`${username} could still log in`);
    } catch (err) {
      if ((err as Error).name === 'TimeoutError' && attempt < 3) continue;
      assert.match(String(err), /not-authorized/);
      return;
    }
  }
}

/** Every file and directory under `dir` with its size and modification time. */
function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((f) => {
      const st = statSync(join(dir, f));
      return `${f} ${st.isDirectory() ? 'dir' : st.size} ${st.mtimeMs}`;
    });
}

/** Runs the CLI in `cwd` without --home; resolves its exit code and output. */
async function cliIn(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Appends TDSL to the home's config for the length of `body`. */
async function withConfig<T>(server: TestServer, extra: string, body: (firstLine: number) => Promise<T>): Promise<T> {
  const cfg = join(server.home, 'etc', 'config.tdsl');
  const original = readFileSync(cfg, 'utf8');
  writeFileSync(cfg, original + extra);
  try {
    return await body(original.split('\n').length);
  } finally {
    writeFileSync(cfg, original);
  }
}

/**
 * Types into `starling user add` through a pseudo-terminal (python3's pty module): answers each prompt
 * with the next of `answers`, and returns everything the terminal showed plus the exit code.
 */
function typeOnTerminal(home: string, jid: string, answers: string[]): Promise<{ code: number; screen: string }> {
  const script = `
import os, pty, sys, json, select, time
node, cli, home, jid = sys.argv[1:5]
answers = json.loads(sys.argv[5])
pid, fd = pty.fork()
if pid == 0:
    os.execv(node, [node, cli, 'user', 'add', jid, '--home', home])
screen = b''
deadline = time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if fd in r:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    if answers and screen.rstrip().endswith(b':'):
        os.write(fd, answers.pop(0).encode() + b'\\r')
        screen += b'<typed>'
_, status = os.waitpid(pid, 0)
print(json.dumps({'code': os.waitstatus_to_exitcode(status), 'screen': screen.decode('utf-8', 'replace')}))
`;
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', ['-c', script, process.execPath, CLI, home, jid, JSON.stringify(answers)], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!));
    });
  });
}

describe('the starling CLI', () => {
  let server: TestServer;
  before(async () => {
    server = await TestServer.create();
  });
  after(async () => server.dispose());

  it('adds a user that can then log in, refuses a duplicate, and deletes it', async () => {
    assert.match(await server.cli('user', 'add', `carol@${DOMAIN}`, '--password', 's3cret'), /created carol@localhost/);
    assert.match((await cliFails(server, 'user', 'add', `carol@${DOMAIN}`, '--password', 'x')).stderr, /already exists/);
    await server.start();
    const c = await connect({ port: server.port, username: 'carol', password: 's3cret' });
    await c.stop();
    await server.stop();
    assert.match(await server.cli('user', 'del', `carol@${DOMAIN}`), /deleted carol@localhost/);
    assert.match((await cliFails(server, 'user', 'del', `carol@${DOMAIN}`)).stderr, /does not exist/);
  });

  it('stores no password in clear', async () => {
    await server.cli('user', 'add', `dave@${DOMAIN}`, '--password', 'UniquePlainSecret42');
    const db = readFileSync(join(server.home, 'var', 'starling.db'));
    const wal = (() => {
      try {
        return readFileSync(join(server.home, 'var', 'starling.db-wal'));
      } catch {
        return Buffer.alloc(0);
      }
    })();
    assert.equal(Buffer.concat([db, wal]).includes('UniquePlainSecret42'), false);
  });

  it('refuses a JID of a domain the server does not serve', async () => {
    const r = await cliFails(server, 'user', 'add', 'eve@example.org', '--password', 'x');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /example\.org is not a virtual host/);
  });

  it('reads the password from standard input when --password is absent', async () => {
    const child = execFile(process.execPath, [CLI, 'user', 'add', `frank@${DOMAIN}`, '--home', server.home]);
    child.stdin!.end('fromstdin\n');
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 0);
    await server.start();
    const c = await connect({ port: server.port, username: 'frank', password: 'fromstdin' });
    await c.stop();
    await server.stop();
  });

  it('writes config-dump.properties with effective values and masked passwords', async () => {
    const cfg = join(server.home, 'etc', 'config.tdsl');
    const original = readFileSync(cfg, 'utf8');
    writeFileSync(cfg, original + "dataSource { default () { uri = 'jdbc:postgresql://127.0.0.1/db?user=u&password=hunter2' } }\n");
    try {
      await server.cli('config', 'dump');
      const dump = readFileSync(join(server.home, 'etc', 'config-dump.properties'), 'utf8');
      assert.doesNotMatch(dump, /hunter2/);
      assert.match(dump, /'default-virtual-host' = 'localhost'/);
      assert.match(dump, /'max-stanza-size' = 262144/);
      assert.match(dump, /'urn:xmpp:ping' \(class: '?@starling\/plugin-ping'?, active: true\)/);
    } finally {
      writeFileSync(cfg, original);
    }
  });

  it('reports an unknown top-level key with file:line:column', async () => {
    await withConfig(server, "'defualt-virtual-host' = 'x'\n", async (line) => {
      const r = await cliFails(server, 'check');
      assert.match(r.stdout, new RegExp(`config\\.tdsl:${line}:1: error: unknown key 'defualt-virtual-host' at the top level; did you mean 'default-virtual-host'\\?`));
    });
  });

  it('reports typos below the top level (a bean, a c2s key, a plugin id, a plugin key, a sandbox key) in check and at start', async () => {
    const cfg = join(server.home, 'etc', 'config.tdsl');
    const original = readFileSync(cfg, 'utf8');
    const text = original.replace('c2s {\n', "c2s {\n    conections { ports = [ 5222 ] }\n    'max-stanza-sise' = 1000\n") +
      "'sess-man' {\n    'urn:xmpp:pingg' () {}\n    amp () { 'store-limt' = 5 }\n}\n'script-sandbox' { 'memory-limt' = 64 }\n";
    const lineOf = (needle: string) => text.split('\n').findIndex((x) => x.includes(needle)) + 1;
    writeFileSync(cfg, text);
    try {
      const r = await cliFails(server, 'check');
      assert.equal(r.code, 1);
      const errors = r.stdout.split('\n').filter((x) => x.includes(': error: ')).map((x) => x.slice(x.indexOf('config.tdsl:')));
      assert.deepEqual(errors, [
        `config.tdsl:${lineOf('conections')}:5: error: unknown bean 'conections' in 'c2s'; did you mean 'connections'?`,
        `config.tdsl:${lineOf('max-stanza-sise')}:5: error: unknown key 'max-stanza-sise' in 'c2s'; did you mean 'max-stanza-size'?`,
        `config.tdsl:${lineOf('pingg')}:5: error: unknown bean 'urn:xmpp:pingg' in 'sess-man' (no plugin package has this id); did you mean 'urn:xmpp:ping'?`,
        `config.tdsl:${lineOf('store-limt')}:14: error: unknown key 'store-limt' in 'sess-man/amp'; did you mean 'store-limit'?`,
        `config.tdsl:${lineOf('memory-limt')}:20: error: unknown key 'memory-limt' in 'script-sandbox'; did you mean 'memory-limit'?`,
      ]);
      assert.match(r.stdout, /config has errors: .* \(5 errors/);
      await assert.rejects(server.start(), /config\.tdsl:\d+:5: unknown bean 'conections' in 'c2s'; did you mean 'connections'\? \(and 4 more/);
    } finally {
      writeFileSync(cfg, original);
    }
  });

  it("lists Tigase keys it does not implement with positions, warns about milliseconds given as seconds, and says which ports are TLS", async () => {
    const extra = `'stream-limits' { }
'proxy' { }
'push' () { }
'installation-id' = '1TCICGG7K8AS2JSSEVMDA9QOLR4NVLJSR'
'max-inactivity-time' = 180000
`;
    await withConfig(server, extra, async (l) => {
      const out = await server.cli('check');
      const warnings = out.split('\n').filter((x) => x.includes(': warning: ')).map((x) => x.slice(x.indexOf('config.tdsl:')));
      assert.deepEqual(warnings, [
        `config.tdsl:${l}:1: warning: 'stream-limits' is accepted, not implemented (stream limits (the c2s bean has max-stanza-size and max-auth-attempts)); it has no effect`,
        `config.tdsl:${l + 1}:1: warning: 'proxy' is accepted, not implemented (the SOCKS5 bytestream proxy); it has no effect`,
        `config.tdsl:${l + 2}:1: warning: 'push' is accepted, not implemented (push notifications); it has no effect`,
        `config.tdsl:${l + 3}:1: warning: 'installation-id' is accepted, not implemented (unused: Starling has no licence checks and sends nothing anywhere); it has no effect`,
        `config.tdsl:${l + 4}:1: warning: 'max-inactivity-time' = 180000 is read as seconds (50 hours); it looks like milliseconds: for 3 minutes write 180 or '180000' (quoted, it is read as milliseconds)`,
      ]);
      assert.match(out, new RegExp(`^c2s ports\\s+: ${server.port} STARTTLS on 127\\.0\\.0\\.1, ${server.tlsPort} direct TLS on 127\\.0\\.0\\.1$`, 'm'));
      assert.match(out, /^ws2s ports\s+: \d+ ws on 127\.0\.0\.1, \d+ wss on 127\.0\.0\.1$/m);
      assert.match(out, /^bosh ports\s+: \d+ http on 127\.0\.0\.1, \d+ https on 127\.0\.0\.1$/m);
      assert.match(out, /config OK: .* \(0 errors, 5 warnings\)/);
      await server.start();
      assert.ok(server.output.includes(`config.tdsl:${l}:1: warning: 'stream-limits' is accepted, not implemented`), server.output);
      assert.ok(server.output.includes(`config.tdsl:${l + 2}:1: warning: 'push' is accepted, not implemented`), server.output);
      await server.stop();
    });
  });

  it('warns when changed c2s port numbers leave no direct TLS port', async () => {
    const cfg = join(server.home, 'etc', 'config.tdsl');
    const original = readFileSync(cfg, 'utf8');
    writeFileSync(cfg, original.replace(`'${server.tlsPort}' () { socket = 'ssl' }`, ''));
    try {
      const out = await server.cli('check');
      assert.match(out, new RegExp(`warning: no c2s port is direct TLS \\(${server.port}, ${server.tlsPort} offer STARTTLS\\): only 5223 is direct TLS by default; for direct TLS on another port add  ${server.tlsPort} \\{ socket = 'ssl' \\}`));
    } finally {
      writeFileSync(cfg, original);
    }
  });

  it('prints the runtime environment, reports Tigase-language scripts as skipped, and writes nothing', async () => {
    const scripts = join(server.home, 'scripts', 'admin');
    mkdirSync(join(scripts, 'sess-man'), { recursive: true });
    writeFileSync(join(scripts, 'hello.groovy'), '//AS:Description: Hello\n//AS:CommandId: hello-groovy\n');
    writeFileSync(join(scripts, 'sess-man', 'hello.py'), '#AS:Description: Hello\n#AS:CommandId: hello-py\n');
    const before = listTree(server.home);
    try {
      const out = await server.cli('check');
      for (const [key, value] of [
        ['STARLING_HOME', server.home],
        ['installation', REPO],
        ['version', '0.1.0'],
        ['node', `${process.execPath} ${process.version}`],
        ['config file', join(server.home, 'etc', 'config.tdsl')],
        ['pid file', `${join(server.home, 'logs', 'starling.pid')} (no server running on this home)`],
        ['log files', join(server.home, 'logs')],
        ['script directory', scripts],
        ['storage', `SQLite ${join(server.home, 'var', 'starling.db')}`],
      ]) {
        assert.ok(out.split('\n').some((line) => new RegExp(`^${key}\\s+: `).test(line) && line.endsWith(`: ${value}`)), `${key}: ${value}\n${out}`);
      }
      assert.match(out, /^plugin directories\s+: .*plugins/m);
      assert.match(out, /^plugins\s+: amp, .*urn:xmpp:ping/m);
      assert.match(out, /^script skipped: scripts\/admin\/hello\.groovy: skipped: Groovy scripts need Tigase's JVM script engines; Starling runs JavaScript \(\.js\) and TypeScript \(\.ts\) admin scripts$/m);
      assert.match(out, /^script skipped: scripts\/admin\/sess-man\/hello\.py: skipped: Python scripts need/m);
      assert.deepEqual(listTree(server.home), before);
    } finally {
      rmSync(join(scripts, 'hello.groovy'));
      rmSync(join(scripts, 'sess-man'), { recursive: true });
    }
  });

  it('lists plugins with their state', async () => {
    const out = await server.cli('plugins', 'list');
    assert.match(out, /^ID\s+VERSION\s+STATE/m);
    assert.match(out, /urn:xmpp:ping\s+0\.1\.0\s+active/);
  });

  it('shuts down cleanly on SIGTERM and tells connected clients', async () => {
    await server.start();
    const c = await connect({ port: server.port, username: 'dave', password: 'UniquePlainSecret42' });
    const streamError = new Promise<string>((resolve) => c.xmpp.on('error', (e: Error & { condition?: string }) => resolve(e.condition ?? e.message)));
    assert.equal(await server.stop(), 0);
    assert.equal(await streamError, 'system-shutdown');
    await c.stop();
  });
});

describe('npm start from a fresh home', () => {
  it('prints where it listens and how to add the first user', async () => {
    const server = await TestServer.create();
    try {
      await server.start();
      assert.match(server.output, /c2s listening on 127\.0\.0\.1:\d+ \(STARTTLS\)/);
      assert.match(server.output, /c2s listening on 127\.0\.0\.1:\d+ \(direct TLS\)/);
      assert.match(server.output, /npx starling user add admin@localhost --password/);
    } finally {
      await server.dispose();
    }
    void run;
  });
});

describe('the CLI outside a home', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'starling-nohome-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fails every command but init and start with "no home at DIR", creating nothing', async () => {
    for (const args of [['check'], ['user', 'add', 'x@localhost', '--password', 'p'], ['user', 'del', 'x@localhost'], ['user', 'passwd', 'x@localhost', '--password', 'p'], ['config', 'dump'], ['plugins', 'list']]) {
      const r = await cliIn(dir, ...args);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, new RegExp(`no home at ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(no etc/config\\.tdsl\\)`), args.join(' '));
      assert.deepEqual(readdirSync(dir), [], args.join(' '));
    }
  });

  it('init creates a home and says so; check then opens no database', async () => {
    const r = await cliIn(dir, 'init');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `Created a new home in ${dir} with the default etc/config.tdsl\n`);
    assert.deepEqual(readdirSync(dir).sort(), ['certs', 'etc', 'logs', 'scripts', 'var']);
    const again = await cliIn(dir, 'init');
    assert.match(again.stdout, /is already a home \(etc\/config\.tdsl exists\); nothing changed/);
    const check = await cliIn(dir, 'check');
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /^storage\s+: SQLite .*var\/starling\.db \(created at first start\)$/m);
    assert.match(check.stdout, /^c2s ports\s+: 5222 STARTTLS, 5223 direct TLS$/m);
    assert.deepEqual(readdirSync(join(dir, 'var')), []);
  });
});

describe('starling user add on a terminal', () => {
  let server: TestServer;
  before(async () => {
    server = await TestServer.create();
  });
  after(async () => server.dispose());

  it('asks twice without echoing the password, and the account works', async () => {
    const r = await typeOnTerminal(server.home, `tina@${DOMAIN}`, ['Hidden-Pa55', 'Hidden-Pa55']);
    assert.equal(r.code, 0, r.screen);
    assert.match(r.screen, /Password: <typed>[\s\S]*Repeat password: <typed>[\s\S]*created tina@localhost/);
    assert.equal(r.screen.includes('Hidden-Pa55'), false, r.screen);
    await server.start();
    const c = await connect({ port: server.port, username: 'tina', password: 'Hidden-Pa55' });
    await c.stop();
    await server.stop();
  });

  it('creates nothing when the two passwords differ', async () => {
    const r = await typeOnTerminal(server.home, `uma@${DOMAIN}`, ['one-secret', 'other-secret']);
    assert.equal(r.code, 1, r.screen);
    assert.match(r.screen, /the two passwords differ; nothing was changed/);
    assert.match(await server.cli('user', 'add', `uma@${DOMAIN}`, '--password', 'x'), /created uma@localhost/);
  });
});

describe('the CLI and a running server', () => {
  let server: TestServer;
  before(async () => {
    server = await (await TestServer.create({ users: [['victor', 'pw'], ['wendy', 'pw']] })).start();
  });
  after(async () => server.dispose());

  it('user del reaches the running server: the connected session ends and the account cannot log in', async () => {
    const c = await connect({ port: server.port, username: 'victor', password: 'pw', resource: 'desk' });
    const ended = new Promise<string>((resolve) => c.xmpp.on('status', (status: string) => (status === 'disconnect' || status === 'offline') && resolve(status)));
    const out = await server.cli('user', 'del', `victor@${DOMAIN}`);
    assert.match(out, /^deleted victor@localhost \(through the running server, pid \d+; 1 session\(s\) ended\)$/m);
    await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the session of the deleted account is still open after 10 s')), 10_000).unref())]);
    await loginRefused(server.port, 'victor', 'pw');
    await c.stop();
  });

  it('user passwd reaches the running server: the new password works at once', async () => {
    assert.match(await server.cli('user', 'passwd', `wendy@${DOMAIN}`, '--password', 'new-pw'), /changed the password of wendy@localhost/);
    await loginRefused(server.port, 'wendy', 'pw');
    const c = await connect({ port: server.port, username: 'wendy', password: 'new-pw' });
    await c.stop();
  });

  it('a second start says "already running (pid N)" and leaves var/plugins.json alone', async () => {
    const status = join(server.home, 'var', 'plugins.json');
    const before = readFileSync(status, 'utf8');
    const r = await cliIn(server.home, 'start');
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`a server is already running on .* \\(pid ${JSON.parse(before).pid}\\)`));
    assert.equal(readFileSync(status, 'utf8'), before);
    assert.match(await server.cli('plugins', 'list'), /^Plugins of the running server \(pid \d+\)/);
    assert.ok(existsSync(join(server.home, 'var', 'admin', 'starling.sock')));
    assert.equal(statSync(join(server.home, 'var', 'admin')).mode & 0o777, 0o700);
  });
});
