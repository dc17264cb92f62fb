import { TOPIC_RE, type TopicBook } from './topic-book';

export interface Asker {
  isAdmin: boolean;
}

/** Answers one chat line: `help`, `<topic>`, and for admins `set <topic> <text>` / `forget <topic>`. */
export async function answer(book: TopicBook, line: string, asker: Asker): Promise<string> {
  const text = line.trim();
  const [word = '', ...rest] = text.split(/\s+/);
  const cmd = word.toLowerCase();
  if (cmd === '' || cmd === 'help' || cmd === '?') {
    const names = Object.keys(await book.all()).sort();
    const lines = [names.length ? `Topics: ${names.join(', ')}` : 'No topics yet.', 'Send a topic name to read it.'];
    if (asker.isAdmin) lines.push('Admins: set <topic> <text> | forget <topic>');
    return lines.join('\n');
  }
  if (cmd === 'set' || cmd === 'forget') {
    if (!asker.isAdmin) return `Only administrators may ${cmd} topics.`;
    const name = (rest[0] ?? '').toLowerCase();
    if (!TOPIC_RE.test(name)) return `Usage: ${cmd === 'set' ? 'set <topic> <text>' : 'forget <topic>'} (a topic is one word)`;
    if (cmd === 'forget') return (await book.forget(name)) ? `Forgot ${name}.` : `There is no topic ${name}.`;
    const body = /^\S+\s+\S+\s*([\s\S]*)$/.exec(text)?.[1].trim();
    if (!body) return 'Usage: set <topic> <text>';
    await book.set(name, body);
    return `Saved ${name}.`;
  }
  const found = await book.get(cmd);
  return found ?? `I know nothing about "${word}". Send help for the list of topics.`;
}
