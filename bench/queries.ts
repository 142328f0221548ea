/**
 * The fixed mix of /quote requests the benchmark times: what students type
 * (single words, several words, typos, the word still being typed, phrases,
 * filters, no query at all, a word the corpus lacks, questions as students
 * ask them, and readers' terms the corpus says otherwise).
 */
import type { QuoteOptions } from '../src/answers/quote.js';

export type QueryKind = 'word' | 'words' | 'typo' | 'prefix' | 'phrase' | 'filter' | 'browse' | 'miss' | 'question' | 'concept';

export interface BenchQuery {
  readonly kind: QueryKind;
  readonly options: QuoteOptions;
}

const q = (kind: QueryKind, query: string, filters: Omit<QuoteOptions, 'query'> = {}): BenchQuery => ({ kind, options: { query, ...filters } });

export const QUERY_MIX: readonly BenchQuery[] = [
  q('word', 'nep'),
  q('word', 'bandit'),
  q('word', 'sardines'),
  q('word', 'Lenin'),
  q('word', 'Stalin'),
  q('word', 'hunger'),
  q('word', 'kolkhoz'),
  q('word', 'Trotsky'),
  q('word', 'peasants'),
  q('word', 'bread'),
  q('words', 'collective farms voluntary'),
  q('words', 'spicy cook'),
  q('words', 'engineer currency'),
  q('words', 'two hundred rubles'),
  q('words', 'secret ballot'),
  q('words', 'Lenin Stalin'),
  q('words', 'Lenin would have lived longer'),
  q('words', 'new economic policy'),
  q('words', 'secret police'),
  q('words', 'the people'),
  q('words', 'bandit sardines'),
  q('typo', 'colectivization'),
  q('typo', 'Trotksy'),
  q('typo', 'Bukarin'),
  q('typo', 'sardnies'),
  q('typo', 'starvng peasants'),
  q('typo', 'stlain'),
  q('prefix', 'collectiv'),
  q('prefix', 'testam'),
  q('prefix', 'bol'),
  q('prefix', 'Lenin would have liv'),
  q('phrase', '"spicy dish"'),
  q('phrase', '“Voice of America”'),
  q('phrase', '"would not have"'),
  q('phrase', 'Lenin "if he had lived"'),
  q('filter', 'cook', { theme: 'testament' }),
  q('filter', 'Lenin', { speaker: 'occupation:engineer' }),
  q('filter', 'famine', { theme: 'hunger' }),
  q('filter', 'Lenin', { source: 'letter' }),
  q('filter', '', { source: 'manifesto' }),
  q('filter', '', { note: 8 }),
  q('browse', ''),
  q('miss', 'Gorbachev'),
  // Questions from the relevance suite's students (test/search/relevance-cases.ts), and readers' terms.
  q('question', 'what did Lenin say about Stalin in his will'),
  q('question', 'why did peasants hate collective farms'),
  q('concept', 'gulag'),
  q('concept', 'голод'),
];

/** Filters of a request as the bare libraries get them (already validated ids). */
export function filtersOf(o: QuoteOptions): { theme?: string; speaker?: string; kind?: string; note?: number } {
  return {
    ...(o.theme ? { theme: o.theme } : {}),
    ...(o.speaker ? { speaker: o.speaker } : {}),
    ...(o.source ? { kind: o.source } : {}),
    ...(o.note !== undefined ? { note: o.note } : {}),
  };
}
