/**
 * What the benchmark compares: the bot's /quote (parse, search, render) on a
 * corpus, and the same queries through bare MiniSearch with its usual options
 * and through FlexSearch.
 */
import FlexSearch from 'flexsearch';
import MiniSearch from 'minisearch';
import type { App } from '../src/app.js';
import { answerQuote, type QuoteOptions } from '../src/answers/quote.js';
import { layoutSources } from '../src/corpus/context.js';
import { loadCorpusOrThrow } from '../src/corpus/load.js';
import type { Corpus, Quote } from '../src/corpus/types.js';
import { QuoteSearch } from '../src/search/engine.js';
import { matchesFilters } from '../src/search/engine.js';
import { ageGroupOf } from '../src/search/facets.js';
import { filtersOf } from './queries.js';
import { ROOT_DIR } from './stats.js';
import { syntheticCorpus, type SyntheticCorpus } from '../support/synthetic.js';
import path from 'node:path';

export const DATA_DIR = path.join(ROOT_DIR, 'data');

/** `bundled`: the real corpus; a number: a synthetic corpus of that many quotes grown from it. */
export function benchCorpus(size: string): SyntheticCorpus & { readonly label: string } {
  const real = loadCorpusOrThrow(DATA_DIR);
  if (size === 'bundled') return { ...syntheticCorpus(real, real.quotes.length), label: 'bundled' };
  return { ...syntheticCorpus(real, Number(size)), label: size };
}

/** The bot's App over a corpus (what /quote handlers get). */
export function appFor(corpus: Corpus, search: QuoteSearch): App {
  return { corpus, search, layouts: layoutSources(corpus), random: () => 0.5, daily: null, quiz: null };
}

export type Runner = (o: QuoteOptions) => number;

/** The bot's /quote: options checked, searched, the message payload rendered. Returns the payload size. */
export function ourQuote(app: App): Runner {
  return (o) => JSON.stringify(answerQuote(app, o)).length;
}

function themeLabels(corpus: Corpus): (q: Quote) => string {
  const labels = new Map(corpus.themes.map((t) => [t.id, t.label]));
  return (q) => q.themes.map((t) => labels.get(t) ?? t).join(' ');
}

/** MiniSearch as its README uses it: text, speaker and themes, prefix and fuzzy 0.2, filters as a callback. */
export function bareMiniSearch(corpus: Corpus): Runner {
  const labels = themeLabels(corpus);
  const ms = new MiniSearch<{ id: string; text: string; speaker: string; themes: string }>({
    fields: ['text', 'speaker', 'themes'],
    searchOptions: { prefix: true, fuzzy: 0.2 },
  });
  ms.addAll(corpus.quotes.map((q) => ({ id: q.id, text: q.text, speaker: q.speaker, themes: labels(q) })));
  return (o) => {
    const f = filtersOf(o);
    const filtered = Object.keys(f).length > 0;
    const query = o.query?.trim() ? o.query : MiniSearch.wildcard;
    const filter = (r: { id: unknown }) => {
      const q = corpus.byId.get(r.id as string);
      return q !== undefined && matchesFilters(q, f);
    };
    return ms.search(query, filtered ? { filter } : {}).length;
  };
}

interface FlexDoc {
  [key: string]: string | string[];
  id: string;
  text: string;
  speaker: string;
  themes: string;
  theme: string[];
  kind: string;
  note: string;
  facet: string[];
}

/**
 * FlexSearch 0.8: a Document index over the same fields, forward tokenizer
 * (prefixes), the LatinBalance encoder (some typo tolerance), `suggest` (any
 * word when not all match), filters as tags. `limit`: results wanted.
 */
export function flexSearch(corpus: Corpus): { readonly run: (limit: number) => Runner } {
  const labels = themeLabels(corpus);
  const index = new FlexSearch.Document<FlexDoc>({
    tokenize: 'forward',
    encoder: 'LatinBalance',
    resolution: 9,
    document: { id: 'id', index: ['text', 'speaker', 'themes'], tag: ['theme', 'kind', 'note', 'facet'] },
  });
  for (const q of corpus.quotes) {
    const f = q.facets;
    const age = ageGroupOf(f);
    const facet = [
      f.occupation && `occupation:${f.occupation}`,
      f.nationality && `nationality:${f.nationality}`,
      f.gender && `gender:${f.gender}`,
      age && `age:${age}`,
    ].flatMap((x) => (x ? [x.toLowerCase()] : []));
    index.add({ id: q.id, text: q.text, speaker: q.speaker, themes: labels(q), theme: [...q.themes], kind: q.kind, note: String(q.note), facet });
  }
  const run = (limit: number): Runner => (o) => {
    const f = filtersOf(o);
    const tag: Record<string, string> = {};
    if (f.theme) tag.theme = f.theme;
    if (f.kind) tag.kind = f.kind;
    if (f.note !== undefined) tag.note = String(f.note);
    if (f.speaker) tag.facet = f.speaker.toLowerCase();
    const tagged = Object.keys(tag).length > 0;
    const query = o.query?.trim() ?? '';
    // No query and no filter: FlexSearch has nothing to list (the bot picks a random quote).
    if (!query && !tagged) return 0;
    const options = { limit, suggest: true, merge: true, ...(query ? { query } : {}), ...(tagged ? { tag } : {}) };
    const result = index.search(options as never) as unknown as { result?: unknown[] }[];
    return query ? result.length : (result[0]?.result?.length ?? 0);
  };
  return { run };
}
