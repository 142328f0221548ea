/**
 * Where the narration shown with a quote starts and ends, on small texts that
 * each hold one trap of the essay: another quote's words earlier in the
 * sentence, a quote set inside a historian's words, a label in quotation
 * marks, a stray mark, a long sentence, long narration between parts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quotationMarks, quotedUnits, quoteNarration, unbalancedMarks } from '../../src/corpus/context.js';
import { paragraphs } from '../../src/corpus/text.js';
import type { ExcludedRun, NarrationRun } from '../../src/corpus/types.js';
import { narrationText } from '../../src/render/quote-text.js';

/** Locates each quote's parts (`[id, ...parts]`) and excluded words in `text`, and returns what each quote shows. */
function shown(text: string, quotes: readonly (readonly string[])[], excluded: readonly { text: string; narration: boolean }[] = []) {
  const located = quotes.map(([id, ...parts]) => {
    let from = 0;
    const spans = parts.map((p) => {
      const at = text.indexOf(p, from);
      assert.ok(at >= 0, p);
      from = at + p.length;
      return [at, at + p.length] as const;
    });
    return { id: id ?? '', spans };
  });
  const runs: ExcludedRun[] = excluded.map((x) => ({ start: text.indexOf(x.text), end: text.indexOf(x.text) + x.text.length, narration: x.narration }));
  const units = quotedUnits(
    text,
    located.flatMap((q) => q.spans.map(([start, end]) => ({ start, end, quoteId: q.id }))),
    runs,
  );
  const show = (run: NarrationRun | null) => (run ? narrationText(text, run) : null);
  return new Map(
    located.map((q) => {
      const n = quoteNarration(text, paragraphs(text), units, q);
      return [q.id, { lead: show(n.lead), bridges: n.bridges.map(show) }];
    }),
  );
}

describe('quotation marks', () => {
  it('reads straight and curly marks as opening, closing or apostrophes', () => {
    const text = `He said "yes" to the workers’ wives at Odessa’s ‘Slobodka’ bazaar, 'twice'.`;
    const roles = quotationMarks(text, 0, text.length).map((m) => `${text[m.at]}${m.role}`);
    assert.deepEqual(roles, ['"open', '"close', '’apostrophe', '’apostrophe', '‘open', '’close', "'open", "'close"]);
  });

  it('finds a mark closed without being opened, or opened and never closed', () => {
    const text = 'Anti-Soviet speeches" at a meeting, and “the refrain ‘If';
    assert.deepEqual(
      unbalancedMarks(text, 0, text.length).map((m) => text[m.at]),
      ['"', '“', '‘'],
    );
    assert.deepEqual(unbalancedMarks(text, 0, 30), [unbalancedMarks(text, 0, text.length)[0]]);
    const fine = '“Anti-Soviet speeches” at a meeting';
    assert.deepEqual(unbalancedMarks(fine, 0, fine.length), []);
  });
});

describe('the narration shown with a quote', () => {
  it('starts after another quote’s words in the same sentence, and says it starts mid-sentence', () => {
    const text = 'To a writer, "Lenin was wise. Stalin has none." while another man claimed that Lenin was wise but "Stalin is only pseudo-wise."';
    const q = shown(text, [
      ['a', 'Lenin was wise. Stalin has none.'],
      ['b', 'Stalin is only pseudo-wise.'],
    ]);
    assert.equal(q.get('a')?.lead, 'To a writer,');
    assert.equal(q.get('b')?.lead, '…while another man claimed that Lenin was wise but');
  });

  it('starts after words of another voice that excluded.json records, even in balanced marks', () => {
    const text = 'A historian writes that "NEP was golden" while a worker said "there was bread."';
    const voice = shown(text, [['w', 'there was bread.']], [{ text: 'NEP was golden', narration: false }]);
    assert.equal(voice.get('w')?.lead, '…while a worker said');
    // The essay's own label in quotation marks stays, with both its marks, as single ones.
    const label = shown(text, [['w', 'there was bread.']], [{ text: 'NEP was golden', narration: true }]);
    assert.equal(label.get('w')?.lead, 'A historian writes that ‘NEP was golden’ while a worker said');
  });

  it('shows nothing before a quote set inside another voice’s words', () => {
    const text = 'Using reports, Davies comments that “the refrain ‘If Lenin had been alive...’ was common.”';
    const q = shown(text, [['r', 'If Lenin had been alive...']], [{ text: 'the refrain ‘If Lenin had been alive...’ was common.', narration: false }]);
    assert.equal(q.get('r')?.lead, null);
  });

  it('keeps a label that opens the sentence whole', () => {
    const text = 'It was war. "Anti-Soviet speeches" at a meeting included, "Our revolution is sick."';
    const q = shown(text, [['s', 'Our revolution is sick.']], [{ text: 'Anti-Soviet speeches', narration: true }]);
    assert.equal(q.get('s')?.lead, '‘Anti-Soviet speeches’ at a meeting included,');
  });

  it('starts after a mark the essay never closes', () => {
    const text = 'A teacher commented that "Trotsky, Rykov and Bukharin "were against the terror."';
    const q = shown(text, [['t', 'were against the terror.']], [{ text: 'Trotsky, Rykov and Bukharin', narration: true }]);
    assert.equal(q.get('t')?.lead, '…Trotsky, Rykov and Bukharin');
  });

  it('shows a long sentence from a word inside it, never from inside a quotation it holds', () => {
    const filler = 'and then they walked on '.repeat(6);
    const text = `In a town ${filler}past the “Slobodka” bazaar where they said, "Go to the factories."`;
    const q = shown(text, [['f', 'Go to the factories.']], [{ text: 'Slobodka', narration: true }]);
    const lead = q.get('f')?.lead ?? '';
    assert.match(lead, /^…[a-z]/);
    assert.ok(lead.length <= 162, lead);
    assert.ok(text.replace(/"/g, '').includes(lead.slice(1).replace(/[‘’]/g, '“').replace('“ bazaar', '” bazaar')), lead);
    // Where the cut falls inside a quotation of several words, the lead-in starts after it instead.
    const at = (n: number) => `${filler}In a town past the “old Slobodka bazaar” ${'x'.repeat(n)} said, "Go."`;
    const n = [...Array(200).keys()].find((k) => {
      const t = at(k);
      const cut = t.indexOf('"Go') - 160;
      return cut > t.indexOf('“old') + 5 && cut < t.indexOf('bazaar”');
    });
    assert.ok(n !== undefined);
    const inside = shown(at(n), [['f', 'Go.']], [{ text: 'old Slobodka bazaar', narration: true }]);
    assert.match(inside.get('f')?.lead ?? '', /^…x+ said,$/);
  });

  it('between parts: the narration as it stands, or […] when it is long or holds another voice', () => {
    const text = 'When NEP "first began," recalled a lawyer, "I thought so." ' + 'And "x y." Then "z w."';
    const q = shown(text, [
      ['a', 'first began,', 'I thought so.'],
      ['b', 'x y.', 'z w.'],
    ]);
    assert.deepEqual(q.get('a')?.bridges, ['recalled a lawyer,']);
    assert.deepEqual(q.get('b')?.bridges, ['Then']);
    const long = `He said "one," ${'and so on '.repeat(30)}"two."`;
    assert.deepEqual(shown(long, [['l', 'one,', 'two.']]).get('l')?.bridges, [null]);
    const voice = 'He said "one," and she said "other" and he "two."';
    assert.deepEqual(
      shown(voice, [
        ['l', 'one,', 'two.'],
        ['o', 'other'],
      ]).get('l')?.bridges,
      [null],
    );
  });
});
