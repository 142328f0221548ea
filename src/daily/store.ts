/**
 * The daily voice's repository over SQLite: raw rows in, domain objects
 * (`Schedule`, `PostRecord`) out, through `transformSchedule`/`transformPost`.
 *
 * Every guarantee against a second post lives in SQL, not in memory, so it
 * holds across processes, shards and restarts:
 * - `claimPost` is one INSERT guarded by the (guild_id, local_date) primary key;
 * - retries and takeovers are single UPDATEs whose WHERE re-checks the state,
 *   so of two processes trying at once exactly one gets the row back.
 *
 * Instants are stored as integer milliseconds since the epoch; `now` is always
 * a parameter.
 *
 * Each schedule also carries the scheduler's check hint (`next_check_at`, see
 * `nextCheckTimes`): a lower bound on when anything can be due for the guild.
 * It is written only by `refreshCheckHints`, which reads its inputs and writes
 * it under the write lock, and cleared by the writes that could make a day due
 * sooner (`upsertSchedule`; `markFailed` with a retry). It never guards a post:
 * a wrong hint can delay a post (until the scheduler's next full pass), never
 * double it.
 */
import type { SqliteDatabase } from '../db/database.js';
import { truncate } from '../text/truncate.js';
import { currentDateWindow, DEFAULT_POLICY, nextCheckTimes } from './due.js';
import type { DailyPolicy, PostRecord, PostStatus, Schedule, ScheduleState } from './due.js';
import { formatLocalTime, normalizeTimeZone, parseLocalDate, parseLocalTime } from './time.js';

/** What `/daily set` saves. `time` (HH:MM) and `timeZone` are validated and normalised here (`europe/berlin` → `Europe/Berlin`). */
export type ScheduleInput = Pick<Schedule, 'guildId' | 'channelId' | 'time' | 'timeZone' | 'roleId' | 'thread'>;

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
  /** Takeovers allowed per day. */
  readonly maxReclaims?: number;
}

/** A row of `daily_schedules` as SQLite returns it. */
export interface ScheduleRow {
  guild_id: string;
  channel_id: string;
  local_time: string;
  time_zone: string;
  role_id: string | null;
  thread: number;
  state: string;
  paused_reason: string | null;
  failed_days: number;
  effective_from: number;
  created_at: number;
  updated_at: number;
  /** The check hint (migration 2); not part of `Schedule`. */
  next_check_at?: number | null;
}

/** A row of `daily_posts` as SQLite returns it. */
export interface PostRow {
  guild_id: string;
  local_date: string;
  quote_id: string;
  channel_id: string;
  status: string;
  attempts: number;
  stale_reclaims: number;
  claimed_by: string;
  claimed_at: number;
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
const POST_STATUSES: readonly string[] = ['claimed', 'sent', 'failed'] satisfies PostStatus[];

/** Errors and reasons end up in status replies; keep them to a readable size. */
const MAX_REASON_LENGTH = 500;

/** Schedules whose check hints are recomputed per write transaction (the lock is held that long). */
const HINT_BATCH = 1_000;

export function transformSchedule(row: ScheduleRow): Schedule {
  if (!SCHEDULE_STATES.includes(row.state)) {
    throw new Error(`daily: schedule of guild ${row.guild_id} has unknown state "${row.state}"`);
  }
  return {
    guildId: row.guild_id,
    channelId: row.channel_id,
    time: row.local_time,
    timeZone: row.time_zone,
    roleId: row.role_id,
    thread: row.thread === 1,
    state: row.state as ScheduleState,
    pausedReason: row.paused_reason,
    failedDays: row.failed_days,
    effectiveFrom: new Date(row.effective_from),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function transformPost(row: PostRow): PostRecord {
  if (!POST_STATUSES.includes(row.status)) {
    throw new Error(`daily: post of guild ${row.guild_id} on ${row.local_date} has unknown status "${row.status}"`);
  }
  return {
    guildId: row.guild_id,
    localDate: row.local_date,
    quoteId: row.quote_id,
    channelId: row.channel_id,
    status: row.status as PostStatus,
    attempts: row.attempts,
    staleReclaims: row.stale_reclaims,
    claimedBy: row.claimed_by,
    claimedAt: new Date(row.claimed_at),
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

/** Re-points a retried post at the schedule's current channel: an admin may have fixed it. */
const CURRENT_CHANNEL = `(SELECT s.channel_id FROM daily_schedules s WHERE s.guild_id = daily_posts.guild_id)`;
const SCHEDULE_IS_ACTIVE = `EXISTS (
  SELECT 1 FROM daily_schedules s WHERE s.guild_id = daily_posts.guild_id AND s.state = 'active')`;

/** Prepared once per connection: a tick runs some of these thousands of times. */
function prepareStatements(db: SqliteDatabase) {
  return {
    getSchedule: db.prepare<[string], ScheduleRow>('SELECT * FROM daily_schedules WHERE guild_id = ?'),
    upsertSchedule: db.prepare<Record<string, unknown>, ScheduleRow>(`
      INSERT INTO daily_schedules (guild_id, channel_id, local_time, time_zone, role_id, thread, state,
                                   paused_reason, failed_days, effective_from, created_at, updated_at)
      VALUES (@guildId, @channelId, @time, @timeZone, @roleId, @thread, 'active', NULL, 0, @effectiveFrom, @now, @now)
      ON CONFLICT (guild_id) DO UPDATE SET
        channel_id = excluded.channel_id, local_time = excluded.local_time, time_zone = excluded.time_zone,
        role_id = excluded.role_id, thread = excluded.thread, state = 'active', paused_reason = NULL,
        failed_days = 0, effective_from = excluded.effective_from, updated_at = excluded.updated_at,
        next_check_at = NULL
      RETURNING *`),
    setState: db.prepare<Record<string, unknown>, ScheduleRow>(`
      UPDATE daily_schedules SET state = @state, paused_reason = @reason, updated_at = @now
      WHERE guild_id = @guildId AND state IN (SELECT value FROM json_each(@from))
      RETURNING *`),
    listActive: db.prepare<[], ScheduleRow>(`SELECT * FROM daily_schedules WHERE state = 'active' ORDER BY guild_id`),
    // +state: look the guilds up by key, not every active row up by state.
    listActiveIn: db.prepare<[string], ScheduleRow>(`
      SELECT * FROM daily_schedules
      WHERE +state = 'active' AND guild_id IN (SELECT value FROM json_each(?))
      ORDER BY guild_id`),
    // Two index ranges (an OR would scan every active row): the hints not set, and those that have come.
    dueGuildIds: db.prepare<[number], { guild_id: string }>(`
      SELECT guild_id FROM daily_schedules WHERE state = 'active' AND next_check_at IS NULL
      UNION ALL
      SELECT guild_id FROM daily_schedules WHERE state = 'active' AND next_check_at <= ?`),
    hintsAfter: db.prepare<[number], { guild_id: string; next_check_at: number }>(`
      SELECT guild_id, next_check_at FROM daily_schedules WHERE state = 'active' AND next_check_at > ?`),
    getHint: db.prepare<[string], { next_check_at: number | null }>(
      'SELECT next_check_at FROM daily_schedules WHERE guild_id = ?',
    ),
    setHint: db.prepare<Record<string, unknown>>(`
      UPDATE daily_schedules SET next_check_at = @hint WHERE guild_id = @guildId AND next_check_at IS NOT @hint`),
    clearHint: db.prepare<[string]>('UPDATE daily_schedules SET next_check_at = NULL WHERE guild_id = ?'),
    postsBetween: db.prepare<[string, string], PostRow>(`
      SELECT * FROM daily_posts WHERE local_date BETWEEN ? AND ?`),
    postsBetweenIn: db.prepare<[string, string, string], PostRow>(`
      SELECT * FROM daily_posts
      WHERE local_date BETWEEN ? AND ? AND guild_id IN (SELECT value FROM json_each(?))`),
    getPost: db.prepare<[string, string], PostRow>('SELECT * FROM daily_posts WHERE guild_id = ? AND local_date = ?'),
    claim: db.prepare<Record<string, unknown>>(`
      INSERT INTO daily_posts (guild_id, local_date, quote_id, channel_id, status, attempts, stale_reclaims,
                               claimed_by, claimed_at, updated_at)
      SELECT guild_id, @localDate, @quoteId, channel_id, 'claimed', 1, 0, @claimer, @now, @now
      FROM daily_schedules WHERE guild_id = @guildId AND state = 'active'
      ON CONFLICT (guild_id, local_date) DO NOTHING`),
    retryFailed: db.prepare<Record<string, unknown>, PostRow>(`
      UPDATE daily_posts SET status = 'claimed', attempts = attempts + 1, claimed_by = @claimer,
        claimed_at = @now, next_attempt_at = NULL, channel_id = ${CURRENT_CHANNEL}, updated_at = @now
      WHERE guild_id = @guildId AND local_date = @localDate AND status = 'failed'
        AND next_attempt_at IS NOT NULL AND next_attempt_at <= @now AND ${SCHEDULE_IS_ACTIVE}
      RETURNING *`),
    reclaimStale: db.prepare<Record<string, unknown>, PostRow>(`
      UPDATE daily_posts SET attempts = attempts + 1, stale_reclaims = stale_reclaims + 1, claimed_by = @claimer,
        claimed_at = @now, channel_id = ${CURRENT_CHANNEL}, updated_at = @now
      WHERE guild_id = @guildId AND local_date = @localDate AND status = 'claimed' AND message_id IS NULL
        AND claimed_at <= @staleBefore AND stale_reclaims < @maxReclaims AND ${SCHEDULE_IS_ACTIVE}
      RETURNING *`),
    markSent: db.prepare<Record<string, unknown>>(`
      UPDATE daily_posts SET status = 'sent', message_id = @messageId, sent_at = @now, next_attempt_at = NULL,
        updated_at = @now
      WHERE guild_id = @guildId AND local_date = @localDate AND status != 'sent'`),
    resetFailedDays: db.prepare<[string]>(
      'UPDATE daily_schedules SET failed_days = 0 WHERE guild_id = ? AND failed_days != 0',
    ),
    markFailed: db.prepare<Record<string, unknown>>(`
      UPDATE daily_posts SET status = 'failed', last_error = @reason, next_attempt_at = @nextAttemptAt,
        updated_at = @now
      WHERE guild_id = @guildId AND local_date = @localDate AND status = 'claimed'`),
    countFailedDay: db.prepare<[string], { failed_days: number }>(`
      UPDATE daily_schedules SET failed_days = failed_days + 1 WHERE guild_id = ? RETURNING failed_days`),
    history: db.prepare<[string, number], PostRow>(`
      SELECT * FROM daily_posts WHERE guild_id = ? ORDER BY local_date DESC LIMIT ?`),
    postedQuote: db.prepare<[string, string], { quote_id: string }>(`
      SELECT quote_id FROM daily_posts WHERE guild_id = ? AND local_date = ? AND status = 'sent'`),
    insertTestPost: db.prepare<Record<string, unknown>, TestPostRow>(`
      INSERT INTO daily_test_posts (guild_id, channel_id, quote_id, requested_by, message_id, error, created_at)
      VALUES (@guildId, @channelId, @quoteId, @requestedBy, @messageId, @error, @now)
      RETURNING *`),
    testPosts: db.prepare<[string, number], TestPostRow>(`
      SELECT * FROM daily_test_posts WHERE guild_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`),
  };
}

export class DailyStore {
  private readonly statements: ReturnType<typeof prepareStatements>;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = prepareStatements(db);
  }

  // ---- settings ------------------------------------------------------------

  /**
   * Creates or replaces a guild's settings and makes the schedule active
   * (this is also how a paused or disabled schedule is resumed). Throws a
   * `daily:` RangeError for an invalid time or zone; returns the stored
   * schedule, zone normalized.
   *
   * The failure streak restarts, and so does `effectiveFrom` when the schedule
   * was not active or its time or zone changed: a slot already past today is
   * then not caught up (no surprise post the moment `/daily set` is run).
   */
  upsertSchedule(input: ScheduleInput, now: Date): Schedule {
    if (!input.guildId || !input.channelId) throw new RangeError('daily: a schedule needs a guild and a channel');
    const time = parseLocalTime(input.time);
    if (!time.ok) throw new RangeError(time.error);
    const zone = normalizeTimeZone(input.timeZone);
    if (!zone.ok) throw new RangeError(zone.error);
    const localTime = formatLocalTime(time.value);

    const write = this.db.transaction((): ScheduleRow => {
      const existing = this.statements.getSchedule.get(input.guildId);
      const keepsSlot =
        existing !== undefined &&
        existing.state === 'active' &&
        existing.local_time === localTime &&
        existing.time_zone === zone.value;
      const row = this.statements.upsertSchedule.get({
        guildId: input.guildId,
        channelId: input.channelId,
        time: localTime,
        timeZone: zone.value,
        roleId: input.roleId,
        thread: input.thread ? 1 : 0,
        effectiveFrom: keepsSlot ? existing.effective_from : now.getTime(),
        now: now.getTime(),
      });
      if (!row) throw new Error(`daily: saving the schedule of guild ${input.guildId} returned nothing`);
      return row;
    });
    // IMMEDIATE: read-then-write under the write lock, so a concurrent writer cannot slip between.
    return transformSchedule(write.immediate());
  }

  getSchedule(guildId: string): Schedule | null {
    const row = this.statements.getSchedule.get(guildId);
    return row ? transformSchedule(row) : null;
  }

  /** Turns the schedule off, keeping its settings. Null when the guild has none. */
  disableSchedule(guildId: string, now: Date): Schedule | null {
    this.setState(guildId, 'off', null, ['active', 'paused'], now);
    return this.getSchedule(guildId);
  }

  /**
   * Pauses an active schedule, keeping why (shown in status replies until the
   * schedule is set again). False when it was not active.
   */
  pauseSchedule(guildId: string, reason: string, now: Date): boolean {
    return this.setState(guildId, 'paused', truncate(reason, MAX_REASON_LENGTH, { atWord: false }), ['active'], now);
  }

  /** Active schedules, all or only those of `guildIds` (a shard loads its own guilds). */
  listActiveSchedules(guildIds?: readonly string[]): Schedule[] {
    const rows =
      guildIds === undefined
        ? this.statements.listActive.all()
        : this.statements.listActiveIn.all(JSON.stringify(guildIds));
    return rows.map(transformSchedule);
  }

  // ---- check hints ---------------------------------------------------------

  /**
   * Guilds of the active schedules whose check hint has come (`<= now`) or is
   * not set: the only ones with anything possibly due. Through the index, so
   * the cost is what is returned, not the number of schedules.
   */
  listDueGuildIds(now: Date): string[] {
    return this.statements.dueGuildIds.all(now.getTime()).map((row) => row.guild_id);
  }

  /** The check hints still to come (`> now`) of the active schedules, by guild (epoch ms). */
  listCheckHints(now: Date): Map<string, number> {
    const hints = new Map<string, number>();
    for (const row of this.statements.hintsAfter.all(now.getTime())) hints.set(row.guild_id, row.next_check_at);
    return hints;
  }

  /** The guild's check hint; null when not set (or no schedule). */
  getCheckHint(guildId: string): Date | null {
    const hint = this.statements.getHint.get(guildId)?.next_check_at ?? null;
    return hint === null ? null : new Date(hint);
  }

  /**
   * Recomputes (`nextCheckTimes`) and stores the check hints of these guilds'
   * active schedules. Each batch reads the schedules and their posts and writes
   * the hints in one IMMEDIATE transaction: no claim or outcome recorded by
   * another process can come between what a hint was computed from and its
   * write, so a stored hint always matches the posts it was computed from.
   * Returns the number of hints changed.
   */
  refreshCheckHints(guildIds: readonly string[], now: Date, policy: DailyPolicy = DEFAULT_POLICY): number {
    const { from, to } = currentDateWindow(now);
    let changed = 0;
    const write = this.db.transaction((batch: string): void => {
      const schedules = this.statements.listActiveIn.all(batch).map(transformSchedule);
      const posts = this.statements.postsBetweenIn.all(from, to, batch).map(transformPost);
      const hints = nextCheckTimes(schedules, posts, now, policy);
      for (const { guildId } of schedules) {
        changed += this.statements.setHint.run({ guildId, hint: hints.get(guildId) ?? null }).changes;
      }
    });
    for (let i = 0; i < guildIds.length; i += HINT_BATCH) {
      write.immediate(JSON.stringify(guildIds.slice(i, i + HINT_BATCH)));
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

  getPost(guildId: string, localDate: string): PostRecord | null {
    const row = this.statements.getPost.get(guildId, localDate);
    return row ? transformPost(row) : null;
  }

  /** Post records with `from <= local_date <= to`, all or only those of `guildIds`. */
  listPostsBetween(from: string, to: string, guildIds?: readonly string[]): PostRecord[] {
    const rows =
      guildIds === undefined
        ? this.statements.postsBetween.all(from, to)
        : this.statements.postsBetweenIn.all(from, to, JSON.stringify(guildIds));
    return rows.map(transformPost);
  }

  /**
   * Takes the guild's post for `localDate`, recording the quote chosen for it.
   * True for exactly one caller, ever, per guild and date; false when the day
   * is already taken or the schedule is not active (any more).
   */
  claimPost(guildId: string, localDate: string, quoteId: string, now: Date, claimer: string): boolean {
    parseLocalDate(localDate);
    const result = this.statements.claim.run({ guildId, localDate, quoteId, now: now.getTime(), claimer });
    return result.changes === 1;
  }

  /**
   * Claims a failed day whose `nextAttemptAt` has come, for another attempt.
   * Returns the claimed record (with the recorded quote), or null when the day
   * is not (or no longer) up for retry — e.g. another process took it first.
   */
  retryFailed(guildId: string, localDate: string, now: Date, claimer: string): PostRecord | null {
    const row = this.statements.retryFailed.get({ guildId, localDate, now: now.getTime(), claimer });
    return row ? transformPost(row) : null;
  }

  /**
   * Takes over a claim left by a crash: still `claimed`, no message id, older
   * than `staleAfterMinutes`. Allowed `maxReclaims` times per day (once by
   * default): the crash may have come after Discord accepted the message, so
   * each takeover risks a duplicate. Returns the claimed record or null.
   */
  reclaimStale(
    guildId: string,
    localDate: string,
    now: Date,
    claimer: string,
    options: StaleClaimOptions = {},
  ): PostRecord | null {
    const staleAfter = options.staleAfterMinutes ?? DEFAULT_POLICY.staleClaimMinutes;
    const row = this.statements.reclaimStale.get({
      guildId,
      localDate,
      now: now.getTime(),
      claimer,
      staleBefore: now.getTime() - staleAfter * 60_000,
      maxReclaims: options.maxReclaims ?? DEFAULT_POLICY.maxStaleReclaims,
    });
    return row ? transformPost(row) : null;
  }

  /** Records the day as posted and ends the failure streak. False when it already was. */
  markSent(guildId: string, localDate: string, messageId: string, now: Date): boolean {
    const write = this.db.transaction((): boolean => {
      const result = this.statements.markSent.run({ guildId, localDate, messageId, now: now.getTime() });
      if (result.changes === 0) return false;
      this.statements.resetFailedDays.run(guildId);
      return true;
    });
    return write.immediate();
  }

  /**
   * Records a failed attempt on a claimed day. With `nextAttemptAt` the day is
   * retried then (and the check hint is cleared: it may name a later instant);
   * with null the day has failed for good and the guild's streak of failed days
   * grows by one. Returns the streak, or null when the day was not claimed
   * (nothing recorded).
   */
  markFailed(
    guildId: string,
    localDate: string,
    reason: string,
    now: Date,
    nextAttemptAt: Date | null,
  ): { failedDays: number } | null {
    const write = this.db.transaction((): { failedDays: number } | null => {
      const result = this.statements.markFailed.run({
        guildId,
        localDate,
        reason: truncate(reason, MAX_REASON_LENGTH, { atWord: false }),
        now: now.getTime(),
        nextAttemptAt: nextAttemptAt === null ? null : nextAttemptAt.getTime(),
      });
      if (result.changes === 0) return null;
      if (nextAttemptAt !== null) {
        // The retry may come before a hint computed while the day was claimed (its stale-claim instant).
        this.statements.clearHint.run(guildId);
        return { failedDays: this.statements.getSchedule.get(guildId)?.failed_days ?? 0 };
      }
      return { failedDays: this.statements.countFailedDay.get(guildId)?.failed_days ?? 0 };
    });
    return write.immediate();
  }

  /** The guild's post records, newest local date first. */
  history(guildId: string, limit = 10): PostRecord[] {
    return this.statements.history.all(guildId, clampLimit(limit)).map(transformPost);
  }

  /** The record of the guild's most recent day, whatever its outcome (for status replies). */
  lastDelivery(guildId: string): PostRecord | null {
    return this.history(guildId, 1)[0] ?? null;
  }

  /** The quote actually posted to the guild on `localDate`; null unless that day's post went out. */
  getPostedQuoteId(guildId: string, localDate: string): string | null {
    return this.statements.postedQuote.get(guildId, localDate)?.quote_id ?? null;
  }

  // ---- test posts ----------------------------------------------------------

  /** Records a `/daily test` post. Test posts never count as, or block, the day's post. */
  recordTestPost(input: TestPostInput, now: Date): TestPost {
    const row = this.statements.insertTestPost.get({
      ...input,
      error: input.error === null ? null : truncate(input.error, MAX_REASON_LENGTH, { atWord: false }),
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
    guildId: string,
    state: ScheduleState,
    reason: string | null,
    fromStates: readonly ScheduleState[],
    now: Date,
  ): boolean {
    const from = JSON.stringify(fromStates);
    return this.statements.setState.get({ guildId, state, reason, from, now: now.getTime() }) !== undefined;
  }
}

function clampLimit(limit: number): number {
  return Math.max(0, Math.min(1_000, Math.floor(limit)));
}
