/**
 * A quote's words as a reader sees them: the speaker's words in quotation
 * marks and, between and before them, the essay's own narration exactly as
 * the essay reads. Nothing is left out silently: where narration separates
 * two parts ("… into the mud” while Lenin, “walks around the puddles.”), the
 * reader sees it, because leaving it out can turn the meaning around.
 *
 * The only changes from the source are typographic, and /about lists them:
 * - each quoted part sits in curly double marks; marks inside it become single
 *   ones, and straight single marks are set curly;
 * - the essay author's glosses, "(secret police)", become "[secret police]";
 * - the essay's narration is taken without its own quotation marks and notes.
 * The essay's sentence up to the first part comes first ("A Ukrainian driver
 * also stated that Lenin warned …", "Stalin, according to another interviewee,
 * …"), so the reader knows whose words they are and who "he" is.
 */
import type { Quote, Source } from '../corpus/types.js';

export interface QuoteSegment {
  readonly text: string;
  /** True for the speaker's words; false for the essay's narration around them. */
  readonly quoted: boolean;
}

/** How much of the sentence before a mid-sentence fragment to show. */
const MAX_LEAD_IN = 160;
/** Narration longer than this between two parts is summarised as […]. */
const MAX_BRIDGE = 240;

export function quoteSegments(q: Quote, source: Source | undefined): QuoteSegment[] {
  const text = source?.text;
  const out: QuoteSegment[] = [];
  const first = q.location.spans[0];
  if (text && first) {
    const lead = leadIn(text, first[0]);
    if (lead) out.push({ text: lead, quoted: false });
  }
  q.parts.forEach((part, i) => {
    if (i > 0) {
      const prev = q.location.spans[i - 1];
      const cur = q.location.spans[i];
      const bridge = text && prev && cur ? narration(text.slice(prev[1], cur[0])) : '';
      if (bridge.length > MAX_BRIDGE) out.push({ text: '[…]', quoted: false });
      else if (bridge) out.push({ text: bridge, quoted: false });
    }
    out.push({ text: typeset(q, part), quoted: true });
  });
  return out;
}

/** The quote as plain text: parts in “ ”, narration as written. */
export function quoteBody(q: Quote, source: Source | undefined): string {
  return quoteSegments(q, source)
    .map((s) => (s.quoted ? `“${s.text}”` : s.text))
    .join(' ');
}

/**
 * The essay's words between or before quoted parts: the marks that open and
 * close the neighbouring parts and the note markers removed; a quotation
 * inside the narration ("the old Russian adage “if the Tsar only knew”") keeps
 * its marks, as single ones, since the whole sits inside our own.
 */
export function narration(raw: string): string {
  const inner = raw
    .replace(/\^\[\d+\]/g, ' ')
    // The essay marks titles with *asterisks*; the narration is shown in italics already.
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replace(/\s+/g, ' ')
    // The marks that open and close the neighbouring parts (a single one where a part is quoted within a quotation).
    .replace(/^[\s"“”’]+|[\s"“”‘]+$/g, '');
  return inner.replace(/["“”]/g, (m, at: number) => (m === '“' || (m === '"' && /\S/.test(inner[at + 1] ?? '') && !/\S/.test(inner[at - 1] ?? '')) ? '‘' : '’'));
}

function leadIn(text: string, at: number): string {
  const before = text.slice(Math.max(0, at - 600), at);
  // The sentence start: after the last full stop (or ? !) followed by a capital, or after a blank line.
  const starts = [...before.matchAll(/(?:[.!?]["”’')]*(?:\^\[\d+\])?\s+(?=["“]?(?:[A-Z]|$))|\n[ \t]*\n)/g)];
  const last = starts[starts.length - 1];
  let lead = narration(last ? before.slice(last.index + last[0].length) : before);
  if (lead.length > MAX_LEAD_IN) {
    const cut = lead.slice(lead.length - MAX_LEAD_IN);
    lead = `…${cut.slice(cut.indexOf(' ') + 1)}`;
  }
  return lead;
}

function typeset(q: Quote, part: string): string {
  let text = part;
  for (const g of q.glosses) text = text.split(g).join(`[${g.replace(/^\(|\)$/g, '')}]`);
  let open = true;
  const nested = text.replace(/["“”]/g, (m) => {
    if (m === '“') return '‘';
    if (m === '”') return '’';
    const out = open ? '‘' : '’';
    open = !open;
    return out;
  });
  // A straight single mark opens a quotation before a word and is an apostrophe or a closing mark elsewhere.
  return nested.replace(/(^|[\s(—-])'(?=\S)/g, '$1‘').replace(/'/g, '’');
}
