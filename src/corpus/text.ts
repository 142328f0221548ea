/**
 * Text normalisation for provenance checks.
 *
 * The only liberties a stored part may take with its source are the ones
 * listed here, so a reviewer can see at once what "verbatim" means:
 * - quote-mark style: “ ” „ ‟ ″ become ", and ‘ ’ ‚ ‛ ′ become ';
 * - whitespace: any run of spaces, tabs and newlines (including the blank
 *   line of a paragraph split mid-sentence) becomes one space.
 * Nothing else: not case, not spelling, not punctuation, not ellipses.
 */

const DOUBLE_MARKS = /[\u201C\u201D\u201E\u201F\u2033]/g;
const SINGLE_MARKS = /[\u2018\u2019\u201A\u201B\u2032]/g;

export function normalise(text: string): string {
  return text.replace(DOUBLE_MARKS, '"').replace(SINGLE_MARKS, "'").replace(/\s+/g, ' ').trim();
}

/** A normalised text that remembers, for each of its characters, where it came from. */
export interface MappedText {
  readonly text: string;
  /** `origin[i]` is the offset in the raw text of normalised character i; one extra entry for the end. */
  readonly origin: readonly number[];
}

export function normaliseMapped(raw: string): MappedText {
  let text = '';
  const origin: number[] = [];
  let inSpace = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (/\s/.test(ch)) {
      if (!inSpace && text.length > 0) {
        text += ' ';
        origin.push(i);
      }
      inSpace = true;
      continue;
    }
    inSpace = false;
    text += ch.replace(DOUBLE_MARKS, '"').replace(SINGLE_MARKS, "'");
    origin.push(i);
  }
  origin.push(raw.length);
  return { text, origin };
}

export interface Paragraph {
  /** 1-based, counting every block of text between blank lines, headings included. */
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/** Paragraphs as the file shows them: blocks separated by blank lines. */
export function paragraphs(raw: string): Paragraph[] {
  const out: Paragraph[] = [];
  const re = /[^\n]+(?:\n(?![ \t]*\n)[^\n]*)*/g;
  for (const m of raw.matchAll(re)) {
    if (m[0].trim() === '') continue;
    out.push({ index: out.length + 1, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** 1-based line and column of an offset, for messages people can act on. */
export function lineColumn(raw: string, offset: number): { line: number; column: number } {
  const before = raw.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}
