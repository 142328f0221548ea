/**
 * Finding every quotation in a text, as printed: straight, curly and mixed
 * double marks; single marks inside them are part of the words; a quotation
 * that runs on across a blank line where the text breaks mid-sentence; the
 * one-paragraph-per-opening-mark convention of a quotation over several
 * paragraphs; opening and closing marks the text forgot; block quotations.
 *
 * Offsets are raw offsets into the source text, so every part is the text's
 * own characters.
 */
import type { Paragraph } from '../text.js';

export interface Quotation {
  /** Raw offsets of the quoted words, marks excluded. */
  readonly start: number;
  readonly end: number;
  /** Raw offsets including the marks that stand around it (for exclusions and coverage). */
  readonly outerStart: number;
  readonly outerEnd: number;
  /** 0-based index into the paragraphs. */
  readonly paragraph: number;
  /** How it was delimited; anything but 'closed' is a trap a reviewer should see. */
  readonly shape: 'closed' | 'unclosed' | 'unopened' | 'block' | 'continued';
}

/** Where a stray closing mark stands (a quotation closed that was never opened). */
export interface StrayMark {
  readonly at: number;
  readonly paragraph: number;
}

const OPENING_CONTEXT = /[\s([{\u2014\u2013/-]/;

type MarkKind = 'open' | 'close' | 'either';

function classify(raw: string, i: number): MarkKind {
  const ch = raw[i];
  if (ch === '\u201C' || ch === '\u201E') return 'open';
  if (ch === '\u201D') return 'close';
  const before = i === 0 ? ' ' : (raw[i - 1] as string);
  const after = i + 1 >= raw.length ? ' ' : (raw[i + 1] as string);
  const spaceAfter = /\s/.test(after);
  if (OPENING_CONTEXT.test(before) && !spaceAfter) return 'open';
  if (!/\s/.test(before) && (spaceAfter || /[.,;:!?)\]\u2014-]/.test(after))) return 'close';
  return 'either';
}

/** A text block is a continuation when the text broke mid-sentence: it starts in lowercase. */
export function continuesPrevious(raw: string, para: Paragraph): boolean {
  return /^[a-z]/.test(raw.slice(para.start, para.start + 1));
}

/** The trailing note marker and spaces of an unclosed quotation's paragraph are the text's, not the speaker's. */
function trimEnd(raw: string, start: number, end: number): number {
  const tail = /(?:\s|\^\[\d+\]|\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)+$/u.exec(raw.slice(start, end));
  return tail ? end - tail[0].length : end;
}

export function findQuotations(raw: string, paras: readonly Paragraph[], bodyEnd: number): { quotations: Quotation[]; strays: StrayMark[] } {
  const quotations: Quotation[] = [];
  const strays: StrayMark[] = [];
  const body = paras.filter((p) => p.start < bodyEnd);
  let open: { at: number; curly: boolean; paragraph: number; shape: Quotation['shape']; nested: boolean } | null = null;

  const finish = (end: number, outerEnd: number, shape: Quotation['shape']) => {
    if (!open) return;
    const start = open.at + 1;
    const words = raw.slice(start, end);
    const lead = words.length - words.trimStart().length;
    const stop = trimEnd(raw, start, end);
    if (stop > start + lead) quotations.push({ start: start + lead, end: stop, outerStart: open.at, outerEnd, paragraph: open.paragraph, shape: open.shape === 'continued' ? 'continued' : shape });
    open = null;
  };

  body.forEach((para, pi) => {
    const next = body[pi + 1];
    const end = Math.min(para.end, bodyEnd);
    if (!open && isBlockQuotation(raw, para, body[pi - 1])) {
      const lead = /^[ \t>]*/.exec(raw.slice(para.start, end))?.[0].length ?? 0;
      const stop = trimEnd(raw, para.start, end);
      quotations.push({ start: para.start + lead, end: stop, outerStart: para.start, outerEnd: stop, paragraph: pi, shape: 'block' });
      return;
    }
    for (let i = para.start; i < end; i++) {
      const ch = raw[i] as string;
      if (ch !== '"' && ch !== '\u201C' && ch !== '\u201D' && ch !== '\u201E') continue;
      const kind = classify(raw, i);
      if (!open) {
        if (kind === 'close') strays.push({ at: i, paragraph: pi });
        else open = { at: i, curly: ch !== '"', paragraph: pi, shape: 'closed', nested: false };
        continue;
      }
      if (open.curly && ch === '"' && kind === 'open' && pairedBefore(raw, i, end)) {
        // A straight pair inside a curly quotation is a quotation within it: part of the words.
        i = raw.indexOf('"', i + 1);
        continue;
      }
      if (kind === 'open') {
        // "…He said, "Don't…": an opening mark right after a comma or colon inside a quotation is
        // the speaker quoting someone; otherwise the earlier quotation was never closed.
        if (/[,:]\s*$/.test(raw.slice(Math.max(open.at, i - 3), i))) {
          open.nested = true;
          continue;
        }
        finish(trimEnd(raw, open.at + 1, i), i, 'unclosed');
        open = { at: i, curly: ch !== '"', paragraph: pi, shape: 'closed', nested: false };
        continue;
      }
      // A closing mark inside a quoted quotation closes the inner one when another closing mark follows
      // ("he would say: “Lenin is very good”. But … careful.”"); otherwise the inner one was never closed.
      if (open.nested) {
        open.nested = false;
        if (nextMarkCloses(raw, i + 1, end)) continue;
      }
      finish(i, i + 1, 'closed');
    }
    if (open) {
      if (next && continuesPrevious(raw, next)) return; // the text broke mid-sentence: the quotation runs on
      finish(end, end, 'unclosed');
    }
  });
  // Quotations over several paragraphs: each paragraph reopens, only the last closes.
  return { quotations: markContinuations(raw, quotations, body), strays };
}

/** A quotation left open at a paragraph whose next paragraph opens another continues there: one utterance. */
function markContinuations(raw: string, quotations: Quotation[], body: readonly Paragraph[]): Quotation[] {
  return quotations.map((q, i) => {
    const prev = quotations[i - 1];
    if (!prev || prev.shape !== 'unclosed' || q.paragraph !== prev.paragraph + 1) return q;
    const para = body[q.paragraph];
    if (!para || !/^[ \t]*["\u201C\u201E]/.test(raw.slice(para.start, para.start + 4)) || q.outerStart > para.start + 4) return q;
    return { ...q, shape: 'continued' as const };
  });
}

function nextMarkCloses(raw: string, from: number, end: number): boolean {
  for (let j = from; j < end; j++) {
    const c = raw[j];
    if (c === '"' || c === '\u201C' || c === '\u201D' || c === '\u201E') return classify(raw, j) === 'close';
  }
  return false;
}

function pairedBefore(raw: string, i: number, end: number): boolean {
  const closeCurly = raw.indexOf('\u201D', i + 1);
  const straight = raw.indexOf('"', i + 1);
  return straight >= 0 && straight < end && (closeCurly < 0 || straight < closeCurly);
}

/**
 * A block quotation: a paragraph indented by two spaces, a tab or "> ", or
 * one that follows a paragraph ending in a colon and has no marks of its own.
 */
function isBlockQuotation(raw: string, para: Paragraph, prev: Paragraph | undefined): boolean {
  const text = raw.slice(para.start, para.end);
  if (/["\u201C\u201D\u201E]/.test(text)) return false;
  if (/^(?: {2,}|\t|> ?)\S/.test(text)) return true;
  if (!prev) return false;
  const before = raw.slice(prev.start, prev.end).trimEnd();
  return before.endsWith(':') && !/^\s*(?:#|\*\*)/.test(text) && text.trim().split(/\s+/).length >= 4;
}
