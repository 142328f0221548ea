/**
 * The essay around a quote: the narration that introduces it (indexed for
 * search, so "Smolny" or "Ivanovo" find the quotes the essay sets there) and
 * the surrounding sentences shown by the Context button.
 */
import { paragraphs, type Paragraph } from './text.js';
import type { Corpus, ExcludedRun, NarrationRun, Quote, QuoteNarration, Source } from './types.js';

interface Span {
  readonly start: number;
  readonly end: number;
  readonly quoteId: string;
}

/** Per source: its paragraphs, every located part, in source order, and every quotation with its marks. */
export interface SourceLayout {
  readonly source: Source;
  readonly paragraphs: readonly Paragraph[];
  readonly spans: readonly Span[];
  readonly units: readonly QuotedUnit[];
}

export function layoutSources(corpus: Corpus): Map<string, SourceLayout> {
  const out = new Map<string, SourceLayout>();
  for (const source of corpus.sources) {
    const spans = corpus.quotes
      .filter((q) => q.sourceId === source.id)
      .flatMap((q) => q.location.spans.map(([start, end]) => ({ start, end, quoteId: q.id })))
      .sort((a, b) => a.start - b.start);
    out.set(source.id, { source, paragraphs: paragraphs(source.text), spans, units: quotedUnits(source.text, spans, source.excluded) });
  }
  return out;
}

/**
 * A quotation of the source with its own quotation marks: a part of a curated
 * quote (`quoteId`), or words of excluded.json (`quoteId` null), which are the
 * essay's own narration where `narration` is true and another voice otherwise.
 */
export interface QuotedUnit {
  readonly start: number;
  readonly end: number;
  readonly quoteId: string | null;
  readonly narration: boolean;
}

const OPENING_MARK = /["“„‘']/;
const CLOSING_MARK = /["”’']/;

/** Every quotation in the source, each widened over the marks that open and close it, in source order. */
export function quotedUnits(text: string, spans: readonly Span[], excluded: readonly ExcludedRun[]): QuotedUnit[] {
  return [
    ...spans.map((s) => ({ start: withOpeningMarks(text, s.start), end: withClosingMarks(text, s.end), quoteId: s.quoteId, narration: false })),
    ...excluded.map((x) => ({ start: withOpeningMarks(text, x.start), end: withClosingMarks(text, x.end), quoteId: null, narration: x.narration })),
  ].sort((a, b) => a.start - b.start || b.end - a.end);
}

function withOpeningMarks(text: string, start: number): number {
  let i = start;
  while (i > 0 && OPENING_MARK.test(text.charAt(i - 1))) i--;
  return i;
}

/** Past the marks that close a quotation, and the punctuation set inside them (`…first began,” recalled`). */
function withClosingMarks(text: string, end: number): number {
  let j = end;
  while (j < text.length && /[.,;:!?…]/.test(text.charAt(j))) j++;
  if (!CLOSING_MARK.test(text.charAt(j))) return end;
  while (j < text.length && CLOSING_MARK.test(text.charAt(j))) j++;
  return j;
}

/** A quotation mark in the source and what it does there. */
export interface QuotationMark {
  readonly at: number;
  /** “ ” and " are double marks; ‘ ’ and ' single ones (also apostrophes). */
  readonly double: boolean;
  readonly role: 'open' | 'close' | 'apostrophe';
}

const LETTER = /[\p{L}\p{N}]/u;

/**
 * The quotation marks in text[start, end), each read as opening, closing or
 * (a single one) an apostrophe. A straight mark opens before a word and after
 * a space, and closes elsewhere; a curly single one between letters, or with
 * no single quotation open ("workers’ wives"), is an apostrophe.
 */
export function quotationMarks(text: string, start: number, end: number): QuotationMark[] {
  const out: QuotationMark[] = [];
  let singlesOpen = 0;
  for (let i = start; i < end; i++) {
    const ch = text.charAt(i);
    const before = text.charAt(i - 1);
    const after = text.charAt(i + 1);
    const opensHere = (i === 0 || /[\s([—–-]/.test(before)) && after !== '' && !/\s/.test(after);
    if (ch === '“' || ch === '„') out.push({ at: i, double: true, role: 'open' });
    else if (ch === '”') out.push({ at: i, double: true, role: 'close' });
    else if (ch === '"') out.push({ at: i, double: true, role: opensHere ? 'open' : 'close' });
    else if (ch === '‘' || ch === '’' || ch === "'") {
      const between = LETTER.test(before) && LETTER.test(after);
      let role: QuotationMark['role'];
      if (ch === '‘' || (ch === "'" && opensHere)) role = 'open';
      else if (between || singlesOpen === 0) role = 'apostrophe';
      else role = 'close';
      if (role === 'open') singlesOpen++;
      if (role === 'close') singlesOpen--;
      out.push({ at: i, double: false, role });
    }
  }
  return out;
}

/** The marks of text[start, end) that open a quotation it does not close, or close one it did not open. */
export function unbalancedMarks(text: string, start: number, end: number): QuotationMark[] {
  const open: QuotationMark[] = [];
  const bad: QuotationMark[] = [];
  for (const m of quotationMarks(text, start, end)) {
    if (m.role === 'open') open.push(m);
    else if (m.role === 'close') {
      const match = open.findLastIndex((o) => o.double === m.double);
      if (match < 0) bad.push(m);
      else bad.push(...open.splice(match).slice(1));
    }
  }
  return [...bad, ...open].sort((a, b) => a.at - b.at);
}

/** How much of the sentence before a quote to show at most; a longer one is shown from a word inside it, after "…". */
const MAX_LEAD_IN = 160;
/** Narration longer than this between two parts is summarised as […]. */
const MAX_BRIDGE = 240;

/**
 * The essay's narration shown with a quote: the words of its sentence before
 * the first part ("A Ukrainian driver also stated that Lenin warned"), and
 * the words between its parts. Each is one run of the source's own
 * characters, so the reader sees the essay as it reads, and never holds
 * another voice: it starts after any other quotation that is not the essay's
 * own (another quote's words, a historian's, an interviewer's), and after any
 * quotation mark the essay leaves unmatched in it, so its marks are balanced.
 * A quote set inside another voice's words has no lead-in at all.
 */
export function quoteNarration(
  text: string,
  paras: readonly Paragraph[],
  units: readonly QuotedUnit[],
  quote: { readonly id: string; readonly spans: readonly (readonly [number, number])[] },
): QuoteNarration {
  const voices = units.filter((u) => u.quoteId !== quote.id && !u.narration);
  const bridges: (NarrationRun | null)[] = [];
  for (let i = 1; i < quote.spans.length; i++) {
    const prev = quote.spans[i - 1];
    const cur = quote.spans[i];
    if (!prev || !cur) continue;
    const run = trimmed(text, withClosingMarks(text, prev[1]), Math.max(withClosingMarks(text, prev[1]), withOpeningMarks(text, cur[0])));
    const clean = run.end - run.start <= MAX_BRIDGE && !voices.some((v) => v.start < run.end && v.end > run.start) && unbalancedMarks(text, run.start, run.end).length === 0;
    bridges.push(clean ? { ...run, midSentence: false } : null);
  }
  return { lead: leadIn(text, paras, units, voices, quote.spans[0]), bridges };
}

function leadIn(
  text: string,
  paras: readonly Paragraph[],
  units: readonly QuotedUnit[],
  voices: readonly QuotedUnit[],
  first: readonly [number, number] | undefined,
): NarrationRun | null {
  if (!first) return null;
  const end = withOpeningMarks(text, first[0]);
  // Set inside another voice's words (the refrain a historian quotes): the words just before it are hers.
  if (voices.some((v) => v.start < end && v.end > end)) return null;
  const para = paras.find((p) => first[0] >= p.start && first[0] < p.end);
  if (!para) return null;
  // A block that starts mid-sentence continues the one before it.
  const region = /^[a-z]/.test(text.charAt(para.start)) ? (paras[para.index - 2]?.start ?? para.start) : para.start;
  const inside = (at: number) => units.some((u) => at > u.start && at < u.end);
  let sentence = region;
  const stop = /[.!?]["”’')]*(?:\^\[\d+\]|\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?\s+(?=["“‘]?[A-Z0-9])/g;
  // Up to the quote's first word, so that a sentence starting at its opening mark is seen.
  for (const m of text.slice(region, first[0] + 1).matchAll(stop)) {
    const at = region + m.index + m[0].length;
    if (!inside(at)) sentence = Math.min(at, end);
  }
  sentence = skipJoints(text, sentence, end);
  let start = balancedFrom(text, Math.max(sentence, ...voices.filter((v) => v.end <= end && v.end > region).map((v) => v.end)), end);
  if (end - start > MAX_LEAD_IN) {
    // From a word inside the sentence, never from inside a quotation the narration holds.
    let cut = end - MAX_LEAD_IN;
    while (cut < end && !/\s/.test(text.charAt(cut - 1))) cut++;
    const unit = units.find((u) => cut > u.start && cut < u.end);
    start = balancedFrom(text, unit ? unit.end : cut, end);
  }
  const run = trimmed(text, start, end);
  if (!LETTER.test(text.slice(run.start, run.end))) return null;
  return { ...run, midSentence: run.start > sentence };
}

/** The first offset from `start` after which text[·, end) opens and closes each quotation it holds. */
function balancedFrom(text: string, start: number, end: number): number {
  let from = skipJoints(text, start, end);
  for (let bad = unbalancedMarks(text, from, end); bad.length > 0; bad = unbalancedMarks(text, from, end)) {
    from = skipJoints(text, Math.max(...bad.map((m) => m.at)) + 1, end);
  }
  return from;
}

/** Past spaces, note markers and the punctuation that joins a clause to what came before. */
function skipJoints(text: string, start: number, end: number): number {
  const m = /^(?:\s|[,;:.!?—–-]|\^\[\d+\]|\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)+/.exec(text.slice(start, end));
  return start + (m ? m[0].length : 0);
}

function trimmed(text: string, start: number, end: number): { start: number; end: number } {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text.charAt(s))) s++;
  while (e > s && /\s/.test(text.charAt(e - 1))) e--;
  return { start: s, end: e };
}

function paragraphAt(layout: SourceLayout, offset: number): Paragraph | undefined {
  return layout.paragraphs.find((p) => offset >= p.start && offset < p.end) ?? layout.paragraphs.find((p) => p.start >= offset);
}

/**
 * The essay's own words about a quote: the paragraph's opening sentence, the
 * narration since the previous quotation, and the narration between its parts.
 * Quotation marks are dropped; other quotes' words are not included.
 */
export function narrationFor(layout: SourceLayout, quote: Quote): string {
  const first = quote.location.spans[0];
  const last = quote.location.spans[quote.location.spans.length - 1];
  if (!first || !last) return '';
  const para = paragraphAt(layout, first[0]);
  if (!para) return '';
  const text = layout.source.text;
  // A block that starts mid-sentence continues the one before it: the paragraph really starts there.
  const start = /^[a-z]/.test(text.slice(para.start, para.start + 1)) ? (layout.paragraphs[para.index - 2]?.start ?? para.start) : para.start;
  // Its opening sentence, up to the first quotation in it: the essay's words only.
  const firstQuoted = layout.spans.find((s) => s.start >= start)?.start ?? para.end;
  const lead = firstSentence(text.slice(start, Math.min(firstQuoted, para.end)));
  const previousEnd = layout.spans.filter((s) => s.end <= first[0] && s.quoteId !== quote.id).reduce((max, s) => Math.max(max, s.end), start);
  const pieces = [text.slice(Math.max(previousEnd, start), first[0])];
  for (let i = 1; i < quote.location.spans.length; i++) {
    const prev = quote.location.spans[i - 1];
    const cur = quote.location.spans[i];
    if (prev && cur) pieces.push(text.slice(prev[1], cur[0]));
  }
  const narration = [lead, ...pieces].join(' ');
  return narration.replace(/\^\[\d+\]|\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+/g, ' ').replace(/["“”]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Each quote's narration (see narrationFor), for indexing. */
export function narrationOf(layouts: ReadonlyMap<string, SourceLayout>): (quote: Quote) => string {
  return (q) => {
    const layout = layouts.get(q.sourceId);
    return layout ? narrationFor(layout, q) : '';
  };
}

function firstSentence(paragraph: string): string {
  const m = /^[\s\S]*?[.!?](?=\s|$)/.exec(paragraph);
  return (m ? m[0] : paragraph).replace(/["“”][\s\S]*$/, '');
}

/** A piece of the context excerpt: essay narration, or words of the quote itself. */
export interface ContextPiece {
  readonly text: string;
  readonly quoted: boolean;
}

export interface ContextExcerpt {
  readonly pieces: readonly ContextPiece[];
  /** True when the excerpt starts or ends inside a paragraph (show an ellipsis). */
  readonly trimmedStart: boolean;
  readonly trimmedEnd: boolean;
}

/**
 * The quote's sentences plus `around` sentences either side, within its
 * paragraph(s). A paragraph the source splits mid-sentence is read as one.
 */
export function contextExcerpt(layout: SourceLayout, quote: Quote, around = 1): ContextExcerpt {
  const text = layout.source.text;
  const first = quote.location.spans[0];
  const last = quote.location.spans[quote.location.spans.length - 1];
  if (!first || !last) return { pieces: [], trimmedStart: false, trimmedEnd: false };
  const startPara = paragraphAt(layout, first[0]);
  const endPara = paragraphAt(layout, last[1] - 1);
  const blockStart = startPara?.start ?? first[0];
  const blockEnd = endPara?.end ?? last[1];

  // A full stop inside a quotation does not end the essay's sentence: cut only between the essay's sentences,
  // so no other voice's words appear without the narration that says whose they are.
  const bounds = sentenceStarts(text, blockStart, blockEnd).filter((at) => !layout.units.some((u) => at > u.start && at < u.end));
  const sentenceIndexOf = (offset: number) => {
    let i = 0;
    while (i + 1 < bounds.length && (bounds[i + 1] ?? Infinity) <= offset) i++;
    return i;
  };
  const fromSentence = Math.max(0, sentenceIndexOf(first[0]) - around);
  const toSentence = Math.min(bounds.length - 1, sentenceIndexOf(last[1] - 1) + around);
  // Never cut inside a quotation, this quote's or another's, nor between one and its marks: widen to whole ones.
  let from = Math.min(bounds[fromSentence] ?? blockStart, first[0]);
  let to = Math.max(toSentence + 1 < bounds.length ? (bounds[toSentence + 1] ?? blockEnd) : blockEnd, last[1]);
  for (let widened = true; widened; ) {
    widened = false;
    for (const u of layout.units) {
      if (u.start < from && u.end > from) [from, widened] = [u.start, true];
      if (u.start < to && u.end > to) [to, widened] = [u.end, true];
    }
  }
  to = Math.max(to, extendOverClosingMarks(text, to, blockEnd));

  const pieces: ContextPiece[] = [];
  let at = from;
  for (const [s, e] of quote.location.spans) {
    if (s > at) pieces.push({ text: text.slice(at, s), quoted: false });
    pieces.push({ text: text.slice(s, e), quoted: true });
    at = e;
  }
  if (to > at) pieces.push({ text: text.slice(at, to), quoted: false });
  const clean = pieces
    .map((p) => ({ quoted: p.quoted, text: p.text.replace(/\s*\n\s*\n\s*/g, ' ').replace(/\s+/g, ' ') }))
    .filter((p) => p.text.length > 0);
  const firstPiece = clean[0];
  if (firstPiece && !firstPiece.quoted) clean[0] = { ...firstPiece, text: firstPiece.text.trimStart() };
  const lastPiece = clean[clean.length - 1];
  if (lastPiece && !lastPiece.quoted) clean[clean.length - 1] = { ...lastPiece, text: lastPiece.text.trimEnd() };
  return { pieces: clean, trimmedStart: from > blockStart, trimmedEnd: to < blockEnd };
}

/** Offsets where sentences begin within [start, end). Heuristic, but it only decides how much to show. */
function sentenceStarts(text: string, start: number, end: number): number[] {
  const out = [start];
  const re = /[.!?]["”’)]*(?:\^\[\d+\]|\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?\s+(?=["“]?[A-Z0-9])/g;
  re.lastIndex = start;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && m.index < end) {
    const next = m.index + m[0].length;
    if (next < end) out.push(next);
  }
  return out;
}

function extendOverClosingMarks(text: string, at: number, limit: number): number {
  let i = at;
  while (i < limit && /["”’^[\]0-9]/.test(text[i] ?? '')) i++;
  return i;
}
