/**
 * The adapter over MiniSearch's internals: the installed version passes the
 * shape check, a changed one is refused with a clear reason, BM25+ comes from
 * MiniSearch's own options, and the postings score exactly as its search().
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import MiniSearch from 'minisearch';
import { bm25, checkMiniSearchInternals, inverseDocumentFrequency, MiniSearchInternalsError, PostingsIndex } from '../../src/search/postings.js';

interface Doc {
  id: string;
  title: string;
  body: string;
}
const DOCS: Doc[] = [
  { id: 'a', title: 'bread and land', body: 'the land to the peasants, bread to the workers' },
  { id: 'b', title: 'land', body: 'no bread' },
  { id: 'c', title: 'peace', body: 'peace bread land land' },
];

function built(options: Partial<ConstructorParameters<typeof MiniSearch<Doc>>[0]> = {}): MiniSearch<Doc> {
  const ms = new MiniSearch<Doc>({ fields: ['title', 'body'], ...options });
  ms.addAll(DOCS);
  return ms;
}

describe('MiniSearch internals', () => {
  it('the pinned version passes the check', () => {
    assert.doesNotThrow(() => checkMiniSearchInternals());
  });

  it('a changed layout is refused at once, saying which member and what to do', () => {
    for (const [member, value, reason] of [
      ['_fieldLength', {}, /_fieldLength is not a Map/],
      ['_documentIds', [], /_documentIds is not a Map/],
      ['_index', new Map(), /_index is not a searchable map/],
      ['_avgFieldLength', {}, /_avgFieldLength is not an array/],
      ['_options', { searchOptions: {} }, /bm25 is not/],
    ] as const) {
      const ms = built();
      (ms as unknown as Record<string, unknown>)[member] = value;
      assert.throws(() => PostingsIndex.of(ms), (e: unknown) => e instanceof MiniSearchInternalsError && reason.test(e.message) && /package\.json pins/.test(e.message), member);
    }
  });

  it('takes BM25+ parameters from MiniSearch’s options: its defaults, or those given', () => {
    assert.deepEqual({ ...PostingsIndex.of(built()).bm25 }, { k: 1.2, b: 0.7, d: 0.5 });
    const custom = { k: 2, b: 0.3, d: 1 };
    assert.deepEqual({ ...PostingsIndex.of(built({ searchOptions: { bm25: custom } })).bm25 }, custom);
  });

  it('scores from the postings exactly as MiniSearch’s search, with any parameters', () => {
    for (const params of [undefined, { k: 2, b: 0.3, d: 1 }]) {
      const ms = built(params ? { searchOptions: { bm25: params } } : {});
      const index = PostingsIndex.of(ms);
      const norms = new Map(['title', 'body'].map((f) => [index.fieldId(f), index.lengthNorms(f, index.documentCount)]));
      const terms = ['bread', 'land', 'peac', 'peace', 'peasants'];
      assert.ok(terms.length > 0);
      for (const term of terms) {
        const ours = new Map<string, number>();
        for (const [field, postings] of index.term(term) ?? []) {
          const idf = inverseDocumentFrequency(index.documentCount, postings.size);
          for (const [doc, tf] of postings) {
            const id = index.documentId(doc) as string;
            ours.set(id, (ours.get(id) ?? 0) + bm25(index.bm25, idf, tf, (norms.get(field) as Float64Array)[doc] as number));
          }
        }
        const theirs = ms.search(term);
        assert.equal(ours.size, theirs.length, term);
        for (const r of theirs) assert.ok(Math.abs((ours.get(r.id as string) ?? NaN) - r.score) < 1e-12, `${term} in ${r.id}`);
      }
    }
  });
});
