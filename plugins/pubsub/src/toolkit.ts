import {
  type Element,
  type Jid,
  LOGGER,
  type Logger,
  PUBSUB_REPOSITORY,
  type PubSubRepository,
  ROSTER_REPOSITORY,
  ROUTER,
  type RosterRepository,
  type Router,
  inject,
  injectable,
  serviceToken,
} from '@starling/sdk';
import { type EngineOptions, PubSubEngine } from './engine';
import { answerIq } from './pubsub-iq';

/**
 * What the `pubsub` plugin gives the plugins that require it (`"provides": ["pubsub-engine"]`): engines on the
 * shared repository with their own policy (PEP makes one with the account as the service), and the
 * XEP-0060 request handling.
 */
@injectable()
export class PubSubToolkit {
  constructor(
    @inject(PUBSUB_REPOSITORY) private readonly repo: PubSubRepository,
    @inject(ROSTER_REPOSITORY) private readonly roster: RosterRepository,
    @inject(ROUTER) private readonly router: Router,
    @inject(LOGGER) private readonly log: Logger,
  ) {}

  engine(opts: EngineOptions, log: Logger = this.log): PubSubEngine {
    return new PubSubEngine({ repo: this.repo, roster: this.roster, router: this.router, log }, opts);
  }

  /** Deletes every node of a service (an account's PEP data when the account is deleted); how many there were. */
  forgetService(service: string): Promise<number> {
    return this.repo.deleteService(service);
  }

  /** Answers a XEP-0060 IQ (or disco on nodes) to `service`: the result payload, or a thrown StanzaError. */
  answer(engine: PubSubEngine, service: string, iq: Element, from: Jid): Promise<Element | undefined> {
    return answerIq(engine, service, iq, from);
  }
}

export const PUBSUB_TOOLKIT = serviceToken<PubSubToolkit>('pubsub-engine');
