#!/usr/bin/env node
// Runs every compiled test file (unit tests beside the code, integration tests in test/) with node:test.
// Node 20's --test does not expand globs, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const subdirs = (dir) => (existsSync(join(repo, dir)) ? readdirSync(join(repo, dir)).map((p) => `${dir}/${p}/dist`) : []);
// The SDK's examples are packages of their own (not workspaces), built by the root tsconfig's references.
const roots = ['sdk/dist', 'admin-ui/dist', 'core/dist', 'test/dist', ...subdirs('plugins'), ...subdirs('sdk/examples')];
const filter = process.argv.slice(2);

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

let files = roots.flatMap((r) => walk(join(repo, r), []));
if (filter.length) files = files.filter((f) => filter.some((x) => relative(repo, f).includes(x)));
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--no-node-snapshot', '--test', '--test-concurrency=1', '--test-timeout=600000', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: repo,
  env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0', NODE_NO_WARNINGS: '1' },
});
process.exit(res.status ?? 1);
