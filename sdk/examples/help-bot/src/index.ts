import {
  type Element,
  type Router,
  ROUTER,
  SERVER_DATA,
  SERVER_INFO,
  type ServerDataStore,
  type ServerInfo,
  StanzaError,
  definePlugin,
  message,
  xml,
} from '@starling/sdk';
import { answer } from './conversation';
import { NS_HELP_BOT } from './ns';
import { TOPIC_RE, TopicBook } from './topic-book';

/** What survives a hot reload: how many questions were answered since the server started. */
interface HelpBotState {
  answered: number;
}

let answered = 0;

/**
 * A help desk bot. Chat messages to the server's domain (or, run as an external component, to the
 * component's domain) are questions: `help`, a topic name, or for admins `set <topic> <text>` and
 * `forget <topic>`. IQ get `<query xmlns='urn:starling:help-bot:0'/>` lists topics; with a
 * `<topic name='x'/>` child it returns that topic. On login, users get the `welcome` text if configured.
 */
export default definePlugin<HelpBotState>({
  onLoad(ctx) {
    const book = new TopicBook(ctx.config, ctx.get<ServerDataStore>(SERVER_DATA));
    const server = ctx.get<ServerInfo>(SERVER_INFO);
    const router = ctx.get<Router>(ROUTER);

    ctx.message({ dir: 'in', to: 'host' }, async (req) => {
      const type = req.stanza.attrs.type ?? 'normal';
      const body = req.stanza.getChildText('body');
      if (type === 'error' || type === 'groupchat' || body === undefined) return false;
      const reply = await answer(book, body, { isAdmin: server.isAdmin(req.from) });
      answered++;
      req.send(message({ from: req.to.toString(), to: req.from.toString(), type: type === 'chat' ? 'chat' : 'normal' }, reply));
      return true;
    });

    ctx.iq({ type: 'get', name: 'query', xmlns: NS_HELP_BOT, to: 'host' }, async (req) => {
      const asked = req.stanza.getChild('query', NS_HELP_BOT)?.getChild('topic');
      const topics = await book.all();
      answered++;
      if (!asked) return xml('query', { xmlns: NS_HELP_BOT, answered: String(answered) }, ...Object.keys(topics).sort().map((name) => xml('topic', { name })));
      const name = asked.attrs.name ?? '';
      if (!TOPIC_RE.test(name)) throw new StanzaError('bad-request', 'A topic name is one word');
      const text = topics[name];
      if (!text) throw new StanzaError('item-not-found', `No topic ${name}`);
      return xml('query', { xmlns: NS_HELP_BOT }, xml('topic', { name }, text));
    });

    const welcome = ctx.config.string('welcome', '');
    if (welcome) {
      ctx.on('presence.initial', ({ session }) => {
        const greeting: Element = message({ from: server.defaultDomain, to: session.jid.toString(), type: 'headline' }, welcome);
        router.deliver(session.jid.toString(), greeting);
      });
    }
    ctx.log.info('help bot ready', { welcome: welcome !== '' });
  },
  saveState: () => ({ answered }),
  restoreState: (_ctx, state) => {
    answered = state.answered;
  },
});
