import type { OfflineMessageRepository } from '@starling/sdk';
import { counters } from './counters';

/** The offline repository the plugins get, counting what is stored and removed for the statistics. */
export function countOfflineTraffic(repo: OfflineMessageRepository): OfflineMessageRepository {
  return {
    store: async (msg, limit) => {
      const id = await repo.store(msg, limit);
      if (id !== null) counters.offlineStored++;
      return id;
    },
    storeMany: async (msgs, limit) => {
      const ids = await repo.storeMany(msgs, limit);
      for (const id of ids) if (id !== null) counters.offlineStored++;
      return ids;
    },
    load: (to) => repo.load(to),
    delete: async (ids) => {
      const n = await repo.delete(ids);
      counters.offlineRemoved += n;
      return n;
    },
    deleteAll: async (to) => {
      const n = await repo.deleteAll(to);
      counters.offlineRemoved += n;
      return n;
    },
    count: (to, from) => repo.count(to, from),
    expired: (now, limit) => repo.expired(now, limit),
  };
}
