/**
 * How words become index terms: the same function runs over documents and
 * queries, so "collective farms" meets "collective farm" and "NEP" meets "nep".
 */
import { stemmer } from 'stemmer';

/** Words too common to tell quotes apart; dropping them keeps AND queries meaningful and posting lists short. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be been but by did do does for from had has have he her his i if in into is it its ' +
    'me my no not of on or our she so than that the their them then there these they this those to us was ' +
    'we were what when which who whom with would you your'
  ).split(' '),
);

// Letters (any script), digits, apostrophes inside words. Everything else separates words.
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/** Splits text into words, folding case and diacritics; apostrophes stay inside words ("don't"). */
export function words(text: string): string[] {
  const folded = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return [...folded.matchAll(WORD)].map((m) => m[0].replace(/’/g, "'"));
}

/** A word as the index stores it: possessive dropped, stemmed; null for stop words. */
export function indexTerm(word: string): string | null {
  const w = word.toLowerCase().replace(/'s$/, '');
  if (w.length === 0 || STOP_WORDS.has(w)) return null;
  return /^\d+$/.test(w) ? w : stemmer(w);
}

/** Terms of a text, stop words removed, in order. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    const t = indexTerm(w);
    if (t) out.push(t);
  }
  return out;
}

/**
 * Text folded for phrase matching: lowercase, no diacritics, every quote mark
 * and apostrophe alike, punctuation and whitespace collapsed to single spaces.
 */
export function phraseText(text: string): string {
  return ` ${words(text).join(' ')} `;
}
