/**
 * A draft corpus folder from a plain text: every quotation found, grouped
 * into utterances, each with the speaker, note, kind and themes the text
 * supports, and everything quoted that is no one's voice set aside in
 * excluded.json for review. The draft passes `npm run corpus -- check` as it
 * stands: what the check would refuse is set aside too, with the check's reason.
 */
import { detectMarkerStyle, markersIn, notesSection, nextMarker, type MarkerStyle } from '../notes.js';
import type { RawQuote, RawSource } from '../schema.js';
import { normalise, normaliseMapped, paragraphs, type Paragraph } from '../text.js';
import type { SourceKind, Theme } from '../types.js';
import { kindFinder, noteEntry, proposeKindNotes, themeMatcher } from './propose.js';
import { continuesPrevious, findQuotations, type Quotation } from './quotations.js';
import { facetsOf, hasSpeechVerb, proposeSpeaker, type SpeakerProposal } from './speaker.js';

export interface DraftInput {
  readonly text: string;
  readonly id: string;
  readonly file?: string;
  readonly title: string;
  readonly author: string;
  readonly date: string;
  readonly url?: string;
  readonly themes: readonly Theme[];
  readonly kinds: readonly SourceKind[];
}

export interface ExcludedEntry {
  text: string;
  reason: string;
}

/** What the reviewer should know about a proposal: how each field was reached. */
export interface ProposalNotes {
  readonly id: string;
  readonly type: 'quote' | 'excluded';
  readonly flags: string[];
}

export interface Draft {
  readonly source: RawSource;
  readonly quotes: RawQuote[];
  readonly excluded: ExcludedEntry[];
  readonly proposals: ProposalNotes[];
}

/** Quotations this short, introduced by no one, are scare quotes or terms. */
const SHORT_WORDS = 4;
/** Words just before a quotation that make it a title or a label rather than someone's words. */
const TITLE_CUE = /\b(?:entitled|titled|called|dubbed|named|labell?ed|known as|so-called|the (?:word|words|term|phrase|headline|title|label)|headlined|termed|nicknamed|branded|adage|proverb|saying|motto|maxim)\s*,?\s*$/i;
/** Words that open a sentence without naming anyone who could speak: subordinate clauses, demonstratives, conjunctions. */
const CLAUSE_OPENERS = /^(?:When|Whenever|While|Because|As|If|Although|Though|Since|After|Before|Until|Once|This|That|Then|And|But|So|Yet|Still|Later|Soon|Now|Thus)[,]?$/;
/** At most this many words between a stray opening mark and the next opening mark. */
const STRAY_OPENING_WORDS = 6;
/** How far back a part may still continue the same utterance. */
const MAX_GAP = 400;

interface Entry {
  parts: Quotation[];
  speaker: SpeakerProposal;
}

export function prefixFor(id: string): string {
  const words = id.split('-').filter(Boolean);
  const initials = words.map((w) => w[0]).join('');
  return (initials.length >= 2 ? initials : id.replace(/-/g, '').slice(0, 3)).replace(/[^a-z0-9]/g, '') || 'q';
}

export function draftSource(input: DraftInput): Draft {
  const raw = input.text;
  const section = notesSection(raw);
  const style: MarkerStyle = detectMarkerStyle(raw);
  const paras = paragraphs(raw);
  const bodyParas = paras.filter((p) => p.start < section.bodyEnd);
  const { quotations, strays } = findQuotations(raw, paras, section.bodyEnd);
  const finder = kindFinder(input.kinds);
  const themes = themeMatcher(input.themes, input.title);

  // Narration only: quoted words blanked, so "the respondent" inside a quotation names no kind.
  const narration = blankQuotations(raw, quotations);
  const blockStartOf = (offset: number): number => {
    const i = bodyParas.findIndex((p) => offset >= p.start && offset < p.end + 1);
    let k = i < 0 ? 0 : i;
    while (k > 0 && continuesPrevious(raw, bodyParas[k] as Paragraph)) k--;
    return bodyParas[k]?.start ?? 0;
  };

  const entries = groupUtterances(raw, quotations, blockStartOf);

  // Notes, and the kinds that rest on one note wholesale.
  const notes = section.items.map(noteEntry);
  const markers = markersIn(raw, style, section.bodyEnd);
  const cited = new Set(markers.map((m) => m.n));
  const kindNear = (n: number): string | null => {
    const m = markers.find((x) => x.n === n);
    if (!m) return null;
    const para = bodyParas.find((p) => m.start >= p.start && m.start <= p.end);
    if (!para) return null;
    const found = finder.find(narration.slice(para.start, para.end));
    return found[found.length - 1]?.kind ?? null;
  };
  const kindNotes = proposeKindNotes(notes, cited, kindNear, finder);

  const prefix = prefixFor(input.id);
  const quotes: RawQuote[] = [];
  const excluded: ExcludedEntry[] = [];
  const proposals: ProposalNotes[] = [];
  const excludeOne = (q: Quotation, reason: string) => {
    excluded.push({ text: uniqueExcerpt(raw, q.outerStart, q.outerEnd), reason: `Draft, to review: ${reason}` });
    proposals.push({ id: `excluded:${excluded.length - 1}`, type: 'excluded', flags: [] });
  };
  const kindFallback = input.kinds[0]?.id ?? 'interview';

  let previous: { id: string; speaker: string; paragraph: number } | null = null;
  for (const entry of entries) {
    // "… that "Trotsky, Rykov and Bukharin "were against …": a few words opened and never closed, right before the
    // next opening mark, are the narration after a stray mark; the speaker's words begin at the second mark.
    const opener = entry.parts[0] as Quotation;
    const second = entry.parts[1];
    if (
      second &&
      opener.shape === 'unclosed' &&
      raw.slice(opener.end, second.outerStart).trim() === '' &&
      raw.slice(opener.start, opener.end).trim().split(/\s+/).length <= STRAY_OPENING_WORDS
    ) {
      excludeOne(opener, 'an opening mark the text never closes, right before the next one: the words after it are narration, and the quotation begins at the second mark');
      entry.parts.shift();
    }
    const first = entry.parts[0] as Quotation;
    const last = entry.parts[entry.parts.length - 1] as Quotation;
    const words = entry.parts.map((p) => raw.slice(p.start, p.end));
    const wordCount = words.join(' ').split(/\s+/).filter(Boolean).length;
    const lead = raw.slice(Math.max(blockStartOf(first.outerStart), first.outerStart - 120), first.outerStart);
    // Every part of a set-aside utterance is recorded, so each of its marks stays accounted for.
    const exclude = (_q: Quotation, reason: string) => {
      for (const part of entry.parts) excludeOne(part, reason);
    };
    const flags: string[] = [];
    if (entry.parts.some((p) => p.shape === 'unclosed')) flags.push('a quotation the text never closes: it is taken to the end of its paragraph or to the next opening mark');
    if (entry.parts.some((p) => p.shape === 'block')) flags.push('a block quotation');

    if (TITLE_CUE.test(lead) && entry.parts.length === 1) {
      exclude(first, 'a title or a label in quotation marks, not someone speaking');
      continue;
    }
    // Single words and pairs of words in quotation marks are labels and scare quotes, whoever the sentence names.
    if (words.every((w) => w.trim().split(/\s+/).length <= 2)) {
      exclude(first, wordCount === 1 ? 'a single word in quotation marks: a label or scare quotes, not an utterance' : 'words in quotation marks too short to be an utterance: a label or scare quotes');
      continue;
    }
    let speaker = entry.speaker.speaker;
    let describedWith: string[] | undefined;
    if (entry.speaker.how === 'none' || entry.speaker.how === 'pronoun') {
      if (wordCount <= SHORT_WORDS && entry.parts.length === 1) {
        exclude(first, wordCount === 1 ? 'a single word in quotation marks, introduced by no speaker' : 'a short phrase in quotation marks (scare quotes or the author’s own phrase), introduced by no speaker');
        continue;
      }
      // Words no new speaker introduces, in the paragraph of the last voice, go on being that voice's (flagged).
      const sameParagraph = previous && blockStartOf(paras[previous.paragraph - 1]?.start ?? -1) === blockStartOf(first.outerStart);
      if (previous && sameParagraph) {
        speaker = previous.speaker;
        describedWith = [previous.id];
        flags.push(`speaker carried over from ${previous.id}: the text names no new speaker`);
      } else {
        exclude(first, 'quoted words no one is said to speak: the author’s own phrase, a record of the interviewer, or a voice named too far away');
        continue;
      }
    } else if (entry.speaker.how === 'after') flags.push('speaker named after the quotation');
    if (!describedWith) {
      const referred = referredSpeaker(speaker, quotes, previous && blockStartOf(paras[previous.paragraph - 1]?.start ?? -1) === blockStartOf(first.outerStart) ? previous.id : null);
      if (referred) {
        flags.push(`speaker "${speaker}" read as referring back to ${referred.id} ("${referred.speaker}")`);
        speaker = referred.speaker;
        describedWith = [referred.id];
      }
    }

    const paragraph = paragraphIndex(paras, first.start);
    const kindAt = kindFor(narration, finder, blockStartOf(first.outerStart), first.outerStart, last.outerEnd, raw);
    const carried = kindAt ? null : carriedKind(narration, finder, first.outerStart);
    const kind = kindAt ?? carried ?? kindFallback;
    if (carried) flags.push(`source kind "${kind}" carried from earlier narration: the narration around it names none`);
    else if (!kindAt) flags.push(`source kind "${kind}" is only the vocabulary's first: the text names no kind of source before it`);
    const note = kindNotes[kind] ?? nextMarker(raw, last.end, style, section.bodyEnd);
    if (note === null) {
      exclude(first, 'no note marker follows these words and no note covers their kind: add the note, then restore them as a quote');
      continue;
    }
    const text = words.join(' ');
    let theme = themes.match(text);
    if (theme.length === 0) {
      theme = themes.match(raw.slice(blockStartOf(first.outerStart), last.outerEnd)).slice(0, 1);
      if (theme.length === 0) theme = [input.themes[0]?.id ?? 'general'];
      flags.push('themes from the surrounding paragraph: the quotation’s own words match none');
    }
    const id = `${prefix}-${String(quotes.length + 1).padStart(3, '0')}`;
    const parts = words.map((w) => w.replace(/\s+/g, ' ').trim());
    const glosses = [...new Set(parts.flatMap((p) => p.match(/\([^()]{1,80}\)/g) ?? []))];
    const quote: RawQuote = {
      id,
      paragraph,
      speaker,
      facets: facetsOf(speaker),
      source: kind,
      note,
      themes: theme,
      parts,
      ...(glosses.length > 0 ? { glosses } : {}),
      ...(remarksFor(entry.parts) ? { remarks: remarksFor(entry.parts) } : {}),
      ...(describedWith ? { describedWith } : {}),
    };
    if (glosses.length > 0) flags.push(`parenthesised words proposed as the author's glosses: ${glosses.join(', ')}`);
    quotes.push(quote);
    proposals.push({ id, type: 'quote', flags });
    previous = { id, speaker, paragraph };
  }

  for (const stray of strays) {
    const start = Math.max(blockStartOf(stray.at), raw.lastIndexOf(' ', Math.max(0, stray.at - 40)));
    excluded.push({ text: uniqueExcerpt(raw, start + 1, stray.at + 1), reason: 'Draft, to review: a closing quotation mark the text never opened' });
    proposals.push({ id: `excluded:${excluded.length - 1}`, type: 'excluded', flags: [] });
  }

  const source: RawSource = {
    id: input.id,
    file: input.file ?? 'source.txt',
    title: input.title,
    author: input.author,
    date: input.date,
    ...(input.url ? { url: input.url } : {}),
    idPrefix: prefix,
    ...(style !== 'caret' ? { noteMarkers: style } : {}),
    ...(Object.keys(kindNotes).length > 0 ? { kindNotes } : {}),
    notes,
  };
  return { source, quotes, excluded, proposals };
}

/** The head noun of a description: its last word before a comma, a preposition or a relative clause ("respondent"). */
function headNoun(speaker: string): string | null {
  const head = speaker.split(/,|\s(?:in|at|from|of|on|with|during|to|for|by|who|whom|whose|which|that)\s/)[0] ?? '';
  const words = head.trim().split(/\s+/);
  // "a winter leaflet found at the pier": a participle after the noun starts its modifier.
  const participle = words.findIndex((w, i) => i > 1 && /^(?:[a-z]+ed|found|written|sent|made|held|kept|seen|given|taken|shown|left|brought|put)$/.test(w));
  const last = (participle > 0 ? words.slice(0, participle) : words).pop();
  return last && /^[\p{L}-]+$/u.test(last) ? last.toLowerCase() : null;
}

/**
 * A phrase that only points back: "the manifesto" is the manifesto a speaker
 * was last described as ("a September 1930 four-page manifesto"); "another",
 * alone, is another of the kind the quote just before named ("one worker …
 * while another lamented" is another worker). Null when it names someone itself.
 */
function referredSpeaker(speaker: string, earlier: readonly RawQuote[], previousInBlock: string | null): { id: string; speaker: string } | null {
  const definite = /^the ([\p{L}-]+)$/u.exec(speaker);
  if (definite) {
    const noun = (definite[1] as string).toLowerCase();
    const antecedent = [...earlier].reverse().find((q) => headNoun(q.speaker) === noun && !/^the\s/i.test(q.speaker));
    return antecedent ? { id: antecedent.id, speaker: antecedent.speaker } : null;
  }
  if (/^another$/i.test(speaker) && previousInBlock) {
    const before = earlier.find((q) => q.id === previousInBlock);
    const noun = before ? headNoun(before.speaker) : null;
    return before && noun ? { id: before.id, speaker: `another ${noun}` } : null;
  }
  return null;
}

/** What a reader should know about how the text printed the quotation. */
function remarksFor(parts: readonly Quotation[]): string | undefined {
  if (parts.some((p) => p.shape === 'continued')) return 'The quotation runs over several paragraphs, each opened with a quotation mark and only the last closed: one part per paragraph.';
  if (parts.some((p) => p.shape === 'unclosed')) return 'The text leaves this quotation unclosed; the part ends where the next quotation or the paragraph begins.';
  return undefined;
}

function paragraphIndex(paras: readonly Paragraph[], offset: number): number {
  const p = paras.find((x) => offset >= x.start && offset < x.end);
  return p ? p.index : 1;
}

function blankQuotations(raw: string, quotations: readonly Quotation[]): string {
  let out = '';
  let at = 0;
  for (const q of [...quotations].sort((a, b) => a.start - b.start)) {
    out += raw.slice(at, q.start) + ' '.repeat(Math.max(0, q.end - q.start));
    at = q.end;
  }
  return out + raw.slice(at);
}

/** The kind the narration names around an utterance: nearest before it in its paragraph, else right after it. */
function kindFor(narration: string, finder: ReturnType<typeof kindFinder>, blockStart: number, start: number, end: number, raw: string): string | null {
  const sentenceStart = Math.max(blockStart, lastSentenceStart(raw, start));
  const before = finder.find(narration.slice(sentenceStart, start));
  if (before.length > 0) return (before[before.length - 1] as { kind: string }).kind;
  const stop = /[.!?]["”’']*(?:\^\[\d+\]|\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?(?=\s|$)/g;
  stop.lastIndex = end;
  const sentenceEnd = stop.exec(raw)?.index ?? raw.length;
  const after = finder.find(narration.slice(end, sentenceEnd + 1));
  return after[0]?.kind ?? null;
}

/** The kind last named anywhere before, in narration: a section about letters goes on being about letters. */
function carriedKind(narration: string, finder: ReturnType<typeof kindFinder>, start: number): string | null {
  const found = finder.find(narration.slice(0, start));
  return found[found.length - 1]?.kind ?? null;
}

function lastSentenceStart(raw: string, at: number): number {
  const before = raw.slice(0, at);
  let best = 0;
  for (const m of before.matchAll(/[.!?]["”’']*(?:\^\[\d+\]|\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?\s+(?=["“A-Z])/g)) best = m.index + m[0].length;
  return best;
}

/**
 * Quotations into utterances: a quotation continues the one before when only
 * narration that names no new speaker stands between them, within a paragraph
 * (or a paragraph the text broke mid-sentence) — "…," he said, "…".
 */
function groupUtterances(raw: string, quotations: readonly Quotation[], blockStartOf: (offset: number) => number): Entry[] {
  const entries: Entry[] = [];
  let current: Entry | null = null;
  let prevEnd = 0;
  for (const q of quotations) {
    const windowStart = Math.max(prevEnd, blockStartOf(q.outerStart));
    const before = raw.slice(windowStart, q.outerStart);
    if (current && joins(raw, current, q, before, blockStartOf)) {
      current.parts.push(q);
    } else {
      const next = quotations[quotations.indexOf(q) + 1];
      const afterEnd = next ? Math.min(next.outerStart, q.outerEnd + 200) : q.outerEnd + 200;
      // Narration after a quotation that ends its sentence ("…." A teacher said …) speaks of the next one.
      const endsSentence = /\.\s*$/.test(raw.slice(q.start, q.end));
      const after = endsSentence ? '' : raw.slice(q.outerEnd, afterEnd);
      // A block quotation is introduced by the paragraph before it ("One letter … read:").
      const intro = q.shape === 'block' ? introOf(raw, q, blockStartOf) : before;
      let speaker = unshield(proposeSpeaker(shieldLabels(intro), q.shape === 'block' ? '' : after));
      if (speaker.how === 'none' && q.shape !== 'block') {
        // "A crowd … at Odessa's “Slobodka” bazaar complained …: “…”": a label in quotation marks may stand inside the phrase.
        const sentence = raw.slice(Math.max(blockStartOf(q.outerStart), lastSentenceStart(raw, q.outerStart)), q.outerStart);
        const longQuotation = [...sentence.matchAll(/["\u201C]([^"\u201C\u201D]*)["\u201D]/g)].some((m) => (m[1] ?? '').trim().split(/\s+/).length > 2);
        const retry = unshield(proposeSpeaker(shieldLabels(sentence), ''));
        if (!longQuotation && retry.how === 'before') speaker = retry;
      }
      current = { parts: [q], speaker };
      entries.push(current);
    }
    prevEnd = q.outerEnd;
  }
  return entries;
}

/** Stand-ins for the marks around a label, so a phrase can run through it ("an “anti-Soviet leaflet” found in …"). */
const SHIELDS: readonly (readonly [string, string])[] = [
  ['"', '\uE000'],
  ['\u201C', '\uE001'],
  ['\u201D', '\uE002'],
];

/** Marks around one to three words with no sentence punctuation (a label, a name) become letters of the phrase. */
function shieldLabels(text: string): string {
  return text.replace(/(["\u201C])([^"\u201C\u201D.!?;:,]{1,40})(["\u201D])/g, (whole, open: string, inner: string, close: string) =>
    inner.trim().split(/\s+/).length <= 3 && inner.trim() === inner ? `${shield(open)}${inner}${shield(close)}` : whole,
  );
}

function shield(mark: string): string {
  return SHIELDS.find(([m]) => m === mark)?.[1] ?? mark;
}

function unshield(p: SpeakerProposal): SpeakerProposal {
  let speaker = p.speaker;
  for (const [mark, stand] of SHIELDS) speaker = speaker.split(stand).join(mark);
  return { ...p, speaker };
}

function introOf(raw: string, q: Quotation, blockStartOf: (offset: number) => number): string {
  const prevEnd = raw.lastIndexOf('\n\n', q.outerStart);
  if (prevEnd < 0) return '';
  const prevStart = blockStartOf(Math.max(0, prevEnd - 1));
  return raw.slice(prevStart, prevEnd).replace(/:\s*$/, ' said');
}

function joins(raw: string, current: Entry, q: Quotation, narration: string, blockStartOf: (offset: number) => number): boolean {
  const prev = current.parts[current.parts.length - 1] as Quotation;
  // The quotation's own closing punctuation tells whether the narration starts a new sentence.
  const gap = raw.slice(Math.max(prev.start, prev.end - 2), prev.outerEnd) + narration;
  if (q.shape === 'continued') return true;
  // A title or a proverb stands alone: it neither continues nor is continued.
  if (TITLE_CUE.test(raw.slice(Math.max(0, q.outerStart - 80), q.outerStart)) || TITLE_CUE.test(raw.slice(Math.max(0, prev.outerStart - 80), prev.outerStart))) return false;
  if (q.shape === 'block' || prev.shape === 'block') return false;
  // One or two words in marks ("Slobodka") are a label: they never open an utterance that goes on.
  if (current.parts.length === 1 && raw.slice(prev.start, prev.end).trim().split(/\s+/).length <= 2 && proposeSpeaker('', narration).how !== 'after') return false;
  if (blockStartOf(prev.outerEnd - 1) !== blockStartOf(q.outerStart)) return false;
  if (q.outerStart - prev.outerEnd > MAX_GAP) return false;
  // A new sentence that brings its own speaker starts a new utterance.
  const boundary = /[.!?]["”’']*(?:\^\[\d+\]|\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?\s+(?=["“A-Z])/g;
  let lastBoundary = -1;
  let firstBoundary = -1;
  for (const m of gap.matchAll(boundary)) {
    lastBoundary = m.index + m[0].length;
    if (firstBoundary < 0) firstBoundary = lastBoundary;
  }
  const tail = lastBoundary >= 0 ? gap.slice(lastBoundary) : gap;
  // "He recounted an article in which a bookkeeper had …, “…”": one new sentence about the same person, by pronoun,
  // goes on with their words, whoever else it mentions.
  if (lastBoundary >= 0 && firstBoundary === lastBoundary && /^(?:He|She)\s/.test(tail.trim())) return true;
  // Any later sentence of the gap that begins with a new subject ("A crowd of …", "Another emigre recalled …") starts a new utterance.
  if (firstBoundary >= 0) {
    const later = gap.slice(firstBoundary);
    if (proposeSpeaker(later, '').how === 'before' || /(?:^|[.!?]["”’']*\s+)(?:Similarly,\s+|Yet\s+)?(?:A|An|Another|One|Some|Other|Others|Yet another|The)\s/.test(later)) return false;
  }
  const named = proposeSpeaker(tail, '');
  if (named.how === 'before') {
    // "…," recalled a lawyer, "…": the phrase names the speaker of the first part, who goes on.
    const postposed = lastBoundary < 0 && current.parts.length === 1 && current.speaker.how === 'after' && proposeSpeaker('', narration).speaker === current.speaker.speaker;
    return postposed;
  }
  if (lastBoundary >= 0) {
    const words = tail.trim().split(/\s+/).filter(Boolean);
    // A new sentence with a subject of its own ("It compared …", "Both his parents … were") or its own verb of
    // speaking starts a new utterance, even of the same document. One that opens on a subordinate clause or a
    // demonstrative ("When Lenin died, “…”", "This changed in 1929, when “…”", "Because, “…”") names no one new.
    const opensClause = CLAUSE_OPENERS.test(words[0] ?? '');
    if ((words.length >= 3 && !opensClause) || hasSpeechVerb(tail)) return false;
  }
  return true;
}

/**
 * Words to record in excluded.json: the quotation with its marks, widened to
 * the left until its first occurrence in the text is this one (the check
 * finds an exclusion by its first occurrence).
 */
export function uniqueExcerpt(raw: string, start: number, end: number): string {
  const mapped = normaliseMapped(raw);
  let from = start;
  for (let guard = 0; guard < 40; guard++) {
    const text = raw.slice(from, end);
    const at = mapped.text.indexOf(normalise(text));
    if (at >= 0 && (mapped.origin[at] ?? -1) === from + (text.length - text.trimStart().length)) return text.trim();
    const prevSpace = raw.lastIndexOf(' ', from - 2);
    if (prevSpace < 0) break;
    from = prevSpace + 1;
  }
  return raw.slice(from, end).trim();
}
