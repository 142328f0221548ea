/**
 * A quote's words as a reader sees them. The only changes from the stored
 * parts are typographic and documented in /about:
 * - the whole quotation sits in curly double marks, and double marks inside it become single ones;
 * - parts are joined with " […] " where the essay's narration was left out;
 * - the essay author's glosses, "(secret police)", become "[secret police]", the convention for an editor's words.
 */
import type { Quote } from '../corpus/types.js';
import { PART_JOINER } from '../corpus/types.js';

export function quoteBody(q: Quote): string {
  const parts = q.parts.map((part) => {
    let text = part;
    for (const g of q.glosses) text = text.split(g).join(`[${g.replace(/^\(|\)$/g, '')}]`);
    return nestQuotes(text);
  });
  return parts.join(PART_JOINER);
}

/** “…” around the body. */
export function quoted(q: Quote): string {
  return `“${quoteBody(q)}”`;
}

function nestQuotes(text: string): string {
  let open = true;
  const doubled = text.replace(/["“”]/g, (m) => {
    if (m === '“') return '‘';
    if (m === '”') return '’';
    const out = open ? '‘' : '’';
    open = !open;
    return out;
  });
  // A straight single mark opens a quotation before a word and is an apostrophe or a closing mark elsewhere.
  return doubled.replace(/(^|[\s(—-])'(?=\S)/g, '$1‘').replace(/'/g, '’');
}
