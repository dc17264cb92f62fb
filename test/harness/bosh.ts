import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DOMAIN } from './server';

export const NS_HTTPBIND = 'http://jabber.org/protocol/httpbind';

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTP request (http or https, certificates not checked: the test server's are self-signed). */
export function httpCall(url: string, method: string, body?: string, headers: Record<string, string> = {}): Promise<HttpReply> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method, rejectUnauthorized: false, agent: false, headers: { 'Content-Type': 'text/xml; charset=utf-8', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** An attribute of the response's <body/> start tag. */
export function bodyAttr(text: string, name: string): string | undefined {
  const start = /^<body\b[^>]*>/.exec(text)?.[0] ?? '';
  return new RegExp(`\\s${name.replace(':', '\\:')}='([^']*)'`).exec(start)?.[1];
}

/** A raw BOSH client: it builds <body/> wrappers and counts rids, nothing more (the tests drive it). */
export class RawBosh {
  sid = '';
  rid = Math.floor(Math.random() * 1e9) + 1000;

  constructor(readonly url: string) {}

  /** Creates the session; resolves the creation response. */
  async create(attrs: Record<string, string> = {}): Promise<HttpReply> {
    const all: Record<string, string> = { to: DOMAIN, wait: '2', hold: '1', ver: '1.6', 'xml:lang': 'en', 'xmpp:version': '1.0', ...attrs };
    const a = Object.entries(all).map(([k, v]) => ` ${k}='${v}'`).join('');
    const reply = await httpCall(this.url, 'POST', `<body xmlns='${NS_HTTPBIND}' xmlns:xmpp='urn:xmpp:xbosh' rid='${this.rid}'${a}/>`);
    this.sid = bodyAttr(reply.text, 'sid') ?? '';
    return reply;
  }

  /** The next rid's body with `payload` and extra attributes (not sent). */
  next(payload = '', attrs: Record<string, string> = {}): { rid: number; xml: string } {
    const rid = ++this.rid;
    return { rid, xml: this.wrap(rid, payload, attrs) };
  }

  wrap(rid: number, payload = '', attrs: Record<string, string> = {}): string {
    const a = Object.entries(attrs).map(([k, v]) => ` ${k}='${v}'`).join('');
    return `<body xmlns='${NS_HTTPBIND}' xmlns:xmpp='urn:xmpp:xbosh' sid='${this.sid}' rid='${rid}'${a}>${payload}</body>`;
  }

  post(xml: string, headers: Record<string, string> = {}): Promise<HttpReply> {
    return httpCall(this.url, 'POST', xml, headers);
  }

  /** Sends the next request and resolves its response. */
  send(payload = '', attrs: Record<string, string> = {}): Promise<HttpReply> {
    return this.post(this.next(payload, attrs).xml);
  }

  /** Polls (empty requests) until a response contains `needle`; resolves all text received. */
  async until(needle: string | RegExp, timeoutMs = 8000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let all = '';
    while (Date.now() < deadline) {
      const r = await this.send();
      all += r.text;
      if (typeof needle === 'string' ? all.includes(needle) : needle.test(all)) return all;
      if (bodyAttr(r.text, 'type') === 'terminate') break;
    }
    throw new Error(`BOSH: ${needle} not received; got ${all}`);
  }

  /** PLAIN login (on an encrypted listener), stream restart and resource binding; resolves the bound JID. */
  async login(user: string, password: string, resource: string): Promise<string> {
    const creds = Buffer.from(`\0${user}\0${password}`).toString('base64');
    let r = await this.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${creds}</auth>`);
    if (!r.text.includes('<success')) r = { ...r, text: await this.until('<success') };
    r = await this.send('', { 'xmpp:restart': 'true' });
    if (!r.text.includes('<stream:features')) await this.until('<stream:features');
    const bind = `<iq xmlns='jabber:client' type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${resource}</resource></bind></iq>`;
    r = await this.send(bind);
    const text = r.text.includes('</jid>') ? r.text : await this.until('</jid>');
    return /<jid>([^<]+)<\/jid>/.exec(text)![1];
  }
}
