import {
  AMP_HOST,
  type AmpHost,
  KeyedQueue,
  PLUGIN_CONFIG,
  type PluginConfig,
  inject,
  injectable,
} from '@starling/sdk';
import { type OfflineSettings, readOfflineSettings } from './offline-settings';

/** msgoffline's settings, from its own bean and amp's (the chapter's place for them), read once per version. */
@injectable()
export class OfflineConfig {
  readonly settings: OfflineSettings;

  constructor(@inject(AMP_HOST) readonly host: AmpHost, @inject(PLUGIN_CONFIG) config: PluginConfig) {
    this.settings = readOfflineSettings(config, host.config);
  }
}

/**
 * The per-recipient queue that serialises delivery and XEP-0013 retrieval. A hot reload hands the old
 * version's queue to the new one, so runs of the two versions never overlap.
 */
@injectable()
export class DeliveryLock {
  queue = new KeyedQueue();

  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    return this.queue.run(key, job);
  }
}
