import { PLUGIN_CONFIG, type PluginConfig, StarlingError, inject, injectable } from '@starling/sdk';

/** The plugin's bean: `upload () { 'max-file-size' = 52428800 }` (Tigase's component name). */
@injectable()
export class UploadSettings {
  /** Largest file a slot is given for, in bytes. */
  readonly maxFileSize: number;
  /** Bytes an account's files (and slots waiting for their PUT) may take together. */
  readonly userQuota: number;
  /** ms a slot waits for its PUT. */
  readonly putExpiry: number;
  /** Days an uploaded file is served before it is removed; 0 keeps files for ever. */
  readonly fileExpiryDays: number;
  /** The base URL clients reach the HTTP server at (`https://files.example.org`); '' = http://<vhost>:<httpServer port>. */
  readonly publicUrl: string;
  /** ms between two sweeps of expired slots and files. */
  readonly expiredCheckInterval: number;

  constructor(@inject(PLUGIN_CONFIG) config: PluginConfig) {
    this.maxFileSize = config.number('max-file-size', 10 * 1024 * 1024, { min: 1 });
    this.userQuota = config.number('user-quota', 100 * 1024 * 1024, { min: 0 });
    this.putExpiry = config.number('put-expiry', 300_000, { min: 1000 });
    this.fileExpiryDays = config.number('file-expiry-days', 30, { min: 0 });
    this.expiredCheckInterval = config.number('expired-check-interval', 3_600_000, { min: 1000 });
    const url = config.string('public-url', '').replace(/\/+$/, '');
    if (url !== '' && !/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(url)) {
      throw new StarlingError('STARLING_CONFIG_VALUE', `upload 'public-url' must be an http(s) URL without query or fragment, not '${url}'`);
    }
    this.publicUrl = url;
  }
}
