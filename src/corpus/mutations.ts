/**
 * Mutation testing of the attribution check: every single wrong change of a
 * quote's speaker word, gender, age, age group, nationality, occupation, kind
 * or note — the new value drawn from the other quotes' values — must be
 * refused by the same per-quote checks the loader runs. Used by the corpus
 * tests and by `npm run corpus -- check --mutations`.
 */
import { descriptionWords, genderOf, isFactWord } from './attribution.js';
import type { QuoteChecker } from './load.js';

/** The fields of an entry a mutation changes; loosely typed, as read from quotes.json. */
interface Entry {
  id: string;
  speaker: string;
  facets: Record<string, unknown>;
  source: string;
  note: number;
  [key: string]: unknown;
}

export interface Mutation {
  readonly id: string;
  /** What changed: "speaker", "gender", "age", "ageGroup", "nationality", "occupation", "kind" or "note". */
  readonly field: string;
  readonly from: string;
  readonly to: string;
  readonly entry: Entry;
}

export interface MutationReport {
  readonly tried: number;
  readonly caught: number;
  /** Per field: tried and caught. */
  readonly byField: ReadonlyMap<string, { tried: number; caught: number }>;
  /** The mutations the check let through, each a hole to close. */
  readonly passed: readonly Mutation[];
}

const FACETS = ['gender', 'age', 'ageGroup', 'nationality', 'occupation'] as const;
/** Facets that a description states in words the check can read ("a 35-year-old", "young", "woman", "Ukrainian"): dropping one is wrong. */
const STATED = new Set(['gender', 'age', 'ageGroup', 'nationality']);

const show = (v: unknown) => (v === undefined ? '(none)' : String(v));

/** Every single wrong change of every entry, in quotes.json order. */
export function mutationsOf(entries: readonly unknown[], notes: readonly number[], kinds: readonly string[]): Mutation[] {
  const quotes = entries as Entry[];
  const out: Mutation[] = [];
  const values = (facet: string) => [...new Set(quotes.map((q) => q.facets[facet]).filter((v) => v !== undefined))];
  const facetValues = new Map(FACETS.map((f) => [f, values(f)]));

  // Words that say who someone is, by class, from every description and facet: a word is replaced by others of its class.
  const wordClasses = new Map<string, Set<string>>();
  const addWord = (cls: string, w: string) => {
    const set = wordClasses.get(cls) ?? new Set<string>();
    set.add(w);
    wordClasses.set(cls, set);
  };
  for (const q of quotes) {
    for (const w of descriptionWords(q.speaker)) if (isFactWord(w)) addWord(classOf(w, facetValues), w);
    // What people are: the head noun of each occupation ("officer" of "Red Army officer").
    if (typeof q.facets.occupation === 'string') addWord('occupation', descriptionWords(q.facets.occupation).pop() ?? '');
  }

  for (const q of quotes) {
    const mutate = (field: string, from: unknown, to: unknown, change: (e: Entry) => void) => {
      const entry = structuredClone(q);
      change(entry);
      out.push({ id: q.id, field, from: show(from), to: show(to), entry });
    };
    const own = new Set(descriptionWords(q.speaker).map((w) => w.toLowerCase()));
    for (const word of new Set(descriptionWords(q.speaker))) {
      if (!isFactWord(word)) continue;
      const cls = classOf(word, facetValues);
      // A word with no class of its own ("respondent", "complaint") is replaced by what people are: occupations.
      const candidates = wordClasses.get(cls === 'other' ? 'occupation' : cls) ?? new Set();
      for (const to of candidates) {
        if (own.has(to.toLowerCase())) continue; // "journalist and journalist" says nothing new
        mutate('speaker', word, to, (e) => {
          e.speaker = replaceWord(e.speaker, word, to);
        });
      }
    }
    for (const facet of FACETS) {
      const current = q.facets[facet];
      for (const to of facetValues.get(facet) ?? []) {
        if (to === current) continue;
        // "a factory worker" recorded as a "worker" is less precise, not wrong: every word of it is the description's.
        if (facet === 'occupation' && typeof current === 'string' && descriptionWords(String(to)).every((w) => own.has(w.toLowerCase()))) continue;
        mutate(facet, current, to, (e) => {
          e.facets = { ...e.facets, [facet]: to };
        });
      }
      if (current !== undefined && STATED.has(facet) && statesFacet(q.speaker, facet, current)) {
        mutate(facet, current, undefined, (e) => {
          const { [facet]: _dropped, ...rest } = e.facets;
          e.facets = rest;
        });
      }
    }
    for (const to of kinds) if (to !== q.source) mutate('kind', q.source, to, (e) => void (e.source = to));
    for (const to of notes) if (to !== q.note) mutate('note', q.note, to, (e) => void (e.note = to));
  }
  return out;
}

/** Runs every mutation through the checker. */
export function runMutations(checker: QuoteChecker, notes: readonly number[], kinds: readonly string[]): MutationReport {
  const byField = new Map<string, { tried: number; caught: number }>();
  const passed: Mutation[] = [];
  let caught = 0;
  const mutations = mutationsOf(checker.entries, notes, kinds);
  for (const m of mutations) {
    const counts = byField.get(m.field) ?? { tried: 0, caught: 0 };
    counts.tried++;
    if (checker.check(m.entry).length > 0) {
      counts.caught++;
      caught++;
    } else passed.push(m);
    byField.set(m.field, counts);
  }
  return { tried: mutations.length, caught, byField, passed };
}

export function describeMutation(m: Mutation): string {
  return `${m.id} ${m.field} ${m.from} → ${m.to}`;
}

function classOf(word: string, facetValues: ReadonlyMap<string, unknown[]>): string {
  const lower = word.toLowerCase();
  if (/^\d+-year-old$/.test(lower)) return 'age';
  if (/^\d+$/.test(lower)) return 'number';
  if (lower === 'young' || lower === 'older') return 'ageGroup';
  if (genderOf(lower)) return 'gender';
  if ((facetValues.get('nationality') ?? []).includes(word)) return 'nationality';
  if (/^\p{Lu}/u.test(word)) return 'name';
  return 'other';
}

/** Whether the description states this facet in words ("35-year-old", "young", "woman", "Ukrainian"). */
function statesFacet(speaker: string, facet: string, value: unknown): boolean {
  const words = descriptionWords(speaker).map((w) => w.toLowerCase());
  if (facet === 'age') return words.includes(`${String(value)}-year-old`);
  if (facet === 'ageGroup') return words.includes(String(value));
  if (facet === 'gender') return words.some((w) => genderOf(w) === value);
  return words.includes(String(value).toLowerCase());
}

function replaceWord(speaker: string, word: string, to: string): string {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return speaker.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'gu'), to);
}
