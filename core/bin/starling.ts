#!/usr/bin/env node
import { runCli } from '../src/cli/run-cli';

runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: Error & { code?: string }) => {
    process.stderr.write(`starling: ${err.code ? `[${err.code}] ` : ''}${err.message}\n`);
    process.exitCode = 1;
  },
);
