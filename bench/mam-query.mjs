#!/usr/bin/env node
// XEP-0313 archive query latency on a large archive, SQLite and PostgreSQL side by side.
//
//   node bench/mam-query.mjs [--messages 1000000] [--owners 100] [--contacts 20] [--runs 200]
//                            [--backends sqlite,postgres] [--pg postgresql://postgres@127.0.0.1:5432/test]
//
// Fills an empty database (a temp SQLite file; a fresh PostgreSQL schema, dropped at the end) with
// `messages` archived messages spread evenly over `owners` accounts, each talking with `contacts`
// contacts, inserted in batches of 1000 in one transaction each. Then runs each query kind `runs` times
// for random owners through core's own repository (the code the server runs for <query/>) and prints
// p50/p95/p99/max in ms, with the fill rate. Bounded in count; loopback only; build first (npx tsc -b).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { openStorage } = require('../core/dist/src/storage/index.js');
const Database = require('better-sqlite3');
const { Client } = require('pg');

const { values: opt } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    owners: { type: 'string', default: '100' },
    contacts: { type: 'string', default: '20' },
    runs: { type: 'string', default: '200' },
    backends: { type: 'string', default: 'sqlite,postgres' },
    pg: { type: 'string', default: process.env.STARLING_TEST_PG_URI ?? 'postgresql://postgres@127.0.0.1:5432/test' },
  },
});
const N = Math.min(Number(opt.messages), 5_000_000);
const OWNERS = Math.max(1, Number(opt.owners));
const CONTACTS = Math.max(1, Number(opt.contacts));
const RUNS = Math.min(Math.max(1, Number(opt.runs)), 10_000);
const BATCH = 1000;
const START = Date.UTC(2025, 0, 1);
const STEP = 1000; // ms between two messages of one owner
const perOwner = Math.ceil(N / OWNERS);

const owner = (i) => `user${i}@localhost`;
const contact = (i, c) => `contact${c}-of-${i}@example.org`;
const row = (k) => {
  const o = k % OWNERS;
  const n = Math.floor(k / OWNERS);
  const c = n % CONTACTS;
  const outgoing = n % 2 === 0;
  const body = `message ${n} between ${owner(o)} and ${contact(o, c)}: lorem ipsum dolor sit amet`;
  const stanza = outgoing
    ? `<message type="chat" to="${contact(o, c)}" from="${owner(o)}/phone" id="m${k}"><body>${body}</body></message>`
    : `<message type="chat" to="${owner(o)}" from="${contact(o, c)}/pc" id="m${k}"><body>${body}</body><stanza-id xmlns="urn:xmpp:sid:0" by="${owner(o)}" id="x"/></message>`;
  return [owner(o), randomUUID(), contact(o, c), null, START + n * STEP, outgoing ? 1 : 0, stanza];
};
const COLS = '(owner, stanza_id, with_jid, with_resource, stamp, outgoing, stanza)';

async function fillSqlite(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -262144'); // 256 MB while filling: random archive ids make the unique index's inserts random
  const ins = db.prepare(`INSERT INTO mam_messages ${COLS} VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const batch = db.transaction((from, to) => {
    for (let k = from; k < to; k++) ins.run(...row(k));
  });
  for (let k = 0; k < N; k += BATCH) batch(k, Math.min(N, k + BATCH));
  db.close();
}

async function fillPostgres(uri) {
  const c = new Client({ connectionString: uri });
  await c.connect();
  try {
    for (let k = 0; k < N; k += BATCH) {
      const rows = [];
      const params = [];
      for (let j = k; j < Math.min(N, k + BATCH); j++) {
        const r = row(j);
        rows.push(`(${r.map((_, i) => `$${params.length + i + 1}`).join(', ')})`);
        params.push(...r);
      }
      await c.query(`INSERT INTO mam_messages ${COLS} VALUES ${rows.join(', ')}`, params);
    }
    await c.query('VACUUM ANALYZE mam_messages'); // what autovacuum does after a bulk load (PostgreSQL ≥ 13 vacuums after inserts too)
  } finally {
    await c.end();
  }
}

const pick = (n) => Math.floor(Math.random() * n);
const iso = (t) => new Date(t).toISOString();

/** Each query kind: what a client sends, as the repository sees it. */
function queries(storage, ids) {
  const o = () => pick(OWNERS);
  return {
    'last page (before="", max 50)': () => storage.archive.query({ owner: owner(o()) }, { max: 50, before: '' }),
    'first page (max 50)': () => storage.archive.query({ owner: owner(o()) }, { max: 50 }),
    'catch-up after an id (max 50)': () => {
      const i = o();
      return storage.archive.query({ owner: owner(i) }, { max: 50, after: ids[i] });
    },
    'with one contact, last page (max 50)': () => {
      const i = o();
      return storage.archive.query({ owner: owner(i), with: contact(i, pick(CONTACTS)) }, { max: 50, before: '' });
    },
    'one hour of start/end (max 50)': () => {
      const t = START + pick(perOwner) * STEP;
      return storage.archive.query({ owner: owner(o()), start: t, end: t + 3_600_000 }, { max: 50 });
    },
    'count only (max 0)': () => storage.archive.query({ owner: owner(o()) }, { max: 0 }),
    'metadata (first and last)': () => storage.archive.bounds(owner(o())),
  };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function measure(name, storage) {
  // One archive id per owner from the middle of its archive, as a client that caught up to there has.
  const ids = [];
  for (let i = 0; i < OWNERS; i++) {
    const page = await storage.archive.query({ owner: owner(i), start: START + Math.floor(perOwner / 2) * STEP }, { max: 1 });
    ids.push(page.messages[0].id);
  }
  const out = {};
  for (const [kind, run] of Object.entries(queries(storage, ids))) {
    for (let i = 0; i < 5; i++) await run(); // warm-up
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = process.hrtime.bigint();
      await run();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    out[kind] = { p50: pct(times, 50), p95: pct(times, 95), p99: pct(times, 99), max: times[times.length - 1] };
    console.error(`${name}: ${kind}: p50 ${out[kind].p50.toFixed(2)} ms, p99 ${out[kind].p99.toFixed(2)} ms`);
  }
  return out;
}

async function bench(name) {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'starling-mam-bench-'));
    const file = join(dir, 'starling.db');
    try {
      (await openStorage({ kind: 'sqlite', file })).close(); // migrate
      const t0 = Date.now();
      await fillSqlite(file);
      const fillS = (Date.now() - t0) / 1000;
      const storage = await openStorage({ kind: 'sqlite', file });
      try {
        return { fillS, sizeMB: statSync(file).size / 1e6, queries: await measure(name, storage) };
      } finally {
        await storage.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const admin = new Client({ connectionString: opt.pg });
  await admin.connect();
  const schema = `starling_mam_bench_${process.pid}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  try {
    const url = new URL(opt.pg);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const uri = url.toString();
    await (await openStorage({ kind: 'postgres', uri })).close(); // migrate
    const t0 = Date.now();
    await fillPostgres(uri);
    const fillS = (Date.now() - t0) / 1000;
    const { rows } = await admin.query(`SELECT pg_total_relation_size('${schema}.mam_messages') AS n`);
    const storage = await openStorage({ kind: 'postgres', uri });
    try {
      return { fillS, sizeMB: Number(rows[0].n) / 1e6, queries: await measure(name, storage) };
    } finally {
      await storage.close();
    }
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

const results = {};
for (const name of opt.backends.split(',').filter(Boolean)) {
  console.error(`${name}: filling ${N} messages (${OWNERS} owners × ${perOwner}, ${CONTACTS} contacts each)…`);
  results[name] = await bench(name);
  console.error(`${name}: filled in ${results[name].fillS.toFixed(1)} s (${Math.round(N / results[name].fillS)} msg/s), ${results[name].sizeMB.toFixed(0)} MB`);
}

const names = Object.keys(results);
const lines = [
  `Archive query latency, ${N} messages (${OWNERS} accounts × ${perOwner}, ${CONTACTS} contacts each), ${RUNS} runs per kind, ms p50 / p95 / p99 (max):`,
  '',
  `| query | ${names.join(' | ')} |`,
  `|---|${names.map(() => '---|').join('')}`,
];
for (const kind of Object.keys(results[names[0]]?.queries ?? {})) {
  const cell = (n) => {
    const q = results[n].queries[kind];
    return `${q.p50.toFixed(2)} / ${q.p95.toFixed(2)} / ${q.p99.toFixed(2)} (${q.max.toFixed(1)})`;
  };
  lines.push(`| ${kind} | ${names.map(cell).join(' | ')} |`);
}
lines.push(`| fill (batches of ${BATCH}) | ${names.map((n) => `${results[n].fillS.toFixed(0)} s, ${results[n].sizeMB.toFixed(0)} MB`).join(' | ')} |`);
console.log(lines.join('\n'));
