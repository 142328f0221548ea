/**
 * The daily voice's repository over SQLite: raw rows in, domain objects
 * (`Schedule`, `PostRecord`) out, through `transformSchedule`/`transformPost`.
 *
 * Every guarantee against a second post lives in SQL, not in memory, so it
 * holds across processes, shards and restarts:
 * - `claimPost` is one INSERT guarded by the (schedule_id, local_date) primary key
 *   (several schedules per server, one per channel; a day posted before the
 *   upgrade under the old (server, date) key kept its row, attached to the
 *   server's schedule, so it is never claimed again);
 * - retries and takeovers are single UPDATEs whose WHERE re-checks the state,
 *   so of two processes trying at once exactly one gets the row back.
 *
 * Instants are stored as integer milliseconds since the epoch; `now` is always
 * a parameter.
 *
 * Each schedule also carries the scheduler's check hint (`next_check_at`, see
 * `nextCheckTimes`): a lower bound on when anything can be due for it.
 * It is written only by `refreshCheckHints`, which reads its inputs and writes
 * it under the write lock, and cleared by the writes that could make a day due
 * sooner (`upsertSchedule`; `markFailed` with a retry). It never guards a post:
 * a wrong hint can delay a post (until the scheduler's next full pass), never
 * double it.
 */
import type { SqliteDatabase } from '../db/database.js';
import { LANGUAGES, type Language } from '../i18n/index.js';
import { truncate } from '../text/truncate.js';
import { currentDateWindow, DEFAULT_POLICY, nextCheckTimes } from './due.js';
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

interface SyllabusRow {
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

/** A row of `daily_schedules` as SQLite returns it. */
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

/** A row of `daily_posts` as SQLite returns it. */
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

interface TestPostRow {
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
const HINT_BATCH = 1_000;

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

function transformTestPost(row: TestPostRow): TestPost {
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


function transformSyllabus(rows: readonly SyllabusRow[]): SyllabusRange[] {
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

const SCHEDULE_IS_ACTIVE = `EXISTS (
  SELECT 1 FROM daily_schedules s WHERE s.id = daily_posts.schedule_id AND s.state = 'active')`;

/** Prepared once per connection: a tick runs some of these thousands of times. */
function prepareStatements(db: SqliteDatabase) {
  return {
    getSchedule: db.prepare<[number], ScheduleRow>('SELECT * FROM daily_schedules WHERE id = ?'),
    findSchedule: db.prepare<[string, string], ScheduleRow>(
      'SELECT * FROM daily_schedules WHERE guild_id = ? AND channel_id = ?',
    ),
    guildSchedules: db.prepare<[string], ScheduleRow>('SELECT * FROM daily_schedules WHERE guild_id = ? ORDER BY id'),
    countLive: db.prepare<[string, string], { n: number }>(`
      SELECT count(*) AS n FROM daily_schedules WHERE guild_id = ? AND state != 'off' AND channel_id != ?`),
    upsertSchedule: db.prepare<Record<string, unknown>, ScheduleRow>(`
      INSERT INTO daily_schedules (guild_id, channel_id, channel_name, local_time, time_zone, days, quiz_days, role_id,
                                   thread, language, state, paused_reason, failed_days, effective_from, created_at,
                                   updated_at)
      VALUES (@guildId, @channelId, @channelName, @time, @timeZone, @days, coalesce(@quizDays, 0), @roleId, @thread,
              coalesce(@language, 'en'), 'active', NULL, 0, @effectiveFrom, @now, @now)
      ON CONFLICT (guild_id, channel_id) DO UPDATE SET
        channel_name = coalesce(excluded.channel_name, channel_name), local_time = excluded.local_time, time_zone = excluded.time_zone, days = excluded.days,
        quiz_days = coalesce(@quizDays, quiz_days), language = coalesce(@language, language),
        role_id = excluded.role_id, thread = excluded.thread, state = 'active', paused_reason = NULL,
        failed_days = 0, effective_from = excluded.effective_from, updated_at = excluded.updated_at,
        next_check_at = NULL
      RETURNING *`),
    setState: db.prepare<Record<string, unknown>, ScheduleRow>(`
      UPDATE daily_schedules SET state = @state, paused_reason = @reason, updated_at = @now
      WHERE id = @id AND state IN (SELECT value FROM json_each(@from))
      RETURNING *`),
    pauseWhere: db.prepare<Record<string, unknown>, { id: number }>(`
      UPDATE daily_schedules SET state = 'paused', paused_reason = @reason, updated_at = @now
      WHERE guild_id = @guildId AND (@channelId IS NULL OR channel_id = @channelId) AND state = 'active'
      RETURNING id`),
    pauseChannel: db.prepare<Record<string, unknown>, { id: number; guild_id: string }>(`
      UPDATE daily_schedules SET state = 'paused', paused_reason = @reason, updated_at = @now
      WHERE channel_id = @channelId AND state = 'active'
      RETURNING id, guild_id`),
    holiday: db.prepare<Record<string, unknown>, ScheduleRow>(`
      UPDATE daily_schedules SET paused_until = @until, paused_reason = @reason, updated_at = @now, next_check_at = NULL
      WHERE id = @id AND state != 'off'
      RETURNING *`),
    resume: db.prepare<Record<string, unknown>, ScheduleRow>(`
      UPDATE daily_schedules SET
        effective_from = CASE WHEN state = 'active' THEN effective_from ELSE @now END,
        state = 'active', paused_until = NULL, paused_reason = NULL, failed_days = 0, updated_at = @now,
        next_check_at = NULL
      WHERE id = @id AND state != 'off'
      RETURNING *`),
    listActive: db.prepare<[], ScheduleRow>(`SELECT * FROM daily_schedules WHERE state = 'active' ORDER BY id`),
    // +state: look the schedules up by key, not every active row up by state.
    listActiveIn: db.prepare<[string], ScheduleRow>(`
      SELECT * FROM daily_schedules
      WHERE +state = 'active' AND id IN (SELECT value FROM json_each(?))
      ORDER BY id`),
    // Two index ranges (an OR would scan every active row): the hints not set, and those that have come.
    dueIds: db.prepare<[number], { id: number; guild_id: string }>(`
      SELECT id, guild_id FROM daily_schedules WHERE state = 'active' AND next_check_at IS NULL
      UNION ALL
      SELECT id, guild_id FROM daily_schedules WHERE state = 'active' AND next_check_at <= ?`),
    hintsAfter: db.prepare<[number], { id: number; next_check_at: number }>(`
      SELECT id, next_check_at FROM daily_schedules WHERE state = 'active' AND next_check_at > ?`),
    getHint: db.prepare<[number], { next_check_at: number | null }>(
      'SELECT next_check_at FROM daily_schedules WHERE id = ?',
    ),
    setHint: db.prepare<Record<string, unknown>>(`
      UPDATE daily_schedules SET next_check_at = @hint WHERE id = @id AND next_check_at IS NOT @hint`),
    clearHint: db.prepare<[number]>('UPDATE daily_schedules SET next_check_at = NULL WHERE id = ?'),
    postsBetween: db.prepare<[string, string], PostRow>(`
      SELECT * FROM daily_posts WHERE local_date BETWEEN ? AND ?`),
    postsBetweenIn: db.prepare<[string, string, string], PostRow>(`
      SELECT * FROM daily_posts
      WHERE local_date BETWEEN ? AND ? AND schedule_id IN (SELECT value FROM json_each(?))`),
    getPost: db.prepare<[number, string], PostRow>('SELECT * FROM daily_posts WHERE schedule_id = ? AND local_date = ?'),
    claim: db.prepare<Record<string, unknown>>(`
      INSERT INTO daily_posts (schedule_id, guild_id, local_date, quote_id, theme, quiz_id, channel_id, status,
                               attempts, stale_reclaims, claimed_by, claimed_at, nonce_since, updated_at)
      SELECT id, guild_id, @localDate, @quoteId, @theme, @quizId, channel_id, 'claimed', 1, 0, @claimer, @now, @now,
             @now
      FROM daily_schedules WHERE id = @scheduleId AND state = 'active'
      ON CONFLICT (schedule_id, local_date) DO NOTHING`),
    retryFailed: db.prepare<Record<string, unknown>, PostRow>(`
      UPDATE daily_posts SET status = 'claimed', attempts = attempts + 1, claimed_by = @claimer,
        claimed_at = @now, nonce_since = @now, next_attempt_at = NULL, updated_at = @now
      WHERE schedule_id = @scheduleId AND local_date = @localDate AND status = 'failed'
        AND next_attempt_at IS NOT NULL AND next_attempt_at <= @now AND ${SCHEDULE_IS_ACTIVE}
      RETURNING *`),
    // The channel is NOT re-pointed: the same nonce must go to the same channel to find its message.
    reclaimStale: db.prepare<Record<string, unknown>, PostRow>(`
      UPDATE daily_posts SET attempts = attempts + 1, stale_reclaims = stale_reclaims + 1, claimed_by = @claimer,
        claimed_at = @now, updated_at = @now
      WHERE schedule_id = @scheduleId AND local_date = @localDate AND status = 'claimed' AND message_id IS NULL
        AND claimed_at <= @staleBefore AND nonce_since IS NOT NULL AND nonce_since > @nonceAfter
        AND ${SCHEDULE_IS_ACTIVE}
      RETURNING *`),
    markSent: db.prepare<Record<string, unknown>>(`
      UPDATE daily_posts SET status = 'sent', message_id = @messageId, sent_at = @now, next_attempt_at = NULL,
        updated_at = @now
      WHERE schedule_id = @scheduleId AND local_date = @localDate AND status != 'sent'`),
    resetFailedDays: db.prepare<[number]>('UPDATE daily_schedules SET failed_days = 0 WHERE id = ? AND failed_days != 0'),
    markFailed: db.prepare<Record<string, unknown>>(`
      UPDATE daily_posts SET status = 'failed', last_error = @reason, next_attempt_at = @nextAttemptAt,
        updated_at = @now
      WHERE schedule_id = @scheduleId AND local_date = @localDate AND status = 'claimed'`),
    countFailedDay: db.prepare<[number], { failed_days: number }>(`
      UPDATE daily_schedules SET failed_days = failed_days + 1 WHERE id = ? RETURNING failed_days`),
    history: db.prepare<[string, number], PostRow>(`
      SELECT * FROM daily_posts WHERE guild_id = ? ORDER BY local_date DESC, schedule_id LIMIT ?`),
    scheduleHistory: db.prepare<[number, number], PostRow>(`
      SELECT * FROM daily_posts WHERE schedule_id = ? ORDER BY local_date DESC LIMIT ?`),
    postedQuote: db.prepare<[number, string], { quote_id: string }>(`
      SELECT quote_id FROM daily_posts WHERE schedule_id = ? AND local_date = ? AND status = 'sent'`),
    insertTestPost: db.prepare<Record<string, unknown>, TestPostRow>(`
      INSERT INTO daily_test_posts (guild_id, channel_id, quote_id, requested_by, message_id, error, created_at)
      VALUES (@guildId, @channelId, @quoteId, @requestedBy, @messageId, @error, @now)
      RETURNING *`),
    testPosts: db.prepare<[string, number], TestPostRow>(`
      SELECT * FROM daily_test_posts WHERE guild_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`),
    syllabus: db.prepare<[number], SyllabusRow>('SELECT * FROM daily_syllabus WHERE schedule_id = ? ORDER BY from_date'),
    addSyllabus: db.prepare<Record<string, unknown>, SyllabusRow>(`
      INSERT INTO daily_syllabus (schedule_id, theme, from_date, to_date, created_at)
      VALUES (@scheduleId, @theme, @from, @to, @now)
      RETURNING *`),
    clearSyllabus: db.prepare<[number]>('DELETE FROM daily_syllabus WHERE schedule_id = ?'),
  };
}

export class DailyStore {
  private readonly statements: ReturnType<typeof prepareStatements>;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = prepareStatements(db);
  }

  // ---- settings ------------------------------------------------------------

  /**
   * Creates or replaces the schedule of a channel and makes it active (this is
   * also how a paused or disabled schedule is set going again; a holiday pause
   * is kept). Throws a `daily:` RangeError for an invalid time or zone, and a
   * `ScheduleLimitError` for a channel beyond the server's
   * `MAX_SCHEDULES_PER_GUILD` (checked under the write lock); returns the
   * stored schedule, zone normalized.
   *
   * The failure streak restarts, and so does `effectiveFrom` when the schedule
   * was not active or its time or zone changed: a slot already past today is
   * then not caught up (no surprise post the moment `/daily set` is run).
   */
  upsertSchedule(input: ScheduleInput, now: Date, limit = MAX_SCHEDULES_PER_GUILD): Schedule {
    if (!input.guildId || !input.channelId) throw new RangeError('daily: a schedule needs a guild and a channel');
    const time = parseLocalTime(input.time);
    if (!time.ok) throw new RangeError(time.error);
    const zone = normalizeTimeZone(input.timeZone);
    if (!zone.ok) throw new RangeError(zone.error);
    const days = input.days ?? EVERY_DAY;
    if (!Number.isInteger(days) || days < 1 || days > EVERY_DAY) throw new RangeError(`daily: days ${days} is not a set of weekdays`);
    const quizDays = input.quizDays ?? null;
    if (quizDays !== null && (!Number.isInteger(quizDays) || quizDays < 0 || quizDays > EVERY_DAY)) throw new RangeError(`daily: quiz days ${quizDays} is not a set of weekdays`);
    const localTime = formatLocalTime(time.value);

    const write = this.db.transaction((): ScheduleRow => {
      if ((this.statements.countLive.get(input.guildId, input.channelId)?.n ?? 0) >= limit) {
        throw new ScheduleLimitError(limit);
      }
      const existing = this.statements.findSchedule.get(input.guildId, input.channelId);
      const keepsSlot =
        existing !== undefined &&
        existing.state === 'active' &&
        existing.local_time === localTime &&
        existing.time_zone === zone.value;
      const row = this.statements.upsertSchedule.get({
        guildId: input.guildId,
        channelId: input.channelId,
        channelName: input.channelName ?? null,
        time: localTime,
        timeZone: zone.value,
        days,
        quizDays,
        roleId: input.roleId,
        thread: input.thread ? 1 : 0,
        language: input.language ?? null,
        effectiveFrom: keepsSlot ? existing.effective_from : now.getTime(),
        now: now.getTime(),
      });
      if (!row) throw new Error(`daily: saving the schedule of channel ${input.channelId} returned nothing`);
      return row;
    });
    // IMMEDIATE: read-then-write under the write lock, so a concurrent writer cannot slip between.
    return transformSchedule(write.immediate());
  }

  getSchedule(id: number): Schedule | null {
    const row = this.statements.getSchedule.get(id);
    return row ? transformSchedule(row) : null;
  }

  /** The schedule of a channel, whatever its state; null when it never had one. */
  findSchedule(guildId: string, channelId: string): Schedule | null {
    const row = this.statements.findSchedule.get(guildId, channelId);
    return row ? transformSchedule(row) : null;
  }

  /** Every schedule of a server, off ones included, oldest first. */
  listGuildSchedules(guildId: string): Schedule[] {
    return this.statements.guildSchedules.all(guildId).map(transformSchedule);
  }

  /** Turns a schedule off, keeping its settings and history. Null when there is none. */
  disableSchedule(id: number, now: Date): Schedule | null {
    this.setState(id, 'off', null, ['active', 'paused'], now);
    return this.getSchedule(id);
  }

  /**
   * Pauses an active schedule after an error, keeping why (shown in status
   * replies until it is resumed or set again). False when it was not active.
   */
  pauseSchedule(id: number, reason: string, now: Date): boolean {
    return this.setState(id, 'paused', clipReason(reason), ['active'], now);
  }

  /** Pauses every active schedule of a server (the bot was removed from it). Returns the ids paused. */
  pauseGuild(guildId: string, reason: string, now: Date): number[] {
    const rows = this.statements.pauseWhere.all({ guildId, channelId: null, reason: clipReason(reason), now: now.getTime() });
    return rows.map((row) => row.id);
  }

  /** Pauses the active schedule of one channel (it was deleted); the server's other schedules go on. */
  pauseChannel(channelId: string, reason: string, now: Date): number[] {
    return this.statements.pauseChannel.all({ channelId, reason: clipReason(reason), now: now.getTime() }).map((row) => row.id);
  }

  /**
   * A holiday pause: no post on a local date before `until` (the date posting
   * resumes), with why. The schedule keeps its state; an off schedule is left
   * alone (null).
   */
  pauseUntil(id: number, until: string, reason: string | null, now: Date): Schedule | null {
    parseLocalDate(until);
    const row = this.statements.holiday.get({ id, until, reason: reason === null ? null : clipReason(reason), now: now.getTime() });
    return row ? transformSchedule(row) : null;
  }

  /**
   * Ends a holiday pause or a pause after errors: the schedule posts again from
   * its next slot (a slot already past today is not caught up after an error
   * pause). Null for an off schedule, which `/daily set` turns back on.
   */
  resumeSchedule(id: number, now: Date): Schedule | null {
    const row = this.statements.resume.get({ id, now: now.getTime() });
    return row ? transformSchedule(row) : null;
  }

  /** Active schedules, all or only those of `ids` (a shard loads its own). */
  listActiveSchedules(ids?: readonly number[]): Schedule[] {
    const rows = ids === undefined ? this.statements.listActive.all() : this.statements.listActiveIn.all(JSON.stringify(ids));
    return rows.map(transformSchedule);
  }

  // ---- syllabus ------------------------------------------------------------

  /** A schedule's syllabus ranges in date order, each with the last date it is in effect. */
  listSyllabus(scheduleId: number): SyllabusRange[] {
    return transformSyllabus(this.statements.syllabus.all(scheduleId));
  }

  /**
   * Adds a range to a schedule's syllabus. Ranges follow one another: an
   * open-ended range ends the day before the next one starts. Refused (a
   * `daily:` RangeError naming the clash, nothing saved) when it starts the
   * same day as another, or overlaps another's explicit dates.
   */
  addSyllabusRange(scheduleId: number, theme: string, from: string, to: string | null, now: Date): SyllabusRange {
    parseLocalDate(from);
    if (to !== null) {
      parseLocalDate(to);
      if (to < from) throw new RangeError(`daily: the range ends (${to}) before it starts (${from})`);
    }
    const write = this.db.transaction((): SyllabusRow => {
      for (const other of this.statements.syllabus.all(scheduleId)) {
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
      const row = this.statements.addSyllabus.get({ scheduleId, theme, from, to, now: now.getTime() });
      if (!row) throw new Error(`daily: saving a syllabus range of schedule ${scheduleId} returned nothing`);
      return row;
    });
    const row = write.immediate();
    return this.listSyllabus(scheduleId).find((range) => range.id === row.id) ?? transformSyllabus([row])[0]!;
  }

  /** Deletes a schedule's syllabus (what was posted stays recorded). Returns how many ranges there were. */
  clearSyllabus(scheduleId: number): number {
    return this.statements.clearSyllabus.run(scheduleId).changes;
  }

  // ---- check hints ---------------------------------------------------------

  /**
   * The active schedules whose check hint has come (`<= now`) or is not set:
   * the only ones with anything possibly due. Through the index, so the cost
   * is what is returned, not the number of schedules.
   */
  listDueScheduleIds(now: Date): { id: number; guildId: string }[] {
    return this.statements.dueIds.all(now.getTime()).map((row) => ({ id: row.id, guildId: row.guild_id }));
  }

  /** The check hints still to come (`> now`) of the active schedules, by schedule (epoch ms). */
  listCheckHints(now: Date): Map<number, number> {
    const hints = new Map<number, number>();
    for (const row of this.statements.hintsAfter.all(now.getTime())) hints.set(row.id, row.next_check_at);
    return hints;
  }

  /** The schedule's check hint; null when not set (or no schedule). */
  getCheckHint(id: number): Date | null {
    const hint = this.statements.getHint.get(id)?.next_check_at ?? null;
    return hint === null ? null : new Date(hint);
  }

  /**
   * Recomputes (`nextCheckTimes`) and stores the check hints of these active
   * schedules. Each batch reads the schedules and their posts and writes the
   * hints in one IMMEDIATE transaction: no claim or outcome recorded by
   * another process can come between what a hint was computed from and its
   * write, so a stored hint always matches the posts it was computed from.
   * Returns the number of hints changed.
   */
  refreshCheckHints(ids: readonly number[], now: Date, policy: DailyPolicy = DEFAULT_POLICY): number {
    const { from, to } = currentDateWindow(now);
    let changed = 0;
    const write = this.db.transaction((batch: string): void => {
      const schedules = this.statements.listActiveIn.all(batch).map(transformSchedule);
      const posts = this.statements.postsBetweenIn.all(from, to, batch).map(transformPost);
      const hints = nextCheckTimes(schedules, posts, now, policy);
      for (const { id } of schedules) {
        changed += this.statements.setHint.run({ id, hint: hints.get(id) ?? null }).changes;
      }
    });
    for (let i = 0; i < ids.length; i += HINT_BATCH) {
      write.immediate(JSON.stringify(ids.slice(i, i + HINT_BATCH)));
    }
    return changed;
  }

  /**
   * Runs `read` in one read transaction: the reads inside see the database as
   * of one instant (WAL snapshot), whatever other connections commit meanwhile.
   */
  snapshot<T>(read: () => T): T {
    return this.db.transaction(read).deferred();
  }

  // ---- posts ---------------------------------------------------------------

  getPost(scheduleId: number, localDate: string): PostRecord | null {
    const row = this.statements.getPost.get(scheduleId, localDate);
    return row ? transformPost(row) : null;
  }

  /** Post records with `from <= local_date <= to`, all or only those of `scheduleIds`. */
  listPostsBetween(from: string, to: string, scheduleIds?: readonly number[]): PostRecord[] {
    const rows =
      scheduleIds === undefined
        ? this.statements.postsBetween.all(from, to)
        : this.statements.postsBetweenIn.all(from, to, JSON.stringify(scheduleIds));
    return rows.map(transformPost);
  }

  /**
   * Takes the schedule's post for `localDate`, recording the quote chosen for
   * it (the syllabus theme it came from, and the quiz it carries on a quiz
   * day). True for exactly one caller, ever, per schedule and date; false when
   * the day is already taken or the schedule is not active (any more).
   */
  claimPost(
    scheduleId: number,
    localDate: string,
    quoteId: string,
    now: Date,
    claimer: string,
    theme: string | null = null,
    quizId: string | null = null,
  ): boolean {
    parseLocalDate(localDate);
    const result = this.statements.claim.run({ scheduleId, localDate, quoteId, theme, quizId, now: now.getTime(), claimer });
    return result.changes === 1;
  }

  /**
   * Claims a failed day whose `nextAttemptAt` has come, for another attempt.
   * Returns the claimed record (with the recorded quote), or null when the day
   * is not (or no longer) up for retry — e.g. another process took it first.
   */
  retryFailed(scheduleId: number, localDate: string, now: Date, claimer: string): PostRecord | null {
    const row = this.statements.retryFailed.get({ scheduleId, localDate, now: now.getTime(), claimer });
    return row ? transformPost(row) : null;
  }

  /**
   * Takes over a claim left by a crash: still `claimed`, no message id, older
   * than `staleAfterMinutes`, and its first unknown attempt recent enough that
   * Discord still holds its nonce (`nonceWindowMinutes`): the retry carries the
   * same nonce, so if the lost attempt did create the message, Discord returns
   * it instead of posting again. Returns the claimed record or null.
   */
  reclaimStale(
    scheduleId: number,
    localDate: string,
    now: Date,
    claimer: string,
    options: StaleClaimOptions = {},
  ): PostRecord | null {
    const staleAfter = options.staleAfterMinutes ?? DEFAULT_POLICY.staleClaimMinutes;
    const window = options.nonceWindowMinutes ?? DEFAULT_POLICY.nonceWindowMinutes;
    const row = this.statements.reclaimStale.get({
      scheduleId,
      localDate,
      now: now.getTime(),
      claimer,
      staleBefore: now.getTime() - staleAfter * 60_000,
      nonceAfter: now.getTime() - window * 60_000,
    });
    return row ? transformPost(row) : null;
  }

  /** Records the day as posted and ends the failure streak. False when it already was. */
  markSent(scheduleId: number, localDate: string, messageId: string, now: Date): boolean {
    const write = this.db.transaction((): boolean => {
      const result = this.statements.markSent.run({ scheduleId, localDate, messageId, now: now.getTime() });
      if (result.changes === 0) return false;
      this.statements.resetFailedDays.run(scheduleId);
      return true;
    });
    return write.immediate();
  }

  /**
   * Records a failed attempt on a claimed day. With `nextAttemptAt` the day is
   * retried then (and the check hint is cleared: it may name a later instant);
   * with null the day has failed for good and the schedule's streak of failed
   * days grows by one. Returns the streak, or null when the day was not
   * claimed (nothing recorded).
   */
  markFailed(
    scheduleId: number,
    localDate: string,
    reason: string,
    now: Date,
    nextAttemptAt: Date | null,
  ): { failedDays: number } | null {
    const write = this.db.transaction((): { failedDays: number } | null => {
      const result = this.statements.markFailed.run({
        scheduleId,
        localDate,
        reason: clipReason(reason),
        now: now.getTime(),
        nextAttemptAt: nextAttemptAt === null ? null : nextAttemptAt.getTime(),
      });
      if (result.changes === 0) return null;
      if (nextAttemptAt !== null) {
        // The retry may come before a hint computed while the day was claimed (its stale-claim instant).
        this.statements.clearHint.run(scheduleId);
        return { failedDays: this.statements.getSchedule.get(scheduleId)?.failed_days ?? 0 };
      }
      return { failedDays: this.statements.countFailedDay.get(scheduleId)?.failed_days ?? 0 };
    });
    return write.immediate();
  }

  /** A server's post records (every schedule, turned-off ones included), newest local date first. */
  history(guildId: string, limit = 10): PostRecord[] {
    return this.statements.history.all(guildId, clampLimit(limit)).map(transformPost);
  }

  /** One schedule's post records, newest first. */
  scheduleHistory(scheduleId: number, limit = 10): PostRecord[] {
    return this.statements.scheduleHistory.all(scheduleId, clampLimit(limit)).map(transformPost);
  }

  /** The record of the schedule's most recent day, whatever its outcome (for status replies). */
  lastDelivery(scheduleId: number): PostRecord | null {
    return this.scheduleHistory(scheduleId, 1)[0] ?? null;
  }

  /** The quote actually posted by the schedule on `localDate`; null unless that day's post went out. */
  getPostedQuoteId(scheduleId: number, localDate: string): string | null {
    return this.statements.postedQuote.get(scheduleId, localDate)?.quote_id ?? null;
  }

  // ---- test posts ----------------------------------------------------------

  /** Records a `/daily test` post. Test posts never count as, or block, the day's post. */
  recordTestPost(input: TestPostInput, now: Date): TestPost {
    const row = this.statements.insertTestPost.get({
      ...input,
      error: input.error === null ? null : clipReason(input.error),
      now: now.getTime(),
    });
    if (!row) throw new Error(`daily: recording a test post for guild ${input.guildId} returned nothing`);
    return transformTestPost(row);
  }

  /** The guild's test posts, newest first. */
  listTestPosts(guildId: string, limit = 10): TestPost[] {
    return this.statements.testPosts.all(guildId, clampLimit(limit)).map(transformTestPost);
  }

  private setState(
    id: number,
    state: ScheduleState,
    reason: string | null,
    fromStates: readonly ScheduleState[],
    now: Date,
  ): boolean {
    const from = JSON.stringify(fromStates);
    return this.statements.setState.get({ id, state, reason, from, now: now.getTime() }) !== undefined;
  }
}

function clampLimit(limit: number): number {
  return Math.max(0, Math.min(1_000, Math.floor(limit)));
}

/** Errors and reasons end up in status replies: kept to a readable size, cut anywhere (they are not prose). */
function clipReason(text: string): string {
  return truncate(text, MAX_REASON_LENGTH, { atWord: false });
}
