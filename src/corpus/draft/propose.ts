/**
 * Proposals from the narration: the kind of source it names, the themes a
 * quotation's own words touch, which notes stand for a whole kind, and the
 * notes' short forms.
 */
import { stemmer } from 'stemmer';
import type { RawNote } from '../schema.js';
import type { NoteItem } from '../notes.js';
import type { SourceKind, Theme } from '../types.js';

/** Words that name each kind of source, for a vocabulary that does not list its own `words`. */
const KIND_WORDS: Record<string, readonly string[]> = {
  interview: ['interview', 'interviews', 'interviewed', 'interviewee', 'interviewees', 'interviewer', 'respondent', 'respondents', 'emigre', 'emigres', 'émigré', 'émigrés', 'transcript', 'transcripts', 'oral history'],
  report: ['report', 'reports', 'reported', 'summary', 'summaries', 'informer', 'informers', 'informant', 'informants', 'svodka', 'svodki'],
  letter: ['letter', 'letters', 'wrote to', 'postcard', 'petition', 'petitions'],
  meeting: ['meeting', 'meetings', 'assembly', 'assemblies', 'rally', 'gathering', 'note passed', 'notes passed', 'conference'],
  leaflet: ['leaflet', 'leaflets', 'pamphlet', 'pamphlets', 'flyer', 'flyers', 'handbill', 'handbills', 'proclamation', 'proclamations'],
  manifesto: ['manifesto', 'manifestos', 'programme', 'platform'],
  banner: ['banner', 'banners', 'placard', 'placards', 'slogan', 'slogans'],
};

export interface KindFinder {
  /** Every kind named in a stretch of narration, with offsets relative to it. */
  find(narration: string): { kind: string; at: number }[];
}

export function kindFinder(kinds: readonly SourceKind[]): KindFinder {
  const patterns = kinds.map((k) => {
    // The vocabulary's own words are the check's rule; a vocabulary without them falls back on common names.
    const words = k.words && k.words.length > 0 ? k.words : (KIND_WORDS[k.id] ?? [k.id]);
    const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+'));
    return { kind: k.id, re: new RegExp(`\\b(?:${escaped.join('|')})s?\\b`, 'giu') };
  });
  return {
    find(narration) {
      const out: { kind: string; at: number }[] = [];
      for (const p of patterns) for (const m of narration.matchAll(p.re)) out.push({ kind: p.kind, at: m.index });
      return out.sort((a, b) => a.at - b.at);
    },
  };
}

const STOP = new Set(
  'a an the and or of in on at to for by with from as is are was were be been how what why who whom which this that these those its it his her their them they he she we our your you not no than then more most less very into about over under rather memories time times better such one two own'.split(' '),
);

function stems(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}[\p{L}'’-]*/gu) ?? []).map((w) => w.replace(/['’]s$/, '')).filter((w) => w.length >= 3 && !STOP.has(w)).map((w) => stemmer(w));
}

export interface ThemeMatcher {
  /** Theme ids whose words the text uses, best first (at most three); empty when none. */
  match(text: string): string[];
}

/**
 * Each theme is known by the words of its id, label and description. Words
 * shared by many themes, or in the work's own title (what the whole work is
 * about), tell nothing about one quotation and are left out.
 */
export function themeMatcher(themes: readonly Theme[], title: string): ThemeMatcher {
  const titleStems = new Set(stems(title));
  const perTheme = themes.map((t) => ({ id: t.id, words: new Set(stems(`${t.id.replace(/-/g, ' ')} ${t.label} ${t.description}`)) }));
  const spread = new Map<string, number>();
  for (const t of perTheme) for (const w of t.words) spread.set(w, (spread.get(w) ?? 0) + 1);
  for (const t of perTheme) for (const w of [...t.words]) if ((spread.get(w) ?? 0) > 2 || titleStems.has(w)) t.words.delete(w);
  return {
    match(text) {
      const words = new Set(stems(text));
      return perTheme
        .map((t) => ({ id: t.id, score: [...t.words].filter((w) => words.has(w)).length }))
        .filter((s) => s.score > 0)
        .sort((a, b) => b.score - a.score)
        .slice(0, 3)
        .map((s) => s.id);
    },
  };
}

const URL_RE = /https?:\/\/[^\s<>)\]]+/;

/** A note as source.json stores it: verbatim text, its url, and a short form made only of the note's own words. */
export function noteEntry(item: NoteItem): RawNote {
  const url = URL_RE.exec(item.text)?.[0]?.replace(/[.,;]+$/, '') ?? null;
  const plain = item.text.replace(/<[^>]*>/g, '').replace(URL_RE, '').replace(/[*_]/g, '').replace(/\s+/g, ' ').trim().replace(/[\s,.;:]+$/, '');
  let short = plain;
  if (short.length > 90) short = `${short.slice(0, 90).replace(/\s+\S*$/, '')}…`;
  if (short.replace(/\W/g, '') === '') short = url ? new URL(url).host : `Note ${item.n}`;
  return { n: item.n, text: item.text, url, short };
}

/** A note that covers a whole class of quotations rather than one passage. */
const BLANKET = /\b(?:for all|all (?:\S+ ){0,5}(?:quotations|quotes|citations|interviews|letters|reports)|unless otherwise (?:noted|stated|indicated)|throughout)\b/i;

/**
 * Which kinds rest wholesale on one note: a blanket note ("For all … citations")
 * covers the kind named where it is first cited (or in its own text); a note
 * no marker cites covers the kind its own text names ("the group's own interview notes").
 */
export function proposeKindNotes(
  notes: readonly RawNote[],
  cited: ReadonlySet<number>,
  kindNear: (n: number) => string | null,
  finder: KindFinder,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const note of notes) {
    const own = finder.find(note.text)[0]?.kind ?? null;
    let kind: string | null = null;
    if (BLANKET.test(note.text)) kind = own ?? kindNear(note.n);
    else if (!cited.has(note.n)) kind = own;
    if (kind && out[kind] === undefined) out[kind] = note.n;
  }
  return out;
}
