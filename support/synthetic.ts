/**
 * Synthetic corpora for the benchmark, grown deterministically from the real
 * one: the real quotes first, then quotes whose sentences are real sentences
 * recombined, with speakers, themes and source kinds varied, and a vocabulary
 * that keeps growing as real text does (Heaps' law, V ≈ K·T^0.5 for T tokens):
 * words are replaced, at a steady rate, by pseudo-words derived from real ones
 * ("kolkhoz" → "kolkhozovin"), either a new one (when the vocabulary is below
 * its Heaps target) or an earlier one drawn with Zipf-like frequency.
 *
 * Synthetic quotes have no source text, so they skip the provenance check:
 * they are built as `Quote` objects (on the real source, so rendering and
 * citations work) and their narration is returned separately, to be indexed
 * as the `context` field.
 */
import { layoutSources, narrationFor } from '../src/corpus/context.js';
import type { Corpus, Facets, Quote } from '../src/corpus/types.js';
import { mulberry32 } from '../src/daily/rotation.js';
import { STOP_WORDS } from '../src/search/terms.js';

/** Seeded test data, identical on every machine: the rotation's own generator. */
export const prng = mulberry32;

export interface SyntheticCorpus {
  readonly corpus: Corpus;
  /** The narration to index with each quote (the real essay's for real quotes). */
  readonly context: (q: Quote) => string;
  /** Tokens generated (text and narration) and distinct lowercase words among them. */
  readonly tokens: number;
  readonly vocabulary: number;
}

const SYLLABLES = ['ov', 'in', 'ka', 'sk', 'ev', 'ar', 'ol', 'ur', 'ich', 'enko', 'sky', 'yan', 'ova', 'nik', 'ets', 'ai'];
const OCCUPATION_FEMALE = /housewife|woman|female/;
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

interface Piece {
  readonly text: string;
  readonly quote: Quote;
}

function sentences(text: string): string[] {
  return text
    .split(/ \[…\] |(?<=[.!?…])\s+(?=["“‘]?[A-Z0-9])/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * `n` quotes (the real ones included, when n exceeds their number) with ids
 * `sx-000001`…, ordered by id after the real ones. Same `n` and `seed`, same corpus.
 */
export function syntheticCorpus(real: Corpus, n: number, seed = 20240304): SyntheticCorpus {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const layouts = layoutSources(real);
  const realContext = new Map(real.quotes.map((q) => [q.id, (() => {
    const layout = layouts.get(q.sourceId);
    return layout ? narrationFor(layout, q) : '';
  })()]));

  const pieces: Piece[] = real.quotes.flatMap((q) => sentences(q.text).map((text) => ({ text, quote: q })));
  const narration: string[] = [...realContext.values()].flatMap((t) => sentences(t));
  const occupations = [...new Set(real.quotes.flatMap((q) => (q.facets.occupation ? [q.facets.occupation] : [])))];
  const nationalities = [...new Set(real.quotes.flatMap((q) => (q.facets.nationality ? [q.facets.nationality] : [])))];
  const themeIds = real.themes.map((t) => t.id);
  const realWords = [...new Set(real.quotes.flatMap((q) => [...`${q.text} ${realContext.get(q.id) ?? ''}`.matchAll(WORD)].map((m) => m[0].toLowerCase())))]
    .filter((w) => w.length >= 5 && /^[a-z]+$/.test(w))
    .sort();

  // Heaps' law calibrated on the real corpus: V = K·sqrt(T).
  const seen = new Set<string>();
  let tokens = 0;
  const count = (text: string) => {
    for (const m of text.matchAll(WORD)) {
      tokens++;
      seen.add(m[0].toLowerCase());
    }
  };
  for (const q of real.quotes) count(`${q.text} ${realContext.get(q.id) ?? ''}`);
  const K = seen.size / Math.sqrt(Math.max(1, tokens));

  const pseudo: string[] = [];
  const pseudoWord = (j: number): string => {
    const base = realWords[j % realWords.length] ?? 'lenin';
    let k = Math.floor(j / realWords.length) + 1;
    let suffix = '';
    while (k > 0) {
      suffix += SYLLABLES[k % SYLLABLES.length];
      k = Math.floor(k / SYLLABLES.length);
    }
    return base + suffix;
  };
  /** Replaces about one content word in eight by a pseudo-word: new while below the Heaps target. */
  const vary = (text: string): string =>
    text.replace(WORD, (w) => {
      if (w.length < 4 || STOP_WORDS.has(w.toLowerCase()) || random() >= 0.125) return w;
      let word: string;
      if (seen.size < K * Math.sqrt(tokens) || pseudo.length === 0) {
        word = pseudoWord(pseudo.length);
        pseudo.push(word);
      } else {
        // Log-uniform rank: P(rank r) ∝ 1/r, so a few pseudo-words are common and most are rare.
        word = pseudo[Math.floor(Math.pow(pseudo.length, random())) - 1] ?? (pseudo[0] as string);
      }
      return w[0] === w[0]?.toUpperCase() ? word[0]?.toUpperCase() + word.slice(1) : word;
    });

  const quotes: Quote[] = real.quotes.slice(0, n);
  const contexts = new Map<string, string>();
  const width = String(n).length;
  for (let i = quotes.length; i < n; i++) {
    const count1 = 1 + Math.floor(random() * 3);
    const chosen = Array.from({ length: count1 }, () => pick(pieces));
    const first = chosen[0] as Piece;
    const text = vary(chosen.map((p) => p.text).join(' '));
    const themes = [...new Set([...chosen.flatMap((p) => p.quote.themes), ...(random() < 0.3 ? [pick(themeIds)] : [])])].slice(0, 3);
    const facets: { -readonly [K in keyof Facets]: Facets[K] } = {};
    const occupation = pick(occupations);
    facets.occupation = occupation;
    if (random() < 0.3) facets.nationality = pick(nationalities);
    const female = OCCUPATION_FEMALE.test(occupation) || random() < 0.3;
    facets.gender = female ? 'female' : 'male';
    const r = random();
    if (r < 0.35) facets.age = 18 + Math.floor(random() * 60);
    else if (r < 0.5) facets.ageGroup = random() < 0.5 ? 'young' : 'older';
    const speaker = [
      'a',
      facets.age ? `${facets.age}-year-old` : facets.ageGroup,
      facets.nationality,
      female && !OCCUPATION_FEMALE.test(occupation) ? 'female' : undefined,
      occupation,
    ]
      .filter(Boolean)
      .join(' ');
    const context = vary(Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(narration)).join(' '));
    count(`${text} ${context}`);
    const id = `sx-${String(i + 1).padStart(width, '0')}`;
    contexts.set(id, context);
    quotes.push({
      id,
      sourceId: first.quote.sourceId,
      parts: [text],
      text,
      speaker,
      facets,
      kind: first.quote.kind,
      note: first.quote.note,
      themes,
      glosses: [],
      remarks: null,
      describedWith: [],
      genderFrom: null,
      location: { paragraph: first.quote.location.paragraph, spans: [], narration: { lead: null, bridges: [] } },
    });
  }
  for (const q of quotes) if (!contexts.has(q.id)) contexts.set(q.id, realContext.get(q.id) ?? '');
  const corpus: Corpus = { ...real, quotes, byId: new Map(quotes.map((q) => [q.id, q])) };
  return { corpus, context: (q) => contexts.get(q.id) ?? '', tokens, vocabulary: seen.size };
}
