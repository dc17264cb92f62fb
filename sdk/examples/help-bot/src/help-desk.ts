import {
  type Element,
  type IqHandler,
  PLUGIN_CONFIG,
  type PluginConfig,
  ROUTER,
  type Router,
  SERVER_INFO,
  type ServerInfo,
  type Session,
  type StanzaHandler,
  StanzaError,
  inject,
  injectable,
  message,
  xml,
} from '@starling/sdk';
import { answer } from './conversation';
import { NS_HELP_BOT } from './ns';
import { TOPIC_RE, TopicBook } from './topic-book';

/** The bot: chat questions, the IQ API and the welcome text. It counts the questions it answered. */
@injectable()
export class HelpDesk {
  /** Questions answered since the server started (handed over on a hot reload). */
  answered = 0;
  /** The text a user gets on coming online ('' for none). */
  readonly welcome: string;

  constructor(
    @inject(TopicBook) private readonly book: TopicBook,
    @inject(SERVER_INFO) private readonly server: ServerInfo,
    @inject(ROUTER) private readonly router: Router,
    @inject(PLUGIN_CONFIG) config: PluginConfig,
  ) {
    this.welcome = config.string('welcome', '');
  }

  /** A chat or normal message to the domain is a question. */
  readonly ask: StanzaHandler = async (req) => {
    const type = req.stanza.attrs.type ?? 'normal';
    const body = req.stanza.getChildText('body');
    if (type === 'error' || type === 'groupchat' || body === undefined) return false;
    const reply = await answer(this.book, body, { isAdmin: this.server.isAdmin(req.from) });
    this.answered++;
    req.send(message({ from: req.to.toString(), to: req.from.toString(), type: type === 'chat' ? 'chat' : 'normal' }, reply));
    return true;
  };

  /** `<query xmlns='urn:starling:help-bot:0'/>` lists topics; with `<topic name='x'/>` it returns that one. */
  readonly query: IqHandler = async (req) => {
    const asked = req.stanza.getChild('query', NS_HELP_BOT)?.getChild('topic');
    const topics = await this.book.all();
    this.answered++;
    if (!asked) return xml('query', { xmlns: NS_HELP_BOT, answered: String(this.answered) }, ...Object.keys(topics).sort().map((name) => xml('topic', { name })));
    const name = asked.attrs.name ?? '';
    if (!TOPIC_RE.test(name)) throw new StanzaError('bad-request', 'A topic name is one word');
    const text = topics[name];
    if (!text) throw new StanzaError('item-not-found', `No topic ${name}`);
    return xml('query', { xmlns: NS_HELP_BOT }, xml('topic', { name }, text));
  };

  /** Greets a user whose client came online. */
  greet(session: Session): void {
    const greeting: Element = message({ from: this.server.defaultDomain, to: session.jid.toString(), type: 'headline' }, this.welcome);
    this.router.deliver(session.jid.toString(), greeting);
  }
}
