/**
 * The daily voice's repository: one interface (`DailyStore`, every method
 * async), with an implementation per engine (`SqliteDailyStore` over
 * better-sqlite3, `PgDailyStore` over a `pg` Pool). Raw rows in, domain objects
 * (`Schedule`, `PostRecord`) out, through `transformSchedule`/`transformPost`,
 * shared by both engines, as are the input checks below.
 *
 * Every guarantee against a second post lives in SQL, not in memory, so it
 * holds across processes, shards, machines and restarts:
 * - `claimPost` is one INSERT … ON CONFLICT DO NOTHING guarded by the
 *   (schedule_id, local_date) primary key (several schedules per server, one
 *   per channel; a day posted before the upgrade under the old (server, date)
 *   key kept its row, attached to the server's schedule, so it is never
 *   claimed again);
 * - retries and takeovers are single UPDATE … RETURNING statements whose WHERE
 *   re-checks the state, so of two processes trying at once exactly one gets
 *   the row back.
 *
 * Instants are stored as integer milliseconds since the epoch; `now` is always
 * a parameter.
 *
 * Each schedule also carries the scheduler's check hint (`next_check_at`, see
 * `nextCheckTimes`): a lower bound on when anything can be due for it.
 * It is written only by `refreshCheckHints`, which reads its inputs and writes
 * it under a lock that keeps other writers of those rows out, and cleared by the
 * writes that could make a day due sooner (`upsertSchedule`; `markFailed` with a
 * retry). It never guards a post: a wrong hint can delay a post (until the
 * scheduler's next full pass), never double it.
 */
import { LANGUAGES, type Language } from '../i18n/index.js';
import { truncate } from '../text/truncate.js';
import type { DailyPolicy, PostRecord, PostStatus, Schedule, ScheduleState } from './due.js';
import { EVERY_DAY } from './days.js';
import { addDays, formatLocalTime, normalizeTimeZone, parseLocalDate, parseLocalTime } from './time.js';

/**
 * What `/daily set` saves for a channel. `time` (HH:MM) and `timeZone` are
 * validated and normalised here (`europe/berlin` → `Europe/Berlin`); `days`
 * defaults to every day.
 */
export type ScheduleInput = Pick<Schedule, 'guildId' | 'channelId' | 'time' | 'timeZone' | 'roleId' | 'thread'> & {
  readonly days?: number;
  /** Days whose post is a quiz; left out, a new schedule has none and an existing one keeps its own. */
  readonly quizDays?: number;
  readonly channelName?: string | null;
  /** The posts' language; left out, a new schedule posts in English and an existing one keeps its language. */
  readonly language?: Language;
};

/** Schedules a server may run at once (active or paused; those turned off keep their history and do not count). */
export const MAX_SCHEDULES_PER_GUILD = 10;

/** `/daily set` on an 11th channel: refused, nothing saved. */
export class ScheduleLimitError extends RangeError {
  constructor(readonly limit: number) {
    super(`daily: a server can run at most ${limit} schedules at once`);
  }
}

/** A syllabus range: from `from` (to `to`, or until the next range starts) the schedule's voices come from `theme`. */
export interface SyllabusRange {
  readonly id: number;
  readonly scheduleId: number;
  /** A theme id of the corpus (`/themes`). */
  readonly theme: string;
  readonly from: string;
  /** The last local date, as given; null: open-ended. */
  readonly to: string | null;
  /** The last local date in effect: `to`, or the day before the next range, or null (no end). */
  readonly until: string | null;
  readonly createdAt: Date;
}

export interface SyllabusRow {
  id: number;
  schedule_id: number;
  theme: string;
  from_date: string;
  to_date: string | null;
  created_at: number;
}

export interface TestPostInput {
  readonly guildId: string;
  readonly channelId: string;
  readonly quoteId: string;
  /** User who ran `/daily test`. */
  readonly requestedBy: string;
  /** Null when the test post failed. */
  readonly messageId: string | null;
  readonly error: string | null;
}

export interface TestPost extends TestPostInput {
  readonly id: number;
  readonly createdAt: Date;
}

export interface StaleClaimOptions {
  /** A claim at least this old without outcome was left by a crash. */
  readonly staleAfterMinutes?: number;
  /** Taken over only while Discord still remembers the nonce of its first unknown attempt. */
  readonly nonceWindowMinutes?: number;
}

/** A row of `daily_schedules` as the database returns it (both engines give these names and types). */
export interface ScheduleRow {
  id: number;
  guild_id: string;
  channel_id: string;
  channel_name: string | null;
  local_time: string;
  time_zone: string;
  days: number;
  /** Migration 6. */
  quiz_days: number;
  role_id: string | null;
  thread: number;
  /** Migration 5. */
  language: string;
  state: string;
  paused_reason: string | null;
  paused_until: string | null;
  failed_days: number;
  effective_from: number;
  created_at: number;
  updated_at: number;
  /** The check hint (migration 2); not part of `Schedule`. */
  next_check_at?: number | null;
}

/** A row of `daily_posts` as the database returns it. */
export interface PostRow {
  schedule_id: number;
  guild_id: string;
  local_date: string;
  quote_id: string;
  theme: string | null;
  /** Migration 6. */
  quiz_id: string | null;
  channel_id: string;
  status: string;
  attempts: number;
  stale_reclaims: number;
  claimed_by: string;
  claimed_at: number;
  nonce_since: number | null;
  message_id: string | null;
  sent_at: number | null;
  last_error: string | null;
  next_attempt_at: number | null;
  updated_at: number;
}

export interface TestPostRow {
  id: number;
  guild_id: string;
  channel_id: string;
  quote_id: string;
  requested_by: string;
  message_id: string | null;
  error: string | null;
  created_at: number;
}

const SCHEDULE_STATES: readonly string[] = ['active', 'paused', 'off'] satisfies ScheduleState[];
const SCHEDULE_LANGUAGES: readonly string[] = LANGUAGES;
const POST_STATUSES: readonly string[] = ['claimed', 'sent', 'failed'] satisfies PostStatus[];

/** Errors and reasons end up in status replies; keep them to a readable size. */
const MAX_REASON_LENGTH = 500;

/** Schedules whose check hints are recomputed per write transaction (the lock is held that long). */
export const HINT_BATCH = 1_000;

export function transformSchedule(row: ScheduleRow): Schedule {
  if (!SCHEDULE_STATES.includes(row.state)) {
    throw new Error(`daily: schedule ${row.id} of guild ${row.guild_id} has unknown state "${row.state}"`);
  }
  if (!SCHEDULE_LANGUAGES.includes(row.language)) {
    throw new Error(`daily: schedule ${row.id} of guild ${row.guild_id} has unknown language "${row.language}"`);
  }
  return {
    id: row.id,
    guildId: row.guild_id,
    channelId: row.channel_id,
    channelName: row.channel_name,
    time: row.local_time,
    timeZone: row.time_zone,
    days: row.days,
    quizDays: row.quiz_days,
    roleId: row.role_id,
    thread: row.thread === 1,
    language: row.language as Language,
    state: row.state as ScheduleState,
    pausedReason: row.paused_reason,
    pausedUntil: row.paused_until,
    failedDays: row.failed_days,
    effectiveFrom: new Date(row.effective_from),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function transformPost(row: PostRow): PostRecord {
  if (!POST_STATUSES.includes(row.status)) {
    throw new Error(`daily: post of schedule ${row.schedule_id} on ${row.local_date} has unknown status "${row.status}"`);
  }
  return {
    scheduleId: row.schedule_id,
    guildId: row.guild_id,
    localDate: row.local_date,
    quoteId: row.quote_id,
    theme: row.theme,
    quizId: row.quiz_id,
    channelId: row.channel_id,
    status: row.status as PostStatus,
    attempts: row.attempts,
    staleReclaims: row.stale_reclaims,
    claimedBy: row.claimed_by,
    claimedAt: new Date(row.claimed_at),
    nonceSince: row.nonce_since === null ? null : new Date(row.nonce_since),
    messageId: row.message_id,
    sentAt: row.sent_at === null ? null : new Date(row.sent_at),
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at === null ? null : new Date(row.next_attempt_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function transformTestPost(row: TestPostRow): TestPost {
  return {
    id: row.id,
    guildId: row.guild_id,
    channelId: row.channel_id,
    quoteId: row.quote_id,
    requestedBy: row.requested_by,
    messageId: row.message_id,
    error: row.error,
    createdAt: new Date(row.created_at),
  };
}


export function transformSyllabus(rows: readonly SyllabusRow[]): SyllabusRange[] {
  const sorted = [...rows].sort((a, b) => (a.from_date < b.from_date ? -1 : a.from_date > b.from_date ? 1 : 0));
  return sorted.map((row, i) => {
    const next = sorted[i + 1];
    const cut = next ? addDays(next.from_date, -1) : null;
    const until = row.to_date === null ? cut : cut !== null && cut < row.to_date ? cut : row.to_date;
    return {
      id: row.id,
      scheduleId: row.schedule_id,
      theme: row.theme,
      from: row.from_date,
      to: row.to_date,
      until,
      createdAt: new Date(row.created_at),
    };
  });
}

/** What an ordinary tick reads, as of one instant. */
export interface DueSnapshot {
  /** The active schedules whose check hint has come or is not set (and `own` accepts). */
  readonly schedules: Schedule[];
  /** Their posts dated within the window. */
  readonly posts: PostRecord[];
}

/** What a full pass reads, as of one instant. */
export interface FullSnapshot {
  /** Every active schedule. */
  readonly schedules: Schedule[];
  /** Every post dated within the window. */
  readonly posts: PostRecord[];
  /** The check hints still to come (`> now`), by schedule (epoch ms). */
  readonly hints: Map<number, number>;
}

/**
 * The daily voice's storage, whatever the engine. Every method is a
 * round trip to the database (a promise); none keeps state in memory that
 * another process would need. Errors: a `daily:` RangeError for input it
 * refuses (nothing saved), `ScheduleLimitError`, or the engine's own error
 * when the database cannot be reached.
 */
export interface DailyStore {
  // ---- settings ------------------------------------------------------------

  /**
   * Creates or replaces the schedule of a channel and makes it active (this is
   * also how a paused or disabled schedule is set going again; a holiday pause
   * is kept). Throws a `daily:` RangeError for an invalid time or zone, and a
   * `ScheduleLimitError` for a channel beyond the server's `limit` (checked
   * under a lock per server); returns the stored schedule, zone normalized.
   *
   * The failure streak restarts, and so does `effectiveFrom` when the schedule
   * was not active or its time or zone changed: a slot already past today is
   * then not caught up (no surprise post the moment `/daily set` is run).
   */
  upsertSchedule(input: ScheduleInput, now: Date, limit?: number): Promise<Schedule>;
  getSchedule(id: number): Promise<Schedule | null>;
  /** The schedule of a channel, whatever its state; null when it never had one. */
  findSchedule(guildId: string, channelId: string): Promise<Schedule | null>;
  /** Every schedule of a server, off ones included, oldest first. */
  listGuildSchedules(guildId: string): Promise<Schedule[]>;
  /** Turns a schedule off, keeping its settings and history. Null when there is none. */
  disableSchedule(id: number, now: Date): Promise<Schedule | null>;
  /**
   * Pauses an active schedule after an error, keeping why (shown in status
   * replies until it is resumed or set again). False when it was not active.
   */
  pauseSchedule(id: number, reason: string, now: Date): Promise<boolean>;
  /** Pauses every active schedule of a server (the bot was removed from it). Returns the ids paused. */
  pauseGuild(guildId: string, reason: string, now: Date): Promise<number[]>;
  /** Pauses the active schedule of one channel (it was deleted); the server's other schedules go on. */
  pauseChannel(channelId: string, reason: string, now: Date): Promise<number[]>;
  /**
   * A holiday pause: no post on a local date before `until` (the date posting
   * resumes), with why. The schedule keeps its state; an off schedule is left
   * alone (null).
   */
  pauseUntil(id: number, until: string, reason: string | null, now: Date): Promise<Schedule | null>;
  /**
   * Ends a holiday pause or a pause after errors: the schedule posts again from
   * its next slot (a slot already past today is not caught up after an error
   * pause). Null for an off schedule, which `/daily set` turns back on.
   */
  resumeSchedule(id: number, now: Date): Promise<Schedule | null>;
  /** Active schedules, all or only those of `ids` (a shard loads its own), by id. */
  listActiveSchedules(ids?: readonly number[]): Promise<Schedule[]>;

  // ---- syllabus ------------------------------------------------------------

  /** A schedule's syllabus ranges in date order, each with the last date it is in effect. */
  listSyllabus(scheduleId: number): Promise<SyllabusRange[]>;
  /**
   * Adds a range to a schedule's syllabus. Ranges follow one another: an
   * open-ended range ends the day before the next one starts. Refused (a
   * `daily:` RangeError naming the clash, nothing saved) when it starts the
   * same day as another, or overlaps another's explicit dates.
   */
  addSyllabusRange(scheduleId: number, theme: string, from: string, to: string | null, now: Date): Promise<SyllabusRange>;
  /** Deletes a schedule's syllabus (what was posted stays recorded). Returns how many ranges there were. */
  clearSyllabus(scheduleId: number): Promise<number>;

  // ---- check hints and the scheduler's reads -------------------------------

  /**
   * The active schedules whose check hint has come (`<= now`) or is not set:
   * the only ones with anything possibly due. Through the index, so the cost
   * is what is returned, not the number of schedules.
   */
  listDueScheduleIds(now: Date): Promise<{ id: number; guildId: string }[]>;
  /** The check hints still to come (`> now`) of the active schedules, by schedule (epoch ms). */
  listCheckHints(now: Date): Promise<Map<number, number>>;
  /** The schedule's check hint; null when not set (or no schedule). */
  getCheckHint(id: number): Promise<Date | null>;
  /**
   * Recomputes (`nextCheckTimes`) and stores the check hints of these active
   * schedules. Each batch reads the schedules and their posts and writes the
   * hints in one transaction that keeps other writers of those rows out: no
   * claim or outcome recorded by another process can come between what a hint
   * was computed from and its write. Returns the number of hints changed.
   */
  refreshCheckHints(ids: readonly number[], now: Date, policy?: DailyPolicy): Promise<number>;
  /**
   * An ordinary tick's reads in one read transaction (one instant, whatever
   * other connections commit meanwhile): `listDueScheduleIds`, kept to those
   * `own` accepts (a shard's guilds), then those schedules and their posts
   * dated `from`..`to`.
   */
  dueSnapshot(now: Date, from: string, to: string, own?: (guildId: string) => boolean): Promise<DueSnapshot>;
  /** A full pass's reads in one read transaction: every active schedule, every post dated `from`..`to`, the hints to come. */
  fullSnapshot(now: Date, from: string, to: string): Promise<FullSnapshot>;

  // ---- posts ---------------------------------------------------------------

  getPost(scheduleId: number, localDate: string): Promise<PostRecord | null>;
  /** Post records with `from <= local_date <= to`, all or only those of `scheduleIds`. */
  listPostsBetween(from: string, to: string, scheduleIds?: readonly number[]): Promise<PostRecord[]>;
  /**
   * Takes the schedule's post for `localDate`, recording the quote chosen for
   * it (the syllabus theme it came from, and the quiz it carries on a quiz
   * day). True for exactly one caller, ever, per schedule and date; false when
   * the day is already taken or the schedule is not active (any more). One
   * INSERT … ON CONFLICT DO NOTHING.
   */
  claimPost(
    scheduleId: number,
    localDate: string,
    quoteId: string,
    now: Date,
    claimer: string,
    theme?: string | null,
    quizId?: string | null,
  ): Promise<boolean>;
  /**
   * Claims a failed day whose `nextAttemptAt` has come, for another attempt.
   * Returns the claimed record (with the recorded quote), or null when the day
   * is not (or no longer) up for retry — e.g. another process took it first.
   */
  retryFailed(scheduleId: number, localDate: string, now: Date, claimer: string): Promise<PostRecord | null>;
  /**
   * Takes over a claim left by a crash: still `claimed`, no message id, older
   * than `staleAfterMinutes`, and its first unknown attempt recent enough that
   * Discord still holds its nonce (`nonceWindowMinutes`): the retry carries the
   * same nonce, so if the lost attempt did create the message, Discord returns
   * it instead of posting again. Returns the claimed record or null.
   */
  reclaimStale(scheduleId: number, localDate: string, now: Date, claimer: string, options?: StaleClaimOptions): Promise<PostRecord | null>;
  /** Records the day as posted and ends the failure streak. False when it already was. */
  markSent(scheduleId: number, localDate: string, messageId: string, now: Date): Promise<boolean>;
  /**
   * Records a failed attempt on a claimed day. With `nextAttemptAt` the day is
   * retried then (and the check hint is cleared: it may name a later instant);
   * with null the day has failed for good and the schedule's streak of failed
   * days grows by one. Returns the streak, or null when the day was not
   * claimed (nothing recorded).
   */
  markFailed(scheduleId: number, localDate: string, reason: string, now: Date, nextAttemptAt: Date | null): Promise<{ failedDays: number } | null>;
  /** A server's post records (every schedule, turned-off ones included), newest local date first. */
  history(guildId: string, limit?: number): Promise<PostRecord[]>;
  /** One schedule's post records, newest first. */
  scheduleHistory(scheduleId: number, limit?: number): Promise<PostRecord[]>;
  /** The record of the schedule's most recent day, whatever its outcome (for status replies). */
  lastDelivery(scheduleId: number): Promise<PostRecord | null>;
  /** The quote actually posted by the schedule on `localDate`; null unless that day's post went out. */
  getPostedQuoteId(scheduleId: number, localDate: string): Promise<string | null>;

  // ---- test posts ----------------------------------------------------------

  /** Records a `/daily test` post. Test posts never count as, or block, the day's post. */
  recordTestPost(input: TestPostInput, now: Date): Promise<TestPost>;
  /** The guild's test posts, newest first. */
  listTestPosts(guildId: string, limit?: number): Promise<TestPost[]>;
}

/** The checked, normalised values of a `ScheduleInput`; throws a `daily:` RangeError for bad input. */
export function checkScheduleInput(input: ScheduleInput): { localTime: string; timeZone: string; days: number; quizDays: number | null } {
  if (!input.guildId || !input.channelId) throw new RangeError('daily: a schedule needs a guild and a channel');
  const time = parseLocalTime(input.time);
  if (!time.ok) throw new RangeError(time.error);
  const zone = normalizeTimeZone(input.timeZone);
  if (!zone.ok) throw new RangeError(zone.error);
  const days = input.days ?? EVERY_DAY;
  if (!Number.isInteger(days) || days < 1 || days > EVERY_DAY) throw new RangeError(`daily: days ${days} is not a set of weekdays`);
  const quizDays = input.quizDays ?? null;
  if (quizDays !== null && (!Number.isInteger(quizDays) || quizDays < 0 || quizDays > EVERY_DAY)) throw new RangeError(`daily: quiz days ${quizDays} is not a set of weekdays`);
  return { localTime: formatLocalTime(time.value), timeZone: zone.value, days, quizDays };
}

/** Checks a syllabus range's dates; throws a `daily:` RangeError. */
export function checkSyllabusDates(from: string, to: string | null): void {
  parseLocalDate(from);
  if (to !== null) {
    parseLocalDate(to);
    if (to < from) throw new RangeError(`daily: the range ends (${to}) before it starts (${from})`);
  }
}

/** Throws the `daily:` RangeError naming the range that a new one (`from`..`to`) clashes with, if any. */
export function refuseSyllabusClash(existing: readonly SyllabusRow[], from: string, to: string | null): void {
  for (const other of existing) {
    const clash =
      other.from_date === from ||
      (other.to_date !== null && other.from_date < from && from <= other.to_date) ||
      (to !== null && from < other.from_date && other.from_date <= to);
    if (clash) {
      throw new RangeError(
        `daily: ${from}${to ? ` to ${to}` : ''} overlaps the range ${other.from_date}${other.to_date ? ` to ${other.to_date}` : ' (open-ended)'} (${other.theme})`,
      );
    }
  }
}

/** The stored range `row` as `listSyllabus` shows it among the schedule's `all` ranges. */
export function syllabusRangeIn(all: readonly SyllabusRow[], row: SyllabusRow): SyllabusRange {
  return transformSyllabus(all).find((range) => range.id === row.id) ?? transformSyllabus([row])[0]!;
}

export function clampLimit(limit: number): number {
  return Math.max(0, Math.min(1_000, Math.floor(limit)));
}

/** Errors and reasons end up in status replies: kept to a readable size, cut anywhere (they are not prose). */
export function clipReason(text: string): string {
  return truncate(text, MAX_REASON_LENGTH, { atWord: false });
}
