/**
 * Relevance: realistic queries a student of the period would type, with the
 * answers a careful reader of the essay expects first (relevance-cases.ts).
 * A ranking change that breaks one of these is a regression, not a tweak.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCorpusOrThrow } from '../../src/corpus/load.js';
import { QuoteSearch } from '../../src/search/engine.js';
import { CASES, QUESTIONS } from './relevance-cases.js';

const search = new QuoteSearch(loadCorpusOrThrow('data'));

for (const c of [...CASES, ...QUESTIONS]) {
  test(`"${c.query}"${c.filters ? ` ${JSON.stringify(c.filters)}` : ''}: ${c.why}`, () => {
    const hits = search.search(c.query, c.filters).hits.map((h) => h.quote.id);
    assert.ok(hits.length > 0, 'no results');
    assert.ok(c.first.includes(hits[0] as string), `first result ${hits[0]} is not one of ${c.first.join(', ')}; top 5: ${hits.slice(0, 5).join(', ')}`);
    if (c.alsoIn) {
      const top = hits.slice(0, c.alsoIn.within);
      for (const id of c.alsoIn.ids) assert.ok(top.includes(id), `${id} is not in the first ${c.alsoIn.within}: ${top.join(', ')}`);
    }
  });
}

test('every filter is honoured by every hit', () => {
  const filtered = search.search('Lenin', { theme: 'testament', kind: 'interview' }).hits;
  assert.ok(filtered.length > 0, 'Lenin in Testament interviews: no hits to check');
  for (const h of filtered) {
    assert.ok(h.quote.themes.includes('testament'));
    assert.equal(h.quote.kind, 'interview');
  }
  const noted = search.search('', { note: 8 }).hits;
  assert.ok(noted.length > 0, 'note 8: no hits to check');
  for (const h of noted) assert.equal(h.quote.note, 8);
});

test('a phrase must appear as a phrase', () => {
  const ids = search.search('"would not have"').hits.map((h) => h.quote.id);
  assert.ok(ids.length > 0);
  for (const id of ids) assert.match(search.corpus.byId.get(id)?.text.toLowerCase() ?? '', /would not have/);
  assert.deepEqual(search.search('"have would not"').hits, []);
});

test('ties break deterministically by id', () => {
  const a = search.search('Lenin').hits.map((h) => `${h.quote.id}:${h.score}`);
  const b = new QuoteSearch(search.corpus).search('Lenin').hits.map((h) => `${h.quote.id}:${h.score}`);
  assert.deepEqual(a, b);
  const hits = search.search('Lenin').hits;
  assert.ok(hits.length > 1);
  for (let i = 1; i < hits.length; i++) {
    const prev = hits[i - 1];
    const cur = hits[i];
    if (prev && cur && prev.score === cur.score) assert.ok(prev.quote.id < cur.quote.id, `${prev.quote.id} before ${cur.quote.id}`);
  }
});

test('all words first, any word only when nothing has them all', () => {
  const all = search.search('bandit banks');
  assert.equal(all.mode, 'all');
  assert.ok(all.hits.length > 0);
  for (const h of all.hits) assert.match(h.quote.text.toLowerCase(), /bandit/);
  const any = search.search('bandit sardines');
  assert.equal(any.mode, 'any');
  assert.ok(any.hits.some((h) => h.quote.id === 'lr-093'));
});

test('short words are not fuzzed into other words', () => {
  // "nap" must not become "nep".
  assert.deepEqual(search.search('nap').hits.map((h) => h.quote.id), []);
});
