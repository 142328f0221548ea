/**
 * Attribution: who said a quote, and in what kind of source, checked against
 * what the essay's own narration says of that quote.
 *
 * The narration of a quote runs from the previous quotation to the end of this
 * quote's sentence ("…,” claimed an older Ukrainian mechanic."), with every
 * quotation's own words left out: a speaker is described by the essay, never
 * by words someone says. The quotes in `describedWith` lend their narration
 * to the kind ("the manifesto") and their checked description to the speaker
 * and facets ("He then repeated…").
 *
 * The checks run in the order their conclusions depend on one another, so the
 * first problem of a quote is its root cause: the kind first (the note depends
 * on it), then the note, then the speaker's words, gender and facets. A quote
 * whose describedWith target could not be located is not checked at all: its
 * narration is incomplete, and the target's own problem says why.
 */
import { markerLabel, nextMarker, type MarkerStyle } from './notes.js';
import type { Paragraph } from './text.js';
import { normalise } from './text.js';
import type { Quote } from './types.js';

/** An editorial decision: the quotes of these paragraphs whose narration names no kind of source are of this kind. */
export interface KindDecision {
  readonly kind: string;
  readonly paragraphs: readonly [number, number];
  readonly reason: string;
}

export interface AttributionContext {
  readonly raw: string;
  readonly paras: readonly Paragraph[];
  /** Every part of every located quote of this source. */
  readonly located: readonly { readonly start: number; readonly end: number; readonly id: string }[];
  readonly byId: ReadonlyMap<string, Quote>;
  /** Every id in quotes.json, located or not. */
  readonly knownIds: ReadonlySet<string>;
  /** Per kind id, the words by which a narration names that kind of source (source-kinds.json `words`). */
  readonly kindWords: ReadonlyMap<string, readonly string[]>;
  /** A kind whose quotes all rest on one note (source.json `kindNotes`). */
  readonly kindNotes: Readonly<Record<string, number>>;
  /** How the body marks its notes (source.json `noteMarkers`). */
  readonly noteMarkers: MarkerStyle;
  readonly kindDecisions: readonly KindDecision[];
  /** Every nationality some quote of this source records: such a word in a description is a nationality. */
  readonly nationalities: ReadonlySet<string>;
  /** Narrations already read, by quote id and location (a narration depends only on where the quote stands). */
  readonly narrations: Map<string, string>;
}

/**
 * Words of a description that state no fact about the speaker. Everything
 * else in a description must be in the narration: "a lawyer" is refused where
 * the essay says "a student", "man" where it says "woman".
 */
const FUNCTION_WORDS = new Set([
  'a', 'an', 'the', 'one', 'another', 'other', 'others', 'some', 'similar', 'yet', 'same', 'also', 'but', 'not',
  'of', 'in', 'at', 'to', 'on', 'for', 'by', 'with', 'from', 'during', 'as', 'and', 'or',
  'who', 'whom', 'what', 'which', 'that', 'had', 'has', 'have', 'was', 'were', 'is', 'it', 'its', 'them', 'they', 'their',
]);

/** Words that state a gender, as the essay uses them of its speakers. */
const GENDER_WORDS: Readonly<Record<'female' | 'male', readonly string[]>> = {
  female: ['woman', 'women', 'female', 'females', 'housewife', 'housewives', 'widow', 'widows', 'wife', 'wives', 'she', 'her', 'hers', 'herself', 'girl', 'girls', 'mother', 'daughter', 'sister'],
  male: ['man', 'men', 'male', 'males', 'he', 'him', 'his', 'himself', 'boy', 'boys', 'father', 'son', 'brother', 'husband'],
};
const GENDER_OF = new Map<string, 'female' | 'male'>(
  (Object.entries(GENDER_WORDS) as ['female' | 'male', readonly string[]][]).flatMap(([g, words]) => words.map((w) => [w, g] as const)),
);

/** The gender a word states, if any. */
export function genderOf(word: string): 'female' | 'male' | undefined {
  return GENDER_OF.get(word.toLowerCase());
}

const AGE = /^(\d+)-year-old$/;
const AGE_GROUPS = new Set(['young', 'older']);

/** Every problem of one located quote's attribution, root causes first. */
export function checkAttribution(q: Quote, ctx: AttributionContext): string[] {
  const problems: string[] = [];
  const earlier: Quote[] = [];
  const start = q.location.spans[0]?.[0] ?? 0;
  for (const id of q.describedWith) {
    const e = ctx.byId.get(id);
    // Known but not located: its own problem is the root cause; this quote's narration cannot be read yet.
    if (!e && ctx.knownIds.has(id)) return [];
    if (!e) problems.push(`describedWith: no quote ${id} in this source`);
    else if ((e.location.spans[0]?.[0] ?? 0) >= start) problems.push(`describedWith: ${id} does not come before this quote`);
    else earlier.push(e);
  }
  const own = narration(q, ctx);
  const described = earlier.map((e) => ({ id: e.id, text: narration(e, ctx) }));
  const all = [own, ...described.map((d) => d.text)].join(' ¶ ');
  // A link lends its quote's description (checked against that quote's own narration), not the whole narration:
  // "the women" of lr-117 may borrow lr-116's bazaar, never the "Smolensk" or "war" said of someone else nearby.
  const lent = earlier.map((e) => normalise(e.speaker).toLowerCase());
  const said = [own, ...lent];

  const kindProblem = checkKind(q, own, described, ctx);
  if (kindProblem) problems.push(kindProblem);
  else {
    // The note follows from the kind (kindNotes), so it is judged only once the kind is right.
    const noteProblem = checkNote(q, ctx);
    if (noteProblem) problems.push(noteProblem);
  }
  problems.push(...checkSpeaker(q, said, own, lent), ...checkGender(q, said.join(' ¶ '), all), ...checkFacets(q, said.join(' ¶ '), ctx));
  return problems;
}

/** The narration of a quote, lowercased and normalised, with every quotation's words replaced by a gap (…). */
export function narration(q: Quote, ctx: AttributionContext): string {
  const key = `${q.id}@${q.location.spans.join(';')}`;
  const known = ctx.narrations.get(key);
  if (known !== undefined) return known;
  const [from, to] = speakerWindow(q, ctx);
  let text = '';
  let at = from;
  for (const s of ctx.located.filter((s) => s.end > from && s.start < to).sort((a, b) => a.start - b.start)) {
    if (s.start > at) text += ctx.raw.slice(at, s.start);
    text += ' … ';
    at = Math.max(at, s.end);
  }
  if (to > at) text += ctx.raw.slice(at, to);
  const out = normalise(text.replace(/\*/g, '')).toLowerCase();
  ctx.narrations.set(key, out);
  return out;
}

/** Where the source describes a quote's speaker: [after the previous quotation, end of this quote's sentence). */
function speakerWindow(q: Quote, ctx: AttributionContext): [number, number] {
  const { raw, paras } = ctx;
  const first = q.location.spans[0]?.[0] ?? 0;
  const last = q.location.spans[q.location.spans.length - 1]?.[1] ?? first;
  const block = paras.find((p) => first >= p.start && first < p.end);
  // A block that starts mid-sentence continues the one before it; so does a block quotation after its introduction ("… read:").
  const before = block ? paras[block.index - 2] : undefined;
  const continues = block && before && (/^[a-z]/.test(raw.charAt(block.start)) || /:\s*$/.test(raw.slice(before.start, before.end)));
  const blockStart = continues ? before.start : (block?.start ?? first);
  const others = ctx.located.filter((s) => s.id !== q.id);
  const previousEnd = others.filter((s) => s.end <= first && s.end > blockStart).reduce((max, s) => Math.max(max, s.end), blockStart);
  // The rest of the previous quotation's sentence describes the previous speaker ("…,” claimed an older mechanic.).
  const headStop = sentenceStop(Math.max(0, previousEnd - 1));
  const from = previousEnd > blockStart && headStop !== null && headStop < first ? headStop + 1 : previousEnd;
  const endBlock = paras.find((p) => last > p.start && last <= p.end);
  const nextQuote = others.filter((s) => s.start >= last).reduce((min, s) => Math.min(min, s.start), endBlock?.end ?? raw.length);
  let to = Math.min(nextQuote, (sentenceStop(Math.max(0, last - 1)) ?? raw.length) + 1);
  // "…,” while another man claimed: the rest of the sentence introduces someone else.
  const turn = /\b(?:while|whereas)\b/.exec(raw.slice(last, to));
  if (turn) to = last + turn.index;
  return [from, to];

  function sentenceStop(at: number): number | null {
    // A sentence ends where the next one begins with a capital: "…alive...’ was common" goes on.
    const stop = /[.!?]["”’']*(?:\^\[\d+\]|\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?(?=\s+["“‘']?[A-Z0-9]|\s*$)/g;
    stop.lastIndex = at;
    return stop.exec(raw)?.index ?? null;
  }
}

/** A text split into words, for whole-word lookups; `possessive` marks "workers'" and "Odessa's". */
interface Words {
  readonly words: readonly { readonly w: string; readonly possessive: boolean }[];
  readonly at: ReadonlyMap<string, readonly number[]>;
}

const wordsOf = new Map<string, Words>();

function split(text: string): Words {
  const known = wordsOf.get(text);
  if (known) return known;
  const words = [...text.toLowerCase().matchAll(/[\p{L}\p{N}]+('s|')?/gu)].map((m) => ({
    w: m[1] ? m[0].slice(0, -m[1].length) : m[0],
    possessive: m[1] !== undefined,
  }));
  const at = new Map<string, number[]>();
  words.forEach(({ w }, i) => {
    const list = at.get(w);
    if (list) list.push(i);
    else at.set(w, [i]);
  });
  const out = { words, at };
  // Narrations recur (one per quote, read again for every change of it): remember them, within bounds.
  if (wordsOf.size > 20000) wordsOf.clear();
  wordsOf.set(text, out);
  return out;
}

/**
 * Whether a (normalised) text says a word: whole words only ("man" is not in
 * "woman"), a plural allowed ("workers"), and a possessive unless the word
 * must name the speaker themself ("workers' wives" are not workers).
 */
export function says(text: string, word: string, { possessive = true, plural = true }: { possessive?: boolean; plural?: boolean } = {}): boolean {
  const parts = word.toLowerCase().replace(/[’']s$/, '').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const last = parts[parts.length - 1];
  if (!last) return false;
  const { words, at } = split(text);
  const ends = plural ? [last, `${last}s`, `${last}es`] : [last];
  for (const end of ends) {
    for (const i of at.get(end) ?? []) {
      const start = i - (parts.length - 1);
      if (start < 0) continue;
      if (!possessive && words[i]?.possessive) continue;
      if (parts.slice(0, -1).every((p, j) => words[start + j]?.w === p)) return true;
    }
  }
  return false;
}

/** The words of a description: "Odessa's" is "Odessa", "36-year-old" and "anti-Soviet" are one word each. */
export function descriptionWords(speaker: string): string[] {
  return [...normalise(speaker).matchAll(/[\p{L}\p{N}]+(?:[-'][\p{L}\p{N}]+)*/gu)].map((m) => m[0].replace(/'s$/, ''));
}

/** Whether a description word states something about the speaker (see FUNCTION_WORDS). */
export function isFactWord(word: string): boolean {
  return !FUNCTION_WORDS.has(word.toLowerCase());
}

/** The kinds whose words a narration uses, with the word found first. */
function kindsNamed(text: string, ctx: AttributionContext): Map<string, string> {
  const out = new Map<string, string>();
  for (const [kind, words] of ctx.kindWords) {
    const word = words.find((w) => says(text, w));
    if (word) out.set(kind, word);
  }
  return out;
}

/** Where a word (or phrase: "wrote to") last starts in a text, in words (−1 when absent). */
function lastWordAt(text: string, word: string): number {
  const parts = word.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const { words } = split(text);
  const last = parts.length - 1;
  for (let i = words.length - parts.length; i >= 0; i--) {
    const match = parts.every((p, j) => {
      const w = words[i + j]?.w;
      return w === p || (j === last && (w === `${p}s` || w === `${p}es`));
    });
    if (match) return i;
  }
  return -1;
}

/** "meeting", or "assembly" (meeting): the word the narration uses, and the kind it names when that differs. */
function named1(kind: string, word: string): string {
  return word === kind ? `"${word}"` : `"${word}" (${kind})`;
}

function listNamed(named: ReadonlyMap<string, string>): string {
  return [...named].map(([kind, word]) => named1(kind, word)).join(', ');
}

/**
 * The kind must be the one the narration names: its own first, then that of
 * its describedWith quotes; where neither names any kind, an editorial
 * decision recorded in source.json (`kindDecisions`) with its reason.
 */
function checkKind(q: Quote, own: string, described: readonly { id: string; text: string }[], ctx: AttributionContext): string | null {
  if (ctx.kindWords.size === 0) return null; // the vocabulary failed to load: already reported
  const wrong = `source "${q.kind}" is not what the essay says of this quote`;
  const ownNamed = kindsNamed(own, ctx);
  if (ownNamed.size > 0) {
    // "Less frequent reports continued… leaflets entitled “…”": the kind named last before the words is theirs.
    const before = own.slice(0, Math.max(0, own.indexOf('…')));
    const nearest = [...kindsNamed(before, ctx)]
      .map(([kind, word]) => ({ kind, word, at: lastWordAt(before, word) }))
      .sort((a, b) => b.at - a.at)[0];
    if (nearest) return nearest.kind === q.kind ? null : `${wrong}: its narration says ${named1(nearest.kind, nearest.word)}`;
    return ownNamed.has(q.kind) ? null : `${wrong}: its narration says ${listNamed(ownNamed)}`;
  }
  for (const d of described) {
    const named = kindsNamed(d.text, ctx);
    if (named.size > 0) return named.has(q.kind) ? null : `${wrong}: the narration of ${d.id} (describedWith) says ${listNamed(named)}`;
  }
  const paragraph = q.location.paragraph;
  const decision = ctx.kindDecisions.find((d) => paragraph >= d.paragraphs[0] && paragraph <= d.paragraphs[1]);
  if (decision) {
    return decision.kind === q.kind
      ? null
      : `${wrong}: its narration names no kind of source, and source.json kindDecisions gives paragraphs ${decision.paragraphs[0]}–${decision.paragraphs[1]} the kind "${decision.kind}" (${decision.reason})`;
  }
  const words = ctx.kindWords.get(q.kind) ?? [];
  return `source "${q.kind}" is not justified: the narration of this quote names no kind of source (a "${q.kind}" is named by ${words.map((w) => `"${w}"`).join(', ')}); add the quote that names it to describedWith, or record the decision and its reason in source.json kindDecisions`;
}

/** A kind may rest on one note wholesale (kindNotes); otherwise the first footnote marker after the quote decides. */
function checkNote(q: Quote, ctx: AttributionContext): string | null {
  const lastEnd = q.location.spans[q.location.spans.length - 1]?.[1] ?? 0;
  const byKind = ctx.kindNotes[q.kind];
  const expected = byKind ?? nextMarker(ctx.raw, lastEnd, ctx.noteMarkers);
  if (expected === null) return `no footnote marker follows this quote; note ${q.note} cannot be confirmed`;
  if (expected === q.note) return null;
  return `note is ${q.note}, but ${byKind !== undefined ? `every "${q.kind}" quote rests on note ${expected}` : `the next marker after it is ${markerLabel(ctx.noteMarkers, expected)}`}`;
}

/** Gender words the narration uses, per gender. */
function gendersSaid(text: string): Map<'female' | 'male', string> {
  const out = new Map<'female' | 'male', string>();
  for (const [g, words] of Object.entries(GENDER_WORDS) as ['female' | 'male', readonly string[]][]) {
    const w = words.find((word) => says(text, word));
    if (w) out.set(g, w);
  }
  return out;
}

/**
 * Every word of the description that states a fact must be in the narration. `texts` are the quote's own narration
 * and the descriptions its describedWith links lend.
 */
function checkSpeaker(q: Quote, texts: readonly string[], own: string, described: readonly string[]): string[] {
  const text = texts.join(' ¶ ');
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const word of descriptionWords(q.speaker)) {
    if (!isFactWord(word) || seen.has(word.toLowerCase())) continue;
    seen.add(word.toLowerCase());
    // In the description's own number: "workers in Shuia" are not "a worker in Shuia".
    if (says(text, word, { plural: false })) continue;
    // A gender word the narration contradicts: say what the narration says instead.
    const g = GENDER_OF.get(word.toLowerCase());
    const instead = g ? gendersSaid(text).get(g === 'female' ? 'male' : 'female') : undefined;
    problems.push(`speaker "${q.speaker}": "${word}" is not what the source says of this quote's speaker${instead ? ` (the narration says "${instead}")` : ''}`);
  }
  if (problems.length > 0) return problems;
  // Every word said is not enough: "another bookkeeper" has the words of "Another commented… a bookkeeper had". The
  // description's head — its words up to the first comma, preposition or "who" — must stand together in the narration.
  const head = headWords(q.speaker);
  // "Another worker": "while another lamented", the worker being the one its describedWith quote's narration names.
  const [determiner, ...noun] = head;
  const referred = determiner !== undefined && DETERMINERS.has(determiner) && says(own, determiner) && described.some((d) => saysRun(d, noun));
  if (head.length > 1 && !referred && !saysRun(text, head)) {
    problems.push(`speaker "${q.speaker}": the source does not say "${head.join(' ')}" of this quote's speaker`);
    return problems;
  }
  const capitalised = new Set(descriptionWords(q.speaker).filter((w) => /^\p{Lu}/u.test(w)).map((w) => w.toLowerCase()));
  const all = phrases(q.speaker);
  // A name set beside a description ("Voinova, a female worker") is the one the narration sets beside it ("a female
  // worker Voinova"), not any name it mentions ("cited Lenin").
  const [first, second] = all;
  if (first && second && second.after === null && first.words.length === 1 && capitalised.has(first.words[0] ?? '')) {
    if (!saysFacts(text, [...first.words, ...second.words]) && !saysFacts(text, [...second.words, ...first.words])) {
      problems.push(`speaker "${q.speaker}": the source does not say "${first.words.join(' ')}" beside "${second.words.join(' ')}"`);
      return problems;
    }
  }
  const clauseProblem = checkRelativeClauses(q.speaker, all, texts);
  if (clauseProblem) {
    problems.push(clauseProblem);
    return problems;
  }
  // So must every later phrase of it: "at the Yartsev factory", not "at the Smolensk factory".
  // A place or name after a preposition ("in Tomsk", "to Pravda") must follow the same preposition there, in the
  // narration (or lent description) that says what it is attached to: "read in Trotsky that Lenin had" says nothing
  // read "in Lenin", and "leaflets distributed in Tomsk" borrow no Smolensk from another quote's meeting. (Not that it
  // follows that word: the essay fronts places, "In Sumy, an anti-Soviet leaflet found in the Frunze Factory".)
  const possessives = new Set([...normalise(q.speaker).matchAll(/([\p{L}\p{N}]+)'s\b/gu)].map((m) => (m[1] ?? '').toLowerCase()));
  for (let i = 1; i < all.length; i++) {
    const { words: phrase, after } = all[i] ?? { words: [], after: null };
    // Names and places only ("in Tomsk"): a common noun may take another preposition ("of relatives", "in a complaint").
    const single = phrase.filter(isFactWord).filter((w) => capitalised.has(w));
    const name = single[0];
    const previous = all[i - 1]?.words.filter(isFactWord).pop();
    // A possessive name belongs to the noun after it, not to the preposition ("of Odessa's bazaar" is the essay's
    // "at Odessa's bazaar").
    const ok =
      phrase.length > 1
        ? saysFacts(text, phrase)
        : after === null ||
          single.length !== 1 ||
          name === undefined ||
          possessives.has(name) ||
          texts.some((t) => placeSaidOf(t, name, after, previous));
    if (!ok) {
      problems.push(`speaker "${q.speaker}": the source does not say "${after && phrase.length === 1 ? `${after} ` : ''}${phrase.join(' ')}" of this quote's speaker`);
      break;
    }
  }
  return problems;
}

const PREPOSITIONS = new Set(['in', 'at', 'of', 'on', 'to', 'for', 'from', 'during', 'with', 'by']);

/**
 * Whether the text puts the speaker (their noun, `noun`) at this place ("in Roslavl"). A place mid-sentence may be
 * said of a speaker anywhere in the narration ("attitudes in Roslavl … Some workers complained"), but one fronted
 * ("In Smolensk, a top-secret OGPU document reported …": the sentence opens on it) sets the scene of its own
 * sentence only: it is said of the speaker only when the speaker is in that sentence ("In Sumy, an anti-Soviet
 * leaflet found in the Frunze Factory said"), so "workers in Smolensk" is refused where the document is in Smolensk.
 */
function placeSaidOf(text: string, name: string, preposition: string, noun: string | undefined): boolean {
  if (noun === undefined) return saysAfterPreposition(text, name, preposition);
  if (!says(text, noun)) return false;
  return text.split(SENTENCE_END).some((sentence) => {
    const at = prepositionAt(sentence, name, preposition);
    if (at.length === 0) return false;
    const fronted = at.every((i) => i === 0);
    return !fronted || says(sentence, noun);
  });
}

/** Whether the word stands right after this preposition in the text (an article between is allowed). */
function saysAfterPreposition(text: string, word: string, preposition: string): boolean {
  return prepositionAt(text, word, preposition).length > 0;
}

/** Where (in words) the preposition stands right before the word in the text, an article or possessive between allowed. */
function prepositionAt(text: string, word: string, preposition: string): number[] {
  const { words, at } = split(text);
  const w = word.toLowerCase();
  const out: number[] = [];
  for (const i of [...(at.get(w) ?? []), ...(at.get(`${w}s`) ?? [])]) {
    const before = words[i - 1];
    // "in Tomsk", "to the Kerch Metalworks", "in Moscow's Hammer and Sickle Factory".
    const between = before !== undefined && (ARTICLES.has(before.w) || before.possessive);
    if (before?.w === preposition) out.push(i - 1);
    else if (between && words[i - 2]?.w === preposition) out.push(i - 2);
  }
  return out;
}


interface Phrase {
  readonly words: string[];
  /** The preposition it follows ("in" of "in Tomsk"), if any. */
  readonly after: string | null;
  /**
   * It opens a restrictive relative clause: "who", "which" or "that" right after a noun, no comma between
   * ("relatives who had fought"), so it says which people the noun means.
   */
  readonly relative: boolean;
  /** Which comma-separated part of the description it is in. */
  readonly part: number;
}

/** A description's phrases: its words split at commas, quote marks, prepositions and relative pronouns, articles dropped. */
function phrases(speaker: string): Phrase[] {
  const out: Phrase[] = [];
  for (const [part, text] of normalise(speaker).split(/[,;:()"]/).entries()) {
    let current: string[] = [];
    let after: string | null = null;
    let relative = false;
    const words = descriptionWords(text);
    for (const [k, w] of words.entries()) {
      const lower = w.toLowerCase();
      // "and" between capitals joins one name ("Hammer and Sickle Factory"), checked whole.
      const joinsName = lower === 'and' && /^\p{Lu}/u.test(words[k - 1] ?? '') && /^\p{Lu}/u.test(words[k + 1] ?? '');
      if (joinsName) current.push(lower);
      else if (HEAD_ENDS.has(lower) || lower === 'and' || lower === 'but') {
        if (current.length > 0) out.push({ words: current, after, relative, part });
        relative = RELATIVES.has(lower) && current.length > 0;
        current = [];
        after = PREPOSITIONS.has(lower) ? lower : null;
      } else if (!(current.length === 0 && ARTICLES.has(lower))) current.push(lower);
    }
    if (current.length > 0) out.push({ words: current, after, relative, part });
  }
  return out;
}

const RELATIVES = new Set(['who', 'which', 'that']);

/**
 * A restrictive relative clause says which people its noun means, so it must be what the narration says of them
 * ("relatives who had fought for the Whites" is the essay's "relatives had fought for the Whites"): its words, with
 * the phrase its verb governs ("for the Whites", "to Lenin"), stand in that order in the narration, an article
 * between allowed; and the noun comes before them in one sentence there ("his peasant friend was threatened …,
 * complained personally to Lenin"). Refuses "war who had fought" (the war fought no one), "relatives who had war",
 * and "who complained personally to Moscow" where the friend traveled to Moscow and complained to Lenin.
 */
function checkRelativeClauses(speaker: string, all: readonly Phrase[], texts: readonly string[]): string | null {
  for (const [i, clause] of all.entries()) {
    if (!clause.relative) continue;
    const next = all[i + 1];
    const governed = next !== undefined && next.part === clause.part && next.after !== null ? [next.after, ...next.words] : [];
    const run = [...clause.words, ...governed];
    if (!texts.some((t) => saysInOrder(t, run))) return `speaker "${speaker}": the source does not say "${run.join(' ')}" of this quote's speaker`;
    const noun = all[i - 1]?.words.filter(isFactWord).pop();
    const verb = clause.words.find(isFactWord);
    if (noun !== undefined && verb !== undefined && !texts.some((t) => saysBefore(t, noun, verb))) {
      return `speaker "${speaker}": the source does not say that the ${noun} ${clause.words.join(' ')}`;
    }
  }
  return null;
}

/** Whether the words stand in this order in the text, nothing between them but an article; a possessive allowed. */
function saysInOrder(text: string, want: readonly string[]): boolean {
  const { words, at } = split(text);
  const [first, ...rest] = want;
  if (first === undefined) return true;
  for (const start of at.get(first) ?? []) {
    let j = start + 1;
    const ok = rest.every((w, k) => {
      if (words[j]?.w !== w && ARTICLES.has(words[j]?.w ?? '')) j++;
      const h = words[j]?.w;
      // The last word may be plural ("for the Whites" of "for the White").
      const match = h === w || (k === rest.length - 1 && (h === `${w}s` || h === `${w}es`));
      j++;
      return match;
    });
    if (ok) return true;
  }
  return false;
}

/** Sentence ends of a narration ("…" is a left-out quotation, not an end). */
const SENTENCE_END = /(?<!\.)[.!?](?!\.)\s/;

/** Whether one sentence of the text has the noun (or its plural) and, later, the verb. */
function saysBefore(text: string, noun: string, verb: string): boolean {
  return text.split(SENTENCE_END).some((sentence) => {
    const { at } = split(sentence);
    const nouns = [...(at.get(noun) ?? []), ...(at.get(`${noun}s`) ?? [])];
    const verbs = at.get(verb) ?? [];
    return nouns.some((n) => verbs.some((v) => v > n));
  });
}

/** Words that end a description's head ("a young mechanic, who…", "workers in Shuia"). */
const HEAD_ENDS = new Set(['in', 'at', 'of', 'on', 'to', 'for', 'from', 'during', 'with', 'who', 'which', 'whom', 'that']);
/** Words that refer back to a speaker the essay has named ("another", "one of"). */
const DETERMINERS = new Set(['one', 'another', 'other', 'some']);

/** Articles a head may start with that the narration need not repeat ("a lawyer" is "A lawyer" or "the lawyer"). */
const ARTICLES = new Set(['a', 'an', 'the', 'yet']);

/**
 * The head of a description: its first phrase's words before a preposition or relative pronoun, articles dropped
 * ("one respondent", "anti-Soviet speeches", "young male Byelorussian school teacher").
 */
function headWords(speaker: string): string[] {
  const first = normalise(speaker).split(/[,;:()"]/).find((p) => p.trim() !== '') ?? '';
  const words: string[] = [];
  for (const w of descriptionWords(first)) {
    const lower = w.toLowerCase();
    if (HEAD_ENDS.has(lower)) break;
    if (words.length === 0 && ARTICLES.has(lower)) continue;
    words.push(lower);
  }
  return words;
}

/** Whether the fact words stand together, in order, in the text once grammatical words are set aside on both sides. */
function saysFacts(text: string, words: readonly string[]): boolean {
  const want = words.filter(isFactWord).flatMap((w) => w.split(/[^\p{L}\p{N}]+/u).filter(Boolean));
  if (want.length < 2) return true;
  const have = split(text).words.filter(({ w }) => isFactWord(w));
  const last = want.length - 1;
  for (let i = 0; i + last < have.length; i++) {
    if (want.every((w, j) => {
      const h = have[i + j]?.w;
      return h === w || (j === last && (h === `${w}s` || h === `${w}es`));
    })) return true;
  }
  return false;
}

/** Whether the words stand together, in order, in the text (the last one may be plural or possessive). */
function saysRun(text: string, words: readonly string[]): boolean {
  return says(text, words.join(' '));
}

/**
 * Gender: a gender word in the description ("woman", "male", "widow") sets
 * the facet and must be the narration's own word (checkSpeaker). Where the
 * description states none, the facet rests on words of the narration quoted
 * verbatim in genderFrom ("said that he had heard"): a curator points at the
 * pronoun that refers to the speaker, so a "his" about Lenin never counts.
 */
function checkGender(q: Quote, text: string, narrated: string): string[] {
  const g = q.facets.gender;
  const stated = descriptionWords(q.speaker).filter((w) => GENDER_OF.has(w.toLowerCase()));
  for (const word of stated) {
    if (g === undefined) return [`the speaker's description says "${word}", but facet gender is not set`];
    if (GENDER_OF.get(word.toLowerCase()) !== g) return [`facet gender "${g}" disagrees with the speaker's description, which says "${word}"`];
  }
  if (q.genderFrom === null) {
    if (g !== undefined && stated.length === 0) {
      return [`facet gender "${g}" is not stated by the speaker's description: quote the narration's words that state it in genderFrom (such as "said that he had heard")`];
    }
    return [];
  }
  const from = normalise(q.genderFrom).toLowerCase();
  if (!narrated.includes(from)) return [`genderFrom "${q.genderFrom}" is not in what the source says of this quote's speaker (outside any quotation)`];
  const said = gendersSaid(from);
  if (g === undefined) return [`genderFrom "${q.genderFrom}" is given, but facet gender is not set`];
  if (!said.has(g)) {
    const other = said.get(g === 'female' ? 'male' : 'female');
    return [`facet gender "${g}" is not what the source says of this quote's speaker: genderFrom "${q.genderFrom}" says ${other ? `"${other}"` : 'no gender'}`];
  }
  if (said.size > 1) return [`genderFrom "${q.genderFrom}" says both "${said.get('female')}" and "${said.get('male')}": quote only the words about the speaker`];
  return [];
}

/** Each facet must be in the description and in the narration; what the description states must be a facet. */
function checkFacets(q: Quote, text: string, ctx: AttributionContext): string[] {
  const problems: string[] = [];
  const f = q.facets;
  const words = descriptionWords(q.speaker);
  const described = normalise(q.speaker).toLowerCase();
  const facts: [string, string][] = [];
  if (f.age !== undefined) facts.push(['age', `${f.age}-year-old`]);
  if (f.ageGroup) facts.push(['ageGroup', f.ageGroup]);
  if (f.nationality) facts.push(['nationality', f.nationality]);
  if (f.occupation) for (const w of descriptionWords(f.occupation)) if (isFactWord(w)) facts.push(['occupation', w]);
  // What the speaker is stands before the description's first relative pronoun or preposition other than "of":
  // "similar leaflets, which called for workers" are not workers; "Voinova, a female worker, at a mass meeting", "one
  // of the workers" and "a former prisoner of war" are.
  const subjectWords: string[] = [];
  for (const w of words) {
    if (HEAD_ENDS.has(w.toLowerCase()) && w.toLowerCase() !== 'of') break;
    subjectWords.push(w);
  }
  const subject = subjectWords.join(' ').toLowerCase();
  for (const [facet, word] of facts) {
    if (!says(described, word, { possessive: false })) problems.push(`facet ${facet} "${word}" is not in the speaker's description "${q.speaker}"`);
    else if (facet === 'occupation' && !says(subject, word, { possessive: false })) {
      problems.push(`facet occupation "${word}" is not what the speaker's description says the speaker is ("${subjectWords.join(' ')}")`);
    }
    else if (!says(text, word)) problems.push(`facet ${facet} "${word}" is not what the source says of this quote's speaker`);
  }
  // The other way round: what the description states is recorded, so filters find the quote.
  for (const word of words) {
    const lower = word.toLowerCase();
    if (AGE.test(lower) && f.age === undefined) problems.push(`the speaker's description says "${word}", but facet age is not set`);
    if (AGE_GROUPS.has(lower) && f.ageGroup === undefined) problems.push(`the speaker's description says "${word}", but facet ageGroup is not set`);
    if (ctx.nationalities.has(word) && f.nationality === undefined) problems.push(`the speaker's description says "${word}", but facet nationality is not set`);
  }
  return problems;
}
