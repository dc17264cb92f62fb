import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XmlStreamParser } from './xml-stream-parser';

/**
 * Shared by the fuzz tests (bounded) and bench/fuzz-stream.mjs (millions of inputs): a corpus of real
 * client streams, a deterministic byte mutator and a runner that records what the parser reported.
 */

const HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0' xml:lang='en'>";

/** Hand-written streams in the shapes clients send, with what the recordings lack (CDATA, character references, prefixed namespaces, the stream's end). */
const HAND_WRITTEN = [
  HEADER + "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>biwsbj1hbGljZSxyPWZ5a29+ZXQ=</auth>",
  HEADER + "<iq type='set' id='bind_1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>Gajim.Ü</resource></bind></iq>",
  HEADER + "<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://conversejs.org' ver='Q3+Xz8='/><priority>5</priority></presence>",
  HEADER + "<message to='bob@localhost' type='chat' id='m1'><body>héllo € 😀 &amp; &lt;b&gt; &#x1F600;</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
  HEADER + "<iq type='get' id='r1'><query xmlns='jabber:iq:roster' ver=''/></iq><r xmlns='urn:xmpp:sm:3'/> <iq type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>",
  HEADER + "<message to='a@localhost'><body><![CDATA[<not> markup & stuff]]></body><x:data xmlns:x='jabber:x:data' x:type='form'/></message></stream:stream>",
];

/** Streams recorded from slixmpp and @xmpp/client by bench/fuzz-corpus.mjs (one file per stream restart). */
const RECORDED_DIR = join(__dirname, '..', '..', '..', 'src', 'stream', 'fixtures', 'streams');

/** What the fuzzers mutate: the recorded client streams and the hand-written ones. */
export const STREAM_CORPUS: readonly Buffer[] = [
  ...readdirSync(RECORDED_DIR)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => readFileSync(join(RECORDED_DIR, f))),
  ...HAND_WRITTEN.map((s) => Buffer.from(s)),
];

/** A small deterministic PRNG (mulberry32) so a bench run can be repeated from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0x00, 0x01, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x26, 0x27, 0x2f, 0x3a, 0x3b, 0x3c, 0x3e, 0x5d, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc3, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];

/** Applies one mutation per seed: flip, replace with an interesting byte, insert, delete or duplicate a span. */
export function mutateBytes(input: Buffer, seeds: readonly number[]): Buffer {
  let b = Buffer.from(input);
  for (const seed of seeds) {
    const r = prng(seed);
    const at = Math.floor(r() * (b.length + 1));
    switch (Math.floor(r() * 5)) {
      case 0:
        if (at < b.length) b[at] = b[at]! ^ (1 << Math.floor(r() * 8));
        break;
      case 1:
        if (at < b.length) b[at] = INTERESTING[Math.floor(r() * INTERESTING.length)]!;
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), Buffer.of(INTERESTING[Math.floor(r() * INTERESTING.length)]!), b.subarray(at)]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(r() * 8)))]);
        break;
      default: {
        const len = Math.floor(r() * 32);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
      }
    }
  }
  return b;
}

export interface ParseRun {
  events: unknown[];
  stanzas: string[];
  /** Text of every <body/> delivered. */
  bodies: string[];
  errors: number;
  last: string | undefined;
  inputHadReplacementChar: boolean;
}

/** Feeds `input` (prefixed with a stream header unless it has one) in chunks of `chunk` bytes. */
export function runBytes(input: Buffer, chunk: number, maxStanzaSize = 65536): ParseRun {
  const run: ParseRun = { events: [], stanzas: [], bodies: [], errors: 0, last: undefined, inputHadReplacementChar: input.includes(Buffer.from('\uFFFD')) };
  const parser = new XmlStreamParser({
    maxStanzaSize,
    onStreamStart: (attrs) => {
      run.events.push(['start', attrs]);
      run.last = 'start';
    },
    onStanza: (el) => {
      const s = el.toString();
      run.events.push(['stanza', s]);
      run.stanzas.push(s);
      const body = el.getChildText('body');
      if (body !== undefined && body !== null) run.bodies.push(body);
      run.last = 'stanza';
    },
    onStreamEnd: () => {
      run.events.push(['end']);
      run.last = 'end';
    },
    onError: (condition, text) => {
      run.events.push(['error', condition, text]);
      run.errors++;
      run.last = 'error';
    },
  });
  const step = Math.max(1, chunk);
  for (let i = 0; i < input.length; i += step) parser.writeBytes(input.subarray(i, i + step));
  return run;
}
