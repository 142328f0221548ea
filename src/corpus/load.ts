/**
 * Loads `data/` into a validated Corpus, or says precisely why it cannot.
 *
 * Every check that protects a student from a misquote lives here, so the bot,
 * the console and `npm run corpus -- check` all refuse the same bad corpus
 * with the same messages.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { checkAttribution, type AttributionContext } from './attribution.js';
import {
  excludedFileSchema,
  kindFileSchema,
  quoteFileSchema,
  quoteSchema,
  sourceFileSchema,
  synonymFileSchema,
  themeFileSchema,
  type RawQuote,
  type RawSource,
} from './schema.js';
import { quotedUnits, quoteNarration } from './context.js';
import { loadConcepts } from './concepts.js';
import { truncate } from '../text/truncate.js';
import { notesSection } from './notes.js';
import { lineColumn, normalise, normaliseMapped, paragraphs, type MappedText, type Paragraph } from './text.js';
import {
  PART_JOINER,
  type Corpus,
  type CorpusProblem,
  type ExcludedRun,
  type Note,
  type Quote,
  type Source,
  type SourceKind,
  type Theme,
} from './types.js';

/** How far (in characters of narration) the next part of one utterance may stand from the previous one. */
const MAX_GAP_BETWEEN_PARTS = 1500;
/** Quote marks within this many characters of a located quote count as that quote's own marks. */
const MARK_SLACK = 3;

export type LoadResult = { ok: true; corpus: Corpus } | { ok: false; problems: CorpusProblem[] };

export class CorpusError extends Error {
  constructor(readonly problems: readonly CorpusProblem[]) {
    super(`corpus: ${problems.length} problem(s)\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'CorpusError';
  }
}

export function formatProblem(p: CorpusProblem): string {
  return `${p.file}${p.id ? ` [${p.id}]` : ''}: ${p.reason}`;
}

/** Loads and validates, throwing a CorpusError that lists every problem. */
export function loadCorpusOrThrow(dataDir: string): Corpus {
  const result = loadCorpus(dataDir);
  if (!result.ok) throw new CorpusError(result.problems);
  return result.corpus;
}

export function loadCorpus(dataDir: string): LoadResult {
  const problems: CorpusProblem[] = [];
  const rel = (file: string) => path.relative(process.cwd(), file) || file;
  const report = (file: string, id: string | null, reason: string) => problems.push({ file: rel(file), id, reason });

  const themeFile = readJson(path.join(dataDir, 'themes.json'), themeFileSchema, report);
  const kindFile = readJson(path.join(dataDir, 'source-kinds.json'), kindFileSchema, report);
  const synonymFile = readJson(path.join(dataDir, 'synonyms.json'), synonymFileSchema, report);
  const themes: Theme[] = themeFile?.themes ?? [];
  const kinds: SourceKind[] = kindFile?.kinds ?? [];
  reportDuplicates(themes.map((t) => t.id), path.join(dataDir, 'themes.json'), 'theme', report);
  reportDuplicates(kinds.map((k) => k.id), path.join(dataDir, 'source-kinds.json'), 'source kind', report);
  // A vocabulary that failed to load is reported once; its members are not then reported missing everywhere.
  const themeIds: ReadonlySet<string> | null = themeFile ? new Set(themes.map((t) => t.id)) : null;
  const kindIds: ReadonlySet<string> | null = kindFile ? new Set(kinds.map((k) => k.id)) : null;
  const kindWords = new Map(kinds.map((k) => [k.id, k.words]));

  const sourcesDir = path.join(dataDir, 'sources');
  const sourceDirs = existsSync(sourcesDir)
    ? readdirSync(sourcesDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => path.join(sourcesDir, d.name))
        .sort()
    : [];
  if (sourceDirs.length === 0) report(sourcesDir, null, 'no source folders: each source lives in sources/<id>/ with source.json, its text and quotes.json');

  const sources: Source[] = [];
  const orderOf = new Map<string, number | undefined>();
  const quotes: Quote[] = [];
  const seenIds = new Map<string, string>();
  const seenPrefixes = new Map<string, string>();
  for (const dir of sourceDirs) {
    const loaded = loadSource(dir, { themeIds, kindIds, kindWords }, report);
    if (!loaded) continue;
    const { source, prefix, quotes: sourceQuotes } = loaded;
    const other = seenPrefixes.get(prefix);
    if (other) report(path.join(dir, 'source.json'), null, `idPrefix "${prefix}" is already used by ${other}`);
    seenPrefixes.set(prefix, source.id);
    sources.push(source);
    orderOf.set(source.id, loaded.order);
    for (const q of sourceQuotes) {
      const where = seenIds.get(q.id);
      if (where) report(path.join(dir, 'quotes.json'), q.id, `duplicate id: also used in ${where}`);
      else seenIds.set(q.id, rel(path.join(dir, 'quotes.json')));
      quotes.push(q);
    }
  }

  const concepts = loadConcepts(dataDir, sources, report);
  if (problems.length > 0) return { ok: false, problems };
  // A stable first work: adding a folder must never change what `/source 8` means.
  sources.sort((a, b) => (orderOf.get(a.id) ?? Infinity) - (orderOf.get(b.id) ?? Infinity) || (a.id < b.id ? -1 : 1));
  const corpus: Corpus = {
    sources,
    quotes,
    themes,
    kinds,
    synonyms: synonymFile?.groups ?? [],
    concepts,
    byId: new Map(quotes.map((q) => [q.id, q])),
    sourceById: new Map(sources.map((s) => [s.id, s])),
  };
  return { ok: true, corpus: deepFreeze(corpus) };
}

type Report = (file: string, id: string | null, reason: string) => void;

/** Longest quote (its parts together) that still shows in one Discord message with its narration and speaker. */
const MAX_QUOTE_LENGTH = 2500;

/** Known theme and kind ids; null when that vocabulary itself failed to load (already reported). */
interface Vocab {
  readonly themeIds: ReadonlySet<string> | null;
  readonly kindIds: ReadonlySet<string> | null;
  /** Per kind, the words that name it in a narration; empty when the vocabulary failed to load. */
  readonly kindWords: ReadonlyMap<string, readonly string[]>;
}

/** A source read and its quotes located: everything the per-quote checks need. */
interface PreparedSource {
  readonly meta: RawSource;
  readonly text: SourceText;
  readonly textPath: string;
  readonly quotesPath: string;
  /** quotes.json as read (null when unreadable). */
  readonly rawQuotes: readonly unknown[] | null;
  /** The entries that passed their own checks and were located. */
  readonly quotes: Quote[];
  readonly context: AttributionContext;
}

interface SourceText {
  readonly raw: string;
  readonly mapped: MappedText;
  readonly paras: Paragraph[];
}

/**
 * The checks of one entry that need nothing but the entry and its source:
 * shape, vocabulary and provenance. Returns the located quote, or null.
 */
function checkEntry(entry: unknown, index: number, meta: RawSource, text: SourceText, vocab: Vocab, fail: (id: string, reason: string) => void): Quote | null {
  const parsed = quoteSchema.safeParse(entry);
  const entryId = typeof (entry as { id?: unknown })?.id === 'string' ? (entry as { id: string }).id : `#${index + 1}`;
  if (!parsed.success) {
    for (const issue of parsed.error.issues) fail(entryId, `${issue.path.join('.') || 'entry'}: ${issue.message}`);
    return null;
  }
  return checkQuote(parsed.data, meta, text, vocab, (reason) => fail(entryId, reason));
}

function prepareSource(dir: string, vocab: Vocab, report: Report): PreparedSource | null {
  const metaPath = path.join(dir, 'source.json');
  const meta = readJson(metaPath, sourceFileSchema, report);
  if (!meta) return null;
  const textPath = path.join(dir, meta.file);
  if (!existsSync(textPath)) {
    report(metaPath, null, `the source text "${meta.file}" does not exist`);
    return null;
  }
  const raw = readFileSync(textPath, 'utf8');
  const text: SourceText = { raw, mapped: normaliseMapped(raw), paras: paragraphs(raw) };
  checkNotes(meta, raw, metaPath, report);
  checkKindDecisions(meta, text.paras.length, vocab, metaPath, report);

  const quotesPath = path.join(dir, 'quotes.json');
  const rawQuotes = readJson(quotesPath, quoteFileSchema, report);
  const quotes: Quote[] = [];
  (rawQuotes ?? []).forEach((entry, index) => {
    const quote = checkEntry(entry, index, meta, text, vocab, (id, reason) => report(quotesPath, id, reason));
    if (quote) quotes.push(quote);
  });
  const idOf = (q: unknown) => (q as { id?: unknown } | null)?.id;
  const context: AttributionContext = {
    raw,
    paras: text.paras,
    located: quotes.flatMap((q) => q.location.spans.map(([start, end]) => ({ start, end, id: q.id }))),
    byId: new Map(quotes.map((q) => [q.id, q])),
    knownIds: new Set((rawQuotes ?? []).map(idOf).filter((id): id is string => typeof id === 'string')),
    kindWords: vocab.kindWords,
    kindNotes: meta.kindNotes ?? {},
    noteMarkers: meta.noteMarkers ?? 'caret',
    kindDecisions: meta.kindDecisions ?? [],
    nationalities: new Set(quotes.flatMap((q) => (q.facets.nationality ? [q.facets.nationality] : []))),
    narrations: new Map(),
  };
  return { meta, text, textPath, quotesPath, rawQuotes, quotes, context };
}

function loadSource(
  dir: string,
  vocab: Vocab,
  report: Report,
): { source: Source; prefix: string; order: number | undefined; quotes: Quote[] } | null {
  const prepared = prepareSource(dir, vocab, report);
  if (!prepared) return null;
  const { meta, text, textPath, quotesPath, rawQuotes, quotes: checked, context } = prepared;
  const { raw, mapped, paras } = text;

  const excludedPath = path.join(dir, 'excluded.json');
  const excluded = existsSync(excludedPath) ? (readJson(excludedPath, excludedFileSchema, report) ?? []) : [];
  const excludedSpans: [number, number][] = [];
  const excludedRuns: ExcludedRun[] = [];
  for (const ex of excluded) {
    const at = mapped.text.indexOf(normalise(ex.text));
    if (at < 0) report(excludedPath, null, `excluded text does not occur in the source: "${ex.text}"`);
    else {
      const [start, end] = spanOf(mapped, at, normalise(ex.text).length);
      excludedSpans.push([start, end]);
      excludedRuns.push({ start, end, narration: ex.narration ?? false });
    }
  }
  // The narration shown with each quote depends on every quotation around it, so it is found once all are located.
  const units = quotedUnits(
    raw,
    checked.flatMap((q) => q.location.spans.map(([start, end]) => ({ start, end, quoteId: q.id }))),
    excludedRuns,
  );
  const quotes = checked.map((q): Quote => ({ ...q, location: { ...q.location, narration: quoteNarration(raw, paras, units, { id: q.id, spans: q.location.spans }) } }));
  for (const ex of excluded) {
    if (ex.retiredId && (rawQuotes ?? []).some((q) => (q as { id?: unknown })?.id === ex.retiredId)) {
      report(quotesPath, ex.retiredId, 'this id was retired (see excluded.json) and must not be reused: published ids never change meaning');
    }
  }
  // Attribution once every quote is located: a quote's narration ends where the next quotation begins.
  for (const q of quotes) for (const reason of checkAttribution(q, context)) report(quotesPath, q.id, reason);
  // Coverage only means something when every quote was read and located.
  if (rawQuotes && quotes.length === rawQuotes.length) {
    checkCoverage(raw, quotes, excludedSpans, textPath, report);
  }

  const source: Source = {
    id: meta.id,
    title: meta.title,
    author: meta.author,
    date: meta.date,
    category: meta.category ?? null,
    publication: meta.publication ?? null,
    url: meta.url ?? null,
    notes: meta.notes.map((n): Note => ({ n: n.n, text: n.text, url: n.url, short: n.short, archive: n.archive ?? null })),
    text: raw,
    path: textPath,
    excluded: excludedRuns,
  };
  return { source, prefix: meta.idPrefix, order: meta.order, quotes };
}

/**
 * The per-quote checks of one source, ready to run on entries that are not in
 * its quotes.json: the mutation test and `npm run corpus -- check --mutations`
 * ask what the loader would say of a changed entry without reloading
 * everything. The same functions as the loader, in the same order.
 */
export interface QuoteChecker {
  /** The source's entries as read from quotes.json. */
  readonly entries: readonly unknown[];
  /** What the loader would report for this entry in place of the one with its id, root causes first. */
  check(entry: unknown): string[];
}

/** A QuoteChecker for data/sources/<sourceDir>; throws a CorpusError when that source does not load as it is. */
export function quoteChecker(dataDir: string, sourceDir: string): QuoteChecker {
  const problems: CorpusProblem[] = [];
  const report: Report = (file, id, reason) => problems.push({ file, id, reason });
  const kinds = readJson(path.join(dataDir, 'source-kinds.json'), kindFileSchema, report)?.kinds ?? [];
  const themes = readJson(path.join(dataDir, 'themes.json'), themeFileSchema, report)?.themes ?? [];
  const vocab: Vocab = {
    themeIds: new Set(themes.map((t) => t.id)),
    kindIds: new Set(kinds.map((k) => k.id)),
    kindWords: new Map(kinds.map((k) => [k.id, k.words])),
  };
  const prepared = prepareSource(path.join(dataDir, 'sources', sourceDir), vocab, report);
  if (prepared) for (const q of prepared.quotes) for (const reason of checkAttribution(q, prepared.context)) report(prepared.quotesPath, q.id, reason);
  if (!prepared || problems.length > 0) throw new CorpusError(problems);
  const { meta, text, context } = prepared;
  return {
    entries: prepared.rawQuotes ?? [],
    check(entry) {
      const out: string[] = [];
      const quote = checkEntry(entry, 0, meta, text, vocab, (_id, reason) => out.push(reason));
      if (quote) out.push(...checkAttribution(quote, context));
      return out;
    },
  };
}

/** Each decision names a known kind and paragraphs that exist. */
function checkKindDecisions(meta: RawSource, paragraphCount: number, vocab: Vocab, metaPath: string, report: Report): void {
  for (const d of meta.kindDecisions ?? []) {
    const [from, to] = d.paragraphs;
    if (vocab.kindIds && !vocab.kindIds.has(d.kind)) report(metaPath, null, `kindDecisions: unknown source kind "${d.kind}" (kinds come from data/source-kinds.json)`);
    if (from > to || to > paragraphCount) report(metaPath, null, `kindDecisions: paragraphs ${from}–${to} are not a range of the source's ${paragraphCount} paragraphs`);
  }
}

/** Notes must be numbered 1..n and each must stand verbatim as an item of the source's closing notes section. */
function checkNotes(meta: RawSource, raw: string, metaPath: string, report: Report): void {
  const items = notesSection(raw).items;
  meta.notes.forEach((note, i) => {
    if (note.n !== i + 1) report(metaPath, null, `notes must be numbered 1, 2, 3…: found ${note.n} at position ${i + 1}`);
    const item = items.find((it) => it.n === note.n);
    if (item === undefined) report(metaPath, null, `note ${note.n}: the source's notes section has no item ${note.n} (an item starts "^[${note.n}] ", "[${note.n}] ", "${note.n}. " or "${note.n}) ")`);
    else if (item.text !== note.text) report(metaPath, null, `note ${note.n}: text differs from the source's note`);
    if (note.url && !note.text.includes(note.url)) report(metaPath, null, `note ${note.n}: url does not appear in the note's text`);
    // The short form and the archive are what students cite: every name and number in them must be the note's own.
    const plain = note.text.replace(/\*/g, '').toLowerCase();
    for (const [field, value] of [['short', note.short], ['archive', note.archive]] as const) {
      for (const m of (value ?? '').matchAll(/\d+|[A-Z][\p{L}'’]+/gu)) {
        if (!plain.includes(m[0].toLowerCase())) report(metaPath, null, `note ${note.n}: ${field} has "${m[0]}", which the note's text does not`);
      }
    }
  });
}

function checkQuote(
  q: RawQuote,
  meta: RawSource,
  src: { raw: string; mapped: MappedText; paras: Paragraph[] },
  vocab: Vocab,
  fail: (reason: string) => void,
): Quote | null {
  let ok = true;
  const problem = (reason: string) => {
    ok = false;
    fail(reason);
  };
  if (!q.id.startsWith(`${meta.idPrefix}-`)) problem(`id must start with this source's prefix "${meta.idPrefix}-"`);
  if (q.parts.length === 0 || q.parts.every((p) => p.trim() === '')) problem('empty quote: it has no words');
  q.parts.forEach((p, i) => {
    if (p.trim() === '') problem(`part ${i + 1} is empty`);
  });
  const length = q.parts.reduce((n, p) => n + p.length, 0);
  if (length > MAX_QUOTE_LENGTH) problem(`the quote is ${length} characters long; at most ${MAX_QUOTE_LENGTH} fit in one Discord message with its speaker and narration: split it into separate utterances`);
  for (const t of q.themes) if (vocab.themeIds && !vocab.themeIds.has(t)) problem(`unknown theme "${t}" (themes come from data/themes.json)`);
  if (new Set(q.themes).size !== q.themes.length) problem('a theme is listed twice');
  if (vocab.kindIds && !vocab.kindIds.has(q.source)) problem(`unknown source kind "${q.source}" (kinds come from data/source-kinds.json)`);
  if (!meta.notes.some((n) => n.n === q.note)) problem(`unknown note ${q.note}: the source has notes 1–${meta.notes.length}`);
  for (const g of q.glosses ?? []) {
    if (!q.parts.some((p) => p.includes(g))) problem(`gloss "${g}" does not occur in any part`);
  }
  if (!ok) return null;

  const para = src.paras[q.paragraph - 1];
  if (!para) {
    problem(`paragraph ${q.paragraph} does not exist: the source has ${src.paras.length}`);
    return null;
  }
  // Locate each part in order: the first inside its paragraph, the rest close after the previous one.
  const spans: [number, number][] = [];
  let from = normalisedIndexAt(src.mapped, para.start);
  for (const [i, part] of q.parts.entries()) {
    const needle = normalise(part);
    const at = src.mapped.text.indexOf(needle, from);
    const limit = i === 0 ? normalisedIndexAt(src.mapped, para.end) : from + MAX_GAP_BETWEEN_PARTS;
    if (at < 0 || at > limit) {
      const anywhere = src.mapped.text.indexOf(needle);
      const hint =
        anywhere < 0
          ? 'it does not occur anywhere in the source (only quote-mark style and whitespace may differ)'
          : `it occurs in the source, but not ${i === 0 ? `in paragraph ${q.paragraph}` : 'right after the previous part'} (found at line ${lineColumn(src.raw, src.mapped.origin[anywhere] ?? 0).line})`;
      problem(`part ${i + 1} is not in the source as written: "${truncate(part, 80, { atWord: false })}": ${hint}`);
      return null;
    }
    spans.push(spanOf(src.mapped, at, needle.length));
    from = at + needle.length;
  }

  return {
    id: q.id,
    sourceId: meta.id,
    parts: q.parts,
    text: q.parts.join(PART_JOINER),
    speaker: q.speaker,
    facets: q.facets,
    kind: q.source,
    note: q.note,
    themes: q.themes,
    glosses: q.glosses ?? [],
    remarks: q.remarks ?? null,
    describedWith: q.describedWith ?? [],
    genderFrom: q.genderFrom ?? null,
    // Filled in by loadSource once every quotation of the source is located.
    location: { paragraph: q.paragraph, spans, narration: { lead: null, bridges: [] } },
  };
}

/**
 * Completeness: every double quote mark in the body must belong to a curated
 * quote or to a documented exclusion, so a quotation cannot be silently skipped.
 */
function checkCoverage(raw: string, quotes: readonly Quote[], excluded: readonly [number, number][], file: string, report: Report): void {
  const { bodyEnd } = notesSection(raw);
  const covered = [...quotes.flatMap((q) => q.location.spans), ...excluded];
  for (const m of raw.slice(0, bodyEnd).matchAll(/["\u201C\u201D]/g)) {
    const at = m.index;
    const inside = covered.some(([s, e]) => at >= s - MARK_SLACK && at < e + MARK_SLACK);
    if (!inside) {
      const { line, column } = lineColumn(raw, at);
      const context = raw.slice(Math.max(0, at - 40), at + 60).replace(/\s+/g, ' ');
      report(file, null, `line ${line}, column ${column}: a quotation mark that no quote or exclusion covers: "…${context}…"`);
    }
  }
}

function normalisedIndexAt(mapped: MappedText, rawOffset: number): number {
  // origin is sorted: binary search for the first normalised char at or after rawOffset.
  let lo = 0;
  let hi = mapped.origin.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((mapped.origin[mid] ?? 0) < rawOffset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function spanOf(mapped: MappedText, at: number, length: number): [number, number] {
  const start = mapped.origin[at] ?? 0;
  const last = mapped.origin[at + length - 1] ?? start;
  return [start, last + 1];
}

function readJson<S extends z.ZodType>(file: string, schema: S, report: Report): z.infer<S> | null {
  if (!existsSync(file)) {
    report(file, null, 'file is missing');
    return null;
  }
  const text = readFileSync(file, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    report(file, null, `malformed JSON: ${describeJsonError(error, text)}`);
    return null;
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) report(file, null, `${issue.path.join('.') || 'file'}: ${issue.message}`);
    return null;
  }
  return parsed.data;
}

function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const pos = /position (\d+)/.exec(message);
  if (!pos) return message;
  const { line, column } = lineColumn(text, Number(pos[1]));
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}

function reportDuplicates(ids: readonly string[], file: string, what: string, report: Report): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) report(file, id, `duplicate ${what} id`);
    seen.add(id);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    if (value instanceof Map) {
      for (const v of value.values()) deepFreeze(v);
    } else {
      for (const v of Object.values(value)) deepFreeze(v);
    }
    Object.freeze(value);
  }
  return value;
}
