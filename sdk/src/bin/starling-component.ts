#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runComponent } from '../component-runner';

const USAGE = `Usage: starling-component --plugin DIR --domain DOMAIN [--service xmpp://127.0.0.1:5270]
                          [--config FILE.json] [--admin JID]...

Runs a built Starling plugin package as an XEP-0114 external component of a server.
The shared secret comes from the environment variable STARLING_COMPONENT_SECRET.
--config names a JSON file shaped like config.tdsl: { "my-plugin": { "key": "value" } }.`;

function parse(argv: string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || i + 1 >= argv.length) throw new Error(`unexpected argument '${a}'`);
    const k = a.slice(2);
    flags.set(k, [...(flags.get(k) ?? []), argv[++i]]);
  }
  return flags;
}

async function main(): Promise<void> {
  let flags: Map<string, string[]>;
  try {
    flags = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const one = (k: string) => flags.get(k)?.[0];
  const plugin = one('plugin');
  const domain = one('domain');
  const password = process.env.STARLING_COMPONENT_SECRET;
  if (!plugin || !domain || !password) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const configFile = one('config');
  const component = await runComponent({
    plugin: resolve(plugin),
    domain,
    password,
    service: one('service') ?? 'xmpp://127.0.0.1:5270',
    config: configFile ? JSON.parse(readFileSync(configFile, 'utf8')) : undefined,
    admins: flags.get('admin'),
  });
  const stop = () => component.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`starling-component: ${(err as Error).message}\n`);
  process.exit(1);
});
