/**
 * The voice of the day as a quiz, on a schedule's quiz days: what is asked,
 * decided from the corpus, the schedule and the local date alone, so that
 * every process, every retry and a restart after a crash arrive at the same
 * quiz (the same id, quote, words shown and buttons in the same order).
 *
 * Which voice: one the day does not show openly anywhere. The ordinary voice
 * of a date is the same in every server and channel, and `/voice` shows it, so
 * asking it would hand the answer to anyone who looks; a quiz day draws from
 * the same pool (the syllabus theme in effect, else the whole corpus) a voice
 * other than the day's open ones, seeded by (server, schedule, date).
 *
 * It closes at the end of the schedule's local day (the next local midnight,
 * through Temporal, so a DST day is as long as it is).
 */
import type { Corpus, Quote } from '../corpus/types.js';
import { buildQuestion, sourceQuestionsPossible, type Question } from '../quiz/question.js';
import { hashString, mulberry32 } from './rotation.js';
import { addDays, scheduledInstant } from './time.js';

/** The quiz of a schedule's local date: `daily-<schedule>-<yyyymmdd>` (a quiz button carries it; 64 characters at most). */
export function dailyQuizId(scheduleId: number, localDate: string): string {
  return `daily-${scheduleId}-${localDate.replace(/-/g, '')}`;
}

/** Who "asked" a schedule's quiz: no user, so only a server manager may Reveal it before the day ends. */
export function dailyQuizAsker(scheduleId: number): string {
  return `schedule:${scheduleId}`;
}

/** The first instant of the next local date: when a quiz day's quiz is revealed. */
export function endOfLocalDay(localDate: string, timeZone: string): Date {
  return scheduledInstant(addDays(localDate, 1), '00:00', timeZone);
}

/** A seeded generator for one quiz: the same quiz id gives the same draws. */
function seeded(key: string): () => number {
  return mulberry32(hashString(key));
}

/**
 * The question a quiz day asks about `quote`: who said it, or, for a speaker
 * the essay describes only relative to another ("another respondent"), which
 * kind of source it is from. Null when neither can be asked fairly.
 */
export function dailyQuestion(corpus: Corpus, quote: Quote, quizId: string): Question | null {
  const random = seeded(`question:${quizId}`);
  return buildQuestion(corpus, quote, 'speaker', random) ?? (sourceQuestionsPossible(corpus) ? buildQuestion(corpus, quote, 'source', random) : null);
}

export interface QuizDayInput {
  readonly guildId: string;
  readonly scheduleId: number;
  readonly localDate: string;
  /** The quotes the day draws from: the syllabus theme's, or all. */
  readonly pool: readonly Quote[];
  /** The day's open voices (the ordinary one, the channel's syllabus one): never asked. */
  readonly shownOpenly: readonly string[];
}

/**
 * The quote a quiz day asks about: from the pool, a quote a fair question can
 * be asked about, none of the day's open voices; drawn by a generator seeded
 * with (server, schedule, date). Null when the pool has none (the day posts
 * its ordinary voice instead).
 */
export function quizDayQuote(corpus: Corpus, input: QuizDayInput): { quote: Quote; quizId: string } | null {
  const quizId = dailyQuizId(input.scheduleId, input.localDate);
  const candidates = input.pool.filter((q) => !input.shownOpenly.includes(q.id)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const random = seeded(`quote:${input.guildId}:${quizId}`);
  // A seeded shuffle, then the first that can be asked fairly.
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j] as Quote, candidates[i] as Quote];
  }
  for (const quote of candidates) if (dailyQuestion(corpus, quote, quizId)) return { quote, quizId };
  return null;
}
