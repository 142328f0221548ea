/** Human summaries and the JSON export of a validated corpus. */
import type { Corpus } from './types.js';

export interface ExportedQuote {
  id: string;
  text: string;
  parts: readonly string[];
  speaker: string;
  facets: object;
  note: number;
  noteText: string;
  source: string;
  sourceDocument: { id: string; title: string; author: string; date: string };
  themes: readonly string[];
  glosses: readonly string[];
  remarks: string | null;
  paragraph: number;
}

export function exportCorpus(corpus: Corpus): ExportedQuote[] {
  return corpus.quotes.map((q) => {
    const src = corpus.sourceById.get(q.sourceId);
    if (!src) throw new Error(`corpus: quote ${q.id} refers to unknown source ${q.sourceId}`);
    return {
      id: q.id,
      text: q.text,
      parts: q.parts,
      speaker: q.speaker,
      facets: q.facets,
      note: q.note,
      noteText: src.notes[q.note - 1]?.text ?? '',
      source: q.kind,
      sourceDocument: { id: src.id, title: src.title, author: src.author, date: src.date },
      themes: q.themes,
      glosses: q.glosses,
      remarks: q.remarks,
      paragraph: q.location.paragraph,
    };
  });
}

function countBy<T>(items: readonly T[], keys: (item: T) => readonly (string | number)[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) for (const k of keys(item)) out.set(String(k), (out.get(String(k)) ?? 0) + 1);
  return out;
}

function table(title: string, counts: Map<string, number>, order: readonly string[]): string {
  const width = Math.max(...order.map((k) => k.length), 4);
  const rows = order.map((k) => `  ${k.padEnd(width)}  ${String(counts.get(k) ?? 0).padStart(4)}`);
  return [title, ...rows].join('\n');
}

export function summarise(corpus: Corpus): string {
  const lines = [`corpus: OK — ${corpus.quotes.length} quotes from ${corpus.sources.length} source(s), every part verified against its source`];
  for (const s of corpus.sources) {
    const n = corpus.quotes.filter((q) => q.sourceId === s.id).length;
    lines.push(`  ${s.id}: "${s.title}" by ${s.author}, ${s.date} — ${n} quotes, ${s.notes.length} notes`);
  }
  lines.push('');
  lines.push(table('by source kind', countBy(corpus.quotes, (q) => [q.kind]), corpus.kinds.map((k) => k.id)));
  // Notes are numbered per source: with several sources, count them as source:note.
  const several = corpus.sources.length > 1;
  const noteKey = (q: Corpus['quotes'][number]) => (several ? `${q.sourceId}:${q.note}` : String(q.note));
  const noteKeys = [...new Set(corpus.quotes.map(noteKey))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  lines.push(table('by note', countBy(corpus.quotes, (q) => [noteKey(q)]), noteKeys));
  lines.push(table('by theme', countBy(corpus.quotes, (q) => q.themes), corpus.themes.map((t) => t.id)));
  return lines.join('\n');
}
