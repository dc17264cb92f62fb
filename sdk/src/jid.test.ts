import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Jid, JidError, parseJid, tryParseJid } from './jid';

test('parses the three parts', () => {
  const j = parseJid('juliet@capulet.lit/balcony');
  assert.equal(j.local, 'juliet');
  assert.equal(j.domain, 'capulet.lit');
  assert.equal(j.resource, 'balcony');
  assert.equal(j.bareString, 'juliet@capulet.lit');
  assert.equal(j.toString(), 'juliet@capulet.lit/balcony');
  assert.equal(j.isBare, false);
  assert.equal(JSON.stringify({ j }), '{"j":"juliet@capulet.lit/balcony"}');
});

test('absent parts are empty strings', () => {
  const d = parseJid('capulet.lit');
  assert.deepEqual([d.local, d.domain, d.resource, d.isBare], ['', 'capulet.lit', '', true]);
  const dr = parseJid('capulet.lit/res');
  assert.deepEqual([dr.local, dr.domain, dr.resource, dr.bareString], ['', 'capulet.lit', 'res', 'capulet.lit']);
});

test('the resource may contain @ and /; the localpart ends at the first @', () => {
  const j = parseJid('a@b.example/c@d/e');
  assert.deepEqual([j.local, j.domain, j.resource], ['a', 'b.example', 'c@d/e']);
  assert.throws(() => parseJid('a@b@c.example'), JidError);
});

test('bare(), withResource() and equals()', () => {
  const j = parseJid('Romeo@Montague.LIT/Orchard');
  const b = j.bare();
  assert.equal(b.toString(), 'romeo@montague.lit');
  assert.equal(b.isBare, true);
  assert.equal(b.bare(), b);
  assert.ok(j.withResource('Orchard').equals(j));
  assert.ok(!j.equals(b));
  assert.ok(!j.equals(null));
  assert.ok(parseJid('romeo@montague.lit/Orchard').equals(j));
  assert.equal(j.toString(), 'romeo@montague.lit/Orchard', 'bare() and withResource() leave the original alone');
});

test('normalises localpart case and domain case, keeps resource case', () => {
  const j = parseJid('JuLiEt@CAPULET.Lit/BalCony');
  assert.equal(j.toString(), 'juliet@capulet.lit/BalCony');
});

test('canonical ASCII input keeps its string', () => {
  const s = 'juliet@capulet.lit/balcony';
  assert.equal(parseJid(s).toString(), s);
});

test('removes one trailing dot from the domain', () => {
  assert.equal(parseJid('a@example.com.').toString(), 'a@example.com');
  assert.equal(parseJid('example.com./r').toString(), 'example.com/r');
  assert.throws(() => parseJid('example.com..'), JidError);
});

test('localpart: PRECIS UsernameCaseMapped (width mapping, lower case, NFC)', () => {
  assert.equal(parseJid('ＪＵＬＩＥＴ@example.com').local, 'juliet'); // fullwidth -> ASCII
  assert.equal(parseJid('ÉLODIE@example.com').local, 'élodie');
  assert.equal(parseJid('E\u0301lodie@example.com').local, '\u00e9lodie'); // combining -> precomposed
  assert.equal(parseJid('Σίσυφος@example.com').local, 'σίσυφος');
});

test('localpart: forbidden characters', () => {
  for (const c of ['"', '&', "'", ':', '<', '>', ' ', '\t', '\u0000', '\u007f', '\u00a0', '\u2003', '\u200b']) {
    assert.throws(() => parseJid(`a${c}b@example.com`), (e: unknown) => e instanceof JidError && e.code === 'STARLING_JID_INVALID', JSON.stringify(c));
  }
  // '/' ends the bare part, '@' separates: both still cannot form a localpart
  assert.throws(() => parseJid('@example.com'), JidError);
});

test('domain: IDNA to ASCII (A-labels) and validation', () => {
  assert.equal(parseJid('user@Bücher.example').domain, 'xn--bcher-kva.example');
  assert.equal(parseJid('user@xn--bcher-kva.example').domain, 'xn--bcher-kva.example');
  assert.equal(parseJid('user@ＥＸＡＭＰＬＥ.com').domain, 'example.com');
  assert.equal(parseJid('user@example。com').domain, 'example.com');
  assert.equal(parseJid('localhost').domain, 'localhost');
  assert.equal(parseJid('a@127.0.0.1').domain, '127.0.0.1');
  assert.equal(parseJid('a@[::1]/r').domain, '[::1]');
  assert.equal(parseJid('a@[::FFFF:1.2.3.4]').domain, '[::ffff:102:304]');
  for (const bad of ['', 'a@', 'a b.com', 'a_b.com', 'a%41.com', '-a.com', 'a-.com', '.a.com', 'a..com', 'xn--a.com', 'xn--zz.com', 'example.123', '1.2', '256.1.1.1', '01.1.1.1', '0x7f.1', '１.２.３.４', '[1:2]', '[v1.x]', 'a!b.com', 'x'.repeat(64) + '.com']) {
    assert.throws(() => parseJid(bad), JidError, JSON.stringify(bad));
  }
});

test('resource: PRECIS OpaqueString (NFC, non-ASCII spaces to U+0020), no controls', () => {
  assert.equal(parseJid('a@b.example/Caf\u0065\u0301 Laptop').resource, 'Caf\u00e9 Laptop');
  assert.equal(parseJid('a@b.example/ ').resource, ' ');
  assert.throws(() => parseJid('a@b.example/'), JidError);
  assert.throws(() => parseJid('a@b.example/x\ny'), JidError);
  assert.throws(() => parseJid('a@b.example/é\u0085'), JidError);
  assert.throws(() => parseJid('a@b.example/\ud800'), JidError);
});

test('each part is at most 1023 bytes of UTF-8', () => {
  assert.equal(parseJid('a'.repeat(1023) + '@b.example').local.length, 1023);
  assert.throws(() => parseJid('a'.repeat(1024) + '@b.example'), JidError);
  assert.equal(parseJid('a@b.example/' + 'r'.repeat(1023)).resource.length, 1023);
  assert.throws(() => parseJid('a@b.example/' + 'r'.repeat(1024)), JidError);
  assert.throws(() => parseJid('a@b.example/' + 'é'.repeat(512)), JidError); // 1024 bytes
  assert.equal(parseJid('a@b.example/' + 'é'.repeat(511)).resource.length, 511);
  const label = 'a'.repeat(63);
  const longDomain = Array(17).fill(label).join('.'); // 1087 chars
  assert.throws(() => parseJid(longDomain), JidError);
});

test('Jid.of builds from parts and normalises them', () => {
  assert.equal(Jid.of('Juliet', 'Capulet.LIT').toString(), 'juliet@capulet.lit');
  assert.equal(Jid.of(null, 'capulet.lit', 'r').toString(), 'capulet.lit/r');
  assert.equal(Jid.of('', 'capulet.lit').toString(), 'capulet.lit');
  assert.throws(() => Jid.of('a:b', 'capulet.lit'), JidError);
});

test('tryParseJid returns null for invalid input', () => {
  assert.equal(tryParseJid('a@@b'), null);
  assert.equal(tryParseJid(undefined), null);
  assert.equal(tryParseJid('a@b.example')?.toString(), 'a@b.example');
});

test('RFC 7622 §3.5: the valid examples', () => {
  const cases: [string, string][] = [
    ['juliet@example.com', 'juliet@example.com'],
    ['juliet@example.com/foo', 'juliet@example.com/foo'],
    ['juliet@example.com/foo bar', 'juliet@example.com/foo bar'],
    ['juliet@example.com/foo@bar', 'juliet@example.com/foo@bar'],
    ['foo\\20bar@example.com', 'foo\\20bar@example.com'],
    ['fussball@example.com', 'fussball@example.com'],
    ['fu\u00dfball@example.com', 'fu\u00dfball@example.com'], // ß is PVALID, not folded to ss
    ['\u03c0@example.com', '\u03c0@example.com'],
    ['\u03a3@example.com/foo', '\u03c3@example.com/foo'], // Σ lower-cased
    ['\u03c3@example.com/foo', '\u03c3@example.com/foo'],
    ['\u03c2@example.com/foo', '\u03c2@example.com/foo'], // final sigma is an exception: PVALID
    ['king@example.com/\u265a', 'king@example.com/\u265a'], // a symbol is fine in a resource
    ['example.com', 'example.com'],
    ['example.com/foobar', 'example.com/foobar'],
    ['a.example.com/b@example.net', 'a.example.com/b@example.net'],
  ];
  for (const [input, canonical] of cases) assert.equal(parseJid(input).toString(), canonical, input);
});

test('RFC 7622 §3.5: the invalid examples', () => {
  // (RFC 7622 also lists 'juliet@example.com/ foo', a leading space, which the OpaqueString profile of RFC 8265 allows.)
  for (const bad of ['"juliet"@example.com', 'foo bar@example.com', '@example.com/', 'henry\u2662@example.com', '\u265a@example.com', 'juliet@', '/foobar']) {
    assert.throws(() => parseJid(bad), JidError, JSON.stringify(bad));
  }
});

test('PRECIS: compatibility characters are not letters of a localpart (ℬob is not bob)', () => {
  for (const bad of ['\u212cob', '\ufb01sh', 'x\u00b2', '\u2460', 'a\u00a0b', '\u1100a', 'a\u200db', 'a\u00b7b', '\u01c5a']) {
    assert.throws(() => parseJid(`${bad}@example.com`), JidError, JSON.stringify(bad));
  }
  // Width-mapped and case-mapped forms are the same account.
  assert.ok(parseJid('\uff22\uff2f\uff22@example.com').equals(parseJid('bob@example.com')));
  assert.ok(parseJid('BOB@example.com').equals(parseJid('bob@example.com')));
  // Contextual rules: a middle dot between two l (Catalan), ZWNJ after a virama.
  assert.equal(parseJid('col\u00b7lega@example.com').local, 'col\u00b7lega');
  assert.equal(parseJid('\u0915\u094d\u200c\u0937@example.com').local, '\u0915\u094d\u200c\u0937');
  // The angstrom sign is mapped (NFC), then lower-cased: the same as å.
  assert.equal(parseJid('\u212bngstr\u00f6m@example.com').local, '\u00e5ngstr\u00f6m');
});

test('PRECIS: a resource refuses bidi overrides, invisible, private-use and unassigned code points', () => {
  for (const bad of ['\u202e', '\u200b', '\u2060', '\ue000', '\u{f0000}', '\u0378', '\ufdd0', '\u2028', '\u1100']) {
    assert.throws(() => parseJid(`a@b.example/x${bad}y`), JidError, JSON.stringify(bad));
  }
  assert.equal(parseJid('a@b.example/x\u3000y').resource, 'x y', 'the ideographic space is a space');
  assert.equal(parseJid('a@b.example/\u212bx').resource, '\u00c5x', 'NFC, case kept');
  assert.equal(parseJid('a@b.example/\ufb01 \u00bd \u2460').resource, '\ufb01 \u00bd \u2460', 'compatibility characters are fine in a FreeformClass string');
});
