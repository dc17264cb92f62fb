import type { OfflineMessageRepository } from '@starling/sdk';

export interface NewOfflineMessage {
  to: string;
  from: string;
  stanza: string;
  stamp: number;
  expireAt?: number;
}

interface Pending {
  msg: NewOfflineMessage;
  limit: number;
  resolve: (id: number | null) => void;
  reject: (err: unknown) => void;
}

/**
 * Collects the stores of one event-loop turn and writes them in one transaction per limit value
 * (DESIGN §11), each with its own limit check, in arrival order. A store resolves only once its
 * transaction has committed, so whoever awaits it knows the message is on disk.
 */
export class StoreQueue {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(private readonly repository: OfflineMessageRepository) {}

  store(msg: NewOfflineMessage, limit: number): Promise<number | null> {
    return new Promise((resolve, reject) => {
      this.pending.push({ msg, limit, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    const byLimit = new Map<number, Pending[]>();
    for (const p of batch) {
      let group = byLimit.get(p.limit);
      if (!group) byLimit.set(p.limit, (group = []));
      group.push(p);
    }
    for (const [limit, group] of byLimit) {
      try {
        const ids = await this.repository.storeMany(
          group.map((p) => p.msg),
          limit,
        );
        group.forEach((p, i) => p.resolve(ids[i]));
      } catch (err) {
        for (const p of group) p.reject(err);
      }
    }
  }
}
