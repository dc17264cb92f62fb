import { LOGGER, type Logger, MESSAGE_ARCHIVE, type MessageArchiveRepository, inject, injectable } from '@starling/sdk';
import { MamSettings } from './settings';

const DAY_MS = 86_400_000;

/** Removes what is older than 'retention-days' (nothing when it is 0). */
@injectable()
export class Retention {
  constructor(
    @inject(MESSAGE_ARCHIVE) private readonly archive: MessageArchiveRepository,
    @inject(MamSettings) private readonly settings: MamSettings,
    @inject(LOGGER) private readonly log: Logger,
  ) {}

  async sweep(now = Date.now()): Promise<number> {
    if (this.settings.retentionDays === 0) return 0;
    const removed = await this.archive.removeBefore(now - this.settings.retentionDays * DAY_MS);
    if (removed > 0) this.log.info('archived messages past retention removed', { removed, days: this.settings.retentionDays });
    return removed;
  }
}
