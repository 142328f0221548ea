/**
 * Quote search. MiniSearch holds the inverted index (and saves and loads it);
 * this module plans each query and evaluates the plan over the index's
 * postings, so that the cost of a query follows what it asks for, not the
 * size of the corpus:
 *
 * - stop words never reach the index; phrases made only of them are checked
 *   against the few texts that contain all of them (a bitset per stop word);
 * - synonyms join as alternatives of the word typed, slightly below it;
 * - fuzzy matching only for words long enough (no "nep" → "net") and only
 *   where the exact term finds (almost) nothing; prefix matching only for the
 *   last word, when its exact term is rare (it may still be being typed);
 *   both expansions are bounded to the most frequent few;
 * - every word first (AND), evaluated rarest clause first: the other clauses
 *   only probe its candidates; any word after (OR) only when no quote has
 *   them all;
 * - phrases verified only on the AND candidates, by one regular expression;
 * - filters are per-document codes and bitsets, not a callback per result;
 *   an empty query (browse) is a list lookup;
 * - the ranking is MiniSearch's own BM25+ (field boosts, prefix and fuzzy
 *   weights, the number of query terms matched), computed over typed arrays
 *   and ordered by a radix sort; test/search/engine.test.ts checks it against
 *   MiniSearch's search on the same plan.
 */
import { createHash } from 'node:crypto';
import type { Options } from 'minisearch';
import { layoutSources, narrationOf } from '../corpus/context.js';
import type { Corpus, Quote, Theme } from '../corpus/types.js';
import { facetValues, hasFacet, type FacetValue } from './facets.js';
import { isSimpleText, phraseMatcher, type PhraseMatcher } from './phrase.js';
import { isEmptyQuery, parseQuery, type Filters, type ParsedQuery } from './query.js';
import { bm25, inverseDocumentFrequency, PostingsIndex, type Bm25Params, type Postings, type TermData } from './postings.js';
import { BitSet, SortScratch, sortByScore } from './rank.js';
import { indexTerm, STOP_WORDS, terms, words } from './terms.js';

/** Every tunable of the search, with its default. Ranking tests guard these numbers. */
export interface SearchOptions {
  /** Field weights: the quote's own words count most; the essay's narration around it least. */
  readonly boost: { readonly text: number; readonly themes: number; readonly speaker: number; readonly context: number; readonly about: number };
  /** Words shorter than this are never matched fuzzily ("nep" must not find "net"). */
  readonly fuzzyMinLength: number;
  /** Edit distance allowed for a word of at least this many letters: 2; shorter: 1. */
  readonly fuzzyTwoEditsFrom: number;
  /** The last word is matched as a prefix (it may still be being typed) when at least this long… */
  readonly prefixMinLength: number;
  /** …and when its exact term is in less than this share of the documents: a word most quotes have is a finished word. */
  readonly prefixBelowShare: number;
  /** A word is matched fuzzily only when its exact term is in fewer documents than this (1: unknown words only). */
  readonly fuzzyBelowDocs: number;
  /** Prefix completions, and fuzzy neighbours, kept per word: the most frequent first. */
  readonly maxExpansions: number;
  /** Weight of a synonym's match relative to the word typed. */
  readonly synonymWeight: number;
  /** A letter moved to another place ("stlain", "lneni") counts as one edit when fuzzy matching. */
  readonly transpositions: boolean;
  /** A word the corpus lacks also brings the synonyms of the words it is corrected to. */
  readonly correctedSynonyms: boolean;
  /** Readers' terms (data/concepts.json) also search the source's own words for them. */
  readonly concepts: boolean;
  /** Question words and auxiliaries are not searched ("why did peasants hate…"), nor, in a question, its frame ("say about"). */
  readonly questionWords: boolean;
  /** Weights of prefix and fuzzy matches relative to exact ones (MiniSearch's). */
  readonly weights: { readonly prefix: number; readonly fuzzy: number };
  /**
   * A searched word typed beside a word not searched (a stop or question word), and found beside it in the quote's
   * own words ("his will": the testament, not "he will serve"), multiplies the score by 1 + this, per pair (among
   * the first 64 results).
   */
  readonly adjacency: number;
}

export const DEFAULT_SEARCH_OPTIONS: SearchOptions = Object.freeze({
  boost: Object.freeze({ text: 3, themes: 2, speaker: 1, context: 0.4, about: 0.3 }),
  fuzzyMinLength: 4,
  fuzzyTwoEditsFrom: 7,
  prefixMinLength: 3,
  prefixBelowShare: 0.2,
  fuzzyBelowDocs: 1,
  maxExpansions: 32,
  synonymWeight: 0.2,
  transpositions: true,
  correctedSynonyms: true,
  concepts: true,
  questionWords: true,
  weights: Object.freeze({ prefix: 0.4, fuzzy: 0.5 }),
  adjacency: 0.25,
});

export interface SearchHit {
  readonly quote: Quote;
  readonly score: number;
}

/**
 * Set between a quote's parts when phrases are checked: letters, so the
 * phrase expression's separators cannot cross it, and no word a query has.
 */
const PART_BARRIER = ' qxzqxzq ';

export interface SearchOutcome {
  readonly query: ParsedQuery;
  /** Best first; ties broken by quote id so the order never wobbles. */
  readonly hits: readonly SearchHit[];
  /** `all`: every word matched; `any`: nothing matched every word, so quotes matching some are shown. */
  readonly mode: 'all' | 'any' | 'browse';
  /** Words typed that the corpus lacks, and the corpus words searched instead (as the corpus spells them). */
  readonly corrected?: readonly { readonly word: string; readonly to: readonly string[] }[];
  /** Readers' terms typed, and the source's words searched for them ("gulag" → concentration camp, prison). */
  readonly concepts?: readonly { readonly word: string; readonly to: readonly string[] }[];
  /** Words in another script than the quotations' (Cyrillic) that no concept translates. */
  readonly untranslated?: readonly string[];
}

/** One term of a plan, as `explain` shows it. */
export interface PlannedTerm {
  readonly term: string;
  readonly kind: 'exact' | 'prefix' | 'fuzzy' | 'synonym' | 'concept' | 'phrase';
  /** Weight relative to an exact match of the word typed (prefix and fuzzy matches decay with distance). */
  readonly weight: number;
  /** Field boosts applied to it (a synonym's carry `synonymWeight` in every field). */
  readonly boost: Readonly<Record<'text' | 'speaker' | 'themes' | 'context' | 'about', number>>;
  /** Edit distance (fuzzy) or letters added (prefix); 0 otherwise. */
  readonly distance: number;
  /** Documents whose index has the term, summed over fields. */
  readonly docs: number;
}

/** A clause matches when any alternative does; an alternative when each of its parts has any of its terms. */
export interface PlannedClause {
  readonly label: string;
  readonly alternatives: readonly (readonly (readonly PlannedTerm[])[])[];
  /** The phrase this clause finds candidates for (verified against the text), if any. */
  readonly phrase: string | null;
}

export interface QueryPlan {
  readonly clauses: readonly PlannedClause[];
  /** Phrases of stop words only: no clause, verified against the texts that have all their words. */
  readonly stopPhrases: readonly string[];
}

export interface QuoteSearchInit {
  readonly options?: SearchOptions;
  /** The narration indexed with each quote (`context`); default: the essay's own words around it. */
  readonly context?: (quote: Quote) => string;
  /** An index saved by `save()` for this same corpus, to start from instead of indexing. */
  readonly saved?: string;
}

/** A saved index that was built for another corpus (or by another version of this code). */
export class StaleIndexError extends Error {
  constructor(reason: string) {
    super(`search: the saved index does not fit: ${reason}`);
    this.name = 'StaleIndexError';
  }
}

// ---------------------------------------------------------------------------
// The index: MiniSearch's, read through its postings (postings.ts holds every access to its internals)

interface Doc {
  id: string;
  text: string;
  speaker: string;
  themes: string;
  context: string;
  /** The descriptions of the quote's themes: the curators' words ("strikes and protests"), so a reader's word found only there is still the corpus's. */
  about: string;
}

const FIELDS = ['text', 'speaker', 'themes', 'context', 'about'] as const;
type Field = (typeof FIELDS)[number];
const SAVED_FORMAT = 'hidden-voices/search-index';
/** Bump when documents, tokenizing or the saved layout change: older saves are then refused. */
const SAVED_VERSION = 2;

function miniSearchOptions(tokenize: (text: string, field?: string) => string[], processTerm: (term: string) => string | null): Options<Doc> {
  return { fields: [...FIELDS], idField: 'id', tokenize, processTerm: (term) => processTerm(term) ?? null };
}

function docsOf(data: TermData | undefined): number {
  if (!data) return 0;
  let n = 0;
  for (const postings of data.values()) n += postings.size;
  return n;
}

/** Equal alternatives (lists of terms) once each, with how many times they came. */
function counted(alternatives: readonly (readonly string[])[]): [readonly string[], number][] {
  const out = new Map<string, [readonly string[], number]>();
  for (const alt of alternatives) {
    const key = alt.join(' ');
    const had = out.get(key);
    if (had) had[1]++;
    else out.set(key, [alt, 1]);
  }
  return [...out.values()];
}

/** Documents of the term's most common field: a lower bound of the documents that have it. */
function widestField(data: TermData | undefined): number {
  let n = 0;
  if (data) for (const postings of data.values()) n = Math.max(n, postings.size);
  return n;
}

/** The documents MiniSearch indexes for a quote. */
function documentFor(q: Quote, themeWords: ReadonlyMap<string, string>, themeAbout: ReadonlyMap<string, string>, context: string): Doc {
  const f = q.facets;
  return {
    id: q.id,
    text: q.text,
    speaker: [q.speaker, f.occupation, f.nationality, f.gender, f.age ? `${f.age}-year-old` : undefined, f.ageGroup].filter(Boolean).join(' '),
    themes: q.themes.map((id) => themeWords.get(id) ?? id).join(' '),
    context,
    about: q.themes.map((id) => themeAbout.get(id) ?? '').join(' '),
  };
}

// ---------------------------------------------------------------------------
// Plans as the evaluator sees them

interface FieldPostings {
  readonly field: number;
  readonly postings: Postings;
  /** BM25 inverse document frequency of the term in this field. */
  readonly idf: number;
  /** term weight × field boost */
  readonly coef: number;
  /** BM25's length norm of every document in this field (see PostingsIndex.lengthNorms). */
  readonly norm: Float64Array;
}

interface Ref {
  readonly planned: PlannedTerm;
  /** Bit of the query term this match counts for (MiniSearch multiplies a score by the number of query terms matched). */
  readonly bit: number;
  readonly fields: readonly FieldPostings[];
  /** Postings of the field(s) candidates are drawn from: the text alone for phrases. */
  readonly candidateFields: readonly FieldPostings[];
}

type Part = readonly Ref[];

/** The documents that have every part of a multi-part alternative: computed once per search, shared by equal alternatives. */
interface AltDocs {
  list: Int32Array | null;
  set: BitSet | null;
}

interface Alt {
  readonly parts: readonly Part[];
  /** Null for a one-part alternative (its postings are its documents). */
  readonly docs: AltDocs | null;
}

interface Clause {
  readonly label: string;
  readonly alts: readonly Alt[];
  readonly phrase: Phrase | null;
  /** Postings to read to list the clause's documents. */
  readonly cost: number;
  /** Tests to run to check one document. */
  readonly probes: number;
}

interface Phrase {
  readonly text: string;
  readonly test: PhraseMatcher;
  /** Stop words of the phrase: the text must have them all (a cheap test before the expression). */
  readonly stops: readonly BitSet[];
}

interface Plan {
  readonly clauses: readonly Clause[];
  readonly phrases: readonly Phrase[];
  /** Neighbouring words of the query: a searched word beside one that is not (`adjacency`). */
  readonly pairs: readonly PhraseMatcher[];
  /** Words the index does not have, and the index terms tried for them instead. */
  readonly corrections: readonly { readonly word: string; readonly terms: readonly string[] }[];
  readonly concepts: readonly { readonly word: string; readonly to: readonly string[] }[];
  readonly untranslated: readonly string[];
}

function partCost(part: Part): number {
  let n = 0;
  for (const ref of part) for (const f of ref.candidateFields) n += f.postings.size;
  return n;
}

/** Does the document have the part (any of its terms) in the candidate fields? */
function partHas(part: Part, doc: number): boolean {
  for (const ref of part) for (const f of ref.candidateFields) if (f.postings.has(doc)) return true;
  return false;
}

/** A multi-part alternative's documents (computed by `QuoteSearch.prepare` before any use). */
function docsOfAlt(alt: Alt): { list: Int32Array; set: BitSet } {
  const docs = alt.docs as AltDocs;
  return { list: docs.list as Int32Array, set: docs.set as BitSet };
}

function clauseHas(clause: Clause, doc: number): boolean {
  for (const alt of clause.alts) {
    if (alt.docs === null ? partHas(alt.parts[0] as Part, doc) : docsOfAlt(alt).set.has(doc)) return true;
  }
  return false;
}

/** Calls `visit` for every document of the clause (a document may come more than once). */
function forEachDoc(clause: Clause, visit: (doc: number) => void): void {
  for (const alt of clause.alts) {
    if (alt.docs === null) {
      for (const ref of alt.parts[0] as Part) for (const f of ref.candidateFields) f.postings.forEach((_tf, doc) => visit(doc));
    } else {
      for (const doc of docsOfAlt(alt).list) visit(doc);
    }
  }
}

// ---------------------------------------------------------------------------
// Filters: codes and bitsets per document, lists in corpus order for browsing

type DocTest = (doc: number) => boolean;

interface CompiledFilter {
  /** Null: every document passes. */
  readonly pass: DocTest | null;
  /** The documents that may pass, in corpus order (the smallest list the filters name). */
  readonly source: Int32Array;
}

/** Speaker filters remembered (each a set of documents); more are computed again when needed. */
const MAX_SPEAKER_FILTERS = 256;

class FilterIndex {
  private readonly themeSets = new Map<string, BitSet>();
  private readonly lists = new Map<string, Int32Array>();
  private readonly kind: Uint16Array;
  private readonly kindCodes = new Map<string, number>();
  private readonly note: Int32Array;
  private readonly work: Uint16Array;
  private readonly workCodes = new Map<string, number>();
  /** Speaker filter → its documents: `hasFacet` decides, asked once per distinct description (see speaker()). */
  private readonly speakers = new Map<string, { set: BitSet; list: Int32Array }>();
  private descriptions: { quote: Quote; docs: number[] }[] | null = null;
  /** Every document, in corpus order. */
  readonly all: Int32Array;

  constructor(
    private readonly corpus: Corpus,
    private readonly docOf: ReadonlyMap<string, number>,
    private readonly n: number,
  ) {
    this.kind = new Uint16Array(n);
    this.note = new Int32Array(n);
    this.work = new Uint16Array(n);
    const building = new Map<string, number[]>();
    const list = (key: string, doc: number) => {
      const l = building.get(key);
      if (l) l.push(doc);
      else building.set(key, [doc]);
    };
    this.all = new Int32Array(corpus.quotes.length);
    corpus.quotes.forEach((q, i) => {
      const doc = docOf.get(q.id) as number;
      this.all[i] = doc;
      for (const theme of q.themes) {
        let set = this.themeSets.get(theme);
        if (!set) this.themeSets.set(theme, (set = new BitSet(n)));
        set.add(doc);
        list(`theme:${theme}`, doc);
      }
      let kind = this.kindCodes.get(q.kind);
      if (kind === undefined) this.kindCodes.set(q.kind, (kind = this.kindCodes.size + 1));
      this.kind[doc] = kind;
      list(`kind:${q.kind}`, doc);
      this.note[doc] = q.note;
      list(`note:${q.note}`, doc);
      let work = this.workCodes.get(q.sourceId);
      if (work === undefined) this.workCodes.set(q.sourceId, (work = this.workCodes.size + 1));
      this.work[doc] = work;
      list(`work:${q.sourceId}`, doc);
    });
    for (const [key, docs] of building) this.lists.set(key, Int32Array.from(docs));
  }

  /**
   * The documents whose speaker has the facet, in corpus order. Whether one
   * does is `hasFacet`'s to say (facets.ts): it is asked once per distinct
   * speaker description (facets), not once per quote, and the answer kept.
   */
  private speaker(key: string): { set: BitSet; list: Int32Array } {
    let entry = this.speakers.get(key);
    if (entry) return entry;
    if (!this.descriptions) {
      const groups = new Map<string, { quote: Quote; docs: number[] }>();
      for (const q of this.corpus.quotes) {
        const f = q.facets;
        const signature = `${f.occupation ?? ''}|${f.nationality ?? ''}|${f.gender ?? ''}|${f.age ?? ''}|${f.ageGroup ?? ''}`;
        const group = groups.get(signature);
        if (group) group.docs.push(this.docOf.get(q.id) as number);
        else groups.set(signature, { quote: q, docs: [this.docOf.get(q.id) as number] });
      }
      this.descriptions = [...groups.values()];
    }
    const set = new BitSet(this.n);
    for (const d of this.descriptions) if (hasFacet(d.quote, key)) for (const doc of d.docs) set.add(doc);
    const list: number[] = [];
    for (const doc of this.all) if (set.has(doc)) list.push(doc);
    if (this.speakers.size >= MAX_SPEAKER_FILTERS) this.speakers.clear();
    entry = { set, list: Int32Array.from(list) };
    this.speakers.set(key, entry);
    return entry;
  }

  /** The filters as a test per document, or null when no document can pass. */
  compile(f: Filters): CompiledFilter | null {
    const tests: DocTest[] = [];
    const sources: (Int32Array | undefined)[] = [];
    if (f.theme) {
      const set = this.themeSets.get(f.theme);
      if (!set) return null;
      tests.push((doc) => set.has(doc));
      sources.push(this.lists.get(`theme:${f.theme}`));
    }
    if (f.kind) {
      const code = this.kindCodes.get(f.kind);
      if (code === undefined) return null;
      const kinds = this.kind;
      tests.push((doc) => kinds[doc] === code);
      sources.push(this.lists.get(`kind:${f.kind}`));
    }
    if (f.note !== undefined) {
      const note = f.note;
      const notes = this.note;
      if (!this.lists.has(`note:${note}`)) return null;
      tests.push((doc) => notes[doc] === note);
      sources.push(this.lists.get(`note:${note}`));
    }
    if (f.work) {
      const docs = this.lists.get(`work:${f.work}`);
      if (!docs) return null;
      const code = this.workCodes.get(f.work) as number;
      const works = this.work;
      tests.push((doc) => works[doc] === code);
      sources.push(docs);
    }
    if (f.speaker) {
      const { set, list } = this.speaker(f.speaker);
      if (list.length === 0) return null;
      tests.push((doc) => set.has(doc));
      sources.push(list);
    }
    let source = this.all;
    for (const s of sources) if (s && s.length < source.length) source = s;
    if (tests.length === 0) return { pass: null, source };
    const [first, second] = tests;
    const pass: DocTest = tests.length === 1 ? (first as DocTest) : tests.length === 2 ? (d) => (first as DocTest)(d) && (second as DocTest)(d) : (d) => tests.every((t) => t(d));
    return { pass, source };
  }
}

// ---------------------------------------------------------------------------
// The search

/** Bits of query terms beyond this share the last bit (a 100-character query rarely has 32 distinct terms). */
const MAX_TERM_BITS = 32;

export class QuoteSearch {
  readonly corpus: Corpus;
  readonly facets: readonly FacetValue[];
  private readonly options: SearchOptions;
  private readonly index: PostingsIndex<Doc>;
  /** MiniSearch's BM25+ parameters (its options', so that the oracle and this engine cannot disagree). */
  private readonly bm25: Bm25Params;
  /** Documents are numbered in quote-id order, so that ties, broken by number, break by id. */
  private readonly quotes: readonly Quote[];
  private readonly n: number;
  /** Per MiniSearch field id: k·(1 − b + b·length/average length) of each document (BM25's length norm). */
  private readonly norms: Float64Array[] = [];
  private readonly fieldIds: Record<Field, number>;
  private readonly fingerprint: string;
  private readonly filters: FilterIndex;
  /** Stop word → the documents whose text has it. */
  private readonly stops = new Map<string, BitSet>();
  /** The documents whose text is simple (ASCII letters): phrases are checked there by one regular expression. */
  private readonly simpleTexts: BitSet;
  /** The corpus's words (text and speaker) as written, sorted, with how often each occurs: for completions. */
  private readonly surfaceWords: string[];
  private readonly surfaceCounts: Uint32Array;
  /** term → the other members of its synonym groups, each as a list of terms (multi-word members). */
  private readonly synonyms = new Map<string, string[][]>();
  private readonly multiWordSynonyms: string[][] = [];
  /** Reader's term (its terms, space-joined) → the source's words for it, each as terms; and as written. */
  private readonly concepts = new Map<string, { terms: string[]; source: string[][]; shown: string[] }>();
  /** Words never dropped as stop or question words: members of synonym groups and readers' terms ("will" = testament). */
  private readonly meaningful = new Set<string>();
  private browseAll: readonly SearchHit[] | undefined;

  // Scratch space, reused by every search (searches are synchronous).
  private readonly score: Float64Array;
  private readonly termBits: Uint32Array;
  private readonly stampA: Uint32Array;
  private readonly stampB: Uint32Array;
  private epochA = 0;
  private epochB = 0;
  private readonly candidates: Int32Array;
  private readonly ordered: Int32Array;
  private readonly sortScratch = new SortScratch();

  constructor(corpus: Corpus, init: QuoteSearchInit = {}) {
    this.corpus = corpus;
    this.options = init.options ?? DEFAULT_SEARCH_OPTIONS;
    this.facets = facetValues(corpus.quotes);
    const byId = [...corpus.quotes];
    if (!byId.every((q, i) => i === 0 || (byId[i - 1] as Quote).id < q.id)) byId.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.quotes = byId;
    this.n = byId.length;
    const docOf = new Map(byId.map((q, doc) => [q.id, doc]));
    const themeWords = new Map(corpus.themes.map((t) => [t.id, `${t.id.replace(/-/g, ' ')} ${t.label}`]));
    const themeAbout = new Map(corpus.themes.map((t) => [t.id, t.description]));
    const context = init.context ?? defaultContext(corpus);
    const documents = (visit: (doc: Doc, i: number) => void) => byId.forEach((q, i) => visit(documentFor(q, themeWords, themeAbout, context(q)), i));

    if (init.saved !== undefined) {
      const { meta, index } = splitSaved(init.saved);
      if (meta.count !== this.n) throw new StaleIndexError(`it holds ${meta.count} quotes, the corpus ${this.n}`);
      this.fingerprint = fingerprintOf(documents);
      if (meta.fingerprint !== this.fingerprint) throw new StaleIndexError('the quotes, their speakers, themes or narration have changed since it was saved');
      this.index = PostingsIndex.load<Doc>(index, miniSearchOptions(words, indexTerm));
      byId.forEach((q, doc) => {
        if (this.index.documentId(doc) !== q.id) throw new StaleIndexError(`document ${doc} is ${this.index.documentId(doc)}, not ${q.id}`);
      });
      this.surfaceWords = meta.surface.words;
      this.surfaceCounts = Uint32Array.from(meta.surface.counts);
      for (const [word, base64] of Object.entries(meta.stops)) {
        this.stops.set(word, new BitSet(this.n, new Uint32Array(new Uint8Array(Buffer.from(base64, 'base64')).buffer)));
      }
    } else {
      // Build: tokenize once, stem each distinct word once, and collect what the planner needs on the way.
      // (The index keeps these two functions: `building` is dropped afterwards, so they keep nothing else.)
      const surface = new Map<string, number>();
      let building: { doc: number; stemmed: Map<string, string | null> } | null = { doc: 0, stemmed: new Map() };
      for (const w of STOP_WORDS) this.stops.set(w, new BitSet(this.n));
      const stops = this.stops;
      const tokenize = (text: string, field?: string): string[] => {
        const ws = words(text);
        if (building && field === 'text') {
          for (const w of ws) {
            surface.set(w, (surface.get(w) ?? 0) + 1);
            stops.get(w)?.add(building.doc);
          }
        }
        return ws;
      };
      const processTerm = (term: string): string | null => {
        if (!building) return indexTerm(term);
        let t = building.stemmed.get(term);
        if (t === undefined) building.stemmed.set(term, (t = indexTerm(term)));
        return t;
      };
      this.index = PostingsIndex.create<Doc>(miniSearchOptions(tokenize, processTerm));
      const hash = createHash('sha256');
      documents((doc, i) => {
        (building as { doc: number }).doc = i;
        this.index.add(doc);
        hashDocument(hash, doc);
        for (const w of words(byId[i]?.speaker ?? '')) surface.set(w, (surface.get(w) ?? 0) + 1);
      });
      building = null;
      this.fingerprint = hash.digest('base64');
      this.surfaceWords = [...surface.keys()].sort();
      this.surfaceCounts = Uint32Array.from(this.surfaceWords, (w) => surface.get(w) ?? 0);
      surface.clear();
    }

    this.bm25 = this.index.bm25;
    this.fieldIds = Object.fromEntries(FIELDS.map((f) => [f, this.index.fieldId(f)])) as Record<Field, number>;
    for (const field of FIELDS) this.norms[this.fieldIds[field]] = this.index.lengthNorms(field, this.n);
    this.filters = new FilterIndex(corpus, docOf, this.n);
    this.simpleTexts = new BitSet(this.n);
    byId.forEach((q, doc) => {
      if (isSimpleText(q.text)) this.simpleTexts.add(doc);
    });
    for (const group of corpus.synonyms) {
      for (const m of group) if (words(m).length === 1) this.meaningful.add(words(m)[0] as string);
      // A member that is also a stop word keeps its own word as its term ("will" if it were one).
      const members = group.map((m) => words(m).map((w) => indexTerm(w) ?? (words(m).length === 1 ? w : null)).filter((t): t is string => t !== null)).filter((m) => m.length > 0);
      for (const m of members) {
        if (m.length > 1) this.multiWordSynonyms.push(m);
        const key = m.join(' ');
        const others = members.filter((o) => o.join(' ') !== key);
        this.synonyms.set(key, [...(this.synonyms.get(key) ?? []), ...others]);
      }
    }
    for (const concept of corpus.concepts) {
      const source = concept.source.map((w) => terms(w)).filter((t) => t.length > 0);
      for (const reader of concept.reader) {
        const t = terms(reader);
        if (t.length === 0) continue;
        if (words(reader).length === 1) this.meaningful.add(words(reader)[0] as string);
        this.concepts.set(t.join(' '), { terms: t, source, shown: [...concept.source] });
      }
    }
    this.score = new Float64Array(this.n);
    this.termBits = new Uint32Array(this.n);
    this.stampA = new Uint32Array(this.n);
    this.stampB = new Uint32Array(this.n);
    this.candidates = new Int32Array(this.n);
    this.ordered = new Int32Array(this.n);
  }

  /** Starts from a saved index (`save()`) instead of indexing; throws StaleIndexError if it was saved for another corpus. */
  static load(corpus: Corpus, saved: string, init: Omit<QuoteSearchInit, 'saved'> = {}): QuoteSearch {
    return new QuoteSearch(corpus, { ...init, saved });
  }

  /** The index as one string, for `load` (or `new QuoteSearch(corpus, { saved })`). */
  save(): string {
    const stops: Record<string, string> = {};
    for (const [word, set] of this.stops) stops[word] = Buffer.from(set.words.buffer, set.words.byteOffset, set.words.byteLength).toString('base64');
    const meta: SavedMeta = {
      format: SAVED_FORMAT,
      version: SAVED_VERSION,
      count: this.n,
      fingerprint: this.fingerprint,
      surface: { words: this.surfaceWords, counts: [...this.surfaceCounts] },
      stops,
    };
    // JSON never contains a raw newline: the first line is ours, the rest is MiniSearch's own JSON.
    return `${JSON.stringify(meta)}\n${JSON.stringify(this.index)}`;
  }

  /** Searches; an empty query lists every quote that passes the filters, in corpus order. */
  search(input: string | ParsedQuery, filters: Filters = {}): SearchOutcome {
    const query = typeof input === 'string' ? parseQuery(input) : input;
    const filter = this.filters.compile(filters);
    if (isEmptyQuery(query)) return { query, hits: filter ? this.browse(filter) : [], mode: 'browse' };
    const plan = this.plan(query);
    const { clauses, phrases } = plan;
    if (!filter) return { query, hits: [], mode: clauses.length > 1 ? 'any' : 'all' };
    if (clauses.length === 0) {
      // Only stop words (inside a phrase, say): the texts that have them all, checked.
      if (phrases.length === 0) return { query, hits: [], mode: 'all' };
      const count = this.stopPhraseCandidates(phrases, filter);
      const hits: SearchHit[] = [];
      for (let i = 0; i < count; i++) hits.push({ quote: this.quotes[this.candidates[i] as number] as Quote, score: 1 });
      return { query, hits, mode: 'all' };
    }
    const only = clauses[0] as Clause;
    if (clauses.length === 1 && phrases.length === 0 && only.alts.every((alt) => alt.docs === null)) {
      return { query, hits: this.rankSingle(only, filter.pass, plan.pairs), mode: 'all', ...this.notes(plan) };
    }
    this.prepare(plan);
    let count = this.allCandidates(clauses, filter.pass);
    count = this.verify(count, phrases);
    const corrected = this.notes(plan);
    if (count > 0 || clauses.length === 1) return { query, hits: this.rank(clauses, count, plan.pairs), mode: 'all', ...corrected };
    count = this.anyCandidates(clauses, phrases, filter.pass);
    return { query, hits: this.rank(clauses, count, plan.pairs), mode: 'any', ...corrected };
  }

  /** What the outcome says about the words searched: corrections, readers' terms, untranslated words. */
  private notes(plan: Plan): Pick<SearchOutcome, 'corrected' | 'concepts' | 'untranslated'> {
    return {
      ...(plan.corrections.length > 0 ? { corrected: plan.corrections.map((c) => ({ word: c.word, to: [...new Set(c.terms.map((t) => this.surfaceOf(t) ?? t))].slice(0, 5) })) } : {}),
      ...(plan.concepts.length > 0 ? { concepts: plan.concepts } : {}),
      ...(plan.untranslated.length > 0 ? { untranslated: plan.untranslated } : {}),
    };
  }

  /** The plan of a query, for tests and curious humans. */
  explain(input: string | ParsedQuery): QueryPlan {
    const query = typeof input === 'string' ? parseQuery(input) : input;
    const plan = this.plan(query);
    return {
      clauses: plan.clauses.map((c) => ({ label: c.label, alternatives: c.alts.map((alt) => alt.parts.map((part) => part.map((ref) => ref.planned))), phrase: c.phrase?.text ?? null })),
      stopPhrases: plan.phrases.filter((p) => !plan.clauses.some((c) => c.phrase === p)).map((p) => p.text),
    };
  }

  /**
   * Terms close to what was typed, for a "did you mean" when nothing matched:
   * index terms within round(0.35 × length) edits (at most 6) or completing
   * the word, nearest first, then the most frequent.
   */
  suggestTerms(input: string, limit = 5): string[] {
    const found = new Map<string, { distance: number; docs: number }>();
    const offer = (term: string, distance: number, data: TermData) => {
      const had = found.get(term);
      if (!had || distance < had.distance) found.set(term, { distance, docs: docsOf(data) });
    };
    for (const t of terms(input)) {
      const exact = this.index.term(t);
      if (exact) offer(t, 0, exact);
      const maxDistance = Math.min(6, Math.round(t.length * 0.35));
      if (maxDistance > 0) for (const [term, [data, distance]] of this.index.fuzzy(t, maxDistance)) offer(term, distance, data);
      for (const [term, data] of this.boundedPrefix(t, limit * 4)) offer(term, 0.3 * (term.length - t.length), data);
    }
    // Index terms are stems ("industri"): show each as the word the corpus most often spells it with.
    const spelled = new Set<string>();
    for (const [term] of [...found.entries()].sort((a, b) => a[1].distance - b[1].distance || b[1].docs - a[1].docs || (a[0] < b[0] ? -1 : 1))) {
      const word = this.surfaceOf(term);
      if (word) spelled.add(word);
      if (spelled.size >= limit) break;
    }
    return [...spelled];
  }

  /** The most frequent corpus word whose index term is `term`; null for terms that only come from speakers or themes. */
  private surfaceOf(term: string): string | null {
    if (!this.stemSurface) {
      const best = new Map<string, number>();
      this.surfaceWords.forEach((w, i) => {
        const t = indexTerm(w);
        if (!t) return;
        const had = best.get(t);
        if (had === undefined || (this.surfaceCounts[i] as number) > (this.surfaceCounts[had] as number)) best.set(t, i);
      });
      this.stemSurface = new Map([...best].map(([t, i]) => [t, this.surfaceWords[i] as string]));
      // Terms found only in the essays' narration ("kulaks") take their spelling from the essays.
      const narrationCounts = new Map<string, Map<string, number>>();
      for (const source of this.corpus.sources) {
        for (const w of words(source.text)) {
          const t = indexTerm(w);
          if (!t || this.stemSurface.has(t)) continue;
          const forms = narrationCounts.get(t) ?? new Map<string, number>();
          forms.set(w, (forms.get(w) ?? 0) + 1);
          narrationCounts.set(t, forms);
        }
      }
      for (const [t, forms] of narrationCounts) {
        const [word] = [...forms].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] ?? [];
        if (word) this.stemSurface.set(t, word);
      }
    }
    return this.stemSurface.get(term) ?? null;
  }

  private stemSurface: Map<string, string> | null = null;

  /** Completions of the last word typed, as whole words from the corpus text, most frequent first. */
  completeWords(prefix: string, limit = 10): string[] {
    const w = words(prefix);
    const last = w[w.length - 1];
    if (!last || limit <= 0) return [];
    const head = w.slice(0, -1).join(' ');
    // The sorted words starting with `last` form one range.
    let lo = lowerBound(this.surfaceWords, last);
    const best: number[] = [];
    const better = (a: number, b: number) => (this.surfaceCounts[a] as number) - (this.surfaceCounts[b] as number) || collator.compare(this.surfaceWords[b] as string, this.surfaceWords[a] as string);
    for (; lo < this.surfaceWords.length; lo++) {
      const word = this.surfaceWords[lo] as string;
      if (!word.startsWith(last)) break;
      if (word.length === last.length) continue;
      if (best.length === limit && better(lo, best[best.length - 1] as number) <= 0) continue;
      // Keep `best` sorted, most frequent first.
      let at = best.length;
      while (at > 0 && better(lo, best[at - 1] as number) > 0) at--;
      best.splice(at, 0, lo);
      if (best.length > limit) best.pop();
    }
    return best.map((i) => (head ? `${head} ${this.surfaceWords[i]}` : (this.surfaceWords[i] as string)));
  }

  themesMatching(input: string): Theme[] {
    const t = input.trim().toLowerCase();
    return this.corpus.themes.filter((th) => th.id.includes(t) || th.label.toLowerCase().includes(t));
  }

  // -------------------------------------------------------------------------
  // Planning

  /** One clause per query word (or multi-word synonym, or phrase), each an OR of its alternatives. */
  private plan(query: ParsedQuery): Plan {
    const o = this.options;
    const bits = new Map<string, number>();
    const bitOf = (term: string) => {
      let b = bits.get(term);
      if (b === undefined) bits.set(term, (b = Math.min(bits.size, MAX_TERM_BITS - 1)));
      return b;
    };
    const boosts = FIELDS.map((f) => o.boost[f] || 1);
    // A synonym counts less than the word typed, in each field by that field's own weight.
    const scaled = (w: number) => boosts.map((b) => b * (w || 1));
    const corrections: { word: string; terms: string[] }[] = [];
    const clauses: Clause[] = [];
    const phrases: Phrase[] = [];
    // Equal multi-part alternatives ("collective farm", "collective farming") share one document set.
    const shared = new Map<string, AltDocs>();
    const alternative = (parts: Part[]): Alt => {
      if (parts.length === 1) return { parts, docs: null };
      const key = parts.map((part) => part.map((r) => `${r.planned.term}${r.candidateFields === r.fields ? '' : '/text'}`).join('|')).join(' ');
      let docs = shared.get(key);
      if (!docs) shared.set(key, (docs = { list: null, set: null }));
      return { parts, docs };
    };

    const seq = this.searchedWords(query).map((w) => ({ word: w, term: indexTerm(w) ?? w }));
    const conceptsUsed: { word: string; to: string[] }[] = [];
    const untranslated: string[] = [];
    for (let i = 0; i < seq.length; i++) {
      // A reader's term ("gulag", "loot the looters", "голод"): its own words where the corpus has them, and the source's.
      const concept = o.concepts ? this.conceptAt(seq, i) : null;
      if (concept) {
        const typed = seq.slice(i, i + concept.terms.length);
        const alts: Alt[] = [];
        if (concept.terms.every((t) => this.index.term(t))) alts.push(alternative(concept.terms.map((t) => [this.ref(t, 'exact', 1, 0, bitOf(t), boosts)])));
        for (const [alt, times] of counted(concept.source)) alts.push(alternative(alt.map((t) => [this.ref(t, 'concept', times, 0, bitOf(t), boosts)])));
        const word = typed.map((x) => x.word).join(' ');
        clauses.push(this.clause(word, alts, null));
        conceptsUsed.push({ word, to: concept.shown });
        i += concept.terms.length - 1;
        continue;
      }
      // A multi-word synonym member typed in full ("new economic policy", "secret police") is one clause.
      const multi = this.multiWordSynonyms.find((m) => m.every((t, k) => seq[i + k]?.term === t));
      if (multi) {
        const alts = counted([multi, ...(this.synonyms.get(multi.join(' ')) ?? [])]).map(([alt, times], k) =>
          alternative(alt.map((t) => [this.ref(t, 'synonym', times, 0, bitOf(t), k === 0 ? boosts : scaled(o.synonymWeight))])),
        );
        clauses.push(this.clause(multi.join(' '), alts, null));
        i += multi.length - 1;
        continue;
      }
      const cur = seq[i];
      if (!cur) continue;
      const data = this.index.term(cur.term);
      if (!data && /\p{Script=Cyrillic}/u.test(cur.word)) untranslated.push(cur.word);
      const docs = docsOf(data);
      const bit = bitOf(cur.term);
      const leaf: Ref[] = [];
      if (data) leaf.push(this.ref(cur.term, 'exact', 1, 0, bit, boosts, data));
      const isLast = i === seq.length - 1;
      const prefix = isLast && cur.word.length >= o.prefixMinLength && widestField(data) < o.prefixBelowShare * this.n;
      const fuzzy = cur.word.length >= o.fuzzyMinLength && docs < o.fuzzyBelowDocs ? (cur.word.length >= o.fuzzyTwoEditsFrom ? 2 : 1) : 0;
      const completions = new Set<string>();
      if (prefix) {
        for (const [term, d] of this.boundedPrefix(cur.term, o.maxExpansions, completions)) {
          const distance = term.length - cur.term.length;
          leaf.push(this.ref(term, 'prefix', (o.weights.prefix * term.length) / (term.length + 0.3 * distance), distance, bit, boosts, d));
        }
      }
      if (fuzzy) {
        const found = this.index.fuzzy(cur.term, fuzzy);
        // A letter typed in the wrong place ("stlain", "lneni") is one slip, not the two edits Levenshtein counts.
        if (o.transpositions) {
          for (const variant of movedLetter(cur.word)) {
            const t = indexTerm(variant);
            if (t === null || t === cur.term) continue;
            const d = this.index.term(t);
            if (d) found.set(t, [d, 1]);
          }
        }
        const near = [...found]
          // A completion is scored as one, as MiniSearch does.
          .filter(([term, [, distance]]) => distance > 0 && !completions.has(term))
          .map(([term, [d, distance]]) => ({ term, d, distance, docs: docsOf(d) }))
          .sort((a, b) => a.distance - b.distance || b.docs - a.docs || (a.term < b.term ? -1 : 1))
          .slice(0, o.maxExpansions);
        for (const m of near) leaf.push(this.ref(m.term, 'fuzzy', (o.weights.fuzzy * m.term.length) / (m.term.length + m.distance), m.distance, bit, boosts, m.d));
        if (!data && near.length > 0) corrections.push({ word: cur.word, terms: near.map((m) => m.term) });
      }
      const alts: Alt[] = [alternative([leaf])];
      // A misspelt word means what its correction means ("famnie": famine, and so hunger), at the correction's
      // weight; one-word synonyms only, since each word of a longer one would count as a query term matched.
      if (o.correctedSynonyms && !data) {
        for (const ref of leaf) {
          for (const [syn, times] of counted((this.synonyms.get(ref.planned.term) ?? []).filter((m) => m.length === 1))) {
            alts.push(alternative(syn.map((t) => [this.ref(t, 'synonym', times * ref.planned.weight, 0, bitOf(t), scaled(o.synonymWeight))])));
          }
        }
      }
      // One that several members stem to ("starving", "starve") counts that many times: read once.
      for (const [syn, times] of counted(this.synonyms.get(cur.term) ?? [])) {
        alts.push(alternative(syn.map((t) => [this.ref(t, 'synonym', times, 0, bitOf(t), scaled(o.synonymWeight))])));
      }
      clauses.push(this.clause(cur.word, alts, null));
    }

    for (const phraseWords of query.phrases) {
      const text = phraseWords.join(' ');
      const stops = phraseWords.flatMap((w) => this.stops.get(w) ?? []);
      const phrase: Phrase = { text, test: phraseMatcher(phraseWords), stops };
      phrases.push(phrase);
      const t = phraseWords.map((w) => indexTerm(w)).filter((x): x is string => x !== null);
      if (t.length > 0) clauses.push(this.clause(`"${text}"`, [alternative(t.map((term) => [this.ref(term, 'phrase', 1, 0, bitOf(term), boosts)]))], phrase));
    }
    return { clauses, phrases, pairs: this.pairs(query, seq), corrections, concepts: conceptsUsed, untranslated };
  }

  /**
   * The query's neighbouring words worth finding side by side (`adjacency`): a searched word and a word that is not
   * searched (a stop or question word), as typed. The small word says which sense was meant: "his will" is the
   * testament where "will" alone is mostly the auxiliary ("he will serve").
   */
  private pairs(query: ParsedQuery, seq: readonly { word: string }[]): PhraseMatcher[] {
    if (this.options.adjacency === 0 || query.words.length < 2) return [];
    const searched = new Set(seq.map((x) => x.word));
    const out: PhraseMatcher[] = [];
    const seen = new Set<string>();
    for (let i = 1; i < query.words.length; i++) {
      const a = query.words[i - 1] as string;
      const b = query.words[i] as string;
      // One searched word and one that is not: two searched words are scored as the words they are.
      if (searched.has(a) === searched.has(b)) continue;
      const key = `${a} ${b}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(phraseMatcher([a, b]));
    }
    return out;
  }

  /**
   * The words of a query that are searched: stop words out, and question
   * words and auxiliaries ("why", "did", "could"); in a question (it starts
   * with one, or ends with "?"), also the words that only frame it ("what did
   * Lenin say about…"). A word of a synonym group or a reader's term is always
   * searched ("will" is Lenin's testament).
   */
  searchedWords(query: ParsedQuery): string[] {
    const o = this.options;
    const first = query.words[0];
    const question = o.questionWords && first !== undefined && (QUESTION_WORDS.has(first) || /\?\s*$/.test(query.raw));
    return query.words.filter((w) => {
      if (this.meaningful.has(w)) return true;
      if (o.questionWords && (QUESTION_WORDS.has(w) || (question && QUESTION_FRAME.has(w)))) return false;
      return indexTerm(w) !== null;
    });
  }

  /** The longest reader's term whose terms start at `seq[i]`. */
  private conceptAt(seq: readonly { term: string }[], i: number): { terms: string[]; source: string[][]; shown: string[] } | null {
    let best: { terms: string[]; source: string[][]; shown: string[] } | null = null;
    for (let k = Math.min(seq.length - i, MAX_CONCEPT_TERMS); k >= 1 && !best; k--) {
      best = this.concepts.get(seq.slice(i, i + k).map((x) => x.term).join(' ')) ?? null;
    }
    return best;
  }

  /** The completions of a term in the index, the most frequent `limit` (all of them into `seen`, if given). */
  private boundedPrefix(term: string, limit: number, seen?: Set<string>): [string, TermData][] {
    if (this.n === 0) return [];
    const all: { term: string; data: TermData; docs: number }[] = [];
    for (const [t, data] of this.index.atPrefix(term)) {
      if (t === term) continue;
      seen?.add(t);
      all.push({ term: t, data, docs: docsOf(data) });
    }
    if (all.length > limit) {
      all.sort((a, b) => b.docs - a.docs || (a.term < b.term ? -1 : 1));
      all.length = limit;
    }
    return all.map((x) => [x.term, x.data]);
  }

  private ref(term: string, kind: PlannedTerm['kind'], weight: number, distance: number, bit: number, boosts: readonly number[], known?: TermData): Ref {
    const data = known ?? this.index.term(term);
    const fields: FieldPostings[] = [];
    if (data) {
      // Theme descriptions count only for a word found nowhere else ("protest"): elsewhere they would make
      // every quote of a theme match its description's words.
      const aboutOnly = [...data].every(([id, postings]) => id === this.fieldIds.about || postings.size === 0);
      for (const [i, field] of FIELDS.entries()) {
        if (field === 'about' && !aboutOnly) continue;
        const id = this.fieldIds[field];
        const postings = data.get(id);
        if (!postings || postings.size === 0) continue;
        const m = postings.size;
        const idf = inverseDocumentFrequency(this.n, m);
        fields.push({ field: id, postings, idf, coef: weight * (boosts[i] as number), norm: this.norms[id] as Float64Array });
      }
    }
    const boost = Object.fromEntries(FIELDS.map((f, i) => [f, boosts[i] as number])) as PlannedTerm['boost'];
    const planned: PlannedTerm = { term, kind, weight, boost, distance, docs: docsOf(data) };
    const candidateFields = kind === 'phrase' ? fields.filter((f) => f.field === this.fieldIds.text) : fields;
    return { planned, bit, fields, candidateFields };
  }

  private clause(label: string, alts: readonly Alt[], phrase: Phrase | null): Clause {
    let cost = 0;
    let probes = 0;
    for (const alt of alts) {
      if (alt.docs === null) {
        const part = alt.parts[0] as Part;
        cost += partCost(part);
        for (const ref of part) probes += ref.candidateFields.length;
      } else {
        // Listing it costs reading its rarest part; testing a document, one bit.
        cost += Math.min(...alt.parts.map(partCost));
        probes += 1;
      }
    }
    return { label, alts, phrase, cost, probes };
  }

  /** Computes the documents of every multi-part alternative of the plan (each shared set once). */
  private prepare(plan: Plan): void {
    for (const clause of plan.clauses) {
      for (const alt of clause.alts) {
        if (alt.docs === null || alt.docs.list !== null) continue;
        // Read the rarest part, probe the others.
        let driver = alt.parts[0] as Part;
        for (const part of alt.parts) if (partCost(part) < partCost(driver)) driver = part;
        const set = new BitSet(this.n);
        const list: number[] = [];
        for (const ref of driver) {
          for (const f of ref.candidateFields) {
            f.postings.forEach((_tf, doc) => {
              if (set.has(doc)) return;
              for (const part of alt.parts) if (part !== driver && !partHas(part, doc)) return;
              set.add(doc);
              list.push(doc);
            });
          }
        }
        alt.docs.list = Int32Array.from(list);
        alt.docs.set = set;
      }
    }
  }

  // -------------------------------------------------------------------------
  // Evaluation: candidates first (cheapest clause drives), then scores for the survivors

  private nextEpochA(): number {
    if (++this.epochA === 0xffffffff) {
      this.stampA.fill(0);
      this.epochA = 1;
    }
    return this.epochA;
  }

  private nextEpochB(): number {
    if (++this.epochB === 0xffffffff) {
      this.stampB.fill(0);
      this.epochB = 1;
    }
    return this.epochB;
  }

  /** Documents matching every clause (and the filter), into `candidates`; returns their number. */
  private allCandidates(clauses: readonly Clause[], pass: DocTest | null): number {
    const order = [...clauses].sort((a, b) => a.cost - b.cost);
    const driver = order[0] as Clause;
    if (driver.cost === 0) return 0;
    let count = this.collect([driver], pass);
    const cands = this.candidates;
    for (let c = 1; c < order.length && count > 0; c++) {
      const clause = order[c] as Clause;
      let kept = 0;
      if (count * clause.probes <= clause.cost) {
        for (let i = 0; i < count; i++) {
          const doc = cands[i] as number;
          if (clauseHas(clause, doc)) cands[kept++] = doc;
        }
      } else {
        // The clause's documents are fewer to read than our candidates are to probe: mark them.
        const marks = this.stampB;
        const mark = this.nextEpochB();
        forEachDoc(clause, (doc) => {
          marks[doc] = mark;
        });
        for (let i = 0; i < count; i++) {
          const doc = cands[i] as number;
          if (marks[doc] === mark) cands[kept++] = doc;
        }
      }
      count = kept;
    }
    return count;
  }

  /** The documents of any of the clauses that pass the filter, each once, into `candidates`. */
  private collect(clauses: readonly Clause[], pass: DocTest | null): number {
    const cands = this.candidates;
    const stamp = this.stampA;
    const epoch = this.nextEpochA();
    let count = 0;
    for (const clause of clauses) {
      forEachDoc(clause, (doc) => {
        if (stamp[doc] === epoch) return;
        stamp[doc] = epoch;
        if (pass === null || pass(doc)) cands[count++] = doc;
      });
    }
    return count;
  }

  /** Documents matching any clause, the phrases and the filter, into `candidates`. */
  private anyCandidates(clauses: readonly Clause[], phrases: readonly Phrase[], pass: DocTest | null): number {
    const phraseClauses = clauses.filter((c) => c.phrase !== null);
    // Every document that has the phrases matches their clauses: the phrases alone decide.
    if (phraseClauses.length > 0) return this.verify(this.allCandidates(phraseClauses, pass), phrases);
    return this.verify(this.collect(clauses, pass), phrases);
  }

  /** Keeps the candidates whose text has every phrase. */
  private verify(count: number, phrases: readonly Phrase[]): number {
    if (phrases.length === 0 || count === 0) return count;
    const cands = this.candidates;
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const doc = cands[i] as number;
      if (this.hasPhrases(doc, phrases)) cands[kept++] = doc;
    }
    return kept;
  }

  private hasPhrases(doc: number, phrases: readonly Phrase[]): boolean {
    // Each part on its own: a phrase never runs across the essay's narration between two parts.
    const text = (this.quotes[doc] as Quote).parts.join(PART_BARRIER);
    const simple = this.simpleTexts.has(doc);
    for (const p of phrases) {
      for (const s of p.stops) if (!s.has(doc)) return false;
      if (!(simple && p.test.simple ? p.test.simple.test(text) : p.test.any(text))) return false;
    }
    return true;
  }

  /** A query of stop-word phrases only: the documents whose text has every word, then checked; in id order. */
  private stopPhraseCandidates(phrases: readonly Phrase[], filter: CompiledFilter): number {
    const sets = phrases.flatMap((p) => p.stops);
    const cands = this.candidates;
    let count = 0;
    const consider = (doc: number) => {
      if ((filter.pass === null || filter.pass(doc)) && this.hasPhrases(doc, phrases)) cands[count++] = doc;
    };
    if (sets.length === 0) {
      for (let doc = 0; doc < this.n; doc++) consider(doc);
      return count;
    }
    // The texts with every stop word of every phrase: one AND per 32 documents.
    const words = sets.map((s) => s.words);
    const first = words[0] as Uint32Array;
    for (let i = 0; i < first.length; i++) {
      let word = first[i] as number;
      for (let k = 1; k < words.length && word !== 0; k++) word &= (words[k] as Uint32Array)[i] as number;
      while (word !== 0) {
        const low = word & -word;
        consider(i * 32 + 31 - Math.clz32(low));
        word = (word ^ low) >>> 0;
      }
    }
    return count;
  }

  /** Scores the candidates (MiniSearch's BM25+, summed over the clauses, times the query terms matched) and orders them. */
  private rank(clauses: readonly Clause[], count: number, pairs: readonly PhraseMatcher[]): SearchHit[] {
    if (count === 0) return [];
    const cands = this.candidates;
    const score = this.score;
    const bits = this.termBits;
    const stamp = this.stampA;
    const epoch = this.nextEpochA();
    for (let i = 0; i < count; i++) {
      const doc = cands[i] as number;
      stamp[doc] = epoch;
      score[doc] = 0;
      bits[doc] = 0;
    }
    for (const clause of clauses) {
      for (const alt of clause.alts) {
        if (alt.docs === null || clause.phrase !== null) {
          // Every candidate that has one of these terms counts it (phrase candidates have them all).
          for (const part of alt.parts) for (const ref of part) for (const f of ref.fields) this.addField(ref, f, count, epoch);
        } else {
          this.addAlternative(alt, epoch);
        }
      }
    }
    return this.finish(count, epoch, pairs);
  }

  /**
   * One clause of plain alternatives (a single word, with its expansions and
   * synonyms): candidates and scores in one pass over its postings.
   */
  private rankSingle(clause: Clause, pass: DocTest | null, pairs: readonly PhraseMatcher[]): SearchHit[] {
    const cands = this.candidates;
    const score = this.score;
    const bits = this.termBits;
    const stamp = this.stampA;
    const epoch = this.nextEpochA();
    const rejected = this.stampB;
    const reject = this.nextEpochB();
    let count = 0;
    for (const alt of clause.alts) {
      for (const ref of alt.parts[0] as Part) {
        const mask = (1 << ref.bit) >>> 0;
        for (const f of ref.fields) {
          f.postings.forEach((tf, doc) => {
            if (stamp[doc] !== epoch) {
              if (pass !== null) {
                if (rejected[doc] === reject) return;
                if (!pass(doc)) {
                  rejected[doc] = reject;
                  return;
                }
              }
              stamp[doc] = epoch;
              score[doc] = 0;
              bits[doc] = 0;
              cands[count++] = doc;
            }
            this.credit(doc, tf, f, mask);
          });
        }
      }
    }
    return this.finish(count, epoch, pairs);
  }

  /** Final scores (times the number of query terms matched), best first, as hits. */
  private finish(count: number, epoch: number, pairs: readonly PhraseMatcher[]): SearchHit[] {
    if (count === 0) return [];
    const score = this.score;
    const bits = this.termBits;
    const stamp = this.stampA;
    // Documents in ascending order (the radix sort keeps it for ties): a sweep when they are many.
    const order = this.ordered;
    if (count > this.n >>> 5) {
      let k = 0;
      for (let doc = 0; doc < this.n && k < count; doc++) if (stamp[doc] === epoch) order[k++] = doc;
    } else {
      order.set(this.candidates.subarray(0, count));
      order.subarray(0, count).sort();
    }
    for (let i = 0; i < count; i++) {
      const doc = order[i] as number;
      score[doc] = (score[doc] as number) * (popcount32(bits[doc] as number) || 1);
    }
    sortByScore(order, count, score, this.sortScratch);
    if (pairs.length > 0 && this.options.adjacency !== 0) {
      // Words found side by side reorder the first results only: checking every candidate's text would cost a
      // broad query on a large corpus a phrase test per document.
      const top = Math.min(count, ADJACENCY_TOP);
      for (let i = 0; i < top; i++) {
        const doc = order[i] as number;
        score[doc] = (score[doc] as number) * this.adjacencyFactor(doc, pairs);
      }
      const head = Array.from(order.subarray(0, top)).sort((a, b) => (score[b] as number) - (score[a] as number) || a - b);
      order.set(head);
    }
    const hits: SearchHit[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const doc = order[i] as number;
      hits[i] = { quote: this.quotes[doc] as Quote, score: score[doc] as number };
    }
    return hits;
  }

  /** 1 + `adjacency` for each pair of the query's neighbouring words that the quote's own words have side by side. */
  private adjacencyFactor(doc: number, pairs: readonly PhraseMatcher[]): number {
    if (pairs.length === 0 || this.options.adjacency === 0) return 1;
    const text = (this.quotes[doc] as Quote).parts.join(PART_BARRIER);
    const simple = this.simpleTexts.has(doc);
    let found = 0;
    for (const pair of pairs) if (simple && pair.simple ? pair.simple.test(text) : pair.any(text)) found++;
    return 1 + this.options.adjacency * found;
  }

  /** Adds one term's BM25+ in one field to the candidates (stamped `epoch`) that have it. */
  private addField(ref: Ref, f: FieldPostings, count: number, epoch: number): void {
    const mask = (1 << ref.bit) >>> 0;
    const postings = f.postings;
    if (count * 2 < postings.size) {
      const cands = this.candidates;
      for (let i = 0; i < count; i++) {
        const doc = cands[i] as number;
        const tf = postings.get(doc);
        if (tf !== undefined) this.credit(doc, tf, f, mask);
      }
    } else {
      const stamp = this.stampA;
      postings.forEach((tf, doc) => {
        if (stamp[doc] === epoch) this.credit(doc, tf, f, mask);
      });
    }
  }

  /**
   * The one place a score grows: one term's BM25+ (MiniSearch's, with its
   * parameters) in one field, times the term's weight and the field's boost;
   * and the query term it counts for (MiniSearch multiplies by their number).
   */
  private credit(doc: number, tf: number, f: FieldPostings, mask: number): void {
    this.score[doc] = (this.score[doc] as number) + f.coef * bm25(this.bm25, f.idf, tf, f.norm[doc] as number);
    this.termBits[doc] = ((this.termBits[doc] as number) | mask) >>> 0;
  }

  /** A multi-word alternative counts only for the candidates that have every part. */
  private addAlternative(alt: Alt, epoch: number): void {
    const stamp = this.stampA;
    const { list, set } = docsOfAlt(alt);
    let probes = 0;
    let postings = 0;
    for (const part of alt.parts) {
      for (const ref of part) {
        probes += ref.fields.length;
        for (const f of ref.fields) postings += f.postings.size;
      }
    }
    for (const part of alt.parts) {
      for (const ref of part) {
        const mask = (1 << ref.bit) >>> 0;
        for (const f of ref.fields) {
          if (list.length * probes < postings) {
            for (const doc of list) {
              if (stamp[doc] !== epoch) continue;
              const tf = f.postings.get(doc);
              if (tf !== undefined) this.credit(doc, tf, f, mask);
            }
          } else {
            f.postings.forEach((tf, doc) => {
              if (stamp[doc] === epoch && set.has(doc)) this.credit(doc, tf, f, mask);
            });
          }
        }
      }
    }
  }

  private browse(filter: CompiledFilter): readonly SearchHit[] {
    if (filter.pass === null) {
      this.browseAll ??= Object.freeze(Array.from(filter.source, (doc) => ({ quote: this.quotes[doc] as Quote, score: 0 })));
      return this.browseAll;
    }
    const hits: SearchHit[] = [];
    for (const doc of filter.source) if (filter.pass(doc)) hits.push({ quote: this.quotes[doc] as Quote, score: 0 });
    return hits;
  }
}

export function matchesFilters(q: Quote, f: Filters): boolean {
  if (f.theme && !q.themes.includes(f.theme)) return false;
  if (f.kind && q.kind !== f.kind) return false;
  if (f.note !== undefined && q.note !== f.note) return false;
  if (f.work && q.sourceId !== f.work) return false;
  if (f.speaker && !hasFacet(q, f.speaker)) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Helpers

const collator = new Intl.Collator();

function defaultContext(corpus: Corpus): (q: Quote) => string {
  return narrationOf(layoutSources(corpus));
}

interface SavedMeta {
  format: string;
  version: number;
  count: number;
  fingerprint: string;
  surface: { words: string[]; counts: number[] };
  stops: Record<string, string>;
}

function splitSaved(saved: string): { meta: SavedMeta; index: string } {
  const cut = saved.indexOf('\n');
  let meta: SavedMeta;
  try {
    meta = JSON.parse(cut < 0 ? saved : saved.slice(0, cut)) as SavedMeta;
  } catch {
    throw new StaleIndexError('it is not a saved search index');
  }
  if (meta?.format !== SAVED_FORMAT || cut < 0) throw new StaleIndexError('it is not a saved search index');
  if (meta.version !== SAVED_VERSION) throw new StaleIndexError(`it has version ${meta.version}; this code reads ${SAVED_VERSION}`);
  return { meta, index: saved.slice(cut + 1) };
}

function hashDocument(hash: ReturnType<typeof createHash>, doc: Doc): void {
  hash.update(`${doc.id}\u0000${doc.text}\u0000${doc.speaker}\u0000${doc.themes}\u0000${doc.context}\u0000${doc.about}\u0001`);
}

/** What the index was built from, so a saved index is never used for a different corpus. */
function fingerprintOf(documents: (visit: (doc: Doc, i: number) => void) => void): string {
  const hash = createHash('sha256');
  documents((doc) => hashDocument(hash, doc));
  return hash.digest('base64');
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Question words and auxiliaries: never what a question is about. */
const QUESTION_WORDS: ReadonlySet<string> = new Set(
  'why how where what who whom whose when which did do does done is are was were am be been being can could should shall might must will would has have had'.split(' '),
);

/** Words that, in a question, only frame it: "what did Lenin say about Stalin", "did people think…". */
const QUESTION_FRAME: ReadonlySet<string> = new Set(
  'say said says tell told think thought feel felt about describe described mention mentioned explain happen happened really ever may there any anything complain complained'.split(' '),
);

/** How many of the first results the `adjacency` credit may reorder. */
const ADJACENCY_TOP = 64;

/** Longest reader's term, in index terms ("expropriate the expropriators": 2). */
const MAX_CONCEPT_TERMS = 6;

/** Longest word whose moved-letter variants are tried (a word of n letters has n·(n − 1) of them). */
const MAX_MOVED_LETTER_WORD = 16;

/**
 * The word with one letter moved to another place: swapped neighbours
 * ("bandti" → "bandit") and a letter typed too early or late ("lneni" →
 * "lenin"). Damerau counts the first as one edit; a reader makes both in one slip.
 */
export function movedLetter(word: string): string[] {
  const w = word.toLowerCase().replace(/'s$/, '');
  const letters = [...w];
  if (letters.length > MAX_MOVED_LETTER_WORD) return [];
  const out = new Set<string>();
  for (let from = 0; from < letters.length; from++) {
    const rest = [...letters.slice(0, from), ...letters.slice(from + 1)];
    for (let to = 0; to < letters.length; to++) {
      if (to === from) continue;
      const v = [...rest.slice(0, to), letters[from] as string, ...rest.slice(to)].join('');
      if (v !== w) out.add(v);
    }
  }
  return [...out];
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
