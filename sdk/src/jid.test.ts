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

test('localpart: NFKC + case folding + NFC', () => {
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

test('resource: NFC, opaque otherwise, no controls', () => {
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
