import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { SDK_VERSION, StarlingError } from '@starling/sdk';
import { effectiveConfig, writeConfigDump } from '../cli/config-dump';
import { loadConfigFile, writeTdsl } from '../config';
import { ConfigBeanView } from '../config/config-bean-view';
import type { StarlingServer } from '../kernel/server';
import { readDebugSwitches } from './debug-switches';
import { formatTime } from './log-format';
import { type OpsFiles, readOpsFiles } from './log-settings';
import { Logging } from './logger';
import { KernelStats } from './kernel-stats';
import { Metrics } from './metrics';
import { GetStatisticsCommand, SetDebugCommand } from './ops-commands';
import { generationFile, RotatingFile } from './rotating-file';
import { formatStats, Statistics } from './statistics';
import { xmlTrace } from './xml-trace';

/** Creates the directory if needed; a clear error at start when logs cannot be written there. */
function writableDir(dir: string, pattern: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new StarlingError(
      'STARLING_LOG_DIR',
      `cannot write log files in ${dir} (logs/ under the home, and the directory of logging { java.util.logging.FileHandler { pattern = '${pattern}' } }): ${(err as Error).message}`,
    );
  }
}

/** The repository (or installed package set) the server runs from. */
export const INSTALL_DIR = resolve(__dirname, '../../../..');

/**
 * What a running server leaves for its operator (chapter 11.3–11.4, 11.11): the log files through the log
 * worker, logs/starling-console.log (environment, effective config, components and plugins, statistics at
 * shutdown), logs/starling.pid, etc/config-dump.properties, statistics.log.N, the `stats` component with
 * "Get statistics", the run-time debug switch and the Prometheus metrics.
 */
export class Operations {
  readonly statistics = new Statistics();
  readonly metrics = new Metrics(this.statistics);
  private kernelStats: KernelStats | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private statsLog: RotatingFile | undefined;
  private readonly disposables: { dispose(): void }[] = [];

  private constructor(
    readonly home: string,
    readonly files: OpsFiles,
    readonly logging: Logging,
  ) {}

  get log() {
    return this.logging.log;
  }

  /** Before the server starts: reads the logging keys, writes the pid file, starts the log worker and the console log's environment block. */
  static open(home: string, configFile = join(home, 'etc', 'config.tdsl')): Operations {
    const top = new ConfigBeanView(loadConfigFile(configFile));
    const files = readOpsFiles(top, home);
    const switches = readDebugSwitches(top);
    for (const dir of [files.logsDir, dirname(generationFile(files.log.pattern, 0))]) writableDir(dir, files.log.pattern);
    writeFileSync(files.pidFile, `${process.pid}\n`);
    const logging = Logging.toFiles({ file: files.log, consoleFile: files.consoleFile }, switches);
    const ops = new Operations(home, files, logging);
    logging.consoleBlock(
      [
        '',
        `==== Starling ${SDK_VERSION} starting at ${formatTime(Date.now())} UTC ====`,
        `Node: ${process.version} (${process.execPath}), ${process.platform} ${process.arch}, ${cpus().length} CPUs, user ${userInfo().username}`,
        `Home: ${home}`,
        `Install dir: ${INSTALL_DIR}`,
        `Version: ${SDK_VERSION}`,
        `Config file: ${configFile}`,
        `Pid file: ${files.pidFile} (${process.pid})`,
        `Log files: ${generationFile(files.log.pattern, 0)} … (count ${files.log.count}, limit ${files.log.limit} bytes)`,
        `Debug: debug = [ ${switches.debug.join(', ')} ], debug-packages = [ ${switches.packages.join(', ')} ]`,
      ].join('\n'),
    );
    xmlTrace.attach(logging.log.child({ c: 'c2s', ns: 'xmpp.XMPPIOService' }));
    return ops;
  }

  /** After the server started: config dump, console sections, statistics, commands, metrics. */
  attach(server: StarlingServer): void {
    const root = effectiveConfig(
      loadConfigFile(join(this.home, 'etc', 'config.tdsl')),
      server.settings,
      [...server.catalog.packages.values()].map((pkg) => ({ pkg, active: server.catalog.isActive(pkg) })),
    );
    const dumped = writeConfigDump(this.home, root);
    this.logging.consoleBlock(`---- effective configuration, defaults included (also in ${dumped}) ----\n${writeTdsl(root, { mask: true })}`);

    const components = [...server.commands.components.values()];
    const plugins = [...server.plugins.records.values()];
    this.logging.consoleBlock(
      [
        '---- components ----',
        ...components.map((c) => `${c.name}: ${c.spec.description}, ${server.settings.domains.map((d) => `${c.name}@${d}`).join(', ')}`),
        ...server.listeners.map((l) => `c2s: listening on ${l.host}:${l.port} (${l.tls === 'direct' ? 'direct TLS' : 'STARTTLS'})`),
        ...server.extListeners.map((l) => `ext: listening on ${l.host}:${l.port}`),
        '---- plugins ----',
        ...plugins.map((p) => `${p.id} ${p.version} ${p.state}${p.lastError ? ` (${p.lastError})` : ''}`),
      ].join('\n'),
    );

    this.kernelStats = new KernelStats({
      startedAt: server.startedAt,
      version: SDK_VERSION,
      domains: () => server.settings.domains,
      sessions: () => server.sessions.all(),
      onlineUsers: () => server.sessions.accountCount(),
      connections: () => server.clientConnections(),
      s2sConnections: () => server.s2s?.connections() ?? [],
      plugins: () => server.plugins.records.values(),
      components: () => components.map((c) => ({ name: c.name, description: c.spec.description })),
      clusterNodes: () => 1 + (server.cluster?.registry.peers().length ?? 0),
    });
    for (const s of this.kernelStats.sources) this.statistics.add(s);
    this.kernelStats.start();
    const kernelStats = this.kernelStats;
    this.disposables.push(server.events.on('session.bound', () => kernelStats.noteLogin()));

    const statsComponent = server.commands.components.get('stats');
    if (statsComponent) {
      statsComponent.addBuiltIn(new GetStatisticsCommand(this.statistics));
      for (const c of this.statistics.components()) statsComponent.addBuiltIn(new GetStatisticsCommand(this.statistics, c));
    }
    server.commands.components.get('sess-man')?.addBuiltIn(new SetDebugCommand(this.logging.switches, this.log.child({ c: 'sess-man' })));

    this.disposables.push(
      server.http.route('GET', '/metrics', async (_req, res) => {
        const text = await this.metrics.text();
        res.writeHead(200, { 'content-type': this.metrics.contentType }).end(text);
      }),
      server.http.route('GET', '/metrics.json', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.metrics.json(), null, 1));
      }),
    );

    const { statistics } = this.files;
    if (statistics.frequencySeconds > 0) {
      this.statsLog = new RotatingFile(statistics);
      this.statsTimer = setInterval(() => this.writeStatisticsLog(), statistics.frequencySeconds * 1000);
      this.statsTimer.unref();
    }
  }

  private writeStatisticsLog(): void {
    this.statsLog?.write(`---- ${formatTime(Date.now())} UTC ----\n${formatStats(this.statistics.collect(this.files.statistics.level))}`);
  }

  /** At a graceful stop, before the server closes its connections: every statistic into the console log. */
  shutdownStatistics(): void {
    this.kernelStats?.sample();
    this.logging.consoleBlock(`---- statistics at shutdown, ${formatTime(Date.now())} UTC ----\n${formatStats(this.statistics.collect('FINEST'))}`);
  }

  /** After the server stopped: pid file removed, logs flushed and closed. */
  async close(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.kernelStats?.stop();
    this.statsLog?.close();
    xmlTrace.attach(undefined);
    rmSync(this.files.pidFile, { force: true });
    await this.logging.close();
  }
}

