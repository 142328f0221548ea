/**
 * The essay's narration as the bot shows it, for every quote of the corpus:
 * in the quote's embed (before and between its parts, in italics), in the
 * Cite text, in `/source`'s "The first of them", and around the quote in
 * Context. Each excerpt is read back out of the message and checked against
 * source.txt with this file's own reading of the source, not the bot's:
 *
 * - it is one contiguous run of the source's characters, once the documented
 *   display changes are undone here, each explicitly: Markdown escapes and
 *   italics/bold, "…" where it starts inside a sentence, note markers left out
 *   (or shown as [n] in Context), *title* asterisks left out, whitespace runs
 *   as one space, and (narration only) quotation marks set as single ones;
 * - it stands where it belongs: a lead-in ends at the quote's opening mark,
 *   narration between parts fills the gap between them, nothing left out;
 * - its quotation marks are balanced in the source;
 * - it holds no other voice: no quote's words, no excluded words that are not
 *   the essay's own, and any words in quotation marks inside it are words
 *   excluded.json records as the essay's (a label, a name, a proverb).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createApp } from '../../src/app.js';
import type { Quote, Source } from '../../src/corpus/types.js';
import { citeMessage, contextMessage, noteMessage, resultMessage } from '../../src/render/messages.js';
import { escapeMarkdown } from '../../src/render/text.js';

const app = createApp({ random: () => 0 });
const { corpus } = app;

// ---------------------------------------------------------------------------
// This file's own reading of each source: where every quotation stands.

interface Run {
  readonly start: number;
  readonly end: number;
}

interface Excluded extends Run {
  readonly text: string;
  readonly narration: boolean;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A stored text as a pattern over the source: any quote-mark style, any whitespace. */
const storedPattern = (s: string) =>
  [...s.trim()].map((ch) => (/\s/.test(ch) ? '\\s+' : /["“”„]/.test(ch) ? '["“”„]' : /['‘’]/.test(ch) ? "['‘’]" : escapeRe(ch))).join('').replace(/(?:\\s\+)+/g, '\\s+');

function excludedOf(source: Source): Excluded[] {
  const file = path.join(path.dirname(source.path), 'excluded.json');
  const entries = JSON.parse(readFileSync(file, 'utf8')) as { text: string; narration?: boolean }[];
  return entries.map((e) => {
    const m = new RegExp(storedPattern(e.text)).exec(source.text);
    assert.ok(m, `excluded words not in the source: ${e.text}`);
    return { start: m.index, end: m.index + m[0].length, text: e.text, narration: e.narration === true };
  });
}

const MARKS = /["“”„‘’']/;
/** A quotation with the marks at its edges (and the punctuation set inside its closing marks). */
function withMarks(text: string, r: Run): Run {
  let start = r.start;
  while (start > 0 && MARKS.test(text.charAt(start - 1))) start--;
  let end = r.end;
  let j = end;
  while (/[.,;:!?…]/.test(text.charAt(j))) j++;
  if (MARKS.test(text.charAt(j))) {
    end = j;
    while (MARKS.test(text.charAt(end))) end++;
  }
  return { start, end };
}

const overlaps = (a: Run, b: Run) => a.start < b.end && b.start < a.end;
const LETTER = /[\p{L}\p{N}]/u;

interface Pair {
  readonly open: number;
  readonly close: number;
}

/** Reads the marks of text[start, end): the quotations it opens and closes, and any mark left unmatched. */
function readMarks(text: string, start: number, end: number): { pairs: Pair[]; unmatched: number[] } {
  const stack: { at: number; double: boolean }[] = [];
  const pairs: Pair[] = [];
  const unmatched: number[] = [];
  const close = (at: number, double: boolean) => {
    const top = stack[stack.length - 1];
    if (top && top.double === double) {
      stack.pop();
      if (double && stack.every((s) => !s.double)) pairs.push({ open: top.at, close: at });
    } else unmatched.push(at);
  };
  for (let i = start; i < end; i++) {
    const ch = text.charAt(i);
    const before = text.charAt(i - 1);
    const after = text.charAt(i + 1);
    const atWordStart = (i === 0 || /[\s([—–-]/.test(before)) && /\S/.test(after);
    const betweenLetters = LETTER.test(before) && LETTER.test(after);
    const singleOpen = stack.some((s) => !s.double);
    if (ch === '“' || ch === '„') stack.push({ at: i, double: true });
    else if (ch === '”') close(i, true);
    else if (ch === '"' && atWordStart) stack.push({ at: i, double: true });
    else if (ch === '"') close(i, true);
    else if (ch === '‘') stack.push({ at: i, double: false });
    else if (ch === '’' && !betweenLetters && singleOpen) close(i, false);
    else if (ch === "'" && !betweenLetters) {
      if (atWordStart) stack.push({ at: i, double: false });
      else if (singleOpen) close(i, false);
    }
  }
  return { pairs, unmatched: [...unmatched, ...stack.map((s) => s.at)] };
}

interface SourceFacts {
  readonly text: string;
  readonly spans: readonly (Run & { id: string })[];
  readonly excluded: readonly Excluded[];
  /** Every quotation, curated or excluded, with its marks. */
  readonly units: readonly Run[];
}

const facts = new Map<string, SourceFacts>();
for (const source of corpus.sources) {
  const spans = corpus.quotes.filter((q) => q.sourceId === source.id).flatMap((q) => q.location.spans.map(([start, end]) => ({ start, end, id: q.id })));
  const excluded = excludedOf(source);
  const units = [...spans, ...excluded].map((r) => withMarks(source.text, r));
  facts.set(source.id, { text: source.text, spans, excluded, units });
}
const factsOf = (q: Quote): SourceFacts => {
  const f = facts.get(q.sourceId);
  assert.ok(f, q.sourceId);
  return f;
};

// ---------------------------------------------------------------------------
// Undoing the display, explicitly.

/** Markdown escapes resolved (escapeMarkdown's inverse). */
const unescape = (md: string) => md.replace(/\\([\\*_~`|[\]>#.-])/g, '$1').replace(/:\u200b\/\//g, '://');

/**
 * A shown narration excerpt as a pattern over the source: a space stands for
 * any whitespace and any note marker left out; a single mark for any mark that
 * opens (‘) or closes (’) there; at a word's edge, a *title* asterisk may stand.
 */
function narrationPattern(shown: string): string {
  const chars = [...shown];
  let re = '';
  chars.forEach((ch, i) => {
    const prev = chars[i - 1] ?? ' ';
    if (LETTER.test(prev) !== LETTER.test(ch)) re += '\\*?';
    if (ch === ' ') re += '(?:\\s|\\^\\[\\d+\\])+';
    else if (ch === '‘') re += `["“„‘']`;
    else if (ch === '’') re += `["”’']`;
    else re += escapeRe(ch);
  });
  return `${re}\\*?`;
}

/** What a narration excerpt may be: the problems found, none when it is the essay's own. */
function runProblems(f: SourceFacts, run: Run, what: string): string[] {
  const out: string[] = [];
  const { pairs, unmatched } = readMarks(f.text, run.start, run.end);
  for (const at of unmatched) out.push(`${what}: an unmatched quotation mark (…${f.text.slice(Math.max(run.start, at - 30), at + 30)}…)`);
  for (const s of f.spans) if (overlaps(s, run)) out.push(`${what}: holds words of ${s.id}`);
  for (const x of f.excluded) if (!x.narration && overlaps(x, run)) out.push(`${what}: holds another voice's words: ${x.text}`);
  // Words in quotation marks inside narration must be the essay's own, as excluded.json records them.
  for (const p of pairs) {
    const inner = f.text.slice(p.open + 1, p.close).trim();
    if (!f.excluded.some((x) => x.narration && new RegExp(`^${storedPattern(x.text)}[.,;:!?]?$`).test(inner))) out.push(`${what}: quoted words that are not the essay's own: ${inner}`);
  }
  return out;
}

interface Shown {
  /** Before the first part ('' for none). */
  readonly lead: string;
  /** Between part i and part i + 1 ('' for none). */
  readonly bridges: readonly string[];
  readonly parts: number;
  readonly after: string;
}

/** The problems of a quote's narration as shown; none when every piece is the essay's own, where it belongs. */
function narrationProblems(q: Quote, shown: Shown, what: string): string[] {
  const f = factsOf(q);
  const out: string[] = [];
  if (shown.parts !== q.parts.length) return [`${what}: ${shown.parts} quoted parts shown, ${q.parts.length} stored`];
  if (shown.after) out.push(`${what}: text after the last part: ${shown.after}`);
  const [firstStart] = q.location.spans[0] ?? [0];
  if (shown.lead) {
    const midSentence = shown.lead.startsWith('…');
    const lead = shown.lead.replace(/^…/, '');
    const window = f.text.slice(0, firstStart);
    // The lead-in ends at the quote's opening mark.
    const m = new RegExp(`${narrationPattern(lead)}[\\s"“„‘']*$`).exec(window);
    if (!m) out.push(`${what}: the lead-in “${shown.lead}” is not the run of the source before the quote`);
    else {
      const tail = /[\s"“„‘']*$/.exec(m[0])?.[0].length ?? 0;
      const run = { start: m.index, end: m.index + m[0].length - tail };
      out.push(...runProblems(f, run, `${what} lead-in`));
      // Without "…" it starts a sentence of the essay, or its paragraph.
      const before = f.text.slice(0, run.start);
      const paragraphStart = /(?:^|\n[ \t]*\n[ \t]*)$/.test(before);
      const sentenceStart = /[.!?]["”’')]*(?:\^\[\d+\])?\s+$/.test(before) && /^["“‘']?[A-Z0-9]/.test(f.text.slice(run.start));
      if (!midSentence && !paragraphStart && !sentenceStart) out.push(`${what}: the lead-in starts inside a sentence without saying so: ${shown.lead}`);
    }
  }
  shown.bridges.forEach((bridge, i) => {
    const prev = q.location.spans[i];
    const cur = q.location.spans[i + 1];
    if (!prev || !cur) return;
    const between = f.text.slice(prev[1], cur[0]);
    if (bridge === '[…]') {
      const gap = { start: prev[1], end: cur[0] };
      if (between.length <= 240 && runProblems(f, withinMarks(f.text, gap), '').length === 0) out.push(`${what}: the narration between parts ${i + 1} and ${i + 2} is summarised though short and plain`);
      return;
    }
    // Nothing left out: the gap is the narration and the marks and punctuation that close and open the parts.
    const m = new RegExp(`^[\\s.,;:!?…"”’']*${bridge ? narrationPattern(bridge) : ''}[\\s"“„‘']*$`).exec(between);
    if (!m) {
      out.push(`${what}: between parts ${i + 1} and ${i + 2}, “${bridge}” is not the source's “${between}”`);
      return;
    }
    if (bridge) {
      const lead = /^[\s.,;:!?…"”’']*/.exec(between)?.[0].length ?? 0;
      const tail = /[\s"“„‘']*$/.exec(between)?.[0].length ?? 0;
      out.push(...runProblems(f, { start: prev[1] + lead, end: cur[0] - tail }, `${what} between parts ${i + 1} and ${i + 2}`));
    }
  });
  return out;
}

/** The gap between two parts without the marks that close and open them. */
function withinMarks(text: string, gap: Run): Run {
  let { start, end } = gap;
  while (start < end && /[\s.,;:!?…"”’']/.test(text.charAt(start))) start++;
  while (end > start && /[\s"“„‘']/.test(text.charAt(end - 1))) end--;
  return { start, end };
}

/** Splits shown quote text into the narration around its “quoted parts” (a part holds no double marks: nested ones are single). */
function splitShown(text: string, narration: (piece: string) => string): Shown {
  const pieces = text.split(/“[^“”]*”/);
  const parts = pieces.length - 1;
  const between = pieces.map((p) => narration(p.trim()));
  return { lead: between[0] ?? '', bridges: between.slice(1, -1), parts, after: between[between.length - 1] ?? '' };
}

/** An embed's italics: `*narration*`, escaped. */
function italic(piece: string): string {
  if (piece === '') return '';
  const m = /^\*([\s\S]*)\*$/.exec(piece);
  return m ? unescape(m[1] ?? '') : `NOT IN ITALICS: ${piece}`;
}

function embedShown(q: Quote): Shown {
  const description = resultMessage(corpus, { hits: [q], index: 0, query: '', filters: {} }).embeds?.[0]?.description ?? '';
  const suffix = `\n\n— ${escapeMarkdown(q.speaker)}`;
  assert.ok(description.endsWith(suffix), q.id);
  return splitShown(description.slice(0, -suffix.length), italic);
}

function citeShown(q: Quote): Shown {
  const description = citeMessage(corpus, q).embeds?.[0]?.description ?? '';
  const body = /```text\n([\s\S]*?)\n```/.exec(description)?.[1] ?? '';
  const suffix = ` — ${q.speaker}`;
  assert.ok(body.endsWith(suffix), `${q.id}: ${body}`);
  return splitShown(body.slice(0, -suffix.length), (p) => p);
}

// ---------------------------------------------------------------------------

describe('the narration shown with each quote is the essay’s own', () => {
  it('in the quote’s embed, for every quote', () => {
    const problems = corpus.quotes.flatMap((q) => narrationProblems(q, embedShown(q), `${q.id} embed`));
    assert.deepEqual(problems, []);
  });

  it('in the Cite text, for every quote', () => {
    const problems = corpus.quotes.flatMap((q) => narrationProblems(q, citeShown(q), `${q.id} cite`));
    assert.deepEqual(problems, []);
  });

  it('in /source’s first quote, for every note', () => {
    let checked = 0;
    const problems = corpus.sources.flatMap((source) =>
      source.notes.flatMap((note) => {
        const field = noteMessage(corpus, note.n, source.id).embeds?.[0]?.fields?.find((f) => f.name === 'The first of them');
        if (!field) return [];
        const id = /\(([a-z0-9]+-\d+)\)$/.exec(field.value)?.[1] ?? '';
        const q = corpus.byId.get(id);
        if (!q) return [`note ${note.n}: the first quote is not named: ${field.value}`];
        const suffix = ` — ${escapeMarkdown(q.speaker)} (${q.id})`;
        if (!field.value.endsWith(suffix)) return [`note ${note.n}: the field is cut: ${field.value}`];
        checked++;
        return narrationProblems(q, splitShown(field.value.slice(0, -suffix.length), italic), `/source ${note.n} (${q.id})`);
      }),
    );
    assert.deepEqual(problems, []);
    assert.ok(checked >= 5, `${checked} notes have a first quote`);
  });

  it('the cases found: another quote’s words, a label’s marks, a refrain inside a historian’s words, a stray mark', () => {
    const lead = (id: string) => embedShown(corpus.byId.get(id) as Quote).lead;
    // lr-038 follows lr-037 in one sentence: its lead-in starts after lr-037's words, and says so.
    assert.equal(lead('lr-038'), '…while another man claimed that Lenin was wise but');
    assert.equal(lead('lr-099'), '…while another lamented that,');
    // The essay's label keeps both its marks.
    assert.equal(lead('lr-111'), '‘Anti-Soviet speeches’ at a February meeting at Yartsev factory in Smolensk attended by both trust board members and workers included,');
    assert.equal(lead('lr-115'), 'In Sumy, an ‘anti-Soviet leaflet’ found in the Frunze Factory said,');
    // The refrain stands inside Sarah Davies's words: the words before it are hers, so none are shown.
    assert.equal(lead('lr-096'), '');
    assert.equal(citeShown(corpus.byId.get('lr-096') as Quote).lead, '');
    // The essay opens a mark before "Trotsky" it never closes: the lead-in starts after it.
    assert.equal(lead('lr-053'), '…Trotsky, Rykov and Bukharin');
  });

  it('the checks fail on the excerpts the bot used to show', () => {
    const q = (id: string) => corpus.byId.get(id) as Quote;
    const shown = (id: string, lead: string): Shown => ({ lead, bridges: q(id).parts.slice(1).map(() => ''), parts: q(id).parts.length, after: '' });
    const old = {
      'lr-038': '…was an altogether different man from Stalin; he was, above all, a man with some culture, Stalin has none.’ while another man claimed that Lenin was wise but',
      'lr-111': 'Anti-Soviet speeches’ at a February meeting at Yartsev factory in Smolensk attended by both trust board members and workers included,',
      'lr-096': 'Using secret police reports in Popular Opinion in Stalin’s Russia, Sarah Davies comments that ‘the refrain',
      'lr-053': 'A young male Byelorussian school teacher commented that ‘Trotsky, Rykov and Bukharin',
      // Another voice in balanced marks is still another voice.
      'lr-099': 'One worker asserted that ‘Lenin led the country upwards, but today’s leader is bringing it down’ while another lamented that,',
    };
    for (const [id, lead] of Object.entries(old)) {
      const problems = narrationProblems(q(id), { ...shown(id, lead), bridges: narrationOnlyBridges(q(id)) }, id);
      assert.ok(problems.length > 0, `${id}: the old lead-in passes the check`);
    }
    assert.match(narrationProblems(q('lr-038'), { ...shown('lr-038', old['lr-038']) }, 'lr-038').join('\n'), /holds words of lr-037/);
    assert.match(narrationProblems(q('lr-111'), shown('lr-111', old['lr-111']), 'lr-111').join('\n'), /unmatched quotation mark/);
    assert.match(narrationProblems(q('lr-096'), shown('lr-096', old['lr-096']), 'lr-096').join('\n'), /another voice's words: the refrain/);
    assert.match(narrationProblems(q('lr-099'), { ...shown('lr-099', old['lr-099']), bridges: narrationOnlyBridges(q('lr-099')) }, 'lr-099').join('\n'), /holds words of lr-098/);
    // A word dropped, or narration left out between parts, is not the source's run.
    assert.match(narrationProblems(q('lr-111'), shown('lr-111', '‘Anti-Soviet speeches’ at a meeting at Yartsev factory in Smolensk attended by both trust board members and workers included,'), 'x').join('\n'), /is not the run of the source/);
    assert.match(narrationProblems(q('lr-082'), shown('lr-082', 'Other emigres mentioned this anecdote, that'), 'x').join('\n'), /between parts 1 and 2/);
    // A lead-in cut inside its sentence without "…".
    assert.match(narrationProblems(q('lr-038'), shown('lr-038', 'while another man claimed that Lenin was wise but'), 'x').join('\n'), /starts inside a sentence/);
  });
});

/** The bridges the bot shows for a quote (for checks that vary only the lead-in). */
function narrationOnlyBridges(q: Quote): string[] {
  return [...embedShown(q).bridges];
}

// ---------------------------------------------------------------------------

/** Context: its text, with its bold runs, as a pattern over the source; bold runs captured. */
function contextPattern(md: string): { pattern: string; bold: number } {
  let re = '';
  let bold = 0;
  let inBold = false;
  // A note marker ^[n] is shown as [n] (a bracket that opens no link needs no escape): here one private-use
  // character each, the k-th note U+E000 + k.
  const notes: string[] = [];
  const chars = [...md.replace(/\[(\d+)\]/g, (_, n: string) => String.fromCodePoint(0xe000 + notes.push(n) - 1))];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch === '\\' && i + 1 < chars.length) {
      re += escapeRe(chars[++i] ?? '');
    } else if (ch === '*' && chars[i + 1] === '*') {
      i++;
      re += inBold ? ')' : '(';
      if (!inBold) bold++;
      inBold = !inBold;
    } else if (/[\u{E000}-\u{F8FF}]/u.test(ch)) {
      re += `\\^\\[${notes[(ch.codePointAt(0) ?? 0) - 0xe000] ?? ''}\\]`;
    } else if (ch === ' ') re += `${LETTER.test(chars[i - 1] ?? ' ') ? '\\*?' : ''}\\s+`;
    else {
      const prev = chars[i - 1] ?? ' ';
      if (LETTER.test(prev) !== LETTER.test(ch)) re += '\\*?';
      re += escapeRe(ch);
    }
  }
  return { pattern: `${re.replace(/(?:\\s\+)+/g, '\\s+')}\\*?`, bold };
}

function contextProblems(q: Quote, description: string): string[] {
  const f = factsOf(q);
  const body = description.replace(/^… /, '').replace(/ …$/, '').replace(/:\u200b\/\//g, '://');
  const { pattern, bold } = contextPattern(body);
  const m = new RegExp(pattern, 'd').exec(f.text);
  if (!m) return [`${q.id} context: not one run of the source: ${description.slice(0, 120)}`];
  const run = { start: m.index, end: m.index + m[0].length };
  const out: string[] = [];
  // The bold runs are exactly the quote's parts, where the quote stands.
  if (bold !== q.location.spans.length) out.push(`${q.id} context: ${bold} bold runs for ${q.location.spans.length} parts`);
  q.location.spans.forEach(([start, end], i) => {
    const at = m.indices?.[i + 1];
    if (!at || at[0] !== start || at[1] !== end) out.push(`${q.id} context: bold run ${i + 1} is not part ${i + 1} where it stands`);
  });
  // It cuts no quotation, and outside them every mark is matched.
  for (const u of f.units) if (overlaps(u, run) && (u.start < run.start || u.end > run.end)) out.push(`${q.id} context: cuts the quotation “${f.text.slice(u.start, u.end).slice(0, 60)}”`);
  let at = run.start;
  const outside: Run[] = [];
  for (const u of [...f.units].sort((a, b) => a.start - b.start)) {
    if (u.end <= run.start || u.start >= run.end) continue;
    if (u.start > at) outside.push({ start: at, end: u.start });
    at = Math.max(at, u.end);
  }
  if (at < run.end) outside.push({ start: at, end: run.end });
  for (const r of outside) if (readMarks(f.text, r.start, r.end).unmatched.length > 0) out.push(`${q.id} context: an unmatched mark in “${f.text.slice(r.start, r.end)}”`);
  return out;
}

describe('Context shows the essay as it reads', () => {
  it('for every quote: one run of the source, the quote in bold where it stands, no quotation cut, marks matched', () => {
    const problems = corpus.quotes.flatMap((q) => contextProblems(q, contextMessage(corpus, app.layouts, q).embeds?.[0]?.description ?? ''));
    assert.deepEqual(problems, []);
  });

  it('the check fails on a cut quotation, a lost mark or a changed word', () => {
    const q = corpus.byId.get('lr-038') as Quote;
    const good = contextMessage(corpus, app.layouts, q).embeds?.[0]?.description ?? '';
    assert.deepEqual(contextProblems(q, good), []);
    // Starting inside lr-037's words, at the sentence its full stop seems to end.
    const cut = good.replace(/^[\s\S]*?he was, above all,/, '… he was, above all,');
    assert.match(contextProblems(q, cut).join('\n'), /cuts the quotation|unmatched/);
    assert.match(contextProblems(q, good.replace('"**Stalin', '**Stalin')).join('\n'), /not one run/);
    assert.match(contextProblems(q, good.replace('claimed', 'said')).join('\n'), /not one run/);
  });
});
