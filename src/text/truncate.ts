/**
 * The one way text is shortened, everywhere: messages within Discord's
 * limits, autocomplete choices, user input shown back, stored reasons and
 * problem reports. Lengths are UTF-16 units, as `.length` and Discord's limits
 * count them; the cut falls between graphemes (Intl.Segmenter), so an emoji
 * with its modifiers, a flag, or a letter with its combining accents is kept
 * whole or left out, never split into a broken character.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export interface TruncateOptions {
  /** Appended where text was cut; default `…`. The result, mark included, stays within `max`. */
  readonly mark?: string;
  /** Back up to the last space, when that keeps more than 60% of `max` (default true: prose reads better). */
  readonly atWord?: boolean;
}

/** `text` if it fits in `max`, else its longest whole-grapheme start that fits with the mark, then the mark. */
export function truncate(text: string, max: number, options: TruncateOptions = {}): string {
  if (text.length <= max) return text;
  const mark = options.mark ?? '…';
  const budget = max - mark.length;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > budget) break;
    out += segment;
  }
  if (options.atWord !== false) {
    const space = out.lastIndexOf(' ');
    if (space > max * 0.6) out = out.slice(0, space);
  }
  return out + mark;
}
