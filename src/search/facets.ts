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
  for (const q of quotes) {
    for (const [field, value] of pairs(q)) {
      const key = `${field}:${value.toLowerCase()}`;
      const c = counts.get(key);
      if (c) c.count++;
      else counts.set(key, { field, value, count: 1 });
    }
  }
  return [...counts.entries()]
    .map(([key, c]) => ({ key, field: c.field, value: c.value, count: c.count, label: `${c.field}: ${c.value}` }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** Does the quote's speaker have this facet? Keys are compared case-insensitively. */
export function hasFacet(q: Quote, key: string): boolean {
  const want = key.toLowerCase();
  return pairs(q).some(([field, value]) => `${field}:${value.toLowerCase()}` === want);
}

/** Parses a typed facet ("engineer", "Ukrainian", "occupation:engineer") into a key, given the known values. */
export function resolveFacet(input: string, known: readonly FacetValue[]): FacetValue | null {
  const t = input.trim().toLowerCase();
  if (t === '') return null;
  return known.find((f) => f.key === t) ?? known.find((f) => f.value.toLowerCase() === t) ?? null;
}
