/**
 * The voice of the day as the commands and the bot see it: which quote a
 * schedule's date gets, and the schedule settings, over the store. Discord
 * stays outside: posting goes through the `Poster` an edge provides.
 *
 * Which voice:
 * - outside any syllabus range, the ordinary rotation: the same date gives
 *   the same voice in every server, every channel and `/voice`;
 * - inside a syllabus range, a quote of the range's theme, deterministic from
 *   (server, theme, range start) and the position of the date among the
 *   schedule's teaching days since the range began: the theme's quotes in a
 *   seeded shuffle, none repeated within the range until all have been shown,
 *   then a new shuffle. Two channels of one server on the same theme, range
 *   and teaching days get the same voice on the same date;
 * - a day already claimed keeps its recorded quote, whatever the corpus or the
 *   syllabus becomes later.
 */
import type { Corpus, Quote } from '../corpus/types.js';
import { postsOn } from './days.js';
import type { Schedule } from './due.js';
import type { Quiz, QuizStore } from '../quiz/store.js';
import type { DeliveryJob, DeliveryResult, PickedQuote, Poster } from './ports.js';
import { dailyQuestion, dailyQuizAsker, endOfLocalDay, quizDayQuote } from './quiz-day.js';
import type { DailyStore, SyllabusRange } from './store.js';
import { createRotation, type Rotation } from './rotation.js';
import { addDays, daysBetween, localDate } from './time.js';

/** Teaching days in [from, to): whole weeks by arithmetic, the rest counted. */
export function teachingDaysBetween(days: number, from: string, to: string): number {
  const total = daysBetween(from, to);
  if (total <= 0) return 0;
  let perWeek = 0;
  for (let bit = 0; bit < 7; bit++) if ((days & (1 << bit)) !== 0) perWeek++;
  const weeks = Math.floor(total / 7);
  let count = weeks * perWeek;
  const rest = total - weeks * 7;
  // The leftover days are the first `rest` weekdays after the whole weeks: the same weekdays as from's.
  for (let i = 0; i < rest; i++) if (postsOn(days, addDays(from, i))) count++;
  return count;
}

/** The range in effect on `date`, if any. */
export function rangeOn(ranges: readonly SyllabusRange[], date: string): SyllabusRange | null {
  return ranges.find((range) => range.from <= date && (range.until === null || date <= range.until)) ?? null;
}

export class DailyService {
  readonly rotation: Rotation;
  /** Each theme's quote ids. */
  private readonly themeQuotes = new Map<string, string[]>();
  private readonly themeRotations = new Map<string, Rotation>();

  constructor(
    readonly corpus: Corpus,
    readonly store: DailyStore,
    readonly poster: Poster,
    /** Where quiz days keep their quizzes (answers, close); without it every day posts its voice. */
    readonly quizzes: QuizStore | null = null,
  ) {
    this.rotation = createRotation(corpus.quotes.map((q) => q.id));
    for (const quote of corpus.quotes) {
      for (const theme of quote.themes) {
        const ids = this.themeQuotes.get(theme) ?? [];
        ids.push(quote.id);
        this.themeQuotes.set(theme, ids);
      }
    }
  }

  /** Quotes of a theme (0 for a theme the corpus does not have). */
  themeSize(theme: string): number {
    return this.themeQuotes.get(theme)?.length ?? 0;
  }

  /**
   * The voice of a schedule's local date before anything is recorded: its
   * syllabus theme's, or the rotation's. A theme the corpus no longer has falls
   * back to the rotation (the plan cannot be followed; the post still goes out).
   */
  async pick(schedule: Pick<Schedule, 'id' | 'guildId' | 'days'>, date: string): Promise<PickedQuote> {
    const range = rangeOn(await this.store.listSyllabus(schedule.id), date);
    if (range) {
      const picked = this.pickFromTheme(schedule, range, date);
      if (picked !== null) return { quoteId: picked, theme: range.theme };
    }
    return { quoteId: this.rotation.voiceOf(date), theme: null };
  }

  private pickFromTheme(schedule: Pick<Schedule, 'guildId' | 'days'>, range: SyllabusRange, date: string): string | null {
    const ids = this.themeQuotes.get(range.theme);
    if (!ids || ids.length === 0) return null;
    const seed = `syllabus:${schedule.guildId}:${range.theme}:${range.from}`;
    let rotation = this.themeRotations.get(seed);
    if (!rotation) {
      rotation = createRotation(ids, seed);
      if (this.themeRotations.size > 1_000) this.themeRotations.clear();
      this.themeRotations.set(seed, rotation);
    }
    const index = teachingDaysBetween(schedule.days, range.from, date);
    const cycle = Math.floor(index / rotation.size);
    return rotation.cycleOrder(cycle)[index - cycle * rotation.size] ?? null;
  }

  /**
   * What a schedule's day posts: on a quiz day (`quizDays`), a quiz on a voice
   * the day shows nowhere openly (`quizDayQuote`: from the syllabus theme in
   * effect, else the whole corpus), revealed at the end of the local day; on
   * any other day, or when no fair question can be asked, the voice (`pick`).
   */
  async pickPost(schedule: Pick<Schedule, 'id' | 'guildId' | 'days' | 'quizDays'>, date: string): Promise<PickedQuote> {
    const open = await this.pick(schedule, date);
    if (this.quizzes === null || !postsOn(schedule.quizDays, date)) return open;
    const theme = open.theme;
    const pool = theme === null ? this.corpus.quotes : (this.themeQuotes.get(theme) ?? []).flatMap((id) => this.corpus.byId.get(id) ?? []);
    const shownOpenly = [open.quoteId, this.rotation.voiceOf(date)];
    const asked = quizDayQuote(this.corpus, { guildId: schedule.guildId, scheduleId: schedule.id, localDate: date, pool, shownOpenly }) ??
      // A theme too small to hide a voice in: the whole corpus.
      (theme === null ? null : quizDayQuote(this.corpus, { guildId: schedule.guildId, scheduleId: schedule.id, localDate: date, pool: this.corpus.quotes, shownOpenly }));
    return asked ? { quoteId: asked.quote.id, theme, quizId: asked.quizId } : open;
  }

  /**
   * Posts a schedule's day: the voice, or on a quiz day its quiz. The quiz is
   * stored before it is posted, the same whoever builds it (a retry, another
   * process after a crash: `dailyQuestion` is seeded by the quiz id), to close
   * at the end of the local day; the post's message id is recorded for the
   * closer, which reveals it by editing the post.
   */
  async deliver(job: DeliveryJob): Promise<DeliveryResult> {
    const quiz = job.quizId ? await this.dailyQuiz(job, job.quizId) : null;
    // A quiz already over (a retry after its local day ended: the closer found no post to reveal) is not posted
    // with buttons nobody may press: the day gets its quote as a plain voice.
    if (!quiz || !this.quizzes || quiz.state !== 'open') return this.poster.post(job);
    const result = await this.poster.post(job, { quiz: { quiz, tally: await this.quizzes.tally(quiz.id) } });
    if ('messageId' in result) {
      try {
        await this.quizzes.setMessageId(quiz.id, result.messageId);
      } catch {
        // Discord has the post: failing here would make the scheduler post the day again once the nonce has expired.
        // Without its message id the closer closes the quiz without editing the post, and logs that it did.
      }
    }
    return result;
  }

  /** The stored quiz of a quiz day, stored now if it is not yet; null when it cannot be asked (its quote left the corpus). */
  private async dailyQuiz(job: DeliveryJob, quizId: string): Promise<Quiz | null> {
    if (!this.quizzes) return null;
    const stored = await this.quizzes.get(quizId);
    if (stored) return stored;
    const quote = this.corpus.byId.get(job.quoteId);
    const question = quote ? dailyQuestion(this.corpus, quote, quizId) : null;
    if (!question) return null;
    try {
      return await this.quizzes.create({
        id: quizId,
        guildId: job.guildId,
        channelId: job.channelId,
        askedBy: dailyQuizAsker(job.scheduleId),
        quoteId: question.quoteId,
        mode: question.mode,
        shown: question.shown,
        options: question.options,
        answer: question.answer,
        language: job.language,
        openedAt: job.scheduledAt,
        closesAt: endOfLocalDay(job.localDate, job.timeZone),
      });
    } catch (error) {
      // Another process stored it first (the same quiz: it is built from the id).
      const again = await this.quizzes.get(quizId);
      if (again) return again;
      throw error;
    }
  }

  /**
   * The voice of a schedule's date: the recorded quote once the day is
   * claimed (what was posted stays what was posted), else the pick.
   */
  async voiceOfSchedule(schedule: Schedule, date: string): Promise<{ quote: Quote; theme: string | null; posted: boolean }> {
    const recorded = await this.store.getPost(schedule.id, date);
    const recordedQuote = recorded ? this.corpus.byId.get(recorded.quoteId) : undefined;
    // A quiz day's recorded quote is the quiz's hidden answer: never shown as the day's voice.
    if (recorded && recordedQuote && recorded.quizId === null) return { quote: recordedQuote, theme: recorded.theme, posted: recorded.status === 'sent' };
    const picked = await this.pick(schedule, date);
    const quote = this.corpus.byId.get(picked.quoteId);
    if (!quote) throw new Error(`daily: the rotation picked ${picked.quoteId}, which is not in the corpus`);
    return { quote, theme: picked.theme, posted: false };
  }

  /**
   * `/voice`: the ordinary voice of the day for a server at an instant, on
   * the date of its first schedule's zone (UTC without one). A day that
   * schedule already posted from the rotation keeps its recorded quote, even
   * if the corpus has grown since. Syllabus voices belong to their channels.
   */
  async voiceFor(guildId: string | null, now: Date): Promise<{ quote: Quote; localDate: string; timeZone: string }> {
    const schedules = guildId ? await this.store.listGuildSchedules(guildId) : [];
    const schedule = schedules.find((s) => s.state !== 'off') ?? schedules[0] ?? null;
    const timeZone = schedule?.timeZone ?? 'UTC';
    const date = localDate(now, timeZone);
    const post = schedule ? await this.store.getPost(schedule.id, date) : null;
    // Not a quiz day's quote: that is the quiz's hidden answer.
    const recorded = post && post.theme === null && post.quizId === null && this.corpus.byId.has(post.quoteId) ? post.quoteId : null;
    const id = recorded ?? this.rotation.voiceOf(date);
    const quote = this.corpus.byId.get(id);
    if (!quote) throw new Error(`daily: the rotation picked ${id}, which is not in the corpus`);
    return { quote, localDate: date, timeZone };
  }
}
