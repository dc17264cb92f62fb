import {
  LOGGER,
  type Logger,
  PUBSUB_REPOSITORY,
  type PubSubEngineOptions,
  type PubSubEngines,
  type PubSubRepository,
  ROSTER_REPOSITORY,
  ROUTER,
  type RosterRepository,
  type Router,
  inject,
  injectable,
} from '@starling/sdk';
import { PubSubEngine } from './engine';
import { defaultNodeConfig } from './node-config';

/**
 * PUBSUB_ENGINES, what the `pubsub` plugin gives the plugins that require it (`"provides": ["pubsub-engine"]`):
 * engines on the shared repository with their own policy (PEP makes one with the account as the service).
 */
@injectable()
export class PubSubToolkit implements PubSubEngines {
  constructor(
    @inject(PUBSUB_REPOSITORY) private readonly repo: PubSubRepository,
    @inject(ROSTER_REPOSITORY) private readonly roster: RosterRepository,
    @inject(ROUTER) private readonly router: Router,
    @inject(LOGGER) private readonly log: Logger,
  ) {}

  engine(opts: PubSubEngineOptions, log: Logger = this.log): PubSubEngine {
    return new PubSubEngine({ repo: this.repo, roster: this.roster, router: this.router, log }, { ...opts, defaults: defaultNodeConfig(opts.defaults) });
  }

  forgetService(service: string): Promise<number> {
    return this.repo.deleteService(service);
  }
}
