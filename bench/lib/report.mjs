// Results: bench/results/<scenario>.json (merged per server), a Markdown table and a PNG per scenario
// (gnuplot), and the latest tables copied into bench/README.md between the bench markers.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH, TMP } from './servers.mjs';
import { fmt } from './stats.mjs';

const RESULTS = join(BENCH, 'results');
const ORDER = ['starling', 'prosody', 'ejabberd'];

export function saveResult(scenario, server, result, meta) {
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `${scenario}.json`);
  const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { servers: {} };
  all.servers[server] = { ...result, meta };
  writeFileSync(file, JSON.stringify(all, null, 1) + '\n');
  return all;
}

function load(scenario) {
  const file = join(RESULTS, `${scenario}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

const servers = (all) => ORDER.filter((s) => all.servers[s]).concat(Object.keys(all.servers).filter((s) => !ORDER.includes(s)));

function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const mins = (s) => (s >= 90 ? `${fmt(s / 60, 1)} min` : `${fmt(s, 0)} s`);

function loginTable(all) {
  const rows = servers(all).map((s) => {
    const r = all.servers[s];
    return [s, `${r.ok}/${r.n}`, fmt(r.loginsPerSec, 0), fmt(r.p50, 1), fmt(r.p99, 1), fmt((r.serverCpu.cpuSeconds / r.ok) * 1000, 2), fmt(r.serverCpu.cores, 2), fmt(r.loadgenCpu.cores, 2), fmt(r.otherCpu, 2), fmt(r.rssMB, 1), mins(r.meta.wallSeconds)];
  });
  return table(['server', 'logged in', 'logins/s', 'p50 ms', 'p99 ms', 'server CPU ms/login', 'server CPU (cores)', 'load-gen CPU (cores)', 'other CPU (cores)', 'server RSS MB after', 'scenario took'], rows);
}

function messagingTable(all) {
  const rows = [];
  for (const s of servers(all)) {
    const r = all.servers[s];
    for (const run of r.runs) {
      const fixed = run.steps.find((x) => x.offered === run.fixedRate);
      const sat = run.steps.reduce((a, b) => (b.deliveredPerSec > a.deliveredPerSec ? b : a));
      for (const [label, st] of [
        [`${run.fixedRate} msg/s offered`, fixed],
        [`saturation (${sat.offered} offered)`, sat],
      ]) {
        if (!st) continue;
        rows.push([s, run.clients, label, fmt(st.deliveredPerSec, 0), fmt(st.p50, 1), fmt(st.p99, 1), `${fmt(st.lossPct, 2)} %`, fmt((st.serverCpu.cpuSeconds / st.received) * 1e6, 0), fmt(st.serverCpu.cores, 2), fmt(st.loadgenCpu.cores, 2), fmt(st.otherCpu, 2)]);
      }
    }
    rows.push([s, '', `scenario took ${mins(r.meta.wallSeconds)}`, '', '', '', '', '', '', '', '']);
  }
  return table(['server', 'clients', 'load', 'delivered msg/s', 'p50 ms', 'p99 ms', 'loss', 'server CPU µs/msg', 'server CPU (cores)', 'load-gen CPU (cores)', 'other CPU (cores)'], rows);
}

function idleTable(all) {
  const rows = servers(all).map((s) => {
    const r = all.servers[s];
    const last = r.points[r.points.length - 1];
    const after = r.rssAfterClose === undefined ? '' : `${fmt(r.rssAfterClose / 2 ** 20, 1)} (${r.rssAfterClose > r.points[0].rss ? '+' : ''}${fmt((100 * (r.rssAfterClose - r.points[0].rss)) / r.points[0].rss, 0)} %, ${r.afterCloseSeconds ?? 10} s${r.closeSeconds === undefined ? '' : ` after a ${fmt(r.closeSeconds, 0)} s close`})`;
    return [s, `${last.conns}`, `${r.fdLimit?.soft ?? '?'}`, fmt(r.points[0].rss / 2 ** 20, 1), fmt(last.rss / 2 ** 20, 1), fmt(r.perConnSlopeKB, 1), fmt(r.perConnAvgKB, 1), after, r.stoppedBy ?? 'target reached', mins(r.meta.wallSeconds)];
  });
  return table(['server', 'idle connections reached', 'server fd limit', 'RSS at 0 MB', 'RSS at max MB', 'KB/conn (slope)', 'KB/conn (avg)', 'RSS after all closed MB (vs at 0, seconds after the server closed them, its closing time)', 'stopped by', 'scenario took'], rows);
}

const TABLES = { login: loginTable, messaging: messagingTable, idle: idleTable };

function gnuplot(script, data) {
  mkdirSync(TMP, { recursive: true });
  for (const [name, text] of Object.entries(data)) writeFileSync(join(TMP, name), text);
  execFileSync('gnuplot', [], { input: script, cwd: TMP });
}

const COLORS = { starling: '#1f77b4', prosody: '#2ca02c', ejabberd: '#d62728' };
const HEAD = `set terminal pngcairo size 900,540 font 'sans,11'\nset grid\nset key top left\n`;

function plot(scenario, all) {
  const png = join(RESULTS, `${scenario}.png`);
  const ss = servers(all);
  if (scenario === 'login') {
    const dat = ss.map((s, i) => `${i} "${s}" ${all.servers[s].loginsPerSec} ${all.servers[s].p99}`).join('\n');
    gnuplot(
      `${HEAD}set output '${png}'\nset title 'Login storm: ${all.servers[ss[0]].n} clients (SCRAM-SHA-1, bind, roster, presence)'\nset ylabel 'logins/s'\nset style fill solid 0.7\nset boxwidth 0.6\nset yrange [0:*]\nset xrange [-0.6:${ss.length - 0.4}]\nunset key\nplot 'login.dat' using 1:3:xtic(2) with boxes lc rgb '#1f77b4', '' using 1:3:(sprintf('%.0f/s, p99 %.0f ms', $3, $4)) with labels offset 0,1\n`,
      { 'login.dat': dat + '\n' },
    );
  } else if (scenario === 'messaging') {
    const data = {};
    const plots = [];
    for (const s of ss) {
      for (const run of all.servers[s].runs) {
        const f = `msg-${s}-${run.clients}.dat`;
        data[f] = run.steps.map((x) => `${x.offered} ${x.deliveredPerSec} ${x.p99}`).join('\n') + '\n';
        plots.push(`'${f}' using 1:2 with linespoints lw 2 lc rgb '${COLORS[s] ?? '#444'}' dt ${run.clients > 1000 ? 2 : 1} title '${s} ${run.clients} clients'`);
      }
    }
    gnuplot(
      `${HEAD.replace('size 900,540', 'size 1400,560')}set output '${png}'\nset multiplot layout 1,2 title 'Messaging: chat messages to full JIDs of online clients (2 load-gen processes)'\nset logscale xy 2\nset xlabel 'offered msg/s'\nset ylabel 'delivered msg/s'\nset title 'delivered'\nplot x with lines lc rgb '#999999' dt 3 title 'offered', ${plots.join(', ')}\nset logscale y 10\nset ylabel 'p99 latency ms'\nset title 'p99 latency'\nplot ${plots.map((x) => x.replace('using 1:2', 'using 1:3')).join(', ')}\nunset multiplot\n`,
      data,
    );
  } else if (scenario === 'idle') {
    const data = {};
    const plots = [];
    for (const s of ss) {
      const f = `idle-${s}.dat`;
      data[f] = all.servers[s].points.map((p) => `${p.conns} ${p.rss / 2 ** 20}`).join('\n') + '\n';
      plots.push(`'${f}' using 1:2 with linespoints lw 2 lc rgb '${COLORS[s] ?? '#444'}' title sprintf('${s} (%.1f KB/conn)', ${all.servers[s].perConnSlopeKB})`);
    }
    gnuplot(`${HEAD}set output '${png}'\nset title 'Idle authenticated connections: server RSS'\nset xlabel 'connections'\nset ylabel 'RSS MB'\nplot ${plots.join(', ')}\n`, data);
  }
}

/** Writes <scenario>.md and .png and refreshes the README section; returns the Markdown. */
export function writeReport(scenario) {
  const all = load(scenario);
  if (!all) return '';
  const metaLines = servers(all).map((s) => {
    const m = all.servers[s].meta;
    return `- ${s}: ${m.describe}; run ${m.date}${m.loadavg ? `; load average at start ${m.loadavg.map((x) => fmt(x, 1)).join(' ')}` : ''}`;
  });
  const md = `### ${scenario}\n\n${TABLES[scenario](all)}\n\n![${scenario}](results/${scenario}.png)\n\n${metaLines.join('\n')}\n`;
  writeFileSync(join(RESULTS, `${scenario}.md`), md.replace(`](results/`, `](`));
  plot(scenario, all);
  const readme = join(BENCH, 'README.md');
  if (existsSync(readme)) {
    const text = readFileSync(readme, 'utf8');
    const begin = `<!-- bench:${scenario}:begin -->`;
    const end = `<!-- bench:${scenario}:end -->`;
    const a = text.indexOf(begin);
    const b = text.indexOf(end);
    if (a !== -1 && b > a) writeFileSync(readme, text.slice(0, a + begin.length) + '\n' + md + text.slice(b));
  }
  return md;
}
