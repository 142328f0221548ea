/**
 * A user's query, parsed: free words, "quoted phrases" (any quote-mark
 * style), and the filters the command's options carry.
 */
import { words } from './terms.js';

/** Longest query we accept: Discord's option carries the same max_length. */
export const MAX_QUERY_LENGTH = 100;

export interface Filters {
  readonly theme?: string;
  /** A speaker facet as `field:value`, e.g. `occupation:engineer`, `gender:female`, `ageGroup:young`. */
  readonly speaker?: string;
  /** A source-kind id. */
  readonly kind?: string;
  /** A note number, counted within its work (notes are numbered per work). */
  readonly note?: number;
  /** A work (source) id: only its quotes. */
  readonly work?: string;
}

export interface ParsedQuery {
  /** The query as typed, trimmed. */
  readonly raw: string;
  /** Words outside phrases, in order, lowercased (not yet stemmed). */
  readonly words: readonly string[];
  /** Phrases, each as its list of words. */
  readonly phrases: readonly (readonly string[])[];
}

export function parseQuery(input: string): ParsedQuery {
  const raw = input.trim();
  const phrases: string[][] = [];
  // Any pair of double marks, straight or curly, in either direction.
  const outside = raw.replace(/["“”„]([^"“”„]*)["“”„]?/g, (_m, inner: string) => {
    const w = words(inner);
    if (w.length > 0) phrases.push(w);
    return ' ';
  });
  return { raw, words: words(outside), phrases };
}

export function isEmptyQuery(q: ParsedQuery): boolean {
  return q.words.length === 0 && q.phrases.length === 0;
}
