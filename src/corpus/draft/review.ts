/**
 * `npm run corpus -- review ID`: the draft one proposal at a time — the
 * quote, the sentence around it, the proposed speaker, note and themes —
 * accept, edit a field, exclude with a reason, or skip. Every decision is
 * saved at once (quotes.json, excluded.json, review.json), so a review can
 * stop anywhere and resume. An edit or exclusion the check would refuse is
 * undone on the spot, with the check's reason: the folder always passes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { quoteSchema, sourceFileSchema, type RawQuote, type RawSource } from '../schema.js';
import { normalise, normaliseMapped, paragraphs } from '../text.js';
import { uniqueExcerpt, type ExcludedEntry } from './draft.js';
import { checkAlone, formatExcluded, formatQuotes, REVIEW_FILE, type ReviewItem, type ReviewState } from './write.js';

const DRAFT_MARK = 'Draft, to review: ';
const EDITABLE = ['speaker', 'facets', 'source', 'note', 'themes', 'parts', 'remarks', 'glosses'] as const;
type Editable = (typeof EDITABLE)[number];

interface Folder {
  dir: string;
  meta: RawSource;
  raw: string;
  quotes: RawQuote[];
  excluded: ExcludedEntry[];
  state: ReviewState;
}

function readFolder(dir: string): Folder {
  const meta = sourceFileSchema.parse(JSON.parse(readFileSync(path.join(dir, 'source.json'), 'utf8')));
  const raw = readFileSync(path.join(dir, meta.file), 'utf8');
  const quotes = (JSON.parse(readFileSync(path.join(dir, 'quotes.json'), 'utf8')) as unknown[]).map((q) => quoteSchema.parse(q));
  const excludedPath = path.join(dir, 'excluded.json');
  const excluded = existsSync(excludedPath) ? (JSON.parse(readFileSync(excludedPath, 'utf8')) as ExcludedEntry[]) : [];
  const statePath = path.join(dir, REVIEW_FILE);
  // A folder drafted elsewhere or curated by hand is reviewed from the start.
  const state: ReviewState = existsSync(statePath)
    ? (JSON.parse(readFileSync(statePath, 'utf8')) as ReviewState)
    : {
        source: meta.id,
        items: [
          ...quotes.map((q): ReviewItem => ({ id: q.id, type: 'quote', text: q.parts[0] ?? '', status: 'pending', flags: [] })),
          ...excluded.map((e, i): ReviewItem => ({ id: `excluded:${i}`, type: 'excluded', text: e.text, status: 'pending', flags: [] })),
        ],
      };
  return { dir, meta, raw, quotes, excluded, state };
}

function save(f: Folder): void {
  writeFileSync(path.join(f.dir, 'quotes.json'), formatQuotes(f.quotes));
  writeFileSync(path.join(f.dir, 'excluded.json'), formatExcluded(f.excluded));
  writeFileSync(path.join(f.dir, REVIEW_FILE), `${JSON.stringify(f.state, null, 1)}\n`);
}

/** Where a quote's parts stand in the text: offsets of the first part's start and the last part's end. */
function locate(f: Folder, q: RawQuote): { start: number; end: number; spans: [number, number][] } | null {
  const mapped = normaliseMapped(f.raw);
  const para = paragraphs(f.raw)[q.paragraph - 1];
  let from = para ? mapped.origin.findIndex((o) => o >= para.start) : 0;
  const spans: [number, number][] = [];
  for (const p of q.parts) {
    const needle = normalise(p);
    const at = mapped.text.indexOf(needle, Math.max(0, from));
    if (at < 0) return null;
    spans.push([mapped.origin[at] ?? 0, (mapped.origin[at + needle.length - 1] ?? 0) + 1]);
    from = at + needle.length;
  }
  const first = spans[0];
  const last = spans[spans.length - 1];
  return first && last ? { start: first[0], end: last[1], spans } : null;
}

/** The sentence (or sentences) the quote stands in, with the quote's own words in «guillemets». */
function sentenceAround(f: Folder, q: RawQuote): string {
  const at = locate(f, q);
  if (!at) return '(not found in the text)';
  const para = paragraphs(f.raw).find((p) => at.start >= p.start && at.start < p.end);
  const paraStart = para?.start ?? 0;
  const before = f.raw.slice(paraStart, at.start);
  let start = paraStart;
  for (const m of before.matchAll(/[.!?]["”’']*(?:\^\[\d+\]|\[\d+\])?\s+(?=["“A-Z])/g)) start = paraStart + m.index + m[0].length;
  const stop = /[.!?]["”’']*(?:\^\[\d+\]|\[\d+\])?(?=\s|$)/g;
  stop.lastIndex = at.end;
  const stopAt = stop.exec(f.raw);
  const end = Math.min(stopAt ? stopAt.index + stopAt[0].length : f.raw.length, at.end + 400);
  let text = '';
  let cursor = Math.max(start, at.start - 400);
  for (const [s, e] of at.spans) {
    text += `${f.raw.slice(cursor, s)}«${f.raw.slice(s, e)}»`;
    cursor = e;
  }
  text += f.raw.slice(cursor, end);
  return text.replace(/\s+/g, ' ').trim();
}

function showQuote(f: Folder, q: RawQuote, item: ReviewItem, position: string): string {
  const note = f.meta.notes.find((n) => n.n === q.note);
  const lines = [
    '',
    `${position} ${q.id} · paragraph ${q.paragraph} · proposed quote${item.status === 'edited' ? ' (edited)' : ''}`,
    ...q.parts.map((p, i) => `  ${q.parts.length > 1 ? `part ${i + 1}: ` : ''}“${p}”`),
    `  context:  ${sentenceAround(f, q)}`,
    `  speaker:  ${q.speaker}   facets: ${JSON.stringify(q.facets)}`,
    `  source:   ${q.source}`,
    `  note:     ${q.note}${note ? ` — ${note.short}` : ''}`,
    `  themes:   ${q.themes.join(', ')}`,
  ];
  if (q.glosses) lines.push(`  glosses:  ${q.glosses.join(', ')}`);
  if (q.remarks) lines.push(`  remarks:  ${q.remarks}`);
  if (q.describedWith) lines.push(`  described with: ${q.describedWith.join(', ')}`);
  for (const flag of item.flags) lines.push(`  ! ${flag}`);
  return lines.join('\n');
}

function parseField(field: Editable, value: string): unknown {
  switch (field) {
    case 'note':
      return Number(value);
    case 'themes':
    case 'glosses':
      return value.split(',').map((s) => s.trim()).filter(Boolean);
    case 'parts':
      return value.split(' | ').map((s) => s.trim());
    case 'facets':
      return JSON.parse(value) as unknown;
    default:
      return value.trim();
  }
}

export interface ReviewIO {
  readonly input: Readable;
  readonly output: Writable;
}

/** Walks the pending (then skipped) proposals of one folder; returns how many decisions were made. */
export async function review(dir: string, io: ReviewIO, dataDir: string): Promise<{ decided: number; left: number }> {
  const f = readFolder(dir);
  const out = (s: string) => io.output.write(`${s}\n`);
  const rl = createInterface({ input: io.input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (prompt: string): Promise<string | null> => {
    io.output.write(prompt);
    const r = await lines.next();
    return r.done ? null : (r.value as string).trim();
  };
  // Refuse a change the check would refuse: keep the folder passing at every step.
  const tryChange = (change: () => void): string[] => {
    const before = { quotes: structuredClone(f.quotes), excluded: structuredClone(f.excluded) };
    change();
    save(f);
    const problems = checkAlone(dataDir, dir);
    if (problems.length > 0) {
      f.quotes = before.quotes;
      f.excluded = before.excluded;
      save(f);
      return problems.map((p) => `${p.file}${p.id ? ` [${p.id}]` : ''}: ${p.reason}`);
    }
    return [];
  };

  const queue = [...f.state.items.filter((i) => i.status === 'pending'), ...f.state.items.filter((i) => i.status === 'skipped')];
  let decided = 0;
  let quit = false;
  out(`review: ${f.meta.id} — ${queue.length} proposals to review (${f.state.items.length - queue.length} already decided)`);
  for (const [n, item] of queue.entries()) {
    if (quit) break;
    const position = `[${n + 1}/${queue.length}]`;
    for (;;) {
      if (item.type === 'quote') {
        const q = f.quotes.find((x) => x.id === item.id);
        if (!q) {
          item.status = 'excluded';
          break;
        }
        out(showQuote(f, q, item, position));
        const answer = await ask('[a]ccept  [e]dit a field  e[x]clude  [s]kip  [q]uit > ');
        if (answer === null || answer === 'q') {
          quit = true;
          break;
        }
        if (answer === 'a') {
          item.status = 'accepted';
          decided++;
          save(f);
          break;
        }
        if (answer === 's') {
          item.status = 'skipped';
          save(f);
          break;
        }
        if (answer === 'e') {
          const field = await ask(`field (${EDITABLE.join(', ')}) > `);
          if (field === null) {
            quit = true;
            break;
          }
          if (!(EDITABLE as readonly string[]).includes(field)) {
            out(`  no field "${field}": choose one of ${EDITABLE.join(', ')}`);
            continue;
          }
          const hint = field === 'parts' ? ' (parts separated by " | ")' : field === 'facets' ? ' (JSON, e.g. {"occupation":"nurse"})' : field === 'themes' || field === 'glosses' ? ' (comma-separated)' : '';
          const value = await ask(`new ${field}${hint} > `);
          if (value === null) {
            quit = true;
            break;
          }
          let parsedValue: unknown;
          try {
            parsedValue = parseField(field as Editable, value);
          } catch (error) {
            out(`  not valid: ${(error as Error).message}`);
            continue;
          }
          const candidate = { ...q, [field]: parsedValue };
          if (field === 'remarks' && value === '') delete (candidate as Partial<RawQuote>).remarks;
          const shape = quoteSchema.safeParse(candidate);
          if (!shape.success) {
            out(`  not valid: ${shape.error.issues.map((i) => `${i.path.join('.') || field}: ${i.message}`).join('; ')}`);
            continue;
          }
          const problems = tryChange(() => {
            f.quotes = f.quotes.map((x) => (x.id === q.id ? shape.data : x));
          });
          if (problems.length > 0) {
            out('  the check refuses this edit, so it is undone:');
            for (const p of problems) out(`    ${p}`);
            continue;
          }
          item.status = 'edited';
          item.text = shape.data.parts[0] ?? item.text;
          save(f);
          out(`  saved: ${field} is now ${JSON.stringify(shape.data[field as keyof RawQuote])}`);
          continue;
        }
        if (answer === 'x') {
          const reason = await ask('reason (why these words are not a voice to serve) > ');
          if (reason === null) {
            quit = true;
            break;
          }
          if (reason === '') {
            out('  an exclusion needs its reason');
            continue;
          }
          const at = locate(f, q);
          const problems = tryChange(() => {
            f.quotes = f.quotes.filter((x) => x.id !== q.id);
            for (const [s, e] of at?.spans ?? []) f.excluded.push({ text: uniqueExcerpt(f.raw, Math.max(0, s - 1), Math.min(f.raw.length, e + 1)), reason });
          });
          if (problems.length > 0) {
            out('  the check refuses this exclusion, so it is undone:');
            for (const p of problems) out(`    ${p}`);
            continue;
          }
          item.status = 'excluded';
          decided++;
          save(f);
          out(`  excluded: ${q.id}`);
          break;
        }
        out('  answer a, e, x, s or q');
      } else {
        const e = f.excluded.find((x) => x.text === item.text);
        if (!e) {
          item.status = 'accepted';
          break;
        }
        out(['', `${position} set aside in excluded.json`, `  “${e.text}”`, `  reason: ${e.reason}`].join('\n'));
        const answer = await ask('[a]ccept the exclusion  [e]dit its reason  [s]kip  [q]uit > ');
        if (answer === null || answer === 'q') {
          quit = true;
          break;
        }
        if (answer === 'a') {
          // Accepted: the reason is the reviewer's now, no longer marked as a draft's.
          if (e.reason.startsWith(DRAFT_MARK)) e.reason = e.reason.slice(DRAFT_MARK.length);
          item.status = 'accepted';
          decided++;
          save(f);
          break;
        }
        if (answer === 's') {
          item.status = 'skipped';
          save(f);
          break;
        }
        if (answer === 'e') {
          const reason = await ask('new reason > ');
          if (reason === null) {
            quit = true;
            break;
          }
          if (reason === '') {
            out('  an exclusion needs its reason');
            continue;
          }
          e.reason = reason;
          item.status = 'accepted';
          decided++;
          save(f);
          break;
        }
        out('  answer a, e, s or q');
      }
    }
  }
  rl.close();
  save(f);
  const left = f.state.items.filter((i) => i.status === 'pending' || i.status === 'skipped').length;
  out(`review: ${decided} decided in this session, ${left} left${left > 0 ? `; run it again to continue` : ': every proposal is reviewed'}`);
  return { decided, left };
}

export async function runReviewCommand(argv: readonly string[], dataDir: string, input: Readable, output: Writable): Promise<number> {
  const id = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--data');
  if (!id) {
    output.write('usage: npm run corpus -- review ID [--data DIR]\n');
    return 2;
  }
  const dir = path.join(dataDir, 'sources', id);
  if (!existsSync(path.join(dir, 'source.json'))) {
    output.write(`review: no source folder ${path.relative(process.cwd(), dir) || dir} (draft one with npm run corpus -- draft FILE --id ${id})\n`);
    return 2;
  }
  await review(dir, { input, output }, dataDir);
  return 0;
}
