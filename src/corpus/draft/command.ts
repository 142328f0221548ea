/**
 * `npm run corpus -- draft FILE --id ID [--title T] [--author A] [--date YYYY-MM-DD] [--url U] [--compare DIR] [--force]`
 *
 * Writes data/sources/ID/ from FILE; with --compare, measures the draft
 * against a hand-curated folder of the same text.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { kindFileSchema, quoteSchema, themeFileSchema, type RawQuote } from '../schema.js';
import { compareDraft, formatComparison, type Comparison } from './compare.js';
import { draftSource, type Draft } from './draft.js';
import { writeDraft, type WriteResult } from './write.js';

export const DRAFT_USAGE = 'usage: npm run corpus -- draft FILE --id ID [--title T] [--author A] [--date YYYY-MM-DD] [--url URL] [--compare DIR] [--force] [--data DIR]';

export interface DraftOptions {
  readonly file: string;
  readonly id: string;
  readonly title?: string;
  readonly author?: string;
  readonly date?: string;
  readonly url?: string;
  readonly force?: boolean;
}

/** Metadata the text states in its opening lines, for what the command line leaves out. */
export function metadataFromText(text: string, today: string): { title: string; author: string; date: string } {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 8);
  const title = (lines[0] ?? 'Untitled').replace(/^#+\s*/, '');
  const by = lines.map((l) => /^(?:written\s+)?by\s+([^|,]+?)(?:\s*[|,]|$)/i.exec(l)?.[1]).find(Boolean);
  const months = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
  let date: string | undefined;
  for (const l of lines) {
    const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(l);
    if (iso) {
      date = iso[0];
      break;
    }
    const m = /\b(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2}),\s+(\d{4})\b/i.exec(l);
    if (m) {
      date = `${m[3]}-${String(months.indexOf((m[1] as string).toLowerCase()) + 1).padStart(2, '0')}-${String(m[2]).padStart(2, '0')}`;
      break;
    }
  }
  return { title, author: by?.trim() ?? 'Unknown author', date: date ?? today };
}

export function buildDraft(dataDir: string, options: DraftOptions, today: string): Draft {
  const text = readFileSync(options.file, 'utf8');
  const themes = themeFileSchema.parse(JSON.parse(readFileSync(path.join(dataDir, 'themes.json'), 'utf8'))).themes;
  const kinds = kindFileSchema.parse(JSON.parse(readFileSync(path.join(dataDir, 'source-kinds.json'), 'utf8'))).kinds;
  const found = metadataFromText(text, today);
  return draftSource({
    text,
    id: options.id,
    title: options.title ?? found.title,
    author: options.author ?? found.author,
    date: options.date ?? found.date,
    ...(options.url ? { url: options.url } : {}),
    themes,
    kinds,
  });
}

export function compareWithFolder(text: string, draft: readonly RawQuote[], dir: string): Comparison {
  const curated = (JSON.parse(readFileSync(path.join(dir, 'quotes.json'), 'utf8')) as unknown[]).map((q) => quoteSchema.parse(q));
  const excludedFile = path.join(dir, 'excluded.json');
  const excluded = existsSync(excludedFile) ? (JSON.parse(readFileSync(excludedFile, 'utf8')) as { text: string; reason: string }[]) : [];
  return compareDraft(text, draft, curated, excluded);
}

export function runDraft(argv: readonly string[], dataDir: string, out: (line: string) => void, today: string): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        id: { type: 'string' },
        title: { type: 'string' },
        author: { type: 'string' },
        date: { type: 'string' },
        url: { type: 'string' },
        compare: { type: 'string' },
        force: { type: 'boolean' },
        verbose: { type: 'boolean' },
        data: { type: 'string' },
      },
    });
  } catch (error) {
    out(`${(error as Error).message}\n${DRAFT_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const file = positionals[0];
  if (!file || !values.id) {
    out(DRAFT_USAGE);
    return 2;
  }
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(values.id)) {
    out(`--id "${values.id}": use lowercase letters, digits and single hyphens (it names the folder and the work)`);
    return 2;
  }
  if (values.date && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) {
    out(`--date "${values.date}": use YYYY-MM-DD`);
    return 2;
  }
  if (!existsSync(file)) {
    out(`${file}: no such file`);
    return 2;
  }
  // The draft proposes themes and kinds from the data folder's vocabularies: without them it cannot start.
  const missing = ['themes.json', 'source-kinds.json'].filter((f) => !existsSync(path.join(dataDir, f)));
  if (missing.length > 0) {
    out(`${dataDir}: no ${missing.join(' or ')} there — draft into a data folder that has the vocabularies (copy them from data/), or leave out --data`);
    return 2;
  }
  const draft = buildDraft(dataDir, { file, id: values.id, title: values.title, author: values.author, date: values.date, url: values.url }, today);
  let written: WriteResult;
  try {
    written = writeDraft(dataDir, draft, file, { force: values.force === true });
  } catch (error) {
    out((error as Error).message);
    return 1;
  }
  const rel = path.relative(process.cwd(), written.folder) || written.folder;
  out(`draft: ${rel} — ${written.quotes} quotes proposed, ${written.excluded} quotations set aside in excluded.json, ${draft.source.notes.length} notes`);
  if (written.refused > 0) out(`  ${written.refused} proposals the check refused are set aside in excluded.json with its reason`);
  if (written.remaining.length > 0) {
    out('  the draft still fails the check:');
    for (const r of written.remaining) out(`    ${r}`);
  } else out(`  it passes the check as it stands; review it with: npm run corpus -- review ${values.id}`);
  if (values.compare) {
    const quotes = (JSON.parse(readFileSync(path.join(written.folder, 'quotes.json'), 'utf8')) as RawQuote[]);
    const text = readFileSync(file, 'utf8');
    out(formatComparison(compareWithFolder(text, quotes, values.compare), values.verbose === true));
  }
  return written.remaining.length > 0 ? 1 : 0;
}
