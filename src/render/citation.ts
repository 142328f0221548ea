/**
 * Citations students can paste: Chicago notes style, citing the original
 * voice "quoted in" the essay, with the essay's note number.
 */
import type { Corpus, Quote, Source } from '../corpus/types.js';
import { capitalise } from './text.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function longDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${MONTHS[(m ?? 1) - 1]} ${d}, ${y}`;
}

export function sourceOf(corpus: Corpus, q: Quote): Source {
  const s = corpus.sourceById.get(q.sourceId);
  if (!s) throw new Error(`render: quote ${q.id} refers to unknown source ${q.sourceId}`);
  return s;
}

/** The essay itself, Chicago note form: Author, “Title,” Publication, Month D, YYYY, URL. */
export function essayCitation(source: Source): string {
  const title = source.title.replace(/'/g, '’');
  return `${source.author}, “${title},” ${source.publication ? `${source.publication}, ` : ''}${longDate(source.date)}${source.url ? `, ${source.url}` : ''}`;
}

/**
 * One footnote for the quote, e.g.
 * A 50-year-old engineer, interview, Harvard Project on the Soviet Social System, quoted in
 * Phil Gasper, “Lenin’s Revenge: Early Soviet Hidden Voices,” March 4, 2024, n. 2.
 */
export function chicagoNote(corpus: Corpus, q: Quote): string {
  const source = sourceOf(corpus, q);
  const note = source.notes[q.note - 1];
  const kind = corpus.kinds.find((k) => k.id === q.kind);
  const kindLabel = q.kind === 'interview' ? 'interview' : (kind?.label.toLowerCase() ?? q.kind);
  // "a complaint in secret-police reports" already says what it is; don't say it twice.
  const speakerSaysKind = q.kind !== 'interview' && [q.kind, ...kindLabel.split(/[\s-]+/)].some((w) => w.length > 3 && q.speaker.toLowerCase().includes(w));
  const archive = note?.archive ? (q.kind === 'interview' ? note.archive : `in ${note.archive}`) : null;
  const original = [capitalise(q.speaker), speakerSaysKind ? null : kindLabel, archive].filter(Boolean).join(', ');
  // The words stand in the essay's text; its note ${q.note} gives where it took them from.
  return `${original}, quoted in ${essayCitation(source)} (see its note ${q.note}).`;
}

