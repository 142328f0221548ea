/**
 * How a source marks its notes, and where its notes stand: the one rule the
 * check applies and the drafter proposes from, so a draft rests each quote on
 * exactly the note the check will expect.
 *
 * Markers in the body: `^[n]` (caret, the default), `[n]` (bracket) or
 * superscript digits `¹²` (superscript). The notes themselves stand in a
 * closing section headed Notes, Endnotes, Footnotes, References or Sources,
 * one item per line, numbered `^[n]`, `[n]`, `n.`, `n)` or with superscript
 * digits; an item may wrap onto following lines until a blank line or the
 * next item.
 */

export const MARKER_STYLES = ['caret', 'bracket', 'superscript'] as const;
export type MarkerStyle = (typeof MARKER_STYLES)[number];

const SUPERSCRIPT_DIGITS = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const SUPERSCRIPT_RUN = /[⁰¹²³⁴⁵⁶⁷⁸⁹]+/gu;

/** The heading that opens the closing notes section, on a line of its own (Markdown # and a colon allowed). */
const HEADING = /^[ \t]*(?:#{1,6}[ \t]*)?\**(Notes|Endnotes|Footnotes|References|Sources)\**[ \t]*:?[ \t]*$/gim;

/** One numbered item of the notes section: `^[3] `, `[3] `, `3. `, `3) ` or `³ `. */
const ITEM = /^[ \t]*(?:\^\[(\d+)\]|\[(\d+)\]|(\d+)[.)]|([⁰¹²³⁴⁵⁶⁷⁸⁹]+))[ \t]+(\S.*)$/u;

export function superscriptValue(run: string): number {
  let n = 0;
  for (const ch of run) n = n * 10 + SUPERSCRIPT_DIGITS.indexOf(ch);
  return n;
}

export interface NoteItem {
  readonly n: number;
  /** The item's text after its number, lines joined by one space. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface NotesSection {
  /** Offset where the body ends: the heading line of the notes section, or the end of the text. */
  readonly bodyEnd: number;
  readonly heading: string | null;
  readonly items: readonly NoteItem[];
}

/**
 * The closing notes section: the last heading line followed by numbered
 * items. A source with no heading still counts as ending in notes when it
 * ends in a run of `^[n]` items (the essay's own convention).
 */
export function notesSection(raw: string): NotesSection {
  let best: { at: number; after: number; heading: string } | null = null;
  for (const m of raw.matchAll(HEADING)) {
    const after = m.index + m[0].length;
    if (parseItems(raw, after).length > 0) best = { at: m.index, after, heading: m[1] as string };
  }
  if (best) return { bodyEnd: best.at, heading: best.heading, items: parseItems(raw, best.after) };
  const firstCaretItem = raw.search(/^\^\[1\][ \t]/m);
  if (firstCaretItem >= 0) return { bodyEnd: firstCaretItem, heading: null, items: parseItems(raw, firstCaretItem) };
  return { bodyEnd: raw.length, heading: null, items: [] };
}

function parseItems(raw: string, from: number): NoteItem[] {
  const items: { n: number; lines: string[]; start: number; end: number }[] = [];
  let offset = from;
  let blank = false;
  for (const line of raw.slice(from).split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    const m = ITEM.exec(line);
    if (m) {
      const n = m[4] ? superscriptValue(m[4]) : Number(m[1] ?? m[2] ?? m[3]);
      items.push({ n, lines: [(m[5] as string).trim()], start: lineStart, end: lineStart + line.length });
      blank = false;
    } else if (line.trim() === '') {
      blank = true;
    } else {
      const last = items[items.length - 1];
      // A wrapped item continues on the next line; prose after a blank line ends the section.
      if (!last || blank) break;
      last.lines.push(line.trim());
      last.end = lineStart + line.length;
    }
  }
  return items.map((i) => ({ n: i.n, text: i.lines.join(' '), start: i.start, end: i.end }));
}

/** Every marker of that style in the body, with its note number and offsets. */
export function markersIn(raw: string, style: MarkerStyle, bodyEnd: number = notesSection(raw).bodyEnd): { n: number; start: number; end: number }[] {
  const body = raw.slice(0, bodyEnd);
  const out: { n: number; start: number; end: number }[] = [];
  if (style === 'superscript') {
    for (const m of body.matchAll(SUPERSCRIPT_RUN)) out.push({ n: superscriptValue(m[0]), start: m.index, end: m.index + m[0].length });
  } else {
    const re = style === 'caret' ? /\^\[(\d+)\]/g : /(?<!\^)\[(\d+)\]/g;
    for (const m of body.matchAll(re)) out.push({ n: Number(m[1]), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** How a marker of that style is written, for messages. */
export function markerLabel(style: MarkerStyle, n: number): string {
  if (style === 'caret') return `^[${n}]`;
  if (style === 'bracket') return `[${n}]`;
  return [...String(n)].map((d) => SUPERSCRIPT_DIGITS[Number(d)]).join('');
}

/**
 * The note rule: a quote rests on the first marker after it in the body —
 * the marker that closes the paragraph it covers, even when a blank line
 * splits that paragraph. Null when no marker follows.
 */
export function nextMarker(raw: string, from: number, style: MarkerStyle = 'caret', bodyEnd?: number): number | null {
  const end = bodyEnd ?? notesSection(raw).bodyEnd;
  return markersIn(raw, style, end).find((m) => m.start >= from)?.n ?? null;
}

/** The marker style a text uses most: caret, then bracket, then superscript; caret when it has none. */
export function detectMarkerStyle(raw: string): MarkerStyle {
  const { bodyEnd } = notesSection(raw);
  const counts = MARKER_STYLES.map((s) => markersIn(raw, s, bodyEnd).length);
  const most = Math.max(...counts);
  return most === 0 ? 'caret' : (MARKER_STYLES[counts.indexOf(most)] as MarkerStyle);
}
