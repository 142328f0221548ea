import assert from 'node:assert/strict';
import { test } from 'node:test';
import { truncate } from '../../src/text/truncate.js';

test('text that fits is returned as it is', () => {
  assert.equal(truncate('collective farms', 16), 'collective farms');
  assert.equal(truncate('', 0), '');
});

test('prose is cut at the last space when that keeps most of it, with the mark inside the limit', () => {
  const text = 'After NEP there began the Commune, and then the Collective Farm.';
  const out = truncate(text, 40);
  assert.equal(out, 'After NEP there began the Commune, and…');
  assert.ok(out.length <= 40);
  // No space late enough: cut inside the word rather than lose most of the room.
  assert.equal(truncate('Antidisestablishmentarianism forever', 20), 'Antidisestablishmen…');
});

test('atWord: false cuts at the limit; mark: "" adds nothing', () => {
  assert.equal(truncate('abc def ghi', 6, { atWord: false }), 'abc d…');
  assert.equal(truncate('abc def ghi', 6, { mark: '', atWord: false }), 'abc de');
});

test('never splits a grapheme: flags, emoji sequences and combining accents stay whole or go', () => {
  const flag = '🇺🇦'; // two regional indicators, four UTF-16 units
  const family = '👩‍👩‍👧'; // joined by zero-width joiners, eight units
  const accented = 'e\u0301'; // e + combining acute
  for (const [text, max] of [
    [`ab${flag}cd`, 5],
    [`ab${flag}cd`, 4],
    [`x${family}y`, 6],
    [`caf${accented}s`, 5],
  ] as const) {
    const out = truncate(text, max, { atWord: false });
    assert.ok(out.length <= max, `${JSON.stringify(out)} fits ${max}`);
    const kept = out.replace(/…$/, '');
    assert.ok(text.startsWith(kept), 'a prefix of the text');
    const segments = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
    let at = 0;
    const boundaries = new Set([0, ...segments.map((s) => (at += s.length))]);
    assert.ok(boundaries.has(kept.length), `${JSON.stringify(kept)} ends between graphemes`);
  }
  assert.equal(truncate(`ab${flag}cd`, 5, { atWord: false }), 'ab…');
  assert.equal(truncate(`caf${accented}s`, 5, { atWord: false }), 'caf…');
});
