/**
 * The daily voice's store over PostgreSQL (`pg` Pool), for several machines
 * sharing one database. The same rows, transforms and checks as SQLite's (see
 * store.ts); what SQLite's single write lock gave for free is said here:
 * - the claim is one INSERT … ON CONFLICT DO NOTHING on (schedule_id,
 *   local_date); retries and takeovers are single guarded UPDATE … RETURNING;
 * - `/daily set` counts and writes a server's schedules under a
 *   transaction-level advisory lock per server, so two managers saving two
 *   channels at once cannot both pass the limit;
 * - a syllabus range is checked and added with its schedule row locked;
 * - check hints are recomputed with the schedule rows locked FOR UPDATE: a
 *   claim (whose foreign key takes a KEY SHARE lock on the schedule) or an
 *   outcome that clears the hint waits until the new hint is written, and the
 *   hint is computed from the posts as committed once the lock is held;
 * - the scheduler's reads run in one REPEATABLE READ, READ ONLY transaction.
 */
import type { PgPool } from '../db/postgres.js';
import { transaction } from '../db/postgres.js';
import { currentDateWindow, DEFAULT_POLICY, nextCheckTimes } from './due.js';
import type { DailyPolicy, PostRecord, Schedule, ScheduleState } from './due.js';
import {
  checkScheduleInput,
  checkSyllabusDates,
  clampLimit,
  clipReason,
  HINT_BATCH,
  MAX_SCHEDULES_PER_GUILD,
  refuseSyllabusClash,
  ScheduleLimitError,
  syllabusRangeIn,
  transformPost,
  transformSchedule,
  transformSyllabus,
  transformTestPost,
} from './store.js';
import type {
  DailyStore,
  DueSnapshot,
  FullSnapshot,
  PostRow,
  ScheduleInput,
  ScheduleRow,
  StaleClaimOptions,
  SyllabusRange,
  SyllabusRow,
  TestPost,
  TestPostInput,
  TestPostRow,
} from './store.js';
import { parseLocalDate } from './time.js';

/** Something that runs a query: the pool, or one connection inside a transaction. */
interface Queryable {
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** The advisory-lock class of `/daily set` (the second key is the server). */
const GUILD_LOCK = 0x68_76_64_73; // "hvds"

const SCHEDULE_IS_ACTIVE = `EXISTS (
  SELECT 1 FROM daily_schedules s WHERE s.id = daily_posts.schedule_id AND s.state = 'active')`;

const SQL = {
  getSchedule: 'SELECT * FROM daily_schedules WHERE id = $1',
  findSchedule: 'SELECT * FROM daily_schedules WHERE guild_id = $1 AND channel_id = $2',
  guildSchedules: 'SELECT * FROM daily_schedules WHERE guild_id = $1 ORDER BY id',
  countLive: `SELECT count(*) AS n FROM daily_schedules WHERE guild_id = $1 AND state <> 'off' AND channel_id <> $2`,
  upsertSchedule: `
    INSERT INTO daily_schedules (guild_id, channel_id, channel_name, local_time, time_zone, days, quiz_days, role_id,
                                 thread, language, state, paused_reason, failed_days, effective_from, created_at,
                                 updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::integer, 0), $8, $9, coalesce($10::text, 'en'), 'active', NULL, 0, $11, $12, $12)
    ON CONFLICT (guild_id, channel_id) DO UPDATE SET
      channel_name = coalesce(excluded.channel_name, daily_schedules.channel_name), local_time = excluded.local_time,
      time_zone = excluded.time_zone, days = excluded.days,
      quiz_days = coalesce($7::integer, daily_schedules.quiz_days), language = coalesce($10::text, daily_schedules.language),
      role_id = excluded.role_id, thread = excluded.thread, state = 'active', paused_reason = NULL,
      failed_days = 0, effective_from = excluded.effective_from, updated_at = excluded.updated_at,
      next_check_at = NULL
    RETURNING *`,
  setState: `
    UPDATE daily_schedules SET state = $2, paused_reason = $3, updated_at = $4
    WHERE id = $1 AND state = ANY($5::text[])
    RETURNING id`,
  pauseGuild: `
    UPDATE daily_schedules SET state = 'paused', paused_reason = $2, updated_at = $3
    WHERE guild_id = $1 AND state = 'active'
    RETURNING id`,
  pauseChannel: `
    UPDATE daily_schedules SET state = 'paused', paused_reason = $2, updated_at = $3
    WHERE channel_id = $1 AND state = 'active'
    RETURNING id`,
  holiday: `
    UPDATE daily_schedules SET paused_until = $2, paused_reason = $3, updated_at = $4, next_check_at = NULL
    WHERE id = $1 AND state <> 'off'
    RETURNING *`,
  resume: `
    UPDATE daily_schedules SET
      effective_from = CASE WHEN state = 'active' THEN effective_from ELSE $2 END,
      state = 'active', paused_until = NULL, paused_reason = NULL, failed_days = 0, updated_at = $2,
      next_check_at = NULL
    WHERE id = $1 AND state <> 'off'
    RETURNING *`,
  listActive: `SELECT * FROM daily_schedules WHERE state = 'active' ORDER BY id`,
  listActiveIn: `SELECT * FROM daily_schedules WHERE state = 'active' AND id = ANY($1::integer[]) ORDER BY id`,
  lockActiveIn: `SELECT * FROM daily_schedules WHERE state = 'active' AND id = ANY($1::integer[]) ORDER BY id FOR UPDATE`,
  dueIds: `
    SELECT id, guild_id FROM daily_schedules WHERE state = 'active' AND next_check_at IS NULL
    UNION ALL
    SELECT id, guild_id FROM daily_schedules WHERE state = 'active' AND next_check_at <= $1`,
  hintsAfter: `SELECT id, next_check_at FROM daily_schedules WHERE state = 'active' AND next_check_at > $1`,
  getHint: 'SELECT next_check_at FROM daily_schedules WHERE id = $1',
  setHints: `
    UPDATE daily_schedules AS s SET next_check_at = v.hint
    FROM unnest($1::integer[], $2::bigint[]) AS v(id, hint)
    WHERE s.id = v.id AND s.next_check_at IS DISTINCT FROM v.hint`,
  clearHint: 'UPDATE daily_schedules SET next_check_at = NULL WHERE id = $1',
  postsBetween: 'SELECT * FROM daily_posts WHERE local_date BETWEEN $1 AND $2',
  postsBetweenIn: 'SELECT * FROM daily_posts WHERE local_date BETWEEN $1 AND $2 AND schedule_id = ANY($3::integer[])',
  getPost: 'SELECT * FROM daily_posts WHERE schedule_id = $1 AND local_date = $2',
  claim: `
    INSERT INTO daily_posts (schedule_id, guild_id, local_date, quote_id, theme, quiz_id, channel_id, status,
                             attempts, stale_reclaims, claimed_by, claimed_at, nonce_since, updated_at)
    SELECT id, guild_id, $2, $3, $4, $5, channel_id, 'claimed', 1, 0, $6, $7, $7, $7
    FROM daily_schedules WHERE id = $1 AND state = 'active'
    ON CONFLICT (schedule_id, local_date) DO NOTHING`,
  retryFailed: `
    UPDATE daily_posts SET status = 'claimed', attempts = attempts + 1, claimed_by = $4,
      claimed_at = $3, nonce_since = $3, next_attempt_at = NULL, updated_at = $3
    WHERE schedule_id = $1 AND local_date = $2 AND status = 'failed'
      AND next_attempt_at IS NOT NULL AND next_attempt_at <= $3 AND ${SCHEDULE_IS_ACTIVE}
    RETURNING *`,
  // The channel is NOT re-pointed: the same nonce must go to the same channel to find its message.
  reclaimStale: `
    UPDATE daily_posts SET attempts = attempts + 1, stale_reclaims = stale_reclaims + 1, claimed_by = $4,
      claimed_at = $3, updated_at = $3
    WHERE schedule_id = $1 AND local_date = $2 AND status = 'claimed' AND message_id IS NULL
      AND claimed_at <= $5 AND nonce_since IS NOT NULL AND nonce_since > $6
      AND ${SCHEDULE_IS_ACTIVE}
    RETURNING *`,
  // One statement, so one round trip and one commit per post: the reset runs only when the post was marked, and
  // both commit together (a data-modifying WITH always runs to completion, referenced or not).
  markSent: `
    WITH sent AS (
      UPDATE daily_posts SET status = 'sent', message_id = $3, sent_at = $4, next_attempt_at = NULL, updated_at = $4
      WHERE schedule_id = $1 AND local_date = $2 AND status <> 'sent'
      RETURNING schedule_id
    ), reset AS (
      UPDATE daily_schedules SET failed_days = 0 WHERE id IN (SELECT schedule_id FROM sent) AND failed_days <> 0
    )
    SELECT count(*)::integer AS marked FROM sent`,
  markFailed: `
    UPDATE daily_posts SET status = 'failed', last_error = $3, next_attempt_at = $5, updated_at = $4
    WHERE schedule_id = $1 AND local_date = $2 AND status = 'claimed'`,
  countFailedDay: 'UPDATE daily_schedules SET failed_days = failed_days + 1 WHERE id = $1 RETURNING failed_days',
  history: 'SELECT * FROM daily_posts WHERE guild_id = $1 ORDER BY local_date DESC, schedule_id LIMIT $2',
  scheduleHistory: 'SELECT * FROM daily_posts WHERE schedule_id = $1 ORDER BY local_date DESC LIMIT $2',
  postedQuote: `SELECT quote_id FROM daily_posts WHERE schedule_id = $1 AND local_date = $2 AND status = 'sent'`,
  insertTestPost: `
    INSERT INTO daily_test_posts (guild_id, channel_id, quote_id, requested_by, message_id, error, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    RETURNING *`,
  testPosts: 'SELECT * FROM daily_test_posts WHERE guild_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2',
  syllabus: 'SELECT * FROM daily_syllabus WHERE schedule_id = $1 ORDER BY from_date',
  addSyllabus: `
    INSERT INTO daily_syllabus (schedule_id, theme, from_date, to_date, created_at)
    VALUES ($1, $2, $3, $4, $5)
    RETURNING *`,
  clearSyllabus: 'DELETE FROM daily_syllabus WHERE schedule_id = $1',
} as const satisfies Record<string, string>;

export class PgDailyStore implements DailyStore {
  constructor(private readonly pool: PgPool) {}

  private async rows<R extends object>(sql: string, values: unknown[] = [], on: Queryable = this.pool): Promise<R[]> {
    return (await on.query<R>(sql, values)).rows;
  }

  private async one<R extends object>(sql: string, values: unknown[] = [], on: Queryable = this.pool): Promise<R | null> {
    return (await on.query<R>(sql, values)).rows[0] ?? null;
  }

  // ---- settings ------------------------------------------------------------

  async upsertSchedule(input: ScheduleInput, now: Date, limit = MAX_SCHEDULES_PER_GUILD): Promise<Schedule> {
    const { localTime, timeZone, days, quizDays } = checkScheduleInput(input);
    const row = await transaction(this.pool, async (client) => {
      // One server's schedules are counted and saved by one process at a time.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [GUILD_LOCK, input.guildId]);
      const live = await this.one<{ n: number }>(SQL.countLive, [input.guildId, input.channelId], client);
      if ((live?.n ?? 0) >= limit) throw new ScheduleLimitError(limit);
      const existing = await this.one<ScheduleRow>(SQL.findSchedule, [input.guildId, input.channelId], client);
      const keepsSlot = existing !== null && existing.state === 'active' && existing.local_time === localTime && existing.time_zone === timeZone;
      const saved = await this.one<ScheduleRow>(
        SQL.upsertSchedule,
        [
          input.guildId,
          input.channelId,
          input.channelName ?? null,
          localTime,
          timeZone,
          days,
          quizDays,
          input.roleId,
          input.thread ? 1 : 0,
          input.language ?? null,
          keepsSlot ? existing.effective_from : now.getTime(),
          now.getTime(),
        ],
        client,
      );
      if (!saved) throw new Error(`daily: saving the schedule of channel ${input.channelId} returned nothing`);
      return saved;
    });
    return transformSchedule(row);
  }

  async getSchedule(id: number): Promise<Schedule | null> {
    const row = await this.one<ScheduleRow>(SQL.getSchedule, [id]);
    return row ? transformSchedule(row) : null;
  }

  async findSchedule(guildId: string, channelId: string): Promise<Schedule | null> {
    const row = await this.one<ScheduleRow>(SQL.findSchedule, [guildId, channelId]);
    return row ? transformSchedule(row) : null;
  }

  async listGuildSchedules(guildId: string): Promise<Schedule[]> {
    return (await this.rows<ScheduleRow>(SQL.guildSchedules, [guildId])).map(transformSchedule);
  }

  async disableSchedule(id: number, now: Date): Promise<Schedule | null> {
    await this.setState(id, 'off', null, ['active', 'paused'], now);
    return this.getSchedule(id);
  }

  async pauseSchedule(id: number, reason: string, now: Date): Promise<boolean> {
    return this.setState(id, 'paused', clipReason(reason), ['active'], now);
  }

  async pauseGuild(guildId: string, reason: string, now: Date): Promise<number[]> {
    return (await this.rows<{ id: number }>(SQL.pauseGuild, [guildId, clipReason(reason), now.getTime()])).map((row) => row.id);
  }

  async pauseChannel(channelId: string, reason: string, now: Date): Promise<number[]> {
    return (await this.rows<{ id: number }>(SQL.pauseChannel, [channelId, clipReason(reason), now.getTime()])).map((row) => row.id);
  }

  async pauseUntil(id: number, until: string, reason: string | null, now: Date): Promise<Schedule | null> {
    parseLocalDate(until);
    const row = await this.one<ScheduleRow>(SQL.holiday, [id, until, reason === null ? null : clipReason(reason), now.getTime()]);
    return row ? transformSchedule(row) : null;
  }

  async resumeSchedule(id: number, now: Date): Promise<Schedule | null> {
    const row = await this.one<ScheduleRow>(SQL.resume, [id, now.getTime()]);
    return row ? transformSchedule(row) : null;
  }

  async listActiveSchedules(ids?: readonly number[], on: Queryable = this.pool): Promise<Schedule[]> {
    const rows = ids === undefined ? await this.rows<ScheduleRow>(SQL.listActive, [], on) : await this.rows<ScheduleRow>(SQL.listActiveIn, [ids], on);
    return rows.map(transformSchedule);
  }

  // ---- syllabus ------------------------------------------------------------

  async listSyllabus(scheduleId: number): Promise<SyllabusRange[]> {
    return transformSyllabus(await this.rows<SyllabusRow>(SQL.syllabus, [scheduleId]));
  }

  async addSyllabusRange(scheduleId: number, theme: string, from: string, to: string | null, now: Date): Promise<SyllabusRange> {
    checkSyllabusDates(from, to);
    const { row, all } = await transaction(this.pool, async (client) => {
      // The schedule's row locked: two ranges added at once are checked one after the other.
      await client.query('SELECT id FROM daily_schedules WHERE id = $1 FOR UPDATE', [scheduleId]);
      refuseSyllabusClash(await this.rows<SyllabusRow>(SQL.syllabus, [scheduleId], client), from, to);
      const added = await this.one<SyllabusRow>(SQL.addSyllabus, [scheduleId, theme, from, to, now.getTime()], client);
      if (!added) throw new Error(`daily: saving a syllabus range of schedule ${scheduleId} returned nothing`);
      return { row: added, all: await this.rows<SyllabusRow>(SQL.syllabus, [scheduleId], client) };
    });
    return syllabusRangeIn(all, row);
  }

  async clearSyllabus(scheduleId: number): Promise<number> {
    return (await this.pool.query(SQL.clearSyllabus, [scheduleId])).rowCount ?? 0;
  }

  // ---- check hints ---------------------------------------------------------

  async listDueScheduleIds(now: Date, on: Queryable = this.pool): Promise<{ id: number; guildId: string }[]> {
    return (await this.rows<{ id: number; guild_id: string }>(SQL.dueIds, [now.getTime()], on)).map((row) => ({ id: row.id, guildId: row.guild_id }));
  }

  async listCheckHints(now: Date, on: Queryable = this.pool): Promise<Map<number, number>> {
    const hints = new Map<number, number>();
    for (const row of await this.rows<{ id: number; next_check_at: number }>(SQL.hintsAfter, [now.getTime()], on)) hints.set(row.id, row.next_check_at);
    return hints;
  }

  async getCheckHint(id: number): Promise<Date | null> {
    const hint = (await this.one<{ next_check_at: number | null }>(SQL.getHint, [id]))?.next_check_at ?? null;
    return hint === null ? null : new Date(hint);
  }

  async refreshCheckHints(ids: readonly number[], now: Date, policy: DailyPolicy = DEFAULT_POLICY): Promise<number> {
    const { from, to } = currentDateWindow(now);
    let changed = 0;
    for (let i = 0; i < ids.length; i += HINT_BATCH) {
      const batch = ids.slice(i, i + HINT_BATCH);
      changed += await transaction(this.pool, async (client) => {
        const schedules = (await this.rows<ScheduleRow>(SQL.lockActiveIn, [batch], client)).map(transformSchedule);
        if (schedules.length === 0) return 0;
        const posts = (await this.rows<PostRow>(SQL.postsBetweenIn, [from, to, batch], client)).map(transformPost);
        const hints = nextCheckTimes(schedules, posts, now, policy);
        const result = await client.query(SQL.setHints, [schedules.map((s) => s.id), schedules.map((s) => hints.get(s.id) ?? null)]);
        return result.rowCount ?? 0;
      });
    }
    return changed;
  }

  async dueSnapshot(now: Date, from: string, to: string, own?: (guildId: string) => boolean): Promise<DueSnapshot> {
    return transaction(
      this.pool,
      async (client) => {
        const due = await this.listDueScheduleIds(now, client);
        const ids = (own ? due.filter((entry) => own(entry.guildId)) : due).map((entry) => entry.id);
        if (ids.length === 0) return { schedules: [], posts: [] };
        return { schedules: await this.listActiveSchedules(ids, client), posts: await this.listPostsBetween(from, to, ids, client) };
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  async fullSnapshot(now: Date, from: string, to: string): Promise<FullSnapshot> {
    return transaction(
      this.pool,
      async (client) => ({
        schedules: await this.listActiveSchedules(undefined, client),
        posts: await this.listPostsBetween(from, to, undefined, client),
        hints: await this.listCheckHints(now, client),
      }),
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  // ---- posts ---------------------------------------------------------------

  async getPost(scheduleId: number, localDate: string): Promise<PostRecord | null> {
    const row = await this.one<PostRow>(SQL.getPost, [scheduleId, localDate]);
    return row ? transformPost(row) : null;
  }

  async listPostsBetween(from: string, to: string, scheduleIds?: readonly number[], on: Queryable = this.pool): Promise<PostRecord[]> {
    const rows =
      scheduleIds === undefined
        ? await this.rows<PostRow>(SQL.postsBetween, [from, to], on)
        : await this.rows<PostRow>(SQL.postsBetweenIn, [from, to, scheduleIds], on);
    return rows.map(transformPost);
  }

  async claimPost(
    scheduleId: number,
    localDate: string,
    quoteId: string,
    now: Date,
    claimer: string,
    theme: string | null = null,
    quizId: string | null = null,
  ): Promise<boolean> {
    parseLocalDate(localDate);
    const result = await this.pool.query(SQL.claim, [scheduleId, localDate, quoteId, theme, quizId, claimer, now.getTime()]);
    return result.rowCount === 1;
  }

  async retryFailed(scheduleId: number, localDate: string, now: Date, claimer: string): Promise<PostRecord | null> {
    const row = await this.one<PostRow>(SQL.retryFailed, [scheduleId, localDate, now.getTime(), claimer]);
    return row ? transformPost(row) : null;
  }

  async reclaimStale(scheduleId: number, localDate: string, now: Date, claimer: string, options: StaleClaimOptions = {}): Promise<PostRecord | null> {
    const staleAfter = options.staleAfterMinutes ?? DEFAULT_POLICY.staleClaimMinutes;
    const window = options.nonceWindowMinutes ?? DEFAULT_POLICY.nonceWindowMinutes;
    const row = await this.one<PostRow>(SQL.reclaimStale, [
      scheduleId,
      localDate,
      now.getTime(),
      claimer,
      now.getTime() - staleAfter * 60_000,
      now.getTime() - window * 60_000,
    ]);
    return row ? transformPost(row) : null;
  }

  async markSent(scheduleId: number, localDate: string, messageId: string, now: Date): Promise<boolean> {
    return ((await this.one<{ marked: number }>(SQL.markSent, [scheduleId, localDate, messageId, now.getTime()]))?.marked ?? 0) > 0;
  }

  async markFailed(scheduleId: number, localDate: string, reason: string, now: Date, nextAttemptAt: Date | null): Promise<{ failedDays: number } | null> {
    return transaction(this.pool, async (client) => {
      const result = await client.query(SQL.markFailed, [scheduleId, localDate, clipReason(reason), now.getTime(), nextAttemptAt === null ? null : nextAttemptAt.getTime()]);
      if (result.rowCount === 0) return null;
      if (nextAttemptAt !== null) {
        // The retry may come before a hint computed while the day was claimed (its stale-claim instant).
        await client.query(SQL.clearHint, [scheduleId]);
        return { failedDays: (await this.one<ScheduleRow>(SQL.getSchedule, [scheduleId], client))?.failed_days ?? 0 };
      }
      return { failedDays: (await this.one<{ failed_days: number }>(SQL.countFailedDay, [scheduleId], client))?.failed_days ?? 0 };
    });
  }

  async history(guildId: string, limit = 10): Promise<PostRecord[]> {
    return (await this.rows<PostRow>(SQL.history, [guildId, clampLimit(limit)])).map(transformPost);
  }

  async scheduleHistory(scheduleId: number, limit = 10): Promise<PostRecord[]> {
    return (await this.rows<PostRow>(SQL.scheduleHistory, [scheduleId, clampLimit(limit)])).map(transformPost);
  }

  async lastDelivery(scheduleId: number): Promise<PostRecord | null> {
    return (await this.scheduleHistory(scheduleId, 1))[0] ?? null;
  }

  async getPostedQuoteId(scheduleId: number, localDate: string): Promise<string | null> {
    return (await this.one<{ quote_id: string }>(SQL.postedQuote, [scheduleId, localDate]))?.quote_id ?? null;
  }

  // ---- test posts ----------------------------------------------------------

  async recordTestPost(input: TestPostInput, now: Date): Promise<TestPost> {
    const row = await this.one<TestPostRow>(SQL.insertTestPost, [
      input.guildId,
      input.channelId,
      input.quoteId,
      input.requestedBy,
      input.messageId,
      input.error === null ? null : clipReason(input.error),
      now.getTime(),
    ]);
    if (!row) throw new Error(`daily: recording a test post for guild ${input.guildId} returned nothing`);
    return transformTestPost(row);
  }

  async listTestPosts(guildId: string, limit = 10): Promise<TestPost[]> {
    return (await this.rows<TestPostRow>(SQL.testPosts, [guildId, clampLimit(limit)])).map(transformTestPost);
  }

  private async setState(id: number, state: ScheduleState, reason: string | null, fromStates: readonly ScheduleState[], now: Date): Promise<boolean> {
    return (await this.rows(SQL.setState, [id, state, reason, now.getTime(), fromStates])).length > 0;
  }
}
