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
 * - the essay's narration is one run of the essay's characters, without its
 *   note markers and title asterisks, its quotation marks set as single ones
 *   (see narrationText).
 * The essay's sentence up to the first part comes first ("A Ukrainian driver
 * also stated that Lenin warned …", "Stalin, according to another interviewee,
 * …"), so the reader knows whose words they are and who "he" is; it never
 * holds another voice's words (corpus/context.ts says where it starts).
 */
import { quotationMarks } from '../corpus/context.js';
import type { NarrationRun, Quote, Source } from '../corpus/types.js';

export interface QuoteSegment {
  readonly text: string;
  /** True for the speaker's words; false for the essay's narration around them. */
  readonly quoted: boolean;
}

/** The quote's parts and the essay's narration before and between them (found by the corpus: corpus/context). */
export function quoteSegments(q: Quote, source: Source | undefined): QuoteSegment[] {
  const text = source?.text;
  const { lead, bridges } = q.location.narration;
  const out: QuoteSegment[] = [];
  if (text && lead) out.push({ text: narrationText(text, lead), quoted: false });
  q.parts.forEach((part, i) => {
    if (i > 0) {
      const bridge = bridges[i - 1];
      // Narration not shown as it stands (too long, or holding another voice) is marked, never dropped silently.
      if (bridge === null) out.push({ text: '[…]', quoted: false });
      else if (text && bridge && bridge.end > bridge.start) out.push({ text: narrationText(text, bridge), quoted: false });
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
 * A run of the essay's narration as shown: its note markers removed, its
 * *titles* without asterisks (the narration is in italics already), any run of
 * whitespace one space, and its quotation marks single curly ones (‘Anti-Soviet
 * speeches’), so that only the speaker's words stand in double marks. A run
 * that starts inside the essay's sentence begins with "…".
 */
export function narrationText(text: string, run: NarrationRun): string {
  const marks = new Map(quotationMarks(text, run.start, run.end).map((m) => [m.at, m]));
  let out = '';
  for (let i = run.start; i < run.end; i++) {
    const m = marks.get(i);
    const ch = text.charAt(i);
    out += m && (m.double || ch === "'") && m.role !== 'apostrophe' ? (m.role === 'open' ? '‘' : '’') : ch;
  }
  const shown = out
    .replace(/\^\[\d+\]/g, ' ')
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  return run.midSentence ? `…${shown}` : shown;
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
