/**
 * Hot-path counters: plain integers bumped in place (no allocation, no lookup). The statistics sampler and
 * the /metrics scrape read them. One server per process, so they are per process.
 */
export const counters = {
  /** Stanzas received from clients (every client transport). */
  stanzasIn: 0,
  /** Stanzas written to client sessions. */
  stanzasOut: 0,
  /** Client connections accepted since start. */
  connectionsAccepted: 0,
  offlineStored: 0,
  /** Stored offline messages removed: delivered at login, fetched with XEP-0013, or purged. */
  offlineRemoved: 0,
  /** Admin command scripts run in the sandbox. */
  scriptRuns: 0,
};

export function resetCounters(): void {
  for (const k of Object.keys(counters) as (keyof typeof counters)[]) counters[k] = 0;
}
