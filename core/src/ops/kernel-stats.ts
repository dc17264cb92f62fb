import { availableParallelism, hostname, loadavg } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { Session } from '@starling/sdk';
import { counters } from './counters';
import type { StatRecord, StatsSource } from './statistics';

/** What the kernel statistics read from the running server. */
export interface KernelStatsHost {
  readonly startedAt: number;
  readonly version: string;
  domains(): readonly string[];
  sessions(): Iterable<Session>;
  /** Accounts with at least one bound session (kept as a count: read at every login). */
  onlineUsers(): number;
  /** Open client connections (bound or not) by connection manager. */
  connections(): { c2s: number; ws2s: number; bosh: number };
  /** Open server-to-server connections (empty when s2s is off). */
  s2sConnections?(): { direction: 'in' | 'out'; local: string; remote: string; state: string; auth: string }[];
  plugins(): Iterable<{ id: string; version: string; state: string; reloads: number }>;
  /** Kernel components with ad-hoc commands (sess-man, vhost-man, …). */
  components(): Iterable<{ name: string; description: string }>;
  /** Live cluster nodes, this one included (1 without cluster mode). */
  clusterNodes(): number;
}

/** Users with a stanza in this window count as active. */
export const ACTIVE_WINDOW_MS = 5 * 60_000;

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The kernel's statistics (message-router, c2s, sess-man, msgoffline, commands, plugins), with the
 * per-second rates, CPU usage and the daily user maxima that a one-second sampler keeps up to date.
 */
export class KernelStats {
  private timer: NodeJS.Timeout | undefined;
  private last = { in: 0, out: 0, cpu: process.cpuUsage(), at: performance.now() };
  private rates = { in: 0, out: 0, cpuPercent: 0 };
  private today = day(Date.now());
  private maxToday = 0;
  private maxYesterday = 0;

  constructor(private readonly host: KernelStatsHost) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Updates the rates and maxima (every second; tests may call it directly). */
  sample(now = Date.now()): void {
    const t = performance.now();
    const elapsed = (t - this.last.at) / 1000 || 1;
    const cpu = process.cpuUsage(this.last.cpu);
    this.rates = {
      in: Math.round((counters.stanzasIn - this.last.in) / elapsed),
      out: Math.round((counters.stanzasOut - this.last.out) / elapsed),
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (elapsed * 1000)) * 1000) / 10,
    };
    this.last = { in: counters.stanzasIn, out: counters.stanzasOut, cpu: process.cpuUsage(), at: t };
    this.noteOnline(this.online().users, now);
  }

  /** Called when a session is bound, so that a short peak between two samples still counts. */
  noteLogin(): void {
    this.noteOnline(this.host.onlineUsers(), Date.now());
  }

  private noteOnline(users: number, now: number): void {
    const d = day(now);
    if (d !== this.today) {
      this.maxYesterday = this.maxToday;
      this.maxToday = 0;
      this.today = d;
    }
    if (users > this.maxToday) this.maxToday = users;
  }

  private online(now = Date.now()): { sessions: number; users: number; active: number } {
    const users = new Set<string>();
    const active = new Set<string>();
    let sessions = 0;
    for (const s of this.host.sessions()) {
      sessions++;
      users.add(s.jid.bareString);
      if (now - s.lastActivity < ACTIVE_WINDOW_MS) active.add(s.jid.bareString);
    }
    return { sessions, users: users.size, active: active.size };
  }

  readonly sources: StatsSource[] = [
    {
      component: 'message-router',
      collect: (add) => {
        const heap = getHeapStatistics();
        const mem = process.memoryUsage();
        const uptime = Math.round((Date.now() - this.host.startedAt) / 1000);
        const g = (name: string, value: number, level: StatRecord['level'], metric?: string, help?: string) =>
          add({ component: 'message-router', name, value, level, metric: metric ? { name: metric, type: 'gauge', help: help ?? name } : undefined });
        g('Uptime [s]', uptime, 'INFO', 'starling_uptime_seconds', 'Seconds since the server started');
        g('CPUs no', availableParallelism(), 'FINE');
        g('Load average', Math.round(loadavg()[0] * 100) / 100, 'FINE');
        g('CPU usage [%]', this.rates.cpuPercent, 'INFO', 'starling_cpu_usage_percent', 'Process CPU use over the last second, percent of one core');
        g('Used Heap', heap.used_heap_size, 'INFO', 'starling_heap_used_bytes', 'V8 heap in use');
        g('Max Heap mem', heap.heap_size_limit, 'INFO', 'starling_heap_max_bytes', 'V8 heap limit');
        g('HEAP usage [%]', Math.round((heap.used_heap_size / heap.heap_size_limit) * 1000) / 10, 'FINE');
        g('RSS', mem.rss, 'INFO', 'starling_rss_bytes', 'Resident set size');
        g('Cluster nodes', this.host.clusterNodes(), 'INFO', 'starling_cluster_nodes', 'Live cluster nodes, this one included (1 without cluster mode)');
        add({ component: 'message-router', name: 'Version', value: this.host.version, level: 'INFO' });
        add({ component: 'message-router', name: 'Node version', value: process.version, level: 'FINE' });
        add({ component: 'message-router', name: 'Local hostname', value: hostname(), level: 'FINE' });
        const domains = [...this.host.domains()];
        add({ component: 'message-router', name: 'Virtual hosts', value: domains, level: 'INFO' });
        g('Virtual hosts number', domains.length, 'FINE', 'starling_vhosts', 'Virtual hosts served');
        const comps = [...this.host.components()].map((c) => `${c.name} (${c.description})`);
        add({ component: 'message-router', name: 'Components', value: comps, level: 'FINE' });
      },
    },
    {
      component: 'c2s',
      collect: (add) => {
        add({ component: 'c2s', name: 'Open connections', value: this.host.connections().c2s, level: 'INFO', metric: { name: 'starling_client_connections', type: 'gauge', help: 'Open client connections (BOSH: sessions)', labels: { manager: 'c2s' } } });
        add({ component: 'c2s', name: 'Connections accepted', value: counters.connectionsAccepted, level: 'FINE', metric: { name: 'starling_c2s_connections_accepted_total', type: 'counter', help: 'TCP client connections accepted since start' } });
      },
    },
    {
      component: 'ws2s',
      collect: (add) => {
        add({ component: 'ws2s', name: 'Open connections', value: this.host.connections().ws2s, level: 'INFO', metric: { name: 'starling_client_connections', type: 'gauge', help: 'Open client connections (BOSH: sessions)', labels: { manager: 'ws2s' } } });
      },
    },
    {
      component: 'bosh',
      collect: (add) => {
        add({ component: 'bosh', name: 'Open sessions', value: this.host.connections().bosh, level: 'INFO', metric: { name: 'starling_client_connections', type: 'gauge', help: 'Open client connections (BOSH: sessions)', labels: { manager: 'bosh' } } });
      },
    },
    {
      component: 's2s',
      collect: (add) => {
        const all = this.host.s2sConnections?.() ?? [];
        for (const direction of ['in', 'out'] as const) {
          const n = all.filter((c) => c.direction === direction).length;
          add({ component: 's2s', name: `Open ${direction === 'in' ? 'incoming' : 'outgoing'} connections`, value: n, level: 'INFO', metric: { name: 'starling_s2s_connections', type: 'gauge', help: 'Open server-to-server connections (incoming: per authenticated domain pair)', labels: { direction } } });
        }
        add({ component: 's2s', name: 'Connections', value: all.map((c) => `${c.direction === 'in' ? `${c.remote} -> ${c.local}` : `${c.local} -> ${c.remote}`} (${c.state}${c.auth ? `, ${c.auth}` : ''})`), level: 'FINE' });
      },
    },
    {
      component: 'sess-man',
      collect: (add) => {
        const o = this.online();
        this.noteOnline(o.users, Date.now());
        const g = (name: string, value: number, metric: string, help: string, level: StatRecord['level'] = 'INFO') =>
          add({ component: 'sess-man', name, value, level, metric: { name: metric, type: 'gauge', help } });
        g('Open user sessions', o.sessions, 'starling_sessions', 'Bound client sessions');
        g('Users online', o.users, 'starling_users_online', 'Users with at least one session');
        g('Users active', o.users === 0 ? 0 : o.active, 'starling_users_active', 'Users with a stanza in the last 5 minutes');
        g('Maximum users today', this.maxToday, 'starling_users_max_today', 'Most users online at once today (UTC)');
        g('Maximum users yesterday', this.maxYesterday, 'starling_users_max_yesterday', 'Most users online at once yesterday (UTC)');
        add({ component: 'sess-man', name: 'Packets received', value: counters.stanzasIn, level: 'INFO', metric: { name: 'starling_stanzas_received_total', type: 'counter', help: 'Stanzas received from clients (every transport)' } });
        add({ component: 'sess-man', name: 'Packets sent', value: counters.stanzasOut, level: 'INFO', metric: { name: 'starling_stanzas_sent_total', type: 'counter', help: 'Stanzas sent to clients (every transport)' } });
        add({ component: 'sess-man', name: 'Last second packets received', value: this.rates.in, level: 'FINE', metric: { name: 'starling_stanzas_received_per_second', type: 'gauge', help: 'Stanzas received in the last second' } });
        add({ component: 'sess-man', name: 'Last second packets sent', value: this.rates.out, level: 'FINE', metric: { name: 'starling_stanzas_sent_per_second', type: 'gauge', help: 'Stanzas sent in the last second' } });
      },
    },
    {
      component: 'msgoffline',
      collect: (add) => {
        add({ component: 'msgoffline', name: 'Messages stored', value: counters.offlineStored, level: 'INFO', metric: { name: 'starling_offline_messages_stored_total', type: 'counter', help: 'Offline messages stored' } });
        add({ component: 'msgoffline', name: 'Messages delivered or removed', value: counters.offlineRemoved, level: 'INFO', metric: { name: 'starling_offline_messages_removed_total', type: 'counter', help: 'Stored offline messages removed (delivered, fetched or purged)' } });
      },
    },
    {
      component: 'plugins',
      collect: (add) => {
        let reloads = 0;
        const list: string[] = [];
        for (const p of this.host.plugins()) {
          reloads += p.reloads;
          list.push(`${p.id} ${p.version} ${p.state}`);
          add({
            component: 'plugins',
            name: p.id,
            value: `${p.version} ${p.state}, ${p.reloads} reloads`,
            level: 'FINE',
            metric: { name: 'starling_plugin_info', type: 'gauge', help: 'A plugin package (value 1) with its version and state', labels: { id: p.id, version: p.version, state: p.state }, value: 1 },
          });
        }
        add({ component: 'plugins', name: 'Plugins', value: list, level: 'INFO' });
        add({ component: 'plugins', name: 'Reloads', value: reloads, level: 'INFO', metric: { name: 'starling_plugin_reloads_total', type: 'counter', help: 'Successful plugin hot reloads since start' } });
      },
    },
    {
      component: 'commands',
      collect: (add) => {
        add({ component: 'commands', name: 'Script runs', value: counters.scriptRuns, level: 'INFO', metric: { name: 'starling_script_runs_total', type: 'counter', help: 'Admin command scripts run in the sandbox' } });
      },
    },
  ];
}
