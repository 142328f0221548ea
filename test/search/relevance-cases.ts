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

const RESISTANCE = ['lr-108', 'lr-109', 'lr-110', 'lr-111', 'lr-113', 'lr-115', 'lr-116', 'lr-117', 'lr-119', 'lr-120', 'lr-121', 'lr-122', 'lr-123', 'lr-124', 'lr-125', 'lr-126', 'lr-127', 'lr-128'];
const WORKERS_HUNGRY = ['lr-108', 'lr-110', 'lr-111', 'lr-115', 'lr-116', 'lr-117', 'lr-118', 'lr-128', 'lr-099'];
const COUNTERFACTUAL = ['lr-014', 'lr-007', 'lr-013', 'lr-009', 'lr-008', 'lr-033', 'lr-055', 'lr-058', 'lr-024', 'lr-025', 'lr-028', 'lr-029', 'lr-049', 'lr-072', 'lr-074', 'lr-075', 'lr-076', 'lr-103', 'lr-104', 'lr-056'];

/**
 * Questions as students type them, with the quotes a teacher would point to,
 * judged by reading the essay: question words, auxiliaries and the frame of
 * the question ("what did … say about") are not searched; a word of a synonym
 * group is ("will" is Lenin's testament); readers' terms ("gulag", "loot the
 * looters", "holodomor") lead to the source's own words (data/concepts.json).
 */
export const QUESTIONS: readonly Case[] = [
  { query: 'what did Lenin say about Stalin in his will', first: ['lr-058', 'lr-049'], alsoIn: { ids: ['lr-058', 'lr-049'], within: 2 }, why: 'will = testament: the two voices that say what Lenin wrote about Stalin "in his will" come first, before "he will serve very bitter dishes" (will, the auxiliary)' },
  { query: 'his will', first: ['lr-058', 'lr-049'], why: '"his" makes "will" the testament: "in his will", not "he will serve"' },
  { query: 'why did peasants hate collective farms', first: ['lr-017', 'lr-101', 'lr-028', 'lr-035', 'lr-086'], why: '"the collective farm system was hell for the peasants"' },
  { query: 'did workers strike in 1930', first: ['lr-122'], why: 'the manifesto of September 1930: "now strikes are breaking out more and more frequently"' },
  { query: 'what was the NEP', first: ['lr-012', 'lr-011', 'lr-003', 'lr-005', 'lr-016'], why: 'a quote about the NEP itself' },
  { query: 'was the NEP better than collectivization', first: ['lr-017', 'lr-011', 'lr-004'], why: '"the NEP was better than either the collective farm system or the Tsarist time"' },
  { query: 'did Lenin want collective farms to be voluntary', first: ['lr-021', 'lr-026', 'lr-029', 'lr-024'], why: 'Lenin wanted them "on voluntary principles"' },
  { query: 'who did Lenin want as his successor', first: ['lr-047', 'lr-054'], why: '"Lenin recommended Rykov as his successor"' },
  { query: 'why did people call Stalin a bandit', first: ['lr-059', 'lr-060', 'lr-061', 'lr-062', 'lr-063'], why: 'the bank robberies of his youth' },
  { query: 'what would have happened if Lenin had lived', first: COUNTERFACTUAL, why: 'the counterfactuals: things would have been better or different' },
  { query: 'was Lenin poisoned', first: ['lr-055', 'lr-056', 'lr-057', 'lr-058'], why: '"killed by a poisonous bullet": the rumours of his death' },
  { query: 'who killed Lenin', first: ['lr-055', 'lr-056', 'lr-057', 'lr-058'], why: 'the rumours that Lenin was killed' },
  { query: 'how did people learn about Lenin’s testament', first: ['lr-046', 'lr-050', 'lr-047', 'lr-073', 'lr-052'], why: 'read it in Trotsky, heard it on the Voice of America, a secret booklet, a father' },
  { query: 'what did Lenin call Stalin in his testament', first: ['lr-107', 'lr-040', 'lr-045', 'lr-043', 'lr-051', 'lr-044', 'lr-081', 'lr-059', 'lr-079'], why: '"Lenin in his Testament said that Stalin was a cook…"' },
  { query: 'why was Stalin called a cook', first: ['lr-040', 'lr-045', 'lr-043', 'lr-051', 'lr-107', 'lr-044'], why: 'the cook of spicy dishes' },
  { query: 'what happened to Lenin’s old comrades', first: ['lr-069', 'lr-070', 'lr-071', 'lr-073'], why: 'old comrades: the old revolutionaries destroyed, Lenin’s party people shot' },
  { query: 'were there concentration camps under Lenin', first: ['lr-075', 'lr-079', 'lr-077'], why: 'the camps, and the terror before Lenin’s death' },
  { query: 'what was the gulag like', first: ['lr-075', 'lr-079', 'lr-067'], why: 'gulag: the essay says concentration camps and prisons' },
  { query: 'did workers go hungry in the 1930s', first: WORKERS_HUNGRY, why: 'rations, food supply, "Let us eat!"' },
  { query: 'why did workers complain about rations', first: ['lr-108'], why: 'Voinova: "such a small ration"' },
  { query: 'what did the women of Odessa demand', first: ['lr-116', 'lr-117'], why: 'the Slobodka bazaar crowd and its banner' },
  { query: 'what did the leaflets say', first: ['lr-113', 'lr-115', 'lr-126', 'lr-127', 'lr-128'], why: 'the leaflets themselves' },
  { query: 'did anyone resist Stalin?', first: RESISTANCE, why: 'the Resistance theme: strikes, leaflets, manifestos' },
  { query: 'did Lenin live simply', first: ['lr-093', 'lr-095', 'lr-094'], why: '"he lived simply, he even ate sardines"' },
  { query: 'what did the manifesto say about strikes', first: ['lr-122'], why: '"now strikes are breaking out more and more frequently"' },
  { query: 'did people remember Lenin as close to the people', first: ['lr-090', 'lr-091', 'lr-092'], why: '"he was close to the people"' },
  { query: 'did the secret police know about conditions on collective farms', first: ['lr-019'], why: 'the NKVD goes around the collective farms' },
  { query: 'what was the holodomor', first: ['lr-115', 'lr-127', 'lr-102', 'lr-099', 'lr-108'], why: 'holodomor: the essay says famine and starving' },
  { query: 'what did Lenin mean by loot the looters', first: ['lr-087'], why: 'the slogan as the source quotes it: "Grab from those who have grabbed"' },
  { query: 'was Stalin cultured', first: ['lr-037', 'lr-062'], why: '"a man with some culture, Stalin has none"' },
  { query: 'were peasants forced into collective farms', first: ['lr-025', 'lr-029', 'lr-027', 'lr-028', 'lr-021', 'lr-020', 'lr-017'], why: '"not suddenly by force", "must not be forcefully taken"' },
  { query: 'why did Stalin wear boots', first: ['lr-100', 'lr-082'], why: 'the boots anecdote' },
  { query: 'голод', first: ['lr-115', 'lr-127', 'lr-102', 'lr-099', 'lr-108', 'lr-007'], why: 'Russian for famine: the English words the quotations use' },
];

