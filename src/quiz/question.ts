/**
 * A "who said it?" question from a quote, decided from the corpus alone:
 * what is shown (the speaker's own words, never the essay's narration, with
 * any word that would name the answer masked), and the four buttons (the
 * answer and three fair wrong answers). Randomness is passed in.
 *
 * Fairness rules, each for a reason:
 * - Only the quoted parts are shown: the essay's narration around a quote
 *   usually names its speaker ("a 50-year-old engineer said …").
 * - A word of the answer that also stands in the quote is masked (`▒▒▒`):
 *   "we workers" under "a worker" gives the answer away.
 * - A speaker described relative to the essay's previous sentence ("another
 *   respondent", "one of the workers in Roslavl") is neither asked nor offered:
 *   out of the essay it describes no one in particular.
 * - A wrong answer is never the answer in other words: not the same
 *   description, not one whose words contain the answer's or are contained in
 *   it ("a worker" against "a young worker" could both be true), and not the
 *   same person described elsewhere (describedWith).
 * - Buttons show a description's head (up to its first comma), within
 *   Discord's 80 characters; no two buttons read the same.
 */
import { stemmer } from "stemmer";
import type { Corpus, Quote } from "../corpus/types.js";
import { PART_JOINER } from "../corpus/types.js";
import { STOP_WORDS, words } from "../search/terms.js";
import { truncate } from "../text/truncate.js";

export type QuizMode = "speaker" | "source";

export const QUIZ_MODES = [
  "speaker",
  "source",
] as const satisfies readonly QuizMode[];

/** Discord's button label limit. */
export const OPTION_LABEL_MAX = 80;

/** What replaces a masked word in the shown text. */
export const MASK = "▒▒▒";

export interface Question {
  readonly quoteId: string;
  readonly mode: QuizMode;
  /** The speaker's words as shown: parts in order, joined with […], masked words as MASK. Plain text. */
  readonly shown: string;
  /** Four button labels, the answer among them, all different. */
  readonly options: readonly string[];
  /** Index of the answer in `options`. */
  readonly answer: number;
}

/** Words that describe no one by themselves, beyond the stop words. */
const NOT_IDENTIFYING: ReadonlySet<string> = new Set([
  "one",
  "another",
  "other",
  "yet",
  "some",
  "similar",
  "same",
  "also",
]);

/** Descriptions that lean on the essay's previous sentence: "another respondent", "one of the …", "similar leaflets". */
const RELATIVE =
  /^(?:another|yet another|other|one|one of|similar|the same)\b/i;

/** A description's head: up to its first comma, without the article. */
export function descriptionHead(description: string): string {
  const head = description.split(",")[0]?.trim() ?? description.trim();
  return head.replace(/^(?:a|an|the)\s+/i, "");
}

/** The button label of a description: its head, capitalised, within Discord's limit. */
export function optionLabel(description: string): string {
  const head = (description.split(",")[0] ?? description).trim();
  return truncate(
    head.charAt(0).toUpperCase() + head.slice(1),
    OPTION_LABEL_MAX,
  );
}

function stem(word: string): string {
  const w = word.toLowerCase().replace(/['’]s$/, "");
  return /^\d+$/.test(w) ? w : stemmer(w);
}

/**
 * The stems that identify a speaker: the content words of the description's head ("50-year-old engineer" → 50,
 * engin). An age is identified by its number alone: "year" and "old" say nothing.
 */
export function identifyingStems(description: string): Set<string> {
  // Pure and asked for every pair of quotes: remembered per description (a copy out, so callers may add).
  const known = stemsOf.get(description);
  if (known) return new Set(known);
  const stems = computeStems(description);
  stemsOf.set(description, stems);
  return new Set(stems);
}

const stemsOf = new Map<string, ReadonlySet<string>>();

function computeStems(description: string): Set<string> {
  const head = descriptionHead(description).replace(/(\d+)-year-old/g, "$1");
  const out = new Set<string>();
  for (const w of words(head)) {
    for (const piece of w.split(/['’-]/)) {
      if (!piece || STOP_WORDS.has(piece) || NOT_IDENTIFYING.has(piece))
        continue;
      out.add(stem(piece));
    }
  }
  return out;
}

/** Whether a quote's speaker can be asked about, or offered as a wrong answer. */
export function askableSpeaker(q: Quote): boolean {
  return (
    !RELATIVE.test(q.speaker.trim()) && identifyingStems(q.speaker).size > 0
  );
}

// A word as Discord readers see one: letters and digits, with inner hyphens and apostrophes.
const TOKEN = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/** `text` with every word whose stem (or a hyphenated piece's) is in `stems` replaced by MASK. */
export function maskWords(text: string, stems: ReadonlySet<string>): string {
  return text.replace(TOKEN, (token) => {
    const folded = token.normalize("NFKD").replace(/\p{M}/gu, "");
    const pieces = [folded, ...folded.split(/['’-]/)];
    return pieces.some((p) => p && stems.has(stem(p))) ? MASK : token;
  });
}

/** The speaker's own words, parts joined as everywhere (" […] "), the essay author's glosses in [ ]. */
export function spokenText(q: Quote): string {
  return q.parts
    .map((part) => {
      let text = part;
      for (const g of q.glosses)
        text = text.split(g).join(`[${g.replace(/^\(|\)$/g, "")}]`);
      return text;
    })
    .join(PART_JOINER);
}

/** The stems the shown text must not contain: the speaker's, and for a source question the kind's own words. */
export function hiddenStems(
  corpus: Corpus,
  q: Quote,
  mode: QuizMode,
): Set<string> {
  const stems = identifyingStems(q.speaker);
  if (mode === "source") {
    const kind = corpus.kinds.find((k) => k.id === q.kind);
    for (const w of [
      ...(kind?.words ?? []),
      ...(kind?.label.split(/[\s-]+/) ?? []),
    ]) {
      for (const piece of words(w))
        if (!STOP_WORDS.has(piece)) stems.add(stem(piece));
    }
  }
  return stems;
}

function normalizedKey(description: string): string {
  return [...identifyingStems(description)].sort().join(" ");
}

function overlaps(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  return [...small].every((s) => large.has(s));
}

/** Wrong answers a speaker question may offer for `q`, best first: same theme, then the rest. Labels all different. */
export function speakerDistractors(
  corpus: Corpus,
  q: Quote,
): { sameTheme: string[]; other: string[] } {
  const answerStems = identifyingStems(q.speaker);
  const answerLabel = optionLabel(q.speaker).toLowerCase();
  const samePerson = new Set([
    ...q.describedWith,
    ...corpus.quotes
      .filter((o) => o.describedWith.includes(q.id))
      .map((o) => o.id),
  ]);
  const seen = new Set<string>([answerLabel, normalizedKey(q.speaker)]);
  const sameTheme: string[] = [];
  const other: string[] = [];
  for (const o of corpus.quotes) {
    if (o.id === q.id || samePerson.has(o.id) || !askableSpeaker(o)) continue;
    const label = optionLabel(o.speaker);
    const key = normalizedKey(o.speaker);
    if (seen.has(label.toLowerCase()) || seen.has(key)) continue;
    if (overlaps(identifyingStems(o.speaker), answerStems)) continue;
    seen.add(label.toLowerCase());
    seen.add(key);
    (o.themes.some((t) => q.themes.includes(t)) ? sameTheme : other).push(
      label,
    );
  }
  return { sameTheme, other };
}

/** The kinds of source a source question can offer: those some quote comes from. */
export function kindsInUse(corpus: Corpus): string[] {
  return corpus.kinds
    .filter((k) => corpus.quotes.some((q) => q.kind === k.id))
    .map((k) => k.id);
}

/** Whether the corpus has kinds enough for source questions: the answer and three others. */
export function sourceQuestionsPossible(corpus: Corpus): boolean {
  return kindsInUse(corpus).length >= 4;
}

/** Draws `n` from `pool` without replacement. */
function draw<T>(pool: readonly T[], n: number, random: () => number): T[] {
  const copy = [...pool];
  const out: T[] = [];
  while (out.length < n && copy.length > 0)
    out.push(copy.splice(Math.floor(random() * copy.length), 1)[0] as T);
  return out;
}

/** The question for a quote, or null when it cannot be asked fairly (relative speaker, too few wrong answers). */
export function buildQuestion(
  corpus: Corpus,
  q: Quote,
  mode: QuizMode,
  random: () => number,
): Question | null {
  let answer: string;
  let wrong: string[];
  if (mode === "speaker") {
    if (!askableSpeaker(q)) return null;
    answer = optionLabel(q.speaker);
    const { sameTheme, other } = speakerDistractors(corpus, q);
    wrong = draw(sameTheme, 3, random);
    if (wrong.length < 3) wrong.push(...draw(other, 3 - wrong.length, random));
  } else {
    const label = (id: string) =>
      corpus.kinds.find((k) => k.id === id)?.label ?? id;
    answer = label(q.kind);
    wrong = draw(
      kindsInUse(corpus).filter((k) => k !== q.kind),
      3,
      random,
    ).map(label);
  }
  if (wrong.length < 3) return null;
  const options = draw([answer, ...wrong], 4, random);
  return {
    quoteId: q.id,
    mode,
    shown: maskWords(spokenText(q), hiddenStems(corpus, q, mode)),
    options,
    answer: options.indexOf(answer),
  };
}

/** The quotes a quiz may ask, in a theme or all. */
export function askableQuotes(
  corpus: Corpus,
  mode: QuizMode,
  theme?: string,
): Quote[] {
  return corpus.quotes.filter(
    (q) =>
      (!theme || q.themes.includes(theme)) &&
      (mode === "source" || askableSpeaker(q)),
  );
}

/** A random question, in a theme when given; null when none can be asked. */
export function pickQuestion(
  corpus: Corpus,
  options: { mode: QuizMode; theme?: string },
  random: () => number,
): Question | null {
  if (options.mode === "source" && !sourceQuestionsPossible(corpus))
    return null;
  const pool = draw(
    askableQuotes(corpus, options.mode, options.theme),
    Infinity,
    random,
  );
  for (const q of pool) {
    const question = buildQuestion(corpus, q, options.mode, random);
    if (question) return question;
  }
  return null;
}
