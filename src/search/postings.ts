/**
 * The one place that reads MiniSearch's protected members.
 *
 * The engine (engine.ts) evaluates its query plans over MiniSearch's own
 * postings instead of calling `search()`: that is what keeps /quote fast at
 * 100,000 quotes. MiniSearch does not publish those postings, so this module
 * reads `_index`, `_documentIds`, `_fieldIds`, `_fieldLength`,
 * `_avgFieldLength`, `_documentCount` and `_options` — and nothing else does.
 *
 * `minisearch` is pinned to an exact version in package.json. Should another
 * version store its index differently, `checkMiniSearchInternals` (run once,
 * before the first index is used) fails at start with one clear line instead
 * of letting the engine rank wrongly: it checks the shape of every member read
 * here, then builds a two-document index and checks that the postings, the
 * lengths and the BM25+ computed from them give exactly the scores MiniSearch's
 * own `search()` gives.
 */
import MiniSearch, { type Options } from 'minisearch';

/** Document (MiniSearch's short id, numbered from 0 in the order added) → term frequency. */
export type Postings = Map<number, number>;
/** Field id → the term's postings in that field. */
export type TermData = Map<number, Postings>;

/** MiniSearch's BM25+ parameters, as its options hold them (its defaults unless the options say otherwise). */
export interface Bm25Params {
  readonly k: number;
  readonly b: number;
  readonly d: number;
}

/** The protected members read here, as MiniSearch 7.2 has them. */
interface Internals {
  _index: {
    get(term: string): TermData | undefined;
    atPrefix(prefix: string): Iterable<[string, TermData]>;
    fuzzyGet(term: string, maxDistance: number): Map<string, [TermData, number]>;
  };
  _documentIds: Map<number, string>;
  _fieldIds: Record<string, number>;
  _fieldLength: Map<number, number[]>;
  _avgFieldLength: number[];
  _documentCount: number;
  _options: { searchOptions: { bm25: Bm25Params } };
}

export class MiniSearchInternalsError extends Error {
  constructor(what: string) {
    super(
      `search: the installed minisearch does not store its index as src/search/postings.ts expects (${what}); ` +
        'install the version package.json pins (npm ci), or update src/search/postings.ts for the new one',
    );
    this.name = 'MiniSearchInternalsError';
  }
}

/** The shape of every member read, or the first that differs. */
function shapeOf(index: object): Internals {
  const raw = index as unknown as Partial<Internals>;
  const fail = (what: string): never => {
    throw new MiniSearchInternalsError(what);
  };
  const idx = raw._index;
  if (!idx || typeof idx.get !== 'function' || typeof idx.atPrefix !== 'function' || typeof idx.fuzzyGet !== 'function') fail('_index is not a searchable map');
  if (!(raw._documentIds instanceof Map)) fail('_documentIds is not a Map');
  if (!raw._fieldIds || typeof raw._fieldIds !== 'object') fail('_fieldIds is not an object');
  if (!(raw._fieldLength instanceof Map)) fail('_fieldLength is not a Map');
  if (!Array.isArray(raw._avgFieldLength)) fail('_avgFieldLength is not an array');
  if (typeof raw._documentCount !== 'number') fail('_documentCount is not a number');
  const bm25 = raw._options?.searchOptions?.bm25;
  if (!bm25 || ![bm25.k, bm25.b, bm25.d].every((x) => typeof x === 'number' && Number.isFinite(x))) fail('_options.searchOptions.bm25 is not {k, b, d}');
  return raw as Internals;
}

/** One term's BM25+ in one field of one document, as MiniSearch computes it; `norm` is the document's `lengthNorms` entry. */
export function bm25(p: Bm25Params, idf: number, tf: number, norm: number): number {
  return idf * (p.d + (tf * (p.k + 1)) / (tf + norm));
}

/** BM25's inverse document frequency of a term found in `matching` of `total` documents (MiniSearch's). */
export function inverseDocumentFrequency(total: number, matching: number): number {
  return Math.log(1 + (total - matching + 0.5) / (matching + 0.5));
}

let checked = false;

/**
 * Checks, once per process, that MiniSearch's internals mean what this module
 * reads them as: a tiny index's postings, lengths and BM25+ must reproduce
 * MiniSearch's own scores. Throws MiniSearchInternalsError otherwise.
 */
export function checkMiniSearchInternals(): void {
  if (checked) return;
  const docs = [
    { id: 'a', t: 'x y y', u: 'z' },
    { id: 'b', t: 'y z', u: 'x x w v' },
  ];
  const ms = new MiniSearch<(typeof docs)[number]>({ fields: ['t', 'u'] });
  ms.addAll(docs);
  const raw = shapeOf(ms);
  const fail = (what: string): never => {
    throw new MiniSearchInternalsError(what);
  };
  const t = raw._fieldIds.t;
  const u = raw._fieldIds.u;
  if (typeof t !== 'number' || typeof u !== 'number' || t === u) fail('_fieldIds does not map each field to its own number');
  const y = raw._index.get('y');
  if (!(y instanceof Map) || !(y.get(t as number) instanceof Map)) fail("_index.get(term) is not a Map of field id → postings");
  const yt = y?.get(t as number);
  if (yt?.get(0) !== 2 || yt.get(1) !== 1 || y?.has(u as number)) fail('postings are not document short id → term frequency');
  if (raw._documentIds.get(0) !== 'a' || raw._documentIds.get(1) !== 'b' || raw._documentCount !== 2) fail('_documentIds does not number documents from 0 in the order added');
  const lengths = raw._fieldLength.get(1);
  // MiniSearch counts a field's distinct terms ("x x w v": 3).
  if (!lengths || lengths[t as number] !== 2 || lengths[u as number] !== 3) fail('_fieldLength is not the number of distinct terms per field id');
  if (raw._avgFieldLength[t as number] !== 2 || raw._avgFieldLength[u as number] !== 2) fail('_avgFieldLength is not the average length per field id');
  if (![...raw._index.atPrefix('y')].some(([term]) => term === 'y')) fail('_index.atPrefix does not yield [term, data]');
  const near = raw._index.fuzzyGet('ww', 1).get('w');
  if (!Array.isArray(near) || near[1] !== 1 || !(near[0] instanceof Map)) fail('_index.fuzzyGet does not give term → [data, distance]');
  // The scores: ours from the internals, MiniSearch's from its public search.
  const p = raw._options.searchOptions.bm25;
  for (const term of ['x', 'y', 'z']) {
    const data = raw._index.get(term) as TermData;
    const expected = new Map(ms.search(term).map((r) => [r.id as string, r.score]));
    const ours = new Map<string, number>();
    for (const [field, postings] of data) {
      const idf = inverseDocumentFrequency(raw._documentCount, postings.size);
      const avg = raw._avgFieldLength[field] as number;
      for (const [doc, tf] of postings) {
        const norm = p.k * (1 - p.b + (p.b * ((raw._fieldLength.get(doc) as number[])[field] as number)) / avg);
        const id = raw._documentIds.get(doc) as string;
        ours.set(id, (ours.get(id) ?? 0) + bm25(p, idf, tf, norm));
      }
    }
    if (ours.size !== expected.size || [...ours].some(([id, s]) => Math.abs(s - (expected.get(id) ?? NaN)) > 1e-12 * Math.max(1, s))) {
      fail(`BM25+ from the postings differs from MiniSearch's score for "${term}"`);
    }
  }
  checked = true;
}

/**
 * A MiniSearch index, read through its postings. Documents are MiniSearch's
 * short ids: numbered from 0 in the order they were added.
 */
export class PostingsIndex<Doc> {
  /** BM25+ parameters from MiniSearch's own (merged) search options. */
  readonly bm25: Bm25Params;
  private readonly raw: Internals;

  private constructor(readonly miniSearch: MiniSearch<Doc>) {
    checkMiniSearchInternals();
    this.raw = shapeOf(miniSearch);
    this.bm25 = Object.freeze({ ...this.raw._options.searchOptions.bm25 });
  }

  static create<Doc>(options: Options<Doc>): PostingsIndex<Doc> {
    return new PostingsIndex(new MiniSearch<Doc>(options));
  }

  /** An index already built; throws MiniSearchInternalsError if it is not shaped as expected. */
  static of<Doc>(miniSearch: MiniSearch<Doc>): PostingsIndex<Doc> {
    return new PostingsIndex(miniSearch);
  }

  /** An index saved with `toJSON` (MiniSearch's own format). */
  static load<Doc>(json: string, options: Options<Doc>): PostingsIndex<Doc> {
    return new PostingsIndex(MiniSearch.loadJSON<Doc>(json, options));
  }

  add(doc: Doc): void {
    this.miniSearch.add(doc);
  }

  toJSON(): unknown {
    return this.miniSearch.toJSON();
  }

  /** The term's postings per field, or undefined if no document has it. */
  term(term: string): TermData | undefined {
    return this.raw._index.get(term);
  }

  /** Every index term starting with `prefix` (itself included), with its postings. */
  atPrefix(prefix: string): Iterable<[string, TermData]> {
    return this.raw._index.atPrefix(prefix);
  }

  /** Index terms within `maxDistance` edits (Levenshtein) of `term`: term → [postings, distance]. */
  fuzzy(term: string, maxDistance: number): Map<string, [TermData, number]> {
    return this.raw._index.fuzzyGet(term, maxDistance);
  }

  /** The id of the document with this short id. */
  documentId(doc: number): string | undefined {
    return this.raw._documentIds.get(doc);
  }

  get documentCount(): number {
    return this.raw._documentCount;
  }

  fieldId(field: string): number {
    const id = this.raw._fieldIds[field];
    if (typeof id !== 'number') throw new MiniSearchInternalsError(`no field id for "${field}"`);
    return id;
  }

  /** Per document: k·(1 − b + b·length/average length) of the field, BM25's length norm (0 for a document it lacks). */
  lengthNorms(field: string, size: number): Float64Array {
    const id = this.fieldId(field);
    const { k, b } = this.bm25;
    const avg = this.raw._avgFieldLength[id] ?? 0;
    const norm = new Float64Array(size);
    for (const [doc, lengths] of this.raw._fieldLength) norm[doc] = k * (1 - b + (b * (lengths[id] ?? 0)) / avg);
    return norm;
  }
}
