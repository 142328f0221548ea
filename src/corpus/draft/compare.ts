/**
 * A draft against a hand-curated folder of the same text: how many curated
 * quotes the draft proposed with identical parts, the same note, the same
 * speaker; and which of its proposals the curation holds to be no one's voice.
 *
 * Parts are compared as the check compares them (quote-mark style and
 * whitespace only). A proposal is true when its words overlap a curated
 * quote's words in the text, false otherwise. Speakers are compared the same
 * way (quote-mark style and whitespace only): "Lenin’s" is "Lenin's". (what curation excluded, or
 * left aside).
 */
import type { RawQuote } from '../schema.js';
import { normalise, normaliseMapped } from '../text.js';

export interface Comparison {
  readonly curated: number;
  readonly proposed: number;
  /** Curated quotes proposed with identical parts. */
  readonly identicalParts: number;
  readonly identicalNote: number;
  readonly identicalSpeaker: number;
  /** Proposals whose words overlap some curated quote. */
  readonly trueProposals: number;
  readonly partsRecall: number;
  readonly noteAccuracy: number;
  readonly speakerAccuracy: number;
  readonly precision: number;
  /** Curated quotes not proposed with identical parts, with the nearest proposal. */
  readonly missed: { id: string; parts: readonly string[]; proposed: readonly string[] | null }[];
  readonly wrongNote: { id: string; curated: number; proposed: number }[];
  readonly wrongSpeaker: { id: string; curated: string; proposed: string }[];
  /** Proposals overlapping no curated quote; `excludedAs` when curation excluded those words. */
  readonly falseProposals: { id: string; parts: readonly string[]; excludedAs: string | null }[];
}

type Span = [number, number];

function spansOf(mappedText: string, parts: readonly string[]): Span[] {
  const out: Span[] = [];
  let from = 0;
  for (const p of parts) {
    const needle = normalise(p);
    const at = mappedText.indexOf(needle, from);
    if (at < 0) continue;
    out.push([at, at + needle.length]);
    from = at + needle.length;
  }
  return out;
}

const overlaps = (a: readonly Span[], b: readonly Span[]) => a.some(([s, e]) => b.some(([s2, e2]) => s < e2 && s2 < e));
const key = (parts: readonly string[]) => parts.map(normalise).join('\u0000');
const ratio = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 1000) / 1000);

export function compareDraft(
  text: string,
  draft: readonly RawQuote[],
  curated: readonly RawQuote[],
  curatedExcluded: readonly { text: string; reason: string }[],
): Comparison {
  const mapped = normaliseMapped(text).text;
  // Quotes are located after their paragraph; a part's first occurrence is close enough to tell overlaps.
  const draftSpans = new Map(draft.map((q) => [q.id, spansOf(mapped, q.parts)]));
  const curatedSpans = new Map(curated.map((q) => [q.id, spansOf(mapped, q.parts)]));
  const byParts = new Map(draft.map((q) => [key(q.parts), q]));
  let identicalParts = 0;
  let identicalNote = 0;
  let identicalSpeaker = 0;
  const missed: Comparison['missed'][number][] = [];
  const wrongNote: Comparison['wrongNote'][number][] = [];
  const wrongSpeaker: Comparison['wrongSpeaker'][number][] = [];
  for (const c of curated) {
    const d = byParts.get(key(c.parts));
    if (!d) {
      const near = draft.find((q) => overlaps(draftSpans.get(q.id) ?? [], curatedSpans.get(c.id) ?? []));
      missed.push({ id: c.id, parts: c.parts, proposed: near?.parts ?? null });
      continue;
    }
    identicalParts++;
    if (d.note === c.note) identicalNote++;
    else wrongNote.push({ id: c.id, curated: c.note, proposed: d.note });
    if (normalise(d.speaker) === normalise(c.speaker)) identicalSpeaker++;
    else wrongSpeaker.push({ id: c.id, curated: c.speaker, proposed: d.speaker });
  }
  const excludedSpans = curatedExcluded.map((e) => ({ e, spans: spansOf(mapped, [e.text]) }));
  const falseProposals: Comparison['falseProposals'][number][] = [];
  let trueProposals = 0;
  for (const d of draft) {
    const spans = draftSpans.get(d.id) ?? [];
    if (curated.some((c) => overlaps(spans, curatedSpans.get(c.id) ?? []))) trueProposals++;
    else falseProposals.push({ id: d.id, parts: d.parts, excludedAs: excludedSpans.find((x) => overlaps(spans, x.spans))?.e.reason ?? null });
  }
  return {
    curated: curated.length,
    proposed: draft.length,
    identicalParts,
    identicalNote,
    identicalSpeaker,
    trueProposals,
    partsRecall: ratio(identicalParts, curated.length),
    noteAccuracy: ratio(identicalNote, curated.length),
    speakerAccuracy: ratio(identicalSpeaker, curated.length),
    precision: ratio(trueProposals, draft.length),
    missed,
    wrongNote,
    wrongSpeaker,
    falseProposals,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

export function formatComparison(c: Comparison, verbose: boolean): string {
  const lines = [
    `compared with ${c.curated} curated quotes; the draft proposed ${c.proposed}`,
    `  identical parts:            ${c.identicalParts}/${c.curated} (${pct(c.partsRecall)})`,
    `  identical parts and note:   ${c.identicalNote}/${c.curated} (${pct(c.noteAccuracy)})`,
    `  identical parts and speaker: ${c.identicalSpeaker}/${c.curated} (${pct(c.speakerAccuracy)})`,
    `  proposals that are curated voices: ${c.trueProposals}/${c.proposed} (precision ${pct(c.precision)})`,
  ];
  const excludedByCuration = c.falseProposals.filter((f) => f.excludedAs);
  if (excludedByCuration.length > 0) {
    lines.push(`proposed, but the curation excluded them (${excludedByCuration.length}):`);
    for (const f of excludedByCuration) lines.push(`  ${f.id} "${cut(f.parts.join(' […] '))}" — curation: ${f.excludedAs}`);
  }
  const elsewhere = c.falseProposals.filter((f) => !f.excludedAs);
  if (elsewhere.length > 0) {
    lines.push(`proposed, not in the curation at all (${elsewhere.length}):`);
    for (const f of elsewhere) lines.push(`  ${f.id} "${cut(f.parts.join(' […] '))}"`);
  }
  if (verbose) {
    if (c.missed.length > 0) lines.push(`curated quotes not proposed with identical parts (${c.missed.length}):`);
    for (const m of c.missed) lines.push(`  ${m.id} ${JSON.stringify(m.parts.map((p) => cut(p, 50)))}\n      draft: ${m.proposed ? JSON.stringify(m.proposed.map((p) => cut(p, 50))) : '—'}`);
    if (c.wrongNote.length > 0) lines.push(`wrong note (${c.wrongNote.length}):`);
    for (const w of c.wrongNote) lines.push(`  ${w.id}: curated ${w.curated}, draft ${w.proposed}`);
    if (c.wrongSpeaker.length > 0) lines.push(`other speaker (${c.wrongSpeaker.length}):`);
    for (const w of c.wrongSpeaker) lines.push(`  ${w.id}: curated "${w.curated}", draft "${w.proposed}"`);
  }
  return lines.join('\n');
}

function cut(s: string, n = 70): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
