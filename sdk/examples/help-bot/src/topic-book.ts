import { PLUGIN_CONFIG, type PluginConfig, SERVER_DATA, type ServerDataStore, inject, injectable } from '@starling/sdk';
import { STORE_NODE } from './ns';

/** A topic name: a word, so that `set <topic> <text>` parses. */
export const TOPIC_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * The topics the bot knows: those in its config bean, as `name=text` items
 * (`'help-bot' () { topics = [ 'rules=Be nice.', 'support=Write to support@example.com' ] }`), and those
 * admins wrote at run time, which are stored and win over config.
 */
@injectable()
export class TopicBook {
  constructor(
    @inject(PLUGIN_CONFIG) private readonly config: PluginConfig,
    @inject(SERVER_DATA) private readonly store: ServerDataStore,
  ) {}

  private configured(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const item of this.config.list('topics', [])) {
      const eq = item.indexOf('=');
      const name = item.slice(0, eq).trim().toLowerCase();
      if (eq > 0 && TOPIC_RE.test(name)) out[name] = item.slice(eq + 1).trim();
    }
    return out;
  }

  async all(): Promise<Record<string, string>> {
    const stored = await this.store.getAll(STORE_NODE);
    const merged = { ...this.configured(), ...stored };
    for (const [k, v] of Object.entries(merged)) if (!v) delete merged[k];
    return merged;
  }

  async get(name: string): Promise<string | undefined> {
    return (await this.all())[name.toLowerCase()];
  }

  async set(name: string, text: string): Promise<void> {
    await this.store.set(STORE_NODE, name.toLowerCase(), text);
  }

  /** Hides a topic (a configured one too: an empty stored text masks it). */
  async forget(name: string): Promise<boolean> {
    const key = name.toLowerCase();
    if (!(await this.get(key))) return false;
    await this.store.set(STORE_NODE, key, '');
    return true;
  }
}
