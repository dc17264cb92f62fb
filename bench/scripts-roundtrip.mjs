#!/usr/bin/env node
// Admin script commands: round trip of an ad-hoc command that runs a script (simple and two-step),
// next to a built-in command that never enters the sandbox, with the isolate pool on (default) and off;
// and the cost of starting an isolate, measured in process.
//
//   npx tsc -b && node bench/scripts-roundtrip.mjs [--runs 500] [--out bench/results]
//
// Starts its own Starling (temp home under bench/results/tmp/, loopback, free port) once per pool size,
// drives it with @xmpp/client over STARTTLS, stops it, and writes scripts-roundtrip.{json,md}.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from './lib/ports.mjs';

const REPO = resolve(import.meta.dirname, '..');
const CLI = join(REPO, 'core/dist/bin/starling.js');
const NS = 'http://jabber.org/protocol/commands';

// isolated-vm on Node 20 wants --no-node-snapshot: re-run with it.
if (!process.execArgv.includes('--no-node-snapshot')) {
  const child = spawn(process.execPath, ['--no-node-snapshot', ...process.execArgv, import.meta.filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
} else await main();

async function main() {
  const { values: opt } = parseArgs({ options: { runs: { type: 'string', default: '500' }, out: { type: 'string', default: join(REPO, 'bench/results') } } });
  const runs = Number(opt.runs);
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const { client, xml } = await import('@xmpp/client');
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: (await import('node:os')).cpus().length,
    runs,
    isolate: await isolateCosts(),
    typescript: await typeScriptCosts(),
    roundTrips: [],
  };
  for (const pool of [2, 0]) results.roundTrips.push(await roundTrips(pool, runs, client, xml));
  mkdirSync(opt.out, { recursive: true });
  writeFileSync(join(opt.out, 'scripts-roundtrip.json'), JSON.stringify(results, null, 2) + '\n');
  const md = table(results);
  writeFileSync(join(opt.out, 'scripts-roundtrip.md'), md);
  process.stdout.write(md);
}

/** Isolate start: a bare isolate + context, the sandbox's full preparation (API installed), and whole runs through the sandbox process. */
async function isolateCosts() {
  const require = createRequire(import.meta.url);
  const ivm = require(join(REPO, 'node_modules/isolated-vm'));
  const { ScriptSandbox } = require(join(REPO, 'core/dist/src/scripting/sandbox.js'));
  const { IsolateRunner } = require(join(REPO, 'core/dist/src/scripting/isolate-runner.js'));
  const { DEFAULT_SANDBOX_LIMITS } = require(join(REPO, 'core/dist/src/scripting/sandbox-protocol.js'));
  const { prepareJavaScript } = require(join(REPO, 'core/dist/src/scripting/prepare-script.js'));
  const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
  const N = 200;

  const bare = [];
  for (let i = 0; i < N + 20; i++) {
    const t = now();
    const iso = new ivm.Isolate({ memoryLimit: DEFAULT_SANDBOX_LIMITS.memoryMb });
    await iso.createContext();
    const ms = now() - t;
    iso.dispose();
    if (i >= 20) bare.push(ms);
  }
  const cold = new IsolateRunner({ ...DEFAULT_SANDBOX_LIMITS, poolSize: 0 }, silent);
  const prepared = [];
  for (let i = 0; i < N + 20; i++) {
    const t = now();
    const w = await cold.take();
    const ms = now() - t;
    w.iso.dispose();
    if (i >= 20) prepared.push(ms);
  }
  const hello = prepareJavaScript('var res = packet.commandResult(Command.DataType.result)\nCommand.addTitle(res, "Hello World Script")\nreturn res', 'hello.js');
  const packet = {
    name: 'iq',
    attrs: { type: 'set', id: 'b', from: 'admin@localhost/b', to: 'sess-man@localhost' },
    children: [{ name: 'command', attrs: { xmlns: NS, node: 'hello', action: 'execute' }, children: [] }],
  };
  const inProcess = {};
  for (const poolSize of [0, 2]) {
    const sb = new ScriptSandbox({ ...DEFAULT_SANDBOX_LIMITS, poolSize }, silent);
    sb.warm();
    await sleep(1000); // the sandbox process starts and fills its pool
    const times = [];
    for (let i = 0; i < N + 20; i++) {
      const t = now();
      const out = await sb.run({ script: hello, packet, componentName: 'sess-man', capabilities: {}, host: () => null });
      if (out.kind !== 'packets') throw new Error(`hello failed: ${JSON.stringify(out)}`);
      if (i >= 20) times.push(now() - t);
      await sleep(5); // an admin's pace: the pool refills between commands
    }
    await sb.close();
    inProcess[`pool${poolSize}`] = stats(times);
  }
  const m0 = process.memoryUsage().rss;
  const idle = [];
  for (let i = 0; i < 20; i++) idle.push(await cold.take());
  const rssPerIdleIsolateKB = Math.round((process.memoryUsage().rss - m0) / 20 / 1024);
  for (const w of idle) w.iso.dispose();
  cold.close();
  return { bareIsolateAndContext: stats(bare), sandboxIsolateReady: stats(prepared), inProcessRun: inProcess, rssPerIdleIsolateKB };
}

/** The TypeScript check of an uploaded script: the first one starts the worker and loads ts-morph. */
async function typeScriptCosts() {
  const require = createRequire(import.meta.url);
  const { TypeScriptChecker } = require(join(REPO, 'core/dist/src/scripting/ts-checker.js'));
  const { COMPONENT_CAPABILITIES } = require(join(REPO, 'core/dist/src/scripting/script-capabilities.js'));
  const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
  const checker = new TypeScriptChecker(silent);
  const src = (i) => `const p: Packet = packet\nconst res = p.commandResult(Command.DataType.result)\nCommand.addInstructions(res, 'n=' + users.count(p.getStanzaTo()!.getDomain()) + ${i})\nreturn res`;
  let t = now();
  await checker.compile(src(0), 's.ts', COMPONENT_CAPABILITIES['sess-man']);
  const firstMs = now() - t;
  const times = [];
  for (let i = 1; i <= 50; i++) {
    t = now();
    await checker.compile(src(i), 's.ts', COMPONENT_CAPABILITIES['sess-man']);
    times.push(now() - t);
  }
  await checker.close();
  return { firstMs, next: stats(times) };
}

/** Round trips against a real server over XMPP. */
async function roundTrips(poolSize, runs, client, xml) {
  const home = join(REPO, 'bench/results/tmp', `scripts-roundtrip-${process.pid}-${poolSize}`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(join(home, 'etc'), { recursive: true });
  const port = await freePort();
  writeFileSync(
    join(home, 'etc/config.tdsl'),
    `'default-virtual-host' = 'localhost'
admins = [ 'admin@localhost' ]
c2s { connections { ports = [ ${port} ]
ifc = [ '127.0.0.1' ] } }
'script-sandbox' { 'pool-size' = ${poolSize} }
# load generators send more than Tigase's 2500 stanzas a minute per connection
'cm-traffic-throttling' = 'xmpp:0:0:disc,bin:0:0:disc'
# only c2s: the web listeners' default ports (5290, 5280, 8080) may be taken on a shared machine
ws2s (active: false) {}
bosh (active: false) {}
httpServer (active: false) {}
`,
  );
  execFileSync(process.execPath, [CLI, 'user', 'add', 'admin@localhost', '--password', 'secret', '--home', home]);
  const server = spawn(process.execPath, ['--no-node-snapshot', CLI, 'start', '--foreground', '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout.on('data', (d) => (log += d));
  server.stderr.on('data', (d) => (log += d));
  try {
    const deadline = Date.now() + 30_000;
    while (!log.includes('Starling is running')) {
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${log}`);
      await sleep(50);
    }
    const xmpp = client({ service: `xmpp://127.0.0.1:${port}`, domain: 'localhost', username: 'admin', password: 'secret', resource: 'bench' });
    xmpp.on('error', () => {});
    await xmpp.start();
    const run = async (node, attrs = {}, form) => {
      const iq = xml('iq', { type: 'set', to: 'sess-man@localhost' }, xml('command', { xmlns: NS, node, action: 'execute', ...attrs }, form));
      const res = await xmpp.iqCaller.request(iq, 10_000);
      return res.getChild('command', NS);
    };
    const submit = (name) => xml('x', { xmlns: 'jabber:x:data', type: 'submit' }, xml('field', { var: 'name' }, xml('value', {}, name)));
    const measure = async (fn) => {
      for (let i = 0; i < 20; i++) await fn(); // warm-up
      const times = [];
      for (let i = 0; i < runs; i++) {
        const t = now();
        await fn();
        times.push(now() - t);
        await sleep(5);
      }
      return stats(times);
    };
    const builtIn = await measure(async () => {
      if ((await run('add-script')).attrs.status !== 'executing') throw new Error('add-script');
    });
    const simple = await measure(async () => {
      if ((await run('hello')).attrs.status !== 'completed') throw new Error('hello');
    });
    const secondSteps = [];
    const twoStep = await measure(async () => {
      const first = await run('hello-name');
      if (first.attrs.status !== 'executing') throw new Error('hello-name form');
      const t = now();
      const done = await run('hello-name', { action: 'complete', sessionid: first.attrs.sessionid }, submit('bench'));
      secondSteps.push(now() - t);
      if (done.getChild('x').getChildText('instructions') !== 'Hello bench, how are you?') throw new Error('hello-name result');
    });
    await xmpp.stop();
    return { poolSize, builtIn, simple, twoStep, twoStepSecondStep: stats(secondSteps.slice(20)) };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
    rmSync(home, { recursive: true, force: true });
  }
}

function table(r) {
  const f = (s) => `${s.p50.toFixed(2)} / ${s.p99.toFixed(2)}`;
  let md = `# Admin script commands: round trip and isolate start\n\n${r.date}, Node ${r.node}, ${r.cpus} CPUs, ${r.runs} runs per row after 20 warm-up runs, 5 ms between commands. Times in ms, p50 / p99.\n\n`;
  md += '| round trip over XMPP (STARTTLS, @xmpp/client → Starling) | pool-size 2 (default) | pool-size 0 |\n|---|---|---|\n';
  const [a, b] = r.roundTrips;
  md += `| built-in command, no sandbox (add-script form) | ${f(a.builtIn)} | ${f(b.builtIn)} |\n`;
  md += `| simple script (hello: one stage) | ${f(a.simple)} | ${f(b.simple)} |\n`;
  md += `| two-step script (hello-name: form, then complete) | ${f(a.twoStep)} | ${f(b.twoStep)} |\n`;
  md += `| — its second step alone | ${f(a.twoStepSecondStep)} | ${f(b.twoStepSecondStep)} |\n\n`;
  const i = r.isolate;
  md += '| isolate start (in process) | p50 / p99 |\n|---|---|\n';
  md += `| new Isolate + createContext (isolated-vm only) | ${f(i.bareIsolateAndContext)} |\n`;
  md += `| sandbox isolate ready to run (+ script API installed from code cache) | ${f(i.sandboxIsolateReady)} |\n`;
  md += `| whole sandbox run of hello from the server process (IPC to the sandbox process), pool-size 0 | ${f(i.inProcessRun.pool0)} |\n`;
  md += `| whole sandbox run of hello from the server process (IPC to the sandbox process), pool-size 2 | ${f(i.inProcessRun.pool2)} |\n\n`;
  md += `Memory of an idle ready isolate: ~${i.rssPerIdleIsolateKB} KB RSS.\n\n`;
  md += `TypeScript check of an uploaded script (worker thread, ts-morph): first ${r.typescript.firstMs.toFixed(0)} ms (starts the worker, loads ts-morph), then ${f(r.typescript.next)}.\n`;
  return md;
}

function stats(times) {
  const s = [...times].sort((x, y) => x - y);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { n: s.length, p50: q(0.5), p99: q(0.99), mean: s.reduce((x, y) => x + y, 0) / s.length };
}

function now() {
  return Number(process.hrtime.bigint()) / 1e6;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
