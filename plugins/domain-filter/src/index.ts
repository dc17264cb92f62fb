import { definePlugin } from '@starling/sdk';
import { DomainFilter } from './domain-filter';

/** `domain-filter`: Tigase's per-vhost Domain filter policy between local accounts (a preprocessor). */
export default definePlugin({
  services({ bind }) {
    bind(DomainFilter).toSelf();
  },
  onLoad(ctx) {
    ctx.preprocess(ctx.get(DomainFilter).check);
  },
});
