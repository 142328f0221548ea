/**
 * The daily voice's store over SQLite (better-sqlite3, synchronous): the
 * embedded default. Each method runs its statements at once and returns a
 * settled promise; a read-then-write runs in one IMMEDIATE transaction, under
 * the file's write lock, so a concurrent writer (another process) cannot slip
 * between. See store.ts for the guarantees every engine keeps.
 */
import type { SqliteDatabase } from '../db/database.js';
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

export class SqliteDailyStore implements DailyStore {
  private readonly statements: ReturnType<typeof prepareStatements>;

  constructor(private readonly db: SqliteDatabase) {
    this.statements = prepareStatements(db);
  }

  // ---- settings ------------------------------------------------------------

  async upsertSchedule(input: ScheduleInput, now: Date, limit = MAX_SCHEDULES_PER_GUILD): Promise<Schedule> {
    const { localTime, timeZone, days, quizDays } = checkScheduleInput(input);
    const write = this.db.transaction((): ScheduleRow => {
      if ((this.statements.countLive.get(input.guildId, input.channelId)?.n ?? 0) >= limit) {
        throw new ScheduleLimitError(limit);
      }
      const existing = this.statements.findSchedule.get(input.guildId, input.channelId);
      const keepsSlot =
        existing !== undefined &&
        existing.state === 'active' &&
        existing.local_time === localTime &&
        existing.time_zone === timeZone;
      const row = this.statements.upsertSchedule.get({
        guildId: input.guildId,
        channelId: input.channelId,
        channelName: input.channelName ?? null,
        time: localTime,
        timeZone,
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

  async getSchedule(id: number): Promise<Schedule | null> {
    const row = this.statements.getSchedule.get(id);
    return row ? transformSchedule(row) : null;
  }

  async findSchedule(guildId: string, channelId: string): Promise<Schedule | null> {
    const row = this.statements.findSchedule.get(guildId, channelId);
    return row ? transformSchedule(row) : null;
  }

  async listGuildSchedules(guildId: string): Promise<Schedule[]> {
    return this.statements.guildSchedules.all(guildId).map(transformSchedule);
  }

  async disableSchedule(id: number, now: Date): Promise<Schedule | null> {
    this.setState(id, 'off', null, ['active', 'paused'], now);
    return this.getSchedule(id);
  }

  async pauseSchedule(id: number, reason: string, now: Date): Promise<boolean> {
    return this.setState(id, 'paused', clipReason(reason), ['active'], now);
  }

  async pauseGuild(guildId: string, reason: string, now: Date): Promise<number[]> {
    const rows = this.statements.pauseWhere.all({ guildId, channelId: null, reason: clipReason(reason), now: now.getTime() });
    return rows.map((row) => row.id);
  }

  async pauseChannel(channelId: string, reason: string, now: Date): Promise<number[]> {
    return this.statements.pauseChannel.all({ channelId, reason: clipReason(reason), now: now.getTime() }).map((row) => row.id);
  }

  async pauseUntil(id: number, until: string, reason: string | null, now: Date): Promise<Schedule | null> {
    parseLocalDate(until);
    const row = this.statements.holiday.get({ id, until, reason: reason === null ? null : clipReason(reason), now: now.getTime() });
    return row ? transformSchedule(row) : null;
  }

  async resumeSchedule(id: number, now: Date): Promise<Schedule | null> {
    const row = this.statements.resume.get({ id, now: now.getTime() });
    return row ? transformSchedule(row) : null;
  }

  async listActiveSchedules(ids?: readonly number[]): Promise<Schedule[]> {
    return this.selectActive(ids);
  }

  private selectActive(ids?: readonly number[]): Schedule[] {
    const rows = ids === undefined ? this.statements.listActive.all() : this.statements.listActiveIn.all(JSON.stringify(ids));
    return rows.map(transformSchedule);
  }

  // ---- syllabus ------------------------------------------------------------

  async listSyllabus(scheduleId: number): Promise<SyllabusRange[]> {
    return transformSyllabus(this.statements.syllabus.all(scheduleId));
  }

  async addSyllabusRange(scheduleId: number, theme: string, from: string, to: string | null, now: Date): Promise<SyllabusRange> {
    checkSyllabusDates(from, to);
    const write = this.db.transaction((): { row: SyllabusRow; all: SyllabusRow[] } => {
      refuseSyllabusClash(this.statements.syllabus.all(scheduleId), from, to);
      const row = this.statements.addSyllabus.get({ scheduleId, theme, from, to, now: now.getTime() });
      if (!row) throw new Error(`daily: saving a syllabus range of schedule ${scheduleId} returned nothing`);
      return { row, all: this.statements.syllabus.all(scheduleId) };
    });
    const { row, all } = write.immediate();
    return syllabusRangeIn(all, row);
  }

  async clearSyllabus(scheduleId: number): Promise<number> {
    return this.statements.clearSyllabus.run(scheduleId).changes;
  }

  // ---- check hints ---------------------------------------------------------

  async listDueScheduleIds(now: Date): Promise<{ id: number; guildId: string }[]> {
    return this.selectDueIds(now);
  }

  private selectDueIds(now: Date): { id: number; guildId: string }[] {
    return this.statements.dueIds.all(now.getTime()).map((row) => ({ id: row.id, guildId: row.guild_id }));
  }

  async listCheckHints(now: Date): Promise<Map<number, number>> {
    return this.selectHints(now);
  }

  private selectHints(now: Date): Map<number, number> {
    const hints = new Map<number, number>();
    for (const row of this.statements.hintsAfter.all(now.getTime())) hints.set(row.id, row.next_check_at);
    return hints;
  }

  async getCheckHint(id: number): Promise<Date | null> {
    const hint = this.statements.getHint.get(id)?.next_check_at ?? null;
    return hint === null ? null : new Date(hint);
  }

  /** Each batch in one IMMEDIATE transaction: the file's write lock keeps every other writer out. */
  async refreshCheckHints(ids: readonly number[], now: Date, policy: DailyPolicy = DEFAULT_POLICY): Promise<number> {
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

  /** In one read transaction: the reads see the file as of one instant (WAL snapshot). */
  async dueSnapshot(now: Date, from: string, to: string, own?: (guildId: string) => boolean): Promise<DueSnapshot> {
    return this.db
      .transaction((): DueSnapshot => {
        const due = this.selectDueIds(now);
        const ids = (own ? due.filter((entry) => own(entry.guildId)) : due).map((entry) => entry.id);
        if (ids.length === 0) return { schedules: [], posts: [] };
        return { schedules: this.selectActive(ids), posts: this.selectPosts(from, to, ids) };
      })
      .deferred();
  }

  async fullSnapshot(now: Date, from: string, to: string): Promise<FullSnapshot> {
    return this.db
      .transaction((): FullSnapshot => ({
        schedules: this.selectActive(),
        posts: this.selectPosts(from, to),
        hints: this.selectHints(now),
      }))
      .deferred();
  }

  // ---- posts ---------------------------------------------------------------

  async getPost(scheduleId: number, localDate: string): Promise<PostRecord | null> {
    const row = this.statements.getPost.get(scheduleId, localDate);
    return row ? transformPost(row) : null;
  }

  async listPostsBetween(from: string, to: string, scheduleIds?: readonly number[]): Promise<PostRecord[]> {
    return this.selectPosts(from, to, scheduleIds);
  }

  private selectPosts(from: string, to: string, scheduleIds?: readonly number[]): PostRecord[] {
    const rows =
      scheduleIds === undefined
        ? this.statements.postsBetween.all(from, to)
        : this.statements.postsBetweenIn.all(from, to, JSON.stringify(scheduleIds));
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
    const result = this.statements.claim.run({ scheduleId, localDate, quoteId, theme, quizId, now: now.getTime(), claimer });
    return result.changes === 1;
  }

  async retryFailed(scheduleId: number, localDate: string, now: Date, claimer: string): Promise<PostRecord | null> {
    const row = this.statements.retryFailed.get({ scheduleId, localDate, now: now.getTime(), claimer });
    return row ? transformPost(row) : null;
  }

  async reclaimStale(
    scheduleId: number,
    localDate: string,
    now: Date,
    claimer: string,
    options: StaleClaimOptions = {},
  ): Promise<PostRecord | null> {
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

  async markSent(scheduleId: number, localDate: string, messageId: string, now: Date): Promise<boolean> {
    const write = this.db.transaction((): boolean => {
      const result = this.statements.markSent.run({ scheduleId, localDate, messageId, now: now.getTime() });
      if (result.changes === 0) return false;
      this.statements.resetFailedDays.run(scheduleId);
      return true;
    });
    return write.immediate();
  }

  async markFailed(
    scheduleId: number,
    localDate: string,
    reason: string,
    now: Date,
    nextAttemptAt: Date | null,
  ): Promise<{ failedDays: number } | null> {
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

  async history(guildId: string, limit = 10): Promise<PostRecord[]> {
    return this.statements.history.all(guildId, clampLimit(limit)).map(transformPost);
  }

  async scheduleHistory(scheduleId: number, limit = 10): Promise<PostRecord[]> {
    return this.statements.scheduleHistory.all(scheduleId, clampLimit(limit)).map(transformPost);
  }

  async lastDelivery(scheduleId: number): Promise<PostRecord | null> {
    return (await this.scheduleHistory(scheduleId, 1))[0] ?? null;
  }

  async getPostedQuoteId(scheduleId: number, localDate: string): Promise<string | null> {
    return this.statements.postedQuote.get(scheduleId, localDate)?.quote_id ?? null;
  }

  // ---- test posts ----------------------------------------------------------

  async recordTestPost(input: TestPostInput, now: Date): Promise<TestPost> {
    const row = this.statements.insertTestPost.get({
      ...input,
      error: input.error === null ? null : clipReason(input.error),
      now: now.getTime(),
    });
    if (!row) throw new Error(`daily: recording a test post for guild ${input.guildId} returned nothing`);
    return transformTestPost(row);
  }

  async listTestPosts(guildId: string, limit = 10): Promise<TestPost[]> {
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
