/**
 * Phrase verification: does a text contain these words, consecutively, as
 * `phraseText` would see them? Run only on the few candidates the index
 * leaves, and without re-tokenizing them: ASCII texts (nearly all) are tested
 * with one regular expression that honours the tokenizer's rules; other texts
 * go through `phraseText` itself.
 */
import { phraseText } from './terms.js';

/**
 * Texts of ASCII plus typographic punctuation: `words()` reads them exactly as
 * ASCII, with ’ as an apostrophe (NFKD only turns … into ... and the
 * no-break space into a space, separators either way).
 */
const NOT_SIMPLE = /[^\p{ASCII}‘’“”„«»…–—\u00a0]/u;
const ASCII_WORD = /^[a-z0-9]+(?:'[a-z]+)*$/;

export interface PhraseMatcher {
  /** For simple texts only (see `isSimpleText`); null when the phrase itself is not ASCII. */
  readonly simple: RegExp | null;
  /** For any text. */
  readonly any: (text: string) => boolean;
}

/** Text the phrase expression can read directly: no letter, digit or mark outside ASCII. */
export function isSimpleText(text: string): boolean {
  return !NOT_SIMPLE.test(text);
}

/** A test for one phrase (its words as `words()` gives them: lowercase, folded). */
export function phraseMatcher(phraseWords: readonly string[]): PhraseMatcher {
  const needle = ` ${phraseWords.join(' ')} `;
  const slow = (text: string) => phraseText(text).includes(needle);
  if (phraseWords.length === 0) return { simple: null, any: () => true };
  if (!phraseWords.every((w) => ASCII_WORD.test(w))) return { simple: null, any: slow };
  // In simple text a word is [a-z0-9]+ with inner apostrophes (' or ’) before letters ("don't",
  // "1920's"). Each phrase word must be a whole token: not glued to letters or digits, nor to an
  // apostrophe that joins letters; anything else between tokens is a separator.
  const first = phraseWords[0] as string;
  const start = /^[a-z]/.test(first) ? "(?<![a-z0-9])(?<![a-z0-9]['’])" : '(?<![a-z0-9])';
  const end = "(?![a-z0-9])(?!['’][a-z])";
  const body = phraseWords.map((w) => w.replace(/'/g, "['’]") + end).join('[^a-z0-9]+');
  const simple = new RegExp(start + body, 'i');
  return { simple, any: (text) => (isSimpleText(text) ? simple.test(text) : slow(text)) };
}
