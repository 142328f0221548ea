/**
 * Quote search over MiniSearch, with the query planning that makes it both
 * relevant and fast: stop words out, synonyms in, every term required first
 * and any term after, fuzzy matching only for words the index does not know,
 * prefix matching for the word being typed, phrases checked against the text.
 */
import MiniSearch, { type Query, type SearchResult } from 'minisearch';
import { layoutSources, narrationFor } from '../../src/corpus/context.js';
import type { Corpus, Quote, Theme } from '../../src/corpus/types.js';
import { facetValues, hasFacet, type FacetValue } from '../../src/search/facets.js';
import { isEmptyQuery, parseQuery, type Filters, type ParsedQuery } from '../../src/search/query.js';
import { indexTerm, phraseText, terms, words } from '../../src/search/terms.js';

/** Every tunable of the search, with its default. Ranking tests guard these numbers. */
export const DEFAULT_SEARCH_OPTIONS = {
  /** Field weights: the quote's own words count most; the essay's narration around it least. */
  boost: { text: 3, themes: 2, speaker: 1, context: 0.4 },
  /** Words shorter than this are never matched fuzzily ("nep" must not find "net"). */
  fuzzyMinLength: 4,
  /** Edit distance allowed for an unknown word of at least this many letters: 2; shorter: 1. */
  fuzzyTwoEditsFrom: 7,
  /** The last word is matched as a prefix (it may still be being typed) when at least this long. */
  prefixMinLength: 3,
  /** Weight of a synonym's match relative to the word typed. */
  synonymWeight: 0.2,
  /** Weights MiniSearch gives to prefix and fuzzy matches relative to exact ones. */
  weights: { prefix: 0.4, fuzzy: 0.5 },
} as const;

export type SearchOptions = typeof DEFAULT_SEARCH_OPTIONS;

export interface SearchHit {
  readonly quote: Quote;
  readonly score: number;
}

export interface SearchOutcome {
  readonly query: ParsedQuery;
  /** Best first; ties broken by quote id so the order never wobbles. */
  readonly hits: readonly SearchHit[];
  /** `all`: every word matched; `any`: nothing matched every word, so quotes matching some are shown. */
  readonly mode: 'all' | 'any' | 'browse';
}

interface Doc {
  id: string;
  text: string;
  speaker: string;
  themes: string;
  context: string;
}

const FIELDS = ['text', 'speaker', 'themes', 'context'] as const;

export class ReferenceSearch {
  readonly corpus: Corpus;
  readonly facets: readonly FacetValue[];
  private readonly index: MiniSearch<Doc>;
  private readonly options: SearchOptions;
  /** Document frequency of every index term: tells known words from typos without a search. */
  private readonly vocabulary = new Map<string, number>();
  /** term → the other members of its synonym groups, each as a list of terms (multi-word members). */
  private readonly synonyms = new Map<string, string[][]>();
  private readonly multiWordSynonyms: string[][] = [];
  private readonly phraseTexts = new Map<string, string>();

  constructor(corpus: Corpus, options: SearchOptions = DEFAULT_SEARCH_OPTIONS) {
    this.corpus = corpus;
    this.options = options;
    this.facets = facetValues(corpus.quotes);
    this.index = new MiniSearch<Doc>({
      fields: [...FIELDS],
      idField: 'id',
      tokenize: (text) => words(text),
      processTerm: (term) => indexTerm(term) ?? null,
      // Queries arrive already as index terms (see plan()); processing them twice would re-stem them.
      searchOptions: { processTerm: (term) => term },
    });
    const layouts = layoutSources(corpus);
    const docs = corpus.quotes.map((q): Doc => {
      const layout = layouts.get(q.sourceId);
      const themeWords = q.themes.flatMap((id) => {
        const theme = corpus.themes.find((t) => t.id === id);
        return theme ? [theme.id.replace(/-/g, ' '), theme.label] : [id];
      });
      const f = q.facets;
      return {
        id: q.id,
        text: q.text,
        speaker: [q.speaker, f.occupation, f.nationality, f.gender, f.age ? `${f.age}-year-old` : undefined, f.ageGroup].filter(Boolean).join(' '),
        themes: themeWords.join(' '),
        context: layout ? narrationFor(layout, q) : '',
      };
    });
    this.index.addAll(docs);
    for (const d of docs) {
      for (const t of new Set(FIELDS.flatMap((field) => terms(d[field])))) this.vocabulary.set(t, (this.vocabulary.get(t) ?? 0) + 1);
      this.phraseTexts.set(d.id, phraseText(d.text));
    }
    for (const group of corpus.synonyms) {
      const members = group.map((m) => terms(m)).filter((m) => m.length > 0);
      for (const m of members) {
        if (m.length > 1) this.multiWordSynonyms.push(m);
        const key = m.join(' ');
        const others = members.filter((o) => o.join(' ') !== key);
        this.synonyms.set(key, [...(this.synonyms.get(key) ?? []), ...others]);
      }
    }
  }

  /** Searches; an empty query lists every quote that passes the filters, in id order. */
  search(input: string | ParsedQuery, filters: Filters = {}): SearchOutcome {
    const query = typeof input === 'string' ? parseQuery(input) : input;
    const pass = (q: Quote) => matchesFilters(q, filters);
    if (isEmptyQuery(query)) {
      return { query, hits: this.corpus.quotes.filter(pass).map((quote) => ({ quote, score: 0 })), mode: 'browse' };
    }
    const phrases = query.phrases.map((p) => ` ${p.join(' ')} `);
    const passAll = (q: Quote) => pass(q) && phrases.every((p) => (this.phraseTexts.get(q.id) ?? '').includes(p));
    const clauses = this.plan(query);
    if (clauses.length === 0) {
      // Only stop words (inside a phrase, say): scan the texts themselves.
      return { query, hits: phrases.length ? this.corpus.quotes.filter(passAll).map((quote) => ({ quote, score: 1 })) : [], mode: 'all' };
    }
    const all = this.run({ combineWith: 'AND', queries: clauses }, passAll);
    if (all.length > 0 || clauses.length === 1) return { query, hits: all, mode: 'all' };
    return { query, hits: this.run({ combineWith: 'OR', queries: clauses }, passAll), mode: 'any' };
  }

  /** Terms close to what was typed, for a "did you mean" when nothing matched. */
  suggestTerms(input: string, limit = 5): string[] {
    const suggestions = this.index.autoSuggest(input, {
      fuzzy: 0.35,
      prefix: true,
      processTerm: (t) => indexTerm(t) ?? null,
      combineWith: 'OR',
    });
    return suggestions.slice(0, limit).map((s) => s.suggestion);
  }

  /** Completions of the last word typed, as whole words from the corpus text. */
  completeWords(prefix: string, limit = 10): string[] {
    const w = words(prefix);
    const last = w[w.length - 1];
    if (!last) return [];
    const head = w.slice(0, -1).join(' ');
    const seen = new Map<string, number>();
    for (const q of this.corpus.quotes) {
      for (const word of words(`${q.text} ${q.speaker}`)) {
        if (word.length > last.length && word.startsWith(last)) seen.set(word, (seen.get(word) ?? 0) + 1);
      }
    }
    return [...seen.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, limit)
      .map(([word]) => (head ? `${head} ${word}` : word));
  }

  themesMatching(input: string): Theme[] {
    const t = input.trim().toLowerCase();
    return this.corpus.themes.filter((th) => th.id.includes(t) || th.label.toLowerCase().includes(t));
  }

  /** One MiniSearch clause per query word (or multi-word synonym), each an OR of its alternatives. */
  private plan(query: ParsedQuery): Query[] {
    const o = this.options;
    const seq = query.words.map((w) => ({ word: w, term: indexTerm(w) })).filter((x): x is { word: string; term: string } => x.term !== null);
    const clauses: Query[] = [];
    for (let i = 0; i < seq.length; i++) {
      // A multi-word synonym member typed in full ("new economic policy", "secret police") is one clause.
      const multi = this.multiWordSynonyms.find((m) => m.every((t, k) => seq[i + k]?.term === t));
      if (multi) {
        const others = this.synonyms.get(multi.join(' ')) ?? [];
        const typed: Query = { combineWith: 'AND', queries: multi };
        clauses.push(others.length ? { combineWith: 'OR', queries: [typed, this.alternatives(others, multi.join(' '), o.synonymWeight)] } : typed);
        i += multi.length - 1;
        continue;
      }
      const cur = seq[i];
      if (!cur) continue;
      const isLast = i === seq.length - 1;
      const known = this.vocabulary.has(cur.term);
      const fuzzy = !known && cur.word.length >= o.fuzzyMinLength ? (cur.word.length >= o.fuzzyTwoEditsFrom ? 2 : 1) : false;
      const prefix = isLast && cur.word.length >= o.prefixMinLength;
      const leaf: Query = { queries: [cur.term], fuzzy, prefix, weights: o.weights };
      const syn = this.synonyms.get(cur.term);
      clauses.push(syn && syn.length ? { combineWith: 'OR', queries: [leaf, this.alternatives(syn, cur.term, o.synonymWeight)] } : leaf);
    }
    for (const phrase of query.phrases) {
      const t = phrase.map((w) => indexTerm(w)).filter((x): x is string => x !== null);
      if (t.length > 0) clauses.push({ combineWith: 'AND', queries: t });
    }
    return clauses;
  }

  private alternatives(alts: readonly string[][], _label: string, weight = 1): Query {
    const queries: Query[] = alts.map((terms) => (terms.length === 1 ? (terms[0] as string) : { combineWith: 'AND', queries: terms }));
    // A synonym counts less than the word typed, in each field by that field's own weight.
    return { combineWith: 'OR', queries, boost: Object.fromEntries(FIELDS.map((f) => [f, this.options.boost[f] * weight])) } as Query;
  }

  private run(query: Query, pass: (q: Quote) => boolean): SearchHit[] {
    const results: SearchResult[] = this.index.search(query, {
      boost: this.options.boost,
      filter: (r) => {
        const q = this.corpus.byId.get(r.id as string);
        return q !== undefined && pass(q);
      },
    });
    return results
      .map((r) => ({ quote: this.corpus.byId.get(r.id as string) as Quote, score: r.score }))
      .sort((a, b) => b.score - a.score || (a.quote.id < b.quote.id ? -1 : a.quote.id > b.quote.id ? 1 : 0));
  }
}

export function matchesFilters(q: Quote, f: Filters): boolean {
  if (f.theme && !q.themes.includes(f.theme)) return false;
  if (f.kind && q.kind !== f.kind) return false;
  if (f.note !== undefined && q.note !== f.note) return false;
  if (f.speaker && !hasFacet(q, f.speaker)) return false;
  return true;
}
