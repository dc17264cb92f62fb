import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from '@starling/sdk';
import { XmlStreamParser, type XmlStreamParserOptions } from './xml-stream-parser';

const HEADER = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";

type Event = unknown[];

/** A structural snapshot of an element: adjacent text must already be merged. */
function snapshot(el: Element): unknown {
  return [el.name, { ...el.attrs }, el.children.map((c) => (typeof c === 'string' ? c : snapshot(c)))];
}

function collect(extra: Partial<XmlStreamParserOptions> = {}): { parser: XmlStreamParser; events: Event[] } {
  const events: Event[] = [];
  const parser = new XmlStreamParser({
    maxStanzaSize: 10_000,
    onStreamStart: (attrs, name) => events.push(['start', name, { ...attrs }]),
    onStanza: (el) => {
      assert.equal(el.parent, null);
      events.push(['stanza', snapshot(el)]);
    },
    onStreamEnd: () => events.push(['end']),
    onError: (condition, text) => events.push(['error', condition, text]),
    ...extra,
  });
  return { parser, events };
}

function feed(chunks: string[], extra?: Partial<XmlStreamParserOptions>): Event[] {
  const { parser, events } = collect(extra);
  for (const c of chunks) parser.write(c);
  return events;
}

/** The events for `input` fed whole, split in two at every point, and one character at a time must agree. */
function parseEverySplit(input: string, extra?: Partial<XmlStreamParserOptions>): Event[] {
  const whole = feed([input], extra);
  for (let i = 1; i < input.length; i++) {
    assert.deepEqual(feed([input.slice(0, i), input.slice(i)], extra), whole, `split at ${i}: ${JSON.stringify(input.slice(0, i))} | ${JSON.stringify(input.slice(i))}`);
  }
  assert.deepEqual(feed([...input], extra), whole, 'one character at a time');
  return whole;
}

function errorOf(events: Event[]): [string, string] | undefined {
  const e = events.find((x) => x[0] === 'error');
  return e ? [e[1] as string, e[2] as string] : undefined;
}

function expectError(input: string, condition: string, extra?: Partial<XmlStreamParserOptions>): Event[] {
  const events = parseEverySplit(input, extra);
  const err = errorOf(events);
  assert.ok(err, `expected ${condition} for ${JSON.stringify(input)}, got ${JSON.stringify(events)}`);
  assert.equal(err[0], condition, `${JSON.stringify(input)}: ${err[1]}`);
  assert.equal(events.filter((e) => e[0] === 'error').length, 1);
  assert.equal(events[events.length - 1][0], 'error', 'nothing after the error');
  return events;
}

const STREAM_ATTRS = { xmlns: 'jabber:client', 'xmlns:stream': 'http://etherx.jabber.org/streams', to: 'example.com', version: '1.0' };

test('a whole stream: declaration, header, stanzas, keepalives, end', () => {
  const input =
    "<?xml version='1.0' encoding='UTF-8'?>\n" +
    HEADER +
    ' \n\t ' +
    "<message to='juliet@example.com/balcony' type=\"chat\" id='m1'><body>Wherefore art thou?</body></message>" +
    '  ' +
    "<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>" +
    '<stream:features/>' +
    '\n</stream:stream>\n ';
  const events = parseEverySplit(input);
  assert.deepEqual(events, [
    ['start', 'stream:stream', STREAM_ATTRS],
    ['stanza', ['message', { to: 'juliet@example.com/balcony', type: 'chat', id: 'm1' }, [['body', {}, ['Wherefore art thou?']]]]],
    ['stanza', ['iq', { type: 'get', id: 'p1' }, [['ping', { xmlns: 'urn:xmpp:ping' }, []]]]],
    ['stanza', ['stream:features', {}, []]],
    ['end'],
  ]);
});

test('decodes references, CDATA and line ends; normalises attribute white space', () => {
  const input =
    HEADER +
    "<message a='x &amp; y &lt;&gt; &quot;&apos;' b='tab\there&#10;nl&#9;' c='cr\r\nlf'>" +
    '<body>a&amp;b &lt;c&gt; &#65;&#x42;&#x1F600; &quot;q&apos; <![CDATA[<not> &amp; markup]]]]><![CDATA[>]]> x]y ]] z</body>' +
    '<t>line1\r\nline2\rline3\n</t>' +
    '</message>';
  const [, stanza] = parseEverySplit(input);
  assert.deepEqual(stanza, [
    'stanza',
    [
      'message',
      { a: 'x & y <> "\'', b: 'tab here\nnl\t', c: 'cr lf' },
      [
        ['body', {}, ['a&b <c> AB😀 "q\' <not> &amp; markup]]> x]y ]] z']],
        ['t', {}, ['line1\nline2\nline3\n']],
      ],
    ],
  ]);
});

test('quotes and ">" inside attribute values, with either quote character', () => {
  const [, stanza] = parseEverySplit(HEADER + `<x a="it's > 1" b='say "hi" >' c = "=" ><y d='/>'/></x>`);
  assert.deepEqual(stanza, ['stanza', ['x', { a: "it's > 1", b: 'say "hi" >', c: '=' }, [['y', { d: '/>' }, []]]]]);
});

test('builds a tree with parents; xmlns and prefixed declarations stay attributes', () => {
  let got: Element | undefined;
  const p = new XmlStreamParser({
    maxStanzaSize: 10_000,
    onStreamStart: () => {},
    onStanza: (el) => (got = el),
    onStreamEnd: () => {},
    onError: (c, t) => assert.fail(`${c}: ${t}`),
  });
  p.write(HEADER + "<iq type='set' id='1'><query xmlns='jabber:iq:roster' xmlns:x='urn:x'><item jid='a@b' x:flag='1' xml:lang='en'/></query></iq>");
  assert.ok(got);
  const query = got.getChild('query', 'jabber:iq:roster')!;
  assert.equal(query.parent, got);
  const item = query.getChild('item')!;
  assert.equal(item.parent, query);
  assert.equal(item.getNS(), 'jabber:iq:roster');
  assert.deepEqual(query.attrs, { xmlns: 'jabber:iq:roster', 'xmlns:x': 'urn:x' });
  assert.deepEqual(item.attrs, { jid: 'a@b', 'x:flag': '1', 'xml:lang': 'en' });
  assert.equal(got.toString(), `<iq type="set" id="1"><query xmlns="jabber:iq:roster" xmlns:x="urn:x"><item jid="a@b" x:flag="1" xml:lang="en"/></query></iq>`);
});

test('prefixes: bound by the stream header, by the element or by an ancestor', () => {
  const events = parseEverySplit(
    HEADER.replace('>', " xmlns:db='jabber:server:dialback'>") + "<db:result to='a' from='b'>key</db:result><x xmlns:p='urn:p'><p:y><p:z p:a='1'/></p:y></x>",
  );
  assert.equal(errorOf(events), undefined);
  assert.equal(events.length, 3);
});

test('attribute names that exist on Object.prototype are ordinary attributes', () => {
  const [, stanza] = parseEverySplit(HEADER + "<x constructor='1' toString='2' __proto__='3' hasOwnProperty='4'/>");
  assert.deepEqual(stanza, ['stanza', ['x', { constructor: '1', toString: '2', ['__proto__']: '3', hasOwnProperty: '4' }, []]]);
  expectError(HEADER + "<x __proto__='1' __proto__='2'/>", 'not-well-formed');
});

test('a byte order mark at the start is skipped', () => {
  const events = parseEverySplit("\uFEFF<?xml version='1.0'?>" + HEADER);
  assert.deepEqual(events, [['start', 'stream:stream', STREAM_ATTRS]]);
});

test('non-ASCII names and astral characters, even split between surrogates', () => {
  const input = HEADER + "<ünïcödé attr='😀'>日本語 😀 𝄞</ünïcödé>";
  const events = parseEverySplit(input);
  assert.deepEqual(events[1], ['stanza', ['ünïcödé', { attr: '😀' }, ['日本語 😀 𝄞']]]);
});

test('a self-closing stream root starts and ends the stream', () => {
  assert.deepEqual(parseEverySplit(HEADER.replace('>', '/>')), [['start', 'stream:stream', STREAM_ATTRS], ['end']]);
});

test('restricted XML', () => {
  const cases = [
    HEADER + '<!-- comment -->',
    '<!-- comment -->' + HEADER,
    HEADER + '<message><!-- c --></message>',
    HEADER + '<?php echo 1; ?>',
    HEADER + "<message><?pi x?></message>",
    ' <?xml version="1.0"?>' + HEADER,
    HEADER + "<?xml version='1.0'?>",
    "<?xml version='1.0'?><?xml version='1.0'?>" + HEADER,
    "<?xml-stylesheet href='a'?>" + HEADER,
    '<!DOCTYPE stream [<!ENTITY x "y">]>' + HEADER,
    HEADER + '<!ENTITY x "y">',
    HEADER + '<message><!ELEMENT x ANY></message>',
    HEADER + '<message><body>&nbsp;</body></message>',
    HEADER + "<message to='&x;'/>",
    HEADER + '<message><body>&foo.bar-1;</body></message>',
  ];
  for (const c of cases) expectError(c, 'restricted-xml');
});

test('not well-formed', () => {
  const cases = [
    HEADER + '<message></iq>',
    HEADER + '<message><body></message>',
    HEADER + '<message></stream:stream>',
    HEADER + '</message>',
    HEADER + '<message to=juliet/>',
    HEADER + "<message to='a' to='b'/>",
    HEADER + "<message to='a<b'/>",
    HEADER + "<message to='a'from='b'/>",
    HEADER + '<message to/>',
    HEADER + "<message to='a' / >",
    HEADER + '< message/>',
    HEADER + '<1message/>',
    HEADER + '<a:/>',
    HEADER + '<:a/>',
    HEADER + '<a:b:c/>',
    HEADER + '<message><body>\u0001</body></message>',
    HEADER + "<message to='\u000b'/>",
    HEADER + '<message>\uFFFF</message>',
    HEADER + '<message>\uD800x</message>',
    HEADER + '<message>x\uDC00</message>',
    HEADER + '<message>&#0;</message>',
    HEADER + '<message>&#x1;</message>',
    HEADER + '<message>&#xD800;</message>',
    HEADER + '<message>&#xFFFE;</message>',
    HEADER + '<message>&#x110000;</message>',
    HEADER + '<message>&#12a;</message>',
    HEADER + '<message>&#X41;</message>',
    HEADER + '<message>&#;</message>',
    HEADER + '<message>a & b</message>',
    HEADER + '<message>&;</message>',
    HEADER + '<message>& amp;</message>',
    HEADER + '<message>&amp</message>',
    HEADER + '<message>]]></message>',
    HEADER + 'hello',
    HEADER + '&amp;',
    HEADER + '<![CDATA[x]]>',
    'hello' + HEADER,
    HEADER + '</stream:stream><message/>',
    HEADER + '</stream:stream>x',
    HEADER + '</stream:stream></stream:stream>',
    HEADER + '</stream:streams>',
    HEADER + '<foo:bar/>',
    HEADER + "<message foo:bar='1'/>",
    HEADER + "<x xmlns:p='urn:p'/><p:y/>",
    HEADER + "<x xmlns:p=''/>",
    HEADER + "<x xmlns:xmlns='urn:x'/>",
    HEADER + "<x xmlns:xml='urn:x'/>",
    HEADER + "<x xmlns:p='http://www.w3.org/XML/1998/namespace'/>",
    HEADER + '<xmlns:x/>',
    HEADER + "<x xmlns:a='u' xmlns:b='u' a:k='1' b:k='2'/>",
    HEADER.replace("version='1.0'", "version='1.0' x:y='z'"),
    "<?xml version='2.0'?>" + HEADER,
    "<?xml encoding='UTF-8'?>" + HEADER,
    "<?xml version='1.0' standalone='maybe'?>" + HEADER,
  ];
  for (const c of cases) expectError(c, 'not-well-formed');
});

test('the stanza before a bad character is still delivered', () => {
  const events = feed([HEADER + '<a/><b/>\u0000<c/>']);
  assert.deepEqual(
    events.map((e) => e[0]),
    ['start', 'stanza', 'stanza', 'error'],
  );
});

test('invalid namespace on the stream root', () => {
  const cases = [
    "<stream xmlns='http://etherx.jabber.org/streams'>",
    "<stream:stream xmlns:stream='http://etherx.jabber.org/streams/'>",
    "<stream:stream xmlns='jabber:client'>",
    "<s:stream xmlns:s='http://etherx.jabber.org/streams'>",
    '<message/>',
  ];
  for (const c of cases) expectError(c, 'invalid-namespace');
});

test('an XML declaration with another encoding is bad-format', () => {
  expectError("<?xml version='1.0' encoding='ISO-8859-1'?>" + HEADER, 'bad-format');
  assert.equal(errorOf(parseEverySplit('<?xml version="1.0" encoding="utf-8" standalone="yes" ?>' + HEADER)), undefined);
});

test('stanza size limit, counted while a stanza arrives', () => {
  const max = 200;
  const body = 'x'.repeat(150);
  const ok = `<message id='1'><body>${body}</body></message>`; // 183 characters
  assert.ok(ok.length <= max);
  assert.equal(errorOf(parseEverySplit(HEADER + ok + ok, { maxStanzaSize: max })), undefined);
  const big = `<message id='1'><body>${body}xxxxxxxxxxxxxxxxxxxx</body></message>`;
  expectError(HEADER + big, 'policy-violation', { maxStanzaSize: max });
  // white space between stanzas does not count
  assert.equal(errorOf(feed([HEADER, ' '.repeat(1000), ok], { maxStanzaSize: max })), undefined);
  // the stream header itself is limited too
  expectError(HEADER.replace('>', ` pad='${'p'.repeat(300)}'>`), 'policy-violation', { maxStanzaSize: max });
});

test('an endless stanza is refused as soon as it passes the limit, whatever it is made of', () => {
  const max = 1000;
  const openings = ["<message a='", '<message><body>', '<message><body>&#00000', '<message><![CDATA[', '<message', '</message', '<message><a><b>'];
  for (const opening of openings) {
    const { parser, events } = collect({ maxStanzaSize: max });
    parser.write(HEADER + opening);
    let fed = opening.length;
    const filler = opening.endsWith('<b>') ? '<b>' : opening.endsWith('&#00000') ? '0' : opening === '<message' ? ' ' : opening === '</message' ? ' ' : 'z';
    while (events.length < 2 && fed < 10 * max) {
      parser.write(filler);
      fed += filler.length;
    }
    const err = errorOf(events);
    assert.ok(err, opening);
    assert.equal(err[0], 'policy-violation', opening);
    assert.ok(fed <= max + 3, `${opening}: error after ${fed} characters`);
  }
});

test('a reference longer than 1024 characters is not well-formed, split or not', () => {
  expectError(HEADER + '<message>&#' + '0'.repeat(1100) + '65;</message>', 'not-well-formed');
  const { parser, events } = collect();
  parser.write(HEADER + '<message>&#');
  for (let i = 0; i < 1100; i++) parser.write('0');
  assert.equal(errorOf(events)?.[0], 'not-well-formed');
  assert.equal(errorOf(feed([HEADER + '<message>&#' + '0'.repeat(1000) + '65;</message>']))?.[0], undefined);
});

test('the nesting depth is limited', () => {
  const deep = (n: number) => HEADER + '<a>'.repeat(n) + '</a>'.repeat(n);
  assert.equal(errorOf(feed([deep(5)], { maxDepth: 5 })), undefined);
  assert.equal(errorOf(feed([deep(6)], { maxDepth: 5 }))?.[0], 'policy-violation');
  assert.equal(errorOf(feed([deep(100)]))?.[0], undefined);
  assert.equal(errorOf(feed([deep(101)]))?.[0], 'policy-violation');
});

test('after an error, input is ignored until reset()', () => {
  const { parser, events } = collect();
  parser.write(HEADER + '<a></b>');
  parser.write('<c/>');
  parser.write('</stream:stream>');
  assert.deepEqual(
    events.map((e) => e[0]),
    ['start', 'error'],
  );
  parser.reset();
  parser.write(HEADER + '<c/>');
  assert.deepEqual(
    events.map((e) => e[0]),
    ['start', 'error', 'start', 'stanza'],
  );
});

test('reset() for a stream restart accepts a new declaration and header', () => {
  const { parser, events } = collect();
  parser.write("<?xml version='1.0'?>" + HEADER + "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldABy</auth>");
  parser.reset();
  parser.write("<?xml version='1.0'?>" + HEADER + '<iq/>');
  assert.deepEqual(
    events.map((e) => e[0]),
    ['start', 'stanza', 'start', 'stanza'],
  );
});

test('reset() from a callback drops the rest of the input (no STARTTLS injection)', () => {
  const events: Event[] = [];
  const parser: XmlStreamParser = new XmlStreamParser({
    maxStanzaSize: 10_000,
    onStreamStart: (_a, name) => events.push(['start', name]),
    onStanza: (el) => {
      events.push(['stanza', el.name]);
      if (el.name === 'starttls') parser.reset();
    },
    onStreamEnd: () => events.push(['end']),
    onError: (c) => events.push(['error', c]),
  });
  parser.write(HEADER + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><iq type='set'>injected</iq>\u0000");
  assert.deepEqual(events, [
    ['start', 'stream:stream'],
    ['stanza', 'starttls'],
  ]);
  parser.write(HEADER + '<iq/>');
  assert.deepEqual(events.slice(2), [
    ['start', 'stream:stream'],
    ['stanza', 'iq'],
  ]);
});

test('an exception from a callback propagates and stops the parser', () => {
  let errors = 0;
  const parser = new XmlStreamParser({
    maxStanzaSize: 10_000,
    onStreamStart: () => {},
    onStanza: () => {
      throw new Error('boom');
    },
    onStreamEnd: () => {},
    onError: () => errors++,
  });
  assert.throws(() => parser.write(HEADER + '<a/>'), /boom/);
  parser.write('<b/>');
  assert.equal(errors, 0);
});

test('constructor rejects a non-positive size limit', () => {
  assert.throws(() => collect({ maxStanzaSize: 0 }), RangeError);
});

function feedBytes(chunks: Uint8Array[], extra?: Partial<XmlStreamParserOptions>): Event[] {
  const { parser, events } = collect(extra);
  for (const c of chunks) parser.writeBytes(c);
  return events;
}

/** The events for `input` fed whole, split in two at every byte, and one byte at a time must agree. */
function parseEveryByteSplit(input: Buffer, extra?: Partial<XmlStreamParserOptions>): Event[] {
  const whole = feedBytes([input], extra);
  for (let i = 1; i < input.length; i++) assert.deepEqual(feedBytes([input.subarray(0, i), input.subarray(i)], extra), whole, `split at byte ${i}`);
  assert.deepEqual(feedBytes([...input].map((b) => Uint8Array.of(b)), extra), whole, 'one byte at a time');
  return whole;
}

test('bytes: multi-byte sequences split anywhere decode as when whole', () => {
  const events = parseEveryByteSplit(Buffer.from(HEADER + "<message><body>é€😀</body></message>"));
  assert.deepEqual(events[1], ['stanza', ['message', {}, [['body', {}, ['é€😀']]]]]);
});

test('bytes: invalid UTF-8 is not-well-formed after the stanzas before it, never U+FFFD', () => {
  const cases: number[][] = [[0xff], [0xfe], [0x80], [0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xe0, 0x9f, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf0, 0x80, 0x80, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xe2, 0x82, 0x41], [0xc3, 0x20]];
  for (const bad of cases) {
    const input = Buffer.concat([Buffer.from(HEADER + '<presence/><message><body>X'), Buffer.from(bad), Buffer.from('Y</body></message>')]);
    const events = parseEveryByteSplit(input);
    const label = Buffer.from(bad).toString('hex');
    assert.equal(events[1][0], 'stanza', label);
    assert.equal(events.length, 3, `${label}: ${JSON.stringify(events)}`);
    assert.deepEqual(events[2].slice(0, 2), ['error', 'not-well-formed'], label);
    assert.match(String(events[2][2]), /invalid UTF-8/);
  }
});

test('bytes: a sequence cut off by the end of the input delivers nothing', () => {
  const events = feedBytes([Buffer.concat([Buffer.from(HEADER + '<message><body>'), Buffer.from([0xf0, 0x9f, 0x98])])]);
  assert.equal(events.length, 1);
});

test('the stanza size limit counts UTF-8 bytes, not characters', () => {
  const body = '€'.repeat(1000); // 1000 characters, 3000 bytes
  expectError(HEADER + `<message><body>${body}</body></message>`, 'policy-violation', { maxStanzaSize: 2500 });
  assert.equal(errorOf(feed([HEADER + `<message><body>${body}</body></message>`], { maxStanzaSize: 3100 })), undefined);
  // Fed as bytes and split inside a pending tag, the same count applies.
  const tag = Buffer.from(HEADER + `<message id='${'€'.repeat(900)}'>`);
  const err = errorOf(feedBytes([tag.subarray(0, 300), tag.subarray(300)], { maxStanzaSize: 2500 }));
  assert.equal(err?.[0], 'policy-violation');
  assert.match(err[1], /2500 bytes/);
});
