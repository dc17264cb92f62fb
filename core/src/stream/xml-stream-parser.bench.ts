/**
 * Micro-benchmark for XmlStreamParser (not a test): 100k small chat messages in one stream, fed in 4 KB
 * string chunks, best of several runs. Run with `node core/dist/src/stream/xml-stream-parser.bench.js`
 * (optional arguments: message count, chunk size).
 */
import { XmlStreamParser } from './xml-stream-parser';

const count = Number(process.argv[2] ?? 100_000);
const chunkSize = Number(process.argv[3] ?? 4096);
const runs = 7;

const header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='capulet.lit' version='1.0'>";
const parts = [header];
for (let i = 0; i < count; i++) {
  parts.push(`<message to='juliet@capulet.lit/balcony' type='chat' id='m${i}'><body>Wherefore art thou, Romeo &amp; why ${i}?</body></message>`);
}
parts.push('</stream:stream>');
const stream = parts.join('');
const chunks: string[] = [];
for (let i = 0; i < stream.length; i += chunkSize) chunks.push(stream.slice(i, i + chunkSize));
const bytes = Buffer.byteLength(stream);

function once(): number {
  let stanzas = 0;
  let failed = '';
  const parser = new XmlStreamParser({
    maxStanzaSize: 65536,
    onStreamStart: () => {},
    onStanza: () => void stanzas++,
    onStreamEnd: () => {},
    onError: (c, t) => (failed = `${c}: ${t}`),
  });
  const t0 = process.hrtime.bigint();
  for (const c of chunks) parser.write(c);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (failed || stanzas !== count) throw new Error(`benchmark stream did not parse: ${failed || stanzas + ' stanzas'}`);
  return ms;
}

once(); // warm-up
let best = Infinity;
for (let i = 0; i < runs; i++) best = Math.min(best, once());
const mb = bytes / 1e6;
console.log(
  `XmlStreamParser: ${count} stanzas, ${mb.toFixed(1)} MB in ${chunkSize}-char chunks: best ${best.toFixed(1)} ms = ` +
    `${(mb / (best / 1000)).toFixed(1)} MB/s, ${Math.round(count / (best / 1000)).toLocaleString('en')} stanzas/s`,
);
