/** The corpus as the rest of the program sees it: validated, located in its source, immutable. */

export interface Theme {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly question: string;
}

export interface SourceKind {
  readonly id: string;
  readonly label: string;
  readonly description: string;
}

export interface Note {
  readonly n: number;
  /** Verbatim, as printed under "Notes" in the source. */
  readonly text: string;
  readonly url: string | null;
  /** A short form for embeds: "Davies, Popular Opinion in Stalin’s Russia, p. 179". */
  readonly short: string;
  /** The work cited, for "quoted in" citations; absent for notes that cite no archive. */
  readonly archive: string | null;
}

export interface Source {
  readonly id: string;
  readonly title: string;
  readonly author: string;
  /** ISO date, YYYY-MM-DD. */
  readonly date: string;
  readonly category: string | null;
  readonly publication: string | null;
  readonly url: string | null;
  readonly notes: readonly Note[];
  /** The source text exactly as stored in data/. */
  readonly text: string;
  /** Where the source file lives, for messages. */
  readonly path: string;
}

export interface Facets {
  readonly age?: number;
  readonly ageGroup?: 'young' | 'older';
  readonly gender?: 'female' | 'male';
  readonly nationality?: string;
  readonly occupation?: string;
}

export interface Quote {
  /** Stable forever: daily posts and links refer to it. */
  readonly id: string;
  readonly sourceId: string;
  /** Verbatim parts in source order, as stored (quote-mark style may differ from the source). */
  readonly parts: readonly string[];
  /** Parts joined with " […] ", the form used for search and export. */
  readonly text: string;
  /** The speaker as the source describes them. */
  readonly speaker: string;
  readonly facets: Facets;
  /** A SourceKind id. */
  readonly kind: string;
  readonly note: number;
  readonly themes: readonly string[];
  /** The source author's insertions inside the quoted words, e.g. "(secret police)". */
  readonly glosses: readonly string[];
  readonly remarks: string | null;
  /** Earlier quotes whose narration also describes this speaker. */
  readonly describedWith: readonly string[];
  readonly location: QuoteLocation;
}

export interface QuoteLocation {
  /** 1-based paragraph (block between blank lines) where the quote begins. */
  readonly paragraph: number;
  /** Raw offsets [start, end) of each part in the source text. */
  readonly spans: readonly (readonly [number, number])[];
}

export interface Corpus {
  readonly sources: readonly Source[];
  readonly quotes: readonly Quote[];
  readonly themes: readonly Theme[];
  readonly kinds: readonly SourceKind[];
  /** Groups of equivalent search terms (data/synonyms.json). */
  readonly synonyms: readonly (readonly string[])[];
  readonly byId: ReadonlyMap<string, Quote>;
  readonly sourceById: ReadonlyMap<string, Source>;
}

/** One reason a corpus is invalid, with where to look. */
export interface CorpusProblem {
  readonly file: string;
  readonly id: string | null;
  readonly reason: string;
}

export const PART_JOINER = ' […] ';
