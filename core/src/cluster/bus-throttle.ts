import type { Logger } from '@starling/sdk';
import { TrafficMeter, type TrafficThrottling, unlimited } from '../net/traffic-throttling';

/**
 * `'cm-ht-traffic-throttling'` on the bus: each peer node's traffic is one link with Tigase's counters
 * (net/traffic-throttling.ts), stanzas and bytes received from it and bytes sent to it. Over a `drop`
 * limit the stanzas are dropped; over a `disc` limit the link is reset, as Tigase drops and reconnects a
 * cluster connection: the stanza that passed the limit is lost and the link starts again with fresh
 * counters. Control messages (receipts, conflict closes, drains) are counted and never dropped.
 */
export class BusThrottle {
  private readonly meters = new Map<string, TrafficMeter>();
  /** Links reset for going over a `disc` limit, and stanzas dropped, per peer (admin view). */
  readonly resets = new Map<string, number>();
  readonly dropped = new Map<string, number>();

  private constructor(
    readonly limits: TrafficThrottling,
    private readonly log: Logger,
  ) {}

  /** None when the setting limits nothing. */
  static create(limits: TrafficThrottling, log: Logger): BusThrottle | undefined {
    return unlimited(limits) ? undefined : new BusThrottle(limits, log);
  }

  /** A message from `node` (`stanza`: it carries one); false when it is to be dropped. */
  received(node: string, bytes: number, stanza: boolean, now = Date.now()): boolean {
    const meter = this.meter(node, now);
    let v = meter.received(bytes, now);
    if (v !== 'disc' && stanza) v = meter.stanza(now);
    if (stanza) return this.verdict(node, v, 'received');
    if (v === 'disc') this.reset(node, 'received');
    return true;
  }

  /** A stanza for `node`; false when it is not to be sent. */
  sent(node: string, bytes: number, now = Date.now()): boolean {
    return this.verdict(node, this.meter(node, now).sent(bytes, now), 'sent');
  }

  private verdict(node: string, v: 'ok' | 'drop' | 'disc', what: string): boolean {
    if (v === 'ok') return true;
    if (v === 'disc') this.reset(node, what);
    else {
      this.dropped.set(node, (this.dropped.get(node) ?? 0) + 1);
      this.log.debug('cluster: stanza dropped, over cm-ht-traffic-throttling', { node, what });
    }
    return false;
  }

  private reset(node: string, what: string): void {
    this.meters.delete(node);
    this.resets.set(node, (this.resets.get(node) ?? 0) + 1);
    this.log.warn("cluster: traffic with a node passed 'cm-ht-traffic-throttling'; its link starts again", { node, what, limits: this.limits });
  }

  private meter(node: string, now: number): TrafficMeter {
    let m = this.meters.get(node);
    if (!m) this.meters.set(node, (m = new TrafficMeter(this.limits, now)));
    return m;
  }
}
