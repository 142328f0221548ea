/**
 * Writing a draft folder and making sure the check accepts it as it stands:
 * the draft is checked exactly as `npm run corpus -- check` checks it, and
 * whatever the check refuses is set aside in excluded.json with the check's
 * own reason, for the reviewer — never silently dropped.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCorpus } from '../load.js';
import { superscriptValue } from '../notes.js';
import type { RawQuote, RawSource } from '../schema.js';
import { lineColumn } from '../text.js';
import { uniqueExcerpt, type Draft, type ExcludedEntry, type ProposalNotes } from './draft.js';

export const REVIEW_FILE = 'review.json';

export interface ReviewItem {
  /** A quote id, or "excluded:N" for the N-th entry of excluded.json as drafted. */
  id: string;
  type: 'quote' | 'excluded';
  /** Words to find the proposal by, even after edits. */
  text: string;
  status: 'pending' | 'accepted' | 'edited' | 'excluded' | 'skipped';
  flags: string[];
}

export interface ReviewState {
  source: string;
  items: ReviewItem[];
}

export const VOCABULARY_FILES = ['themes.json', 'source-kinds.json', 'synonyms.json'] as const;

export function formatQuotes(quotes: readonly RawQuote[]): string {
  return `[\n${quotes.map((q) => JSON.stringify(q)).join(',\n')}\n]\n`;
}

export function formatExcluded(excluded: readonly ExcludedEntry[]): string {
  return `[\n${excluded.map((e) => `  ${JSON.stringify(e)}`).join(',\n')}\n]\n`;
}

/** The check's problems for one source folder, checked beside the data's vocabularies only. */
export function checkAlone(dataDir: string, folder: string): { file: string; id: string | null; reason: string }[] {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hv-draft-'));
  try {
    for (const f of VOCABULARY_FILES) copyFileSync(path.join(dataDir, f), path.join(tmp, f));
    const id = path.basename(folder);
    mkdirSync(path.join(tmp, 'sources', id), { recursive: true });
    for (const f of ['source.json', 'quotes.json', 'excluded.json']) copyFileSync(path.join(folder, f), path.join(tmp, 'sources', id, f));
    const meta = JSON.parse(readFileSync(path.join(folder, 'source.json'), 'utf8')) as { file: string };
    copyFileSync(path.join(folder, meta.file), path.join(tmp, 'sources', id, meta.file));
    const result = loadCorpus(tmp);
    return result.ok ? [] : result.problems.map((p) => ({ ...p, file: path.basename(p.file) }));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export interface WriteResult {
  readonly folder: string;
  readonly quotes: number;
  readonly excluded: number;
  /** Quotes the check refused, set aside with its reason. */
  readonly refused: number;
  /** Problems left that the drafter could not set aside (the folder still fails the check). */
  readonly remaining: readonly string[];
}

export function writeDraft(dataDir: string, draft: Draft, textFile: string, options: { force?: boolean } = {}): WriteResult {
  const folder = path.join(dataDir, 'sources', draft.source.id);
  if (existsSync(folder) && !options.force) throw new Error(`${folder} already exists: choose another --id, or pass --force to replace the draft`);
  mkdirSync(folder, { recursive: true });
  copyFileSync(textFile, path.join(folder, draft.source.file));
  const raw = readFileSync(path.join(folder, draft.source.file), 'utf8');
  writeFileSync(path.join(folder, 'source.json'), `${JSON.stringify(draft.source, null, 2)}\n`);

  let quotes = [...draft.quotes];
  const excluded = [...draft.excluded];
  const flags = new Map<string, ProposalNotes>(draft.proposals.map((p) => [p.id, p]));
  let refused = 0;
  let remaining: string[] = [];
  const decisions: KindDecision[] = [];
  for (let round = 0; round < 12; round++) {
    writeFileSync(path.join(folder, 'quotes.json'), formatQuotes(quotes));
    writeFileSync(path.join(folder, 'excluded.json'), formatExcluded(excluded));
    const problems = checkAlone(dataDir, folder);
    if (problems.length === 0) {
      remaining = [];
      break;
    }
    remaining = problems.map((p) => `${p.file}${p.id ? ` [${p.id}]` : ''}: ${p.reason}`);
    // What the check itself says the kind or note must be is taken (its rule, not a guess); only what it refuses otherwise is set aside.
    const healed = heal(problems, quotes, decisions);
    if (healed) {
      writeFileSync(path.join(folder, 'source.json'), `${JSON.stringify(withDecisions(draft.source, decisions), null, 2)}\n`);
      continue;
    }
    const refusedIds = new Map<string, string>();
    for (const p of problems) if (p.file === 'quotes.json' && p.id && !refusedIds.has(p.id)) refusedIds.set(p.id, p.reason);
    let changed = false;
    for (const [id, reason] of refusedIds) {
      const q = quotes.find((x) => x.id === id);
      if (!q) continue;
      for (const excerpt of partExcerpts(raw, q)) excluded.push({ text: excerpt, reason: `Draft, to review: the check refused the proposed quote (${reason})` });
      quotes = quotes.filter((x) => x.id !== id).map((x) => (x.describedWith?.includes(id) ? dropDescribed(x, id) : x));
      flags.delete(id);
      refused++;
      changed = true;
    }
    // A quotation mark the draft left uncovered: set its surroundings aside for review.
    for (const p of problems) {
      const m = /^line (\d+), column (\d+): a quotation mark/.exec(p.reason);
      if (!m) continue;
      const at = offsetOf(raw, Number(m[1]), Number(m[2]));
      const start = Math.max(0, raw.lastIndexOf(' ', Math.max(0, at - 30)) + 1);
      excluded.push({ text: uniqueExcerpt(raw, start, Math.min(raw.length, at + 1)), reason: 'Draft, to review: a quotation mark the drafter could not pair' });
      changed = true;
    }
    if (!changed) break;
  }
  const state: ReviewState = {
    source: draft.source.id,
    items: [
      ...quotes.map((q): ReviewItem => ({ id: q.id, type: 'quote', text: q.parts[0] ?? '', status: 'pending', flags: flags.get(q.id)?.flags ?? [] })),
      ...excluded.map((e, i): ReviewItem => ({ id: `excluded:${i}`, type: 'excluded', text: e.text, status: 'pending', flags: [] })),
    ],
  };
  writeFileSync(path.join(folder, REVIEW_FILE), `${JSON.stringify(state, null, 1)}\n`);
  return { folder, quotes: quotes.length, excluded: excluded.length, refused, remaining };
}

type KindDecision = NonNullable<RawSource['kindDecisions']>[number];

const DECISION_REASON = 'Draft, to review: the narration names no kind of source here; the drafter proposes the kind it last named before these paragraphs.';

/** Kind and note corrections the check's messages state exactly; true when any was applied. */
function heal(problems: readonly { file: string; id: string | null; reason: string }[], quotes: RawQuote[], decisions: KindDecision[]): boolean {
  let healed = false;
  for (const p of problems) {
    if (p.file !== 'quotes.json' || !p.id) continue;
    const q = quotes.find((x) => x.id === p.id);
    if (!q) continue;
    // "its narration says "meeting"" or "… says "emigre" (interview)": the kind it names.
    const named = /^source "[^"]+" is not what the essay says of this quote: (?:its narration|the narration of \S+ \(describedWith\)) says "([^"]*)"(?: \(([a-z0-9-]+)\))?/.exec(p.reason);
    const decided = /kindDecisions gives paragraphs \d+–\d+ the kind "([^"]+)"/.exec(p.reason);
    const kind = named ? (named[2] ?? named[1]) : decided?.[1];
    if (kind && kind !== q.source) {
      q.source = kind;
      healed = true;
      continue;
    }
    const unjustified = /^source "([^"]+)" is not justified/.exec(p.reason);
    if (unjustified && !decisions.some((d) => q.paragraph >= d.paragraphs[0] && q.paragraph <= d.paragraphs[1])) {
      decisions.push({ kind: q.source, paragraphs: [q.paragraph, q.paragraph], reason: DECISION_REASON });
      healed = true;
      continue;
    }
    const note = /^note is \d+, but (?:the next marker after it is (\S+)|every "[^"]+" quote rests on note (\d+))$/.exec(p.reason);
    if (note) {
      const label = note[1] ?? note[2] ?? '';
      const n = /\d/.test(label) ? Number(/\d+/.exec(label)?.[0]) : superscriptValue(label);
      if (n > 0 && n !== q.note) {
        q.note = n;
        healed = true;
      }
    }
  }
  return healed;
}

/** Decisions for neighbouring paragraphs of one kind become one range. */
function withDecisions(source: RawSource, decisions: readonly KindDecision[]): RawSource {
  const merged: KindDecision[] = [];
  for (const d of [...decisions].sort((a, b) => a.paragraphs[0] - b.paragraphs[0])) {
    const last = merged[merged.length - 1];
    if (last && last.kind === d.kind && d.paragraphs[0] <= last.paragraphs[1] + 1) last.paragraphs = [last.paragraphs[0], Math.max(last.paragraphs[1], d.paragraphs[1])];
    else merged.push({ ...d, paragraphs: [...d.paragraphs] });
  }
  return merged.length > 0 ? { ...source, kindDecisions: merged } : source;
}

function dropDescribed(q: RawQuote, id: string): RawQuote {
  const rest = (q.describedWith ?? []).filter((d) => d !== id);
  const { describedWith: _dropped, ...others } = q;
  void _dropped;
  return rest.length > 0 ? { ...others, describedWith: rest } : others;
}

/** Each part of a quote with the marks around it, as excluded.json records quoted words. */
export function partExcerpts(raw: string, q: RawQuote): string[] {
  const out: string[] = [];
  let from = 0;
  for (const part of q.parts) {
    // Parts are the text's own words with runs of whitespace made one space: find them back in order.
    const pattern = new RegExp(part.trim().split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+'), 'g');
    pattern.lastIndex = from;
    const m = pattern.exec(raw);
    if (!m) continue;
    out.push(uniqueExcerpt(raw, Math.max(0, m.index - 1), Math.min(raw.length, m.index + m[0].length + 1)));
    from = m.index + m[0].length;
  }
  return out;
}

function offsetOf(raw: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) at = raw.indexOf('\n', at) + 1;
  const offset = at + column - 1;
  void lineColumn;
  return offset;
}
