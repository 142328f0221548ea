/**
 * Concept groups (data/concepts.json): readers' words for things the sources
 * name otherwise — "gulag" for what the essay calls concentration camps,
 * "loot the looters" for Lenin's "grab from those who have grabbed", the
 * Russian "голод" for famine — each mapped to words a source itself uses.
 *
 * The mapping goes one way: a search for the reader's term also searches the
 * source's words, never the reverse. Every source word must occur, as whole
 * words, in the text of at least one source: a concept can only lead to what
 * the corpus says, never to a word it lacks.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Concept, Source } from './types.js';

export const conceptFileSchema = z.object({
  concepts: z.array(
    z.object({
      /** What readers type: modern or textbook names, famous slogans by their usual English names, Russian words. */
      reader: z.array(z.string().min(1)).min(1),
      /** Words and phrases the source itself uses for it. */
      source: z.array(z.string().min(1)).min(1),
      /** Why these words: where the source says it, or what the reader's term means. */
      why: z.string().min(1),
    }),
  ),
});

type Report = (file: string, id: string | null, reason: string) => void;

/** Lowercase words, diacritics folded, as a space-padded string: whole words match as ` word `. */
function folded(text: string): string {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu);
  return ` ${(words ?? []).map((w) => w.replace(/’/g, "'")).join(' ')} `;
}

/**
 * Reads data/concepts.json (optional: a corpus without it has no concepts)
 * and checks that every source word of every concept occurs in a source text.
 */
export function loadConcepts(dataDir: string, sources: readonly Source[], report: Report): Concept[] {
  const file = path.join(dataDir, 'concepts.json');
  if (!existsSync(file)) return [];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    report(file, null, `malformed JSON: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  }
  const parsed = conceptFileSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) report(file, null, `${issue.path.join('.') || 'file'}: ${issue.message}`);
    return [];
  }
  const texts = sources.map((s) => folded(s.text));
  const seen = new Map<string, number>();
  parsed.data.concepts.forEach((c, i) => {
    const label = `concept ${i + 1} (${c.reader[0]})`;
    for (const word of c.source) {
      const needle = folded(word);
      if (needle.trim() === '') report(file, null, `${label}: source word "${word}" has no letters`);
      else if (!texts.some((t) => t.includes(needle))) report(file, null, `${label}: "${word}" does not occur in any source text; a concept must lead to the source's own words`);
    }
    for (const term of c.reader) {
      const key = folded(term).trim();
      const other = seen.get(key);
      if (other !== undefined && other !== i) report(file, null, `${label}: reader's term "${term}" is also in concept ${other + 1}`);
      seen.set(key, i);
    }
  });
  return parsed.data.concepts.map((c) => ({ reader: c.reader, source: c.source }));
}
