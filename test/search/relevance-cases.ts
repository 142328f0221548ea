/**
 * The relevance cases: realistic queries a student of the period would type,
 * with the answers a careful reader of the essay expects first. One module,
 * imported by the relevance suite, the engine's oracle test and the bench.
 */
import type { Filters } from '../../src/search/query.js';

export interface Case {
  readonly query: string;
  readonly filters?: Filters;
  /** The first result must be one of these. */
  readonly first: readonly string[];
  /** These must all be among the first `within` results. */
  readonly alsoIn?: { readonly ids: readonly string[]; readonly within: number };
  readonly why: string;
}

export const CASES: readonly Case[] = [
  // Keywords
  { query: 'nep', first: ['lr-012', 'lr-011', 'lr-003', 'lr-005', 'lr-016'], why: 'a quote about the NEP itself, not a passing mention' },
  { query: 'bandit', first: ['lr-063', 'lr-061', 'lr-060', 'lr-062'], alsoIn: { ids: ['lr-059', 'lr-060', 'lr-061', 'lr-063'], within: 6 }, why: 'the bandit quotes of paragraph 21' },
  { query: 'sardines', first: ['lr-093'], why: 'Lenin "even ate sardines"' },
  { query: 'hangman', first: ['lr-064'], why: 'the only hangman' },
  { query: 'fleas', first: ['lr-108'], why: "Voinova's ration speech" },
  { query: 'martyrs', first: ['lr-125'], why: 'the manifesto’s closing warning' },
  { query: 'puddles', first: ['lr-082'], why: 'the boots anecdote' },
  // Several words
  { query: 'collective farms voluntary', first: ['lr-026', 'lr-021', 'lr-029'], alsoIn: { ids: ['lr-021', 'lr-026', 'lr-029'], within: 3 }, why: 'Lenin wanted voluntary collective farms: the quotes that say so in those words' },
  { query: 'dekulakization', first: ['lr-103', 'lr-118'], why: 'the essay’s own word, not a narration’s synonym' },
  { query: 'Lenin', filters: { speaker: 'gender:female' }, first: ['lr-058', 'lr-055', 'lr-090', 'lr-003', 'lr-004', 'lr-014', 'lr-110', 'lr-102'], why: 'a woman speaking of Lenin, not a banner carried with his portrait' },
  { query: 'spicy cook', first: ['lr-045', 'lr-107', 'lr-040'], alsoIn: { ids: ['lr-040', 'lr-045', 'lr-107'], within: 4 }, why: 'the cook of spicy dishes' },
  { query: 'engineer currency', first: ['lr-002'], why: 'speaker and words together' },
  { query: 'tractors electricity', first: ['lr-022'], why: 'collective farms when there are tractors' },
  { query: 'two hundred rubles', first: ['lr-094'], why: 'Lenin crossed out the pay rise' },
  { query: 'secret ballot', first: ['lr-123'], why: 'the manifesto’s practical task' },
  { query: 'Rykov successor', first: ['lr-047'], why: 'Lenin recommended Rykov as his successor' },
  { query: 'concentration camp', first: ['lr-075', 'lr-079'], alsoIn: { ids: ['lr-075', 'lr-079'], within: 3 }, why: 'the camps' },
  { query: 'Ukrainian housewife', first: ['lr-004'], why: 'a speaker described so' },
  { query: 'older female teacher', first: ['lr-076'], why: 'a speaker described so' },
  // Typos
  { query: 'colectivization', first: ['lr-020', 'lr-024', 'lr-073', 'lr-090', 'lr-104', 'lr-004'], why: 'one letter missing' },
  { query: 'Trotksy', first: ['lr-036', 'lr-040', 'lr-062', 'lr-071'], why: 'letters swapped' },
  { query: 'Bukarin', first: ['lr-040', 'lr-062', 'lr-115'], why: 'letter missing' },
  { query: 'sardnies', first: ['lr-093'], why: 'letters swapped in a rare word' },
  // Plurals and stems
  { query: 'sardine', first: ['lr-093'], why: 'singular finds plural' },
  { query: 'collective farm', first: ['lr-017', 'lr-021', 'lr-022', 'lr-023', 'lr-025', 'lr-026', 'lr-027', 'lr-028', 'lr-029', 'lr-011'], why: 'singular finds "collective farms"' },
  { query: 'poisoned', first: ['lr-055'], why: '"poisonous bullet", and poisoned ~ killed' },
  // Names and places (some only in the essay's narration)
  { query: 'Smolny', first: ['lr-093'], why: 'the visit to Lenin’s office' },
  { query: 'Pravda', first: ['lr-101'], why: 'the letter to Pravda' },
  { query: 'Voinova', first: ['lr-108'], why: 'a named worker' },
  { query: 'Ivanovo', first: ['lr-126', 'lr-108', 'lr-109', 'lr-110'], why: 'the Ivanovo rebellion (the essay also spells it Ivanova)' },
  { query: 'Kharkov', first: ['lr-127'], why: 'the leaflets at the rail station' },
  { query: 'Tomsky', first: ['lr-106', 'lr-115'], why: 'the note passed to Tomsky' },
  // Synonyms
  { query: 'secret police', first: ['lr-019'], why: 'NKVD (secret police)' },
  { query: 'NKVD', first: ['lr-019'], why: 'the only NKVD' },
  { query: 'new economic policy', first: ['lr-012', 'lr-011', 'lr-003', 'lr-005', 'lr-016', 'lr-014', 'lr-009'], why: 'NEP spelt out' },
  { query: "Lenin's will", first: ['lr-058', 'lr-049'], why: 'will ~ testament' },
  { query: 'testament', first: ['lr-073', 'lr-107'], why: 'the word itself first' },
  { query: 'Ilyich', first: ['lr-106', 'lr-054'], alsoIn: { ids: ['lr-054', 'lr-106'], within: 2 }, why: 'Ilyich ~ Iliich' },
  { query: 'kolkhoz', first: ['lr-017', 'lr-021', 'lr-022', 'lr-023', 'lr-025', 'lr-026', 'lr-027', 'lr-028', 'lr-029', 'lr-011', 'lr-020', 'lr-024', 'lr-073', 'lr-090'], why: 'kolkhoz ~ collective farm' },
  { query: 'Belarusian', first: ['lr-031', 'lr-032', 'lr-053', 'lr-062', 'lr-086', 'lr-091'], why: 'Belarusian ~ Byelorussian' },
  { query: 'famine', first: ['lr-115', 'lr-108', 'lr-099'], why: 'famine ~ starving, hunger' },
  // Phrases (any quote-mark style)
  { query: '"spicy dish"', first: ['lr-107'], why: 'only lr-107 has the phrase' },
  { query: '“Voice of America”', first: ['lr-050'], why: 'curly marks; the gloss "(of America)" is in the text' },
  // Prefix of the word being typed
  { query: 'collectiv', first: ['lr-020', 'lr-024', 'lr-073', 'lr-090', 'lr-104', 'lr-004', 'lr-017', 'lr-021', 'lr-022', 'lr-023', 'lr-025', 'lr-026', 'lr-027', 'lr-028', 'lr-029'], why: 'still typing "collectivization"' },
  // Filters
  { query: 'cook', filters: { theme: 'testament' }, first: ['lr-107', 'lr-045', 'lr-040', 'lr-051', 'lr-043'], why: 'within the Testament theme' },
  { query: '', filters: { kind: 'manifesto' }, first: ['lr-119'], why: 'browsing a kind lists it in id order' },
  { query: 'Lenin', filters: { speaker: 'occupation:engineer' }, first: ['lr-002', 'lr-029', 'lr-080'], why: 'engineers only' },
];
