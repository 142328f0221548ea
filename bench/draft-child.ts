/**
 * The drafter on the bundled essay, measured against its hand curation:
 * how many curated quotes it proposes with identical parts, the right note,
 * the identical speaker, and how many of its proposals are curated voices.
 * The draft is written to a temporary data folder exactly as
 * `npm run corpus -- draft` writes it (checked, refusals set aside), then
 * compared with data/sources/lenins-revenge. Prints one JSON line.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDraft, compareWithFolder } from '../src/corpus/draft/command.js';
import { writeDraft } from '../src/corpus/draft/write.js';
import type { RawQuote } from '../src/corpus/schema.js';
import { ROOT_DIR } from './stats.js';

const data = path.join(ROOT_DIR, 'data');
const essay = path.join(data, 'sources', 'lenins-revenge');
const file = path.join(essay, 'source.txt');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'hv-bench-draft-'));
try {
  for (const f of ['themes.json', 'source-kinds.json', 'synonyms.json']) cpSync(path.join(data, f), path.join(tmp, f));
  const began = performance.now();
  const draft = buildDraft(tmp, { file, id: 'lenins-revenge' }, '2026-01-01');
  const written = writeDraft(tmp, draft, file);
  const ms = performance.now() - began;
  const quotes = JSON.parse(readFileSync(path.join(written.folder, 'quotes.json'), 'utf8')) as RawQuote[];
  const c = compareWithFolder(readFileSync(file, 'utf8'), quotes, essay);
  console.log(
    JSON.stringify({
      curated: c.curated,
      proposed: c.proposed,
      excluded: written.excluded,
      passes_check: written.remaining.length === 0,
      draft_parts_recall: c.partsRecall,
      draft_note_accuracy: c.noteAccuracy,
      draft_speaker_accuracy: c.speakerAccuracy,
      draft_precision: c.precision,
      draft_ms: Math.round(ms),
    }),
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
