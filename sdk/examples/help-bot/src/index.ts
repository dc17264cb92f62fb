import { definePlugin } from '@starling/sdk';
import { HelpDesk } from './help-desk';
import { NS_HELP_BOT } from './ns';
import { TopicBook } from './topic-book';

/** What survives a hot reload: how many questions were answered since the server started. */
interface HelpBotState {
  answered: number;
}

/**
 * A help desk bot. Chat messages to the server's domain (or, run as an external component, to the
 * component's domain) are questions: `help`, a topic name, or for admins `set <topic> <text>` and
 * `forget <topic>`. IQ get `<query xmlns='urn:starling:help-bot:0'/>` lists topics; with a
 * `<topic name='x'/>` child it returns that topic. On login, users get the `welcome` text if configured.
 */
export default definePlugin<HelpBotState>({
  services({ bind }) {
    bind(TopicBook).toSelf();
    bind(HelpDesk).toSelf();
  },
  onLoad(ctx) {
    const desk = ctx.get(HelpDesk);
    ctx.message({ dir: 'in', to: 'host' }, desk.ask);
    ctx.iq({ type: 'get', name: 'query', xmlns: NS_HELP_BOT, to: 'host' }, desk.query);
    if (desk.welcome) ctx.on('presence.initial', ({ session }) => desk.greet(session));
    ctx.log.info('help bot ready', { welcome: desk.welcome !== '' });
  },
  saveState: (ctx) => ({ answered: ctx.get(HelpDesk).answered }),
  restoreState: (ctx, state) => {
    ctx.get(HelpDesk).answered = state.answered;
  },
});
