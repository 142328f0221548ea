/**
 * The essay around a quote: the narration that introduces it (indexed for
 * search, so "Smolny" or "Ivanovo" find the quotes the essay sets there) and
 * the surrounding sentences shown by the Context button.
 */
import { paragraphs, type Paragraph } from './text.js';
import type { Corpus, Quote, Source } from './types.js';

interface Span {
  readonly start: number;
  readonly end: number;
  readonly quoteId: string;
}

/** Per source: its paragraphs and every located part, in source order. */
export interface SourceLayout {
  readonly source: Source;
  readonly paragraphs: readonly Paragraph[];
  readonly spans: readonly Span[];
}

export function layoutSources(corpus: Corpus): Map<string, SourceLayout> {
  const out = new Map<string, SourceLayout>();
  for (const source of corpus.sources) {
    const spans = corpus.quotes
      .filter((q) => q.sourceId === source.id)
      .flatMap((q) => q.location.spans.map(([start, end]) => ({ start, end, quoteId: q.id })))
      .sort((a, b) => a.start - b.start);
    out.set(source.id, { source, paragraphs: paragraphs(source.text), spans });
  }
  return out;
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
  return narration.replace(/\^\[\d+\]/g, ' ').replace(/["“”]/g, ' ').replace(/\s+/g, ' ').trim();
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
  const bounds = sentenceStarts(text, blockStart, blockEnd).filter((at) => !layout.spans.some((s) => at > s.start && at < s.end));
  const sentenceIndexOf = (offset: number) => {
    let i = 0;
    while (i + 1 < bounds.length && (bounds[i + 1] ?? Infinity) <= offset) i++;
    return i;
  };
  const fromSentence = Math.max(0, sentenceIndexOf(first[0]) - around);
  const toSentence = Math.min(bounds.length - 1, sentenceIndexOf(last[1] - 1) + around);
  // Never cut inside another quotation's words or this quote's: widen to whole spans.
  let from = Math.min(bounds[fromSentence] ?? blockStart, first[0]);
  let to = Math.max(toSentence + 1 < bounds.length ? (bounds[toSentence + 1] ?? blockEnd) : blockEnd, last[1]);
  for (const s of layout.spans) {
    if (s.start < from && s.end > from) from = s.start;
    if (s.start < to && s.end > to) to = s.end;
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
  const re = /[.!?]["”’)]*(?:\^\[\d+\])?\s+(?=["“]?[A-Z0-9])/g;
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
