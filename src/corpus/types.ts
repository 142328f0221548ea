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
  /** The words by which a narration names this kind of source. */
  readonly words: readonly string[];
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
  /** Where the words of excluded.json stand in `text`: quoted words that are no curated quote. */
  readonly excluded: readonly ExcludedRun[];
}

/** Quoted words left out of the quotes (excluded.json), located in the source text. */
export interface ExcludedRun {
  /** Raw offsets [start, end) of the words, without their quotation marks. */
  readonly start: number;
  readonly end: number;
  /**
   * True where the essay sets its own words in quotation marks (a label, a name, a proverb it names):
   * these may be shown within the narration around a quote. Any other excluded words are another voice.
   */
  readonly narration: boolean;
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
  /** The narration's words that state the speaker's gender, where the description does not. */
  readonly genderFrom: string | null;
  readonly location: QuoteLocation;
}

export interface QuoteLocation {
  /** 1-based paragraph (block between blank lines) where the quote begins. */
  readonly paragraph: number;
  /** Raw offsets [start, end) of each part in the source text. */
  readonly spans: readonly (readonly [number, number])[];
  /** The essay's own narration shown with the quote: before its first part, and between its parts. */
  readonly narration: QuoteNarration;
}

/** A run of the source's narration: raw offsets [start, end), shown exactly (see render/quote-text). */
export interface NarrationRun {
  readonly start: number;
  readonly end: number;
  /** True when the run starts inside the essay's sentence (the reader sees an ellipsis). */
  readonly midSentence: boolean;
}

export interface QuoteNarration {
  /** The essay's words that introduce the quote, up to its first part; null when there are none to show. */
  readonly lead: NarrationRun | null;
  /**
   * For each part after the first, the narration between it and the previous part: a run (empty when the
   * parts touch), or null where it is not shown as it stands (too long, or holding another voice) and is
   * summarised as […].
   */
  readonly bridges: readonly (NarrationRun | null)[];
}

export interface Corpus {
  readonly sources: readonly Source[];
  readonly quotes: readonly Quote[];
  readonly themes: readonly Theme[];
  readonly kinds: readonly SourceKind[];
  /** Groups of equivalent search terms (data/synonyms.json). */
  readonly synonyms: readonly (readonly string[])[];
  /** Readers' terms and the source's own words for them (data/concepts.json): searched one way, reader → source. */
  readonly concepts: readonly Concept[];
  readonly byId: ReadonlyMap<string, Quote>;
  readonly sourceById: ReadonlyMap<string, Source>;
}

/** A reader's term ("gulag", "голод") and the words the source itself uses for it. */
export interface Concept {
  readonly reader: readonly string[];
  readonly source: readonly string[];
}

/** One reason a corpus is invalid, with where to look. */
export interface CorpusProblem {
  readonly file: string;
  readonly id: string | null;
  readonly reason: string;
}

export const PART_JOINER = ' […] ';
