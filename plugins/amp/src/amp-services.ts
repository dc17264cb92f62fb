import {
  type AmpHost,
  type Disposable,
  LOGGER,
  type Logger,
  OFFLINE_REPOSITORY,
  type OfflineMessageRepository,
  type OfflineStorage,
  PLUGIN_CONFIG,
  type PluginConfig,
  ROSTER_REPOSITORY,
  ROUTER,
  type RosterRepository,
  type Router,
  SESSIONS,
  type SessionDirectory,
  inject,
  injectable,
} from '@starling/sdk';
import type { AmpProcessorDeps } from './amp-processor';
import { type AmpSettings, readAmpSettings } from './amp-settings';

/** The AMP_HOST service amp provides to its child `msgoffline`: amp's bean, and a slot for offline storage. */
@injectable()
export class OfflineHost implements AmpHost {
  /** The storage msgoffline lends while it is loaded. */
  storage: OfflineStorage | undefined;

  constructor(@inject(PLUGIN_CONFIG) readonly config: PluginConfig) {}

  attachOffline(storage: OfflineStorage): Disposable {
    this.storage = storage;
    return { dispose: () => void (this.storage === storage && (this.storage = undefined)) };
  }
}

/** What the AMP processor works with, injected; the settings are read from amp's bean once per version. */
@injectable()
export class AmpServices implements AmpProcessorDeps {
  readonly settings: AmpSettings;

  constructor(
    @inject(SESSIONS) readonly sessions: SessionDirectory,
    @inject(ROUTER) readonly router: Router,
    @inject(ROSTER_REPOSITORY) readonly roster: RosterRepository,
    @inject(OFFLINE_REPOSITORY) readonly repository: OfflineMessageRepository,
    @inject(OfflineHost) private readonly host: OfflineHost,
    @inject(LOGGER) readonly log: Logger,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
  ) {
    this.settings = readAmpSettings(config);
  }

  readonly offline = (): OfflineStorage | undefined => this.host.storage;
}
