/**
 * The speaker a text gives a quotation: the noun phrase that introduces it
 * ("A 50-year-old engineer believed that …", "…,” claimed an older Ukrainian
 * mechanic.", "According to a young aviation mechanic, …"), and the facets
 * that phrase itself states — nothing from elsewhere in the text.
 */
import type { Facets } from '../types.js';

/** Verbs that introduce someone's words. */
const SPEECH_VERBS = [
  'said', 'says', 'say', 'stated', 'states', 'remarked', 'remarks', 'recalled', 'recalls', 'claimed', 'claims', 'argued', 'argues',
  'suggested', 'suggests', 'commented', 'comments', 'asserted', 'asserts', 'declared', 'declares', 'explained', 'explains', 'believed',
  'believes', 'responded', 'replied', 'added', 'adds', 'asked', 'asks', 'complained', 'complains', 'wrote', 'writes', 'noted', 'notes',
  'described', 'describes', 'insisted', 'insists', 'thought', 'told', 'tells', 'reported', 'reports', 'contended', 'maintained', 'observed',
  'related', 'repeated', 'mentioned', 'exclaimed', 'continued', 'concluded', 'proclaimed', 'demanded', 'urged', 'warned', 'admitted',
  'recounted', 'emphasized', 'emphasised', 'agreed', 'answered', 'announced', 'felt', 'cried', 'shouted', 'testified', 'confessed',
  'objected', 'wondered', 'remembered', 'reflected', 'lamented', 'protested', 'offered', 'stressed', 'affirmed', 'acknowledged', 'opined',
  'charged', 'predicted', 'echoed', 'retorted', 'whispered', 'read', 'called', 'criticized', 'criticised', 'stated', 'put it', 'went on',
  'pointed out', 'summed up', 'posited', 'agitated', 'proclaimed', 'appealed', 'implored', 'spoke', 'called for', 'cited', 'quoted', 'recorded', 'declared', 'reasoned', 'joked', 'mused',
];
/** A verb of the list, or any past tense (posited, contended): narration introduces speakers in many words. */
const VERB = `(?:${[...new Set(SPEECH_VERBS)].sort((a, b) => b.length - a.length).join('|')}|[a-z]{2,}ed(?=\\s+that\\b|\\s*[,:]))`;
const LISTED_VERB = `(?:${[...new Set(SPEECH_VERBS)].sort((a, b) => b.length - a.length).join('|')})`;
const ADVERBS = '(?:(?:[a-z]+ly|also|then|later|once|even|again|simply|bluntly|angrily|proudly|often|still|frequently|repeatedly|optimistically|only|further|openly|too|first|afterwards|plainly|similarly)\\s+)*';

const DETERMINER = "(?:[Yy]et another|[Tt]he|[Aa]nother|[Aa]n|[Aa]|[Oo]ne|[Ss]ome|[Oo]ther|[Oo]thers|[Mm]any|[Ss]everal|[Tt]wo|[Tt]hree|[Aa]nonymous|[Ss]imilar)";
/** A determiner phrase of up to twelve words, without clause punctuation. */
const NP = `(?:${DETERMINER}\\b(?:[ \\t\\n]+[^\\s,.;:!?"“”]+){1,12}?|[Aa]nother|[Oo]thers)`;
/** After a verb, the phrase runs to the next punctuation: "…,” claimed an older Ukrainian mechanic." */
const NP_TO_PUNCTUATION = `${DETERMINER}\\b(?:[ \\t\\n]+[^\\s,.;:!?"“”()]+){1,12}(?=\\s*[,.;:!?"“”(]|\\s*$)`;

const BEFORE = new RegExp(`(?:^|[^\\p{L}])((?:${NP}|[A-Z][\\p{L}'’-]+(?:\\s+[A-Z][\\p{L}'’-]+){1,2})(?:,[^,.;:!?"“”]{1,80},)?)\\s*,?\\s+${ADVERBS}${VERB}\\b`, 'gu');
/** Past tenses that do not end in -ed: "A collective farmer sent a complaint …". */
const IRREGULAR_PAST = '(?:sent|wrote|told|said|gave|made|spoke|took|brought|left|kept|held|put|sang|saw|heard|knew|thought|felt|found|began|came|went|got|chose|drew|drove|fled|fought|taught|won)';
/** A sentence that opens on a determiner phrase and a verb in the past or present: "Other emigres referenced …", "An older female teacher blamed …". */
const SENTENCE_NP = new RegExp(`(?:^\\s*|[.!?]["”’']*\\s+)(${DETERMINER}(?:\\s+[^\\s,.;:!?"“”]+){1,6}?)\\s+${ADVERBS}(?:[a-z]{3,}(?:ed|s)|${IRREGULAR_PAST})\\b`, 'gu');
/** A plain subject at the start of a sentence or clause: "Workers in Shuia complained that …", "In Shuia, workers complained …". */
const SUBJECT = new RegExp(`(?:(?:^\\s*|[.!?]["”’']*\\s+)([A-Z][^,.;:!?"“”()]{2,70}?)|,\\s+([a-z][^,.;:!?"“”()]{2,70}?))\\s+${ADVERBS}${LISTED_VERB}\\b`, 'gu');
const ACCORDING = new RegExp(`(?:\\b(?:[Aa]ccording to|[Ii]n the words of)|(?:^\\s*|[.!?]["”’']*\\s+)To)\\s+(${NP}|[A-Z][\\p{L}'’-]+(?:\\s+[A-Z][\\p{L}'’-]+){0,2})\\s*,`, 'gu');
const AFTER_VERB_FIRST = new RegExp(`^[\\s,.!?…]*${ADVERBS}${LISTED_VERB}\\s+(${NP_TO_PUNCTUATION}|[A-Z][\\p{L}'’-]+(?:\\s+[A-Z][\\p{L}'’-]+){0,2})(?=[\\s,.;:!?]|$)`, 'u');
const AFTER_NP_FIRST = new RegExp(`^[\\s,.!?…]*(${NP})\\s+${ADVERBS}${VERB}\\b`, 'u');
const STARTS_WITH_VERB = new RegExp(`^${LISTED_VERB}\\b`, 'u');
const PRONOUN_VERB = new RegExp(`(?:^|[^\\p{L}])(?:[Hh]e|[Ss]he|[Tt]hey|[Hh]e|[Tt]he (?:respondent|interviewee|speaker|writer|author|same (?:respondent|man|woman)))\\s+${ADVERBS}${VERB}\\b`, 'u');


export interface SpeakerProposal {
  /** The description as the text words it, first article lowercased. */
  readonly speaker: string;
  /** Where it came from, for the reviewer. */
  readonly how: 'before' | 'after' | 'pronoun' | 'none';
}

function clean(np: string): string {
  let s = np.replace(/\s+/g, ' ').trim().replace(/\s+(?:who|whom|which|that)$/i, '');
  s = s.replace(/^(?:A|An|Another|One|Some|Other|Others|Many|Several|Two|Three|Yet another|Similar|Anonymous|The)\b/, (w) => w.toLowerCase());
  // "a clerk had asked": an auxiliary belongs to the verb, not to the phrase.
  return s.replace(/[\s,;:]+$/, '').replace(/\s+(?:had|has|have|was|were|is|are|would|could|did|does|do|will|had also|also)$/, '');
}

const PRONOUNS = /^(?:he|she|they|it|we|i|you|his|her|their|this|that|these|those|there|who|which|what)\b/i;

function isName(np: string): boolean {
  return !new RegExp(`^${DETERMINER}\\b`, 'u').test(np);
}

/** "another textile workers' assembly a woman" → "a woman": the last determiner starts the speaker, unless "of" binds it ("one of the workers"). */
function innermost(np: string): string {
  const words = np.split(/\s+/);
  for (let i = words.length - 1; i > 0; i--) {
    if (/^(?:a|an|another)$/i.test(words[i] as string) && !/^(?:of|yet|at|in|on|to|from|with|by|for|during|about|into|as|like)$/i.test(words[i - 1] as string) && i < words.length - 1) return words.slice(i).join(' ');
  }
  return np;
}

/** Sentence-initial capitals that begin a clause, not a name. */
const NOT_NAMES = new Set(['When', 'While', 'In', 'On', 'At', 'For', 'After', 'Before', 'During', 'Similarly', 'However', 'But', 'And', 'Yet', 'So', 'Then', 'Also', 'Even', 'Still', 'Thus', 'Here', 'There', 'This', 'That', 'These', 'Those', 'It', 'He', 'She', 'They', 'We', 'I', 'You', 'The']);

/**
 * The speaker of a quotation from the narration before it (since the previous
 * quotation, within its sentence) or, failing that, right after its first part.
 */
export function proposeSpeaker(before: string, after: string): SpeakerProposal {
  const found = proposeBare(before, after);
  return found.how === 'before' ? { ...found, speaker: withFrontedDate(before, withFrontedPlace(before, personInDocument(before, voiceInDocument(before, found.speaker)))) } : found;
}

/** "A collective farmer sent a complaint to the Kerch Metalworks because …": the person speaks in that document. */
function personInDocument(before: string, speaker: string): string {
  const at = before.toLowerCase().lastIndexOf(speaker.toLowerCase());
  if (at < 0 || !speaker) return speaker;
  const m = /^\s+(?:sent|wrote|addressed|filed|submitted|signed)\s+((?:a|an)\s+(?:complaint|letter|petition|appeal|note|report|statement)\s+to\s+[^,.;:!?"“”]+?)(?=\s+(?:because|when|that|which|who|after|before|while|as|and)\b|\s*[,:]|\s*$)/.exec(before.slice(at + speaker.length));
  return m ? `${speaker}, in ${m[1] as string}` : speaker;
}

/** "A report on … reported a complaint, “…”": the document is where the voice stands, the complaint is the voice. */
const VOICE_IN_DOCUMENT = /\b(?:reported|included|recorded|contained|cited|quoted|listed)\s+((?:a|an|one|another|some)\s+(?:[a-z-]+\s+){0,2}?(?:complaint|remark|comment|question|statement|plea|protest|demand|appeal|cry|speech|note|letter|petition|slogan|saying|joke|rumou?r)s?|(?:complaints|remarks|comments|questions|statements|pleas|protests|demands|appeals|speeches|notes|letters|petitions|slogans|sayings|jokes|rumou?rs))\s*(?:,|:|that)?\s*$/;

function voiceInDocument(before: string, speaker: string): string {
  const m = VOICE_IN_DOCUMENT.exec(before);
  if (!m || !DOCUMENT.test(speaker.split(/,|\s(?:in|at|from|of|on|with|during|to|for|by|who|which|that)\s/)[0] ?? '')) return speaker;
  return `${m[1] as string} in ${speaker}`;
}

/** "In December 1934, after …, leaflets posted at the station said": the date the sentence opens on dates the voice. */
const FRONTED_DATE = /(?:^\s*|[.!?]["”’']*(?:\^\[\d+\]|\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?\s+)In\s+((?:(?:January|February|March|April|May|June|July|August|September|October|November|December),?\s+)?\d{4}),\s+([^.!?]*)$/u;

function withFrontedDate(before: string, speaker: string): string {
  const m = FRONTED_DATE.exec(before);
  if (!m) return speaker;
  const [, date, rest] = m as unknown as [string, string, string];
  if (!rest.toLowerCase().includes(speaker.toLowerCase()) || speaker.includes(date)) return speaker;
  return `${speaker}, ${date}`;
}

/** The last word before a phrase is a preposition: the phrase is its object. */
const PREPOSITION_BEFORE = /(?:^|\s)(?:at|in|on|to|from|with|by|for|during|about|into|of|near|inside|outside|outside of|through|across|under|over)\s+$/i;
/** The sentence the quotation stands in opens on a place or occasion: "In Shuia, …", "At another textile workers' assembly …". */
const FRONTED = /(?:^\s*|[.!?]["”’']*(?:\^\[\d+\]|\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?\s+)(In|At|During)\s+([^.!?]*)$/u;

/**
 * The speaker with the place or occasion its sentence opens on, after it, as a
 * description reads on its own: "workers in Shuia", "a woman at a textile
 * workers' assembly" ("another assembly" only means another than the last one told).
 */
function withFrontedPlace(before: string, speaker: string): string {
  const m = FRONTED.exec(before);
  if (!m) return speaker;
  const [, prep, rest] = m as unknown as [string, string, string];
  const at = rest.toLowerCase().indexOf(speaker.toLowerCase());
  if (at <= 0) return speaker;
  const place = rest.slice(0, at).replace(/[\s,]+$/, '');
  // Only a short phrase directly before the speaker's own; a year ("In 1929") or a clause ("after …, ") is not one.
  if (/^\d/.test(place) || /[,;:"“”]/.test(place) || place.split(/\s+/).length > 8 || speaker.toLowerCase().includes(place.toLowerCase())) return speaker;
  return `${speaker} ${prep.toLowerCase()} ${place.replace(/^another\b/i, 'a')}`.replace(/\s+/g, ' ').trim();
}

function proposeBare(before: string, after: string): SpeakerProposal {
  const according = [...before.matchAll(ACCORDING)].pop();
  if (according?.[1]) return { speaker: clean(according[1]), how: 'before' };
  // The nearest phrase that introduces someone speaking, before the quotation.
  const namedAt = [...before.matchAll(BEFORE)]
    // "… found in the Frunze Factory said": a phrase governed by a preposition is where, not who (unless a phrase
    // of its own starts inside it: "At another textile workers' assembly a woman argued").
    .filter((m) => !(PREPOSITION_BEFORE.test(before.slice(0, m.index + m[0].indexOf(m[1] as string))) && innermost(m[1] as string) === m[1]))
    .map((m) => ({ np: m[1] as string, at: m.index }))
    .filter(({ np }) => /^[a-z]/i.test(np) && !(isName(np) && NOT_NAMES.has(np.split(/\s+/)[0] as string)) && !/\b(?:he|she|they|we|it|I|you)\b/.test(np));
  const named = namedAt.map((n) => n.np);
  const nearest = named[named.length - 1];
  // A plain subject nearer the quotation than any determiner phrase is the one that speaks ("…, leaflets posted at the station said").
  const laterSubject = [...before.matchAll(SUBJECT)]
    .filter((m) => m.index > (namedAt[namedAt.length - 1]?.at ?? Infinity))
    .map((m) => (m[1] ?? m[2]) as string)
    // (", read said" is the verb of the phrase before, not a subject of its own.)
    .filter((np) => !NOT_NAMES.has(np.split(/\s+/)[0] as string) && !PRONOUNS.test(np) && !STARTS_WITH_VERB.test(np))
    .pop();
  const opensSentence = /(?:^|[.!?]["”’']*(?:\^\[\d+\]|\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?)\s*$/u.test(before);
  const verbFirstEarly = AFTER_VERB_FIRST.exec(after);
  if (opensSentence && verbFirstEarly?.[1] && !NOT_NAMES.has(verbFirstEarly[1].split(/\s+/)[0] as string)) return { speaker: clean(verbFirstEarly[1]), how: 'after' };
  if (laterSubject) return { speaker: clean(laterSubject), how: 'before' };
  if (nearest) return { speaker: clean(innermost(nearest)), how: 'before' };
  const subjects = [...before.matchAll(SUBJECT)].map((m) => (m[1] ?? m[2]) as string).filter((np) => !NOT_NAMES.has(np.split(/\s+/)[0] as string) && !PRONOUNS.test(np));
  const subject = subjects[subjects.length - 1];
  if (subject) return { speaker: clean(subject), how: 'before' };
  const opener = [...before.matchAll(SENTENCE_NP)].map((m) => m[1] as string).filter((np) => !/\b(?:he|she|they|we|it|I|you)\b/.test(np)).pop();
  if (opener) return { speaker: clean(opener), how: 'before' };
  const verbFirst = AFTER_VERB_FIRST.exec(after);
  if (verbFirst?.[1] && !NOT_NAMES.has(verbFirst[1].split(/\s+/)[0] as string)) return { speaker: clean(verbFirst[1]), how: 'after' };
  const npFirst = AFTER_NP_FIRST.exec(after);
  if (npFirst?.[1]) return { speaker: clean(npFirst[1]), how: 'after' };
  if (PRONOUN_VERB.test(before) || new RegExp(`^[\\s,.!?…]*(?:he|she|they)\\s+${ADVERBS}${VERB}\\b`, 'u').test(after)) return { speaker: '', how: 'pronoun' };
  return { speaker: '', how: 'none' };
}

/** Whether some words name who speaks with a verb of speaking (used to tell voices from scare quotes). */
export function hasSpeechVerb(text: string): boolean {
  return new RegExp(`\\b${LISTED_VERB}\\b`, 'u').test(text) || /\b(?:according to|in the words of)\b/i.test(text);
}

const FEMALE = /\b(?:female|woman|women|housewife|housewives|widow|widows|girl|girls|mother|mothers|wife|wives|daughter|sister|actress|waitress|grandmother|she)\b/i;
const MALE = /\b(?:male|man|men|boy|boys|father|fathers|husband|son|brother|grandfather|he)\b/i;
/** Nationalities and peoples, as adjectives. */
const NATIONALITIES = new Set(
  'Russian Ukrainian Byelorussian Belorussian Belarusian Jewish Armenian Georgian Estonian Latvian Lithuanian Polish German Tatar Kazakh Uzbek Azerbaijani Chechen Moldovan Finnish Romanian Hungarian Czech Slovak Serbian Croatian Bulgarian Greek Turkish Persian Chinese Japanese Korean Mongolian American British English Scottish Irish Welsh French Italian Spanish Portuguese Dutch Belgian Swedish Norwegian Danish Austrian Swiss Canadian Mexican Cuban Brazilian Argentine Chilean Indian Pakistani Egyptian Algerian Moroccan Nigerian Kenyan Ethiopian Vietnamese Filipino Indonesian Cossack Kyrgyz Tajik Turkmen Bashkir Chuvash Yakut Karelian'.split(' '),
);
/** Words that describe who speaks without an occupation. */
const NOT_OCCUPATION = new Set(
  'a an the another one some other others yet similar many several two three anonymous respondent respondents interviewee interviewees emigre emigres émigré émigrés person people individual speaker voice man men woman women boy girl male female young younger older old elderly former'.split(' '),
);

const DOCUMENT = /\b(?:report|leaflet|letter|note|newspaper|paper|manifesto|summary|summaries|banner|document|complaint|petition|speech|placard|slogan|pamphlet|programme|program|circular|telegram|poster|article|editorial|resolution|declaration|appeal|diary|memoir)s?\b/i;

/** Facets the phrase itself states: age, age group, gender, nationality, occupation. */
export function facetsOf(speaker: string): Facets {
  const facets: { age?: number; ageGroup?: 'young' | 'older'; gender?: 'female' | 'male'; nationality?: string; occupation?: string } = {};
  const age = /\b(\d{1,3})-year-old\b/.exec(speaker);
  if (age) facets.age = Number(age[1]);
  if (/\byoung\b/i.test(speaker)) facets.ageGroup = 'young';
  else if (/\bolder\b/i.test(speaker)) facets.ageGroup = 'older';
  if (FEMALE.test(speaker) && !MALE.test(speaker.replace(/\bwom[ae]n\b/gi, ''))) facets.gender = 'female';
  else if (MALE.test(speaker) && !FEMALE.test(speaker)) facets.gender = 'male';
  const words = speaker.split(/\s+/);
  const nationality = words.find((w) => NATIONALITIES.has(w));
  if (nationality) facets.nationality = nationality;
  // The occupation: the head words of the phrase up to its first modifier phrase, minus what other facets say.
  const head = speaker.split(/,|\s(?:in|at|from|of|on|with|during|to|for|by|who|whom|whose|which|that)\s/)[0] ?? '';
  // A document speaks, but has no occupation: "a leaflet found in the canteen", "the town newspaper".
  if (DOCUMENT.test(head)) return facets;
  const headWords = head.split(/\s+/).filter((w) => w && !NOT_OCCUPATION.has(w.toLowerCase().replace(/['’]s$/, '')) && !/^\d/.test(w) && !/-year-old$/.test(w) && !NATIONALITIES.has(w));
  // A profession of several words keeps its capitals ("Red Army officer"); a name after it ("worker Voinova") is not part of it.
  while (headWords.length > 0 && /^[A-Z]/.test(headWords[headWords.length - 1] as string)) headWords.pop();
  if (headWords.some((w) => /^[a-z]/.test(w))) facets.occupation = headWords.join(' ');
  return facets;
}
