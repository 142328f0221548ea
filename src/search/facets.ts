/**
 * Speaker facets as filters: `occupation:engineer`, `nationality:Ukrainian`,
 * `gender:female`, `age:young|middle-aged|older`.
 *
 * Age groups are derived only from what the essay states: "young" and
 * "older" as written, or a stated age (under 30 young, 30–49 middle-aged,
 * 50 and over older). A speaker whose age the essay does not give has none.
 */
import type { Facets, Quote } from '../corpus/types.js';

export type AgeGroup = 'young' | 'middle-aged' | 'older';

export function ageGroupOf(f: Facets): AgeGroup | null {
  if (f.ageGroup) return f.ageGroup;
  if (f.age === undefined) return null;
  if (f.age < 30) return 'young';
  return f.age < 50 ? 'middle-aged' : 'older';
}

export interface FacetValue {
  /** `field:value`, the filter's wire form (lowercase field, value as the corpus writes it). */
  readonly key: string;
  readonly field: 'occupation' | 'nationality' | 'gender' | 'age';
  readonly value: string;
  readonly label: string;
  readonly count: number;
}

function pairs(q: Quote): [FacetValue['field'], string][] {
  const f = q.facets;
  const out: [FacetValue['field'], string][] = [];
  if (f.occupation) out.push(['occupation', f.occupation]);
  if (f.nationality) out.push(['nationality', f.nationality]);
  if (f.gender) out.push(['gender', f.gender]);
  const age = ageGroupOf(f);
  if (age) out.push(['age', age]);
  return out;
}

export function facetValues(quotes: readonly Quote[]): FacetValue[] {
  const counts = new Map<string, { field: FacetValue['field']; value: string; count: number }>();
  const add = (field: FacetValue['field'], value: string) => {
    const key = `${field}:${value.toLowerCase()}`;
    const c = counts.get(key);
    if (c) c.count++;
    else counts.set(key, { field, value, count: 1 });
  };
  for (const q of quotes) {
    const seen = new Set<string>();
    for (const [field, value] of pairs(q)) {
      add(field, value);
      seen.add(`${field}:${value.toLowerCase()}`);
      // "school teacher" is also a teacher, "factory worker" also a worker: offer the head word too.
      const head = field === 'occupation' ? value.split(/\s+/).at(-1) : undefined;
      if (head && head.toLowerCase() !== value.toLowerCase() && !seen.has(`occupation:${head.toLowerCase()}`)) {
        add('occupation', head);
        seen.add(`occupation:${head.toLowerCase()}`);
      }
    }
  }
  return [...counts.entries()]
    .map(([key, c]) => ({ key, field: c.field, value: c.value, count: c.count, label: `${c.field}: ${c.value}` }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

const words = (s: string) => s.toLowerCase().split(/\s+/).filter(Boolean);

/**
 * Does the quote's speaker have this facet? Case-insensitive; an occupation
 * matches when all its words are in the speaker's occupation, so
 * `occupation:teacher` finds "school teacher" too.
 */
export function hasFacet(q: Quote, key: string): boolean {
  const at = key.indexOf(':');
  const field = key.slice(0, at).toLowerCase();
  const want = key.slice(at + 1).toLowerCase();
  return pairs(q).some(([f, value]) => {
    if (f !== field) return false;
    if (f !== 'occupation') return value.toLowerCase() === want;
    const have = new Set(words(value));
    return words(want).every((w) => have.has(w));
  });
}

/** What people type for the facets the corpus records. */
const ALIASES: Readonly<Record<string, string>> = {
  woman: 'gender:female', women: 'gender:female', female: 'gender:female', she: 'gender:female',
  man: 'gender:male', men: 'gender:male', male: 'gender:male', he: 'gender:male',
  young: 'age:young', youth: 'age:young', younger: 'age:young',
  old: 'age:older', older: 'age:older', elderly: 'age:older',
  'middle-aged': 'age:middle-aged', 'middle aged': 'age:middle-aged',
  belarusian: 'nationality:byelorussian', belorussian: 'nationality:byelorussian',
};

/** Parses a typed facet ("engineer", "Ukrainian", "woman", "occupation:engineer") into a key, given the known values. */
export function resolveFacet(input: string, known: readonly FacetValue[]): FacetValue | null {
  const t = input.trim().toLowerCase().replace(/s$/, (m) => (known.some((f) => f.value.toLowerCase() === input.trim().toLowerCase()) ? m : ''));
  if (t === '') return null;
  const direct = known.find((f) => f.key === input.trim().toLowerCase()) ?? known.find((f) => f.value.toLowerCase() === t || f.value.toLowerCase() === input.trim().toLowerCase());
  if (direct) return direct;
  const alias = ALIASES[t] ?? ALIASES[input.trim().toLowerCase()];
  return alias ? (known.find((f) => f.key === alias) ?? null) : null;
}
