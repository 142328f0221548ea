/**
 * The runtime loop of the daily voice: every minute, decide (`dueSchedules`),
 * claim in the database, deliver, record the outcome.
 *
 * What a tick reads: only the schedules whose check hint has come
 * (`nextCheckTimes`: a stored lower bound on when anything can be due for a
 * guild) and those guilds' posts, so a tick costs what is due, not what
 * exists. After acting it recomputes those hints. The decision is still the
 * pure `dueSchedules`; a hint only says when to ask it again. As a safety net,
 * the first tick of a process and then one tick an hour (`fullPassEveryMinutes`)
 * decide over every schedule as if there were no hints, act on whatever is due,
 * and warn if a stored hint was later than it should have been: a wrong hint
 * can delay a post by at most that long, and never double one.
 *
 * Safety comes from the store, not from this class: a day is claimed in SQL
 * before anything is sent, so several schedulers (shards, an old and a new
 * process during a restart) can tick at once and a guild still gets one post
 * per schedule and local day; and each post carries a nonce derived from
 * (schedule, local date), so a delivery whose outcome was lost (a crash
 * between Discord accepting and the database recording) is retried at the
 * next tick and gets Discord's existing message back. This class adds: no overlapping ticks in one process, bounded
 * concurrency, and a tick that never throws (every error is recorded or logged,
 * and one guild's failure never stops another's post).
 *
 * Discord stays outside: `deliver` is given a plain job and answers with a
 * message id or a classified error.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import cron from 'node-cron';
import type { ScheduledTask } from 'node-cron';
import {
  currentDateWindow,
  DEFAULT_POLICY,
  dueSchedules,
  indexPosts,
  nextCheckTimes,
  planFailure,
  shouldPause,
} from './due.js';
import type { DailyPolicy, DueAction, Schedule } from './due.js';
import type { DeliveryJob, DeliveryResult, PickedQuote } from './ports.js';
import type { DailyStore } from './store.js';

/**
 * The Discord message nonce of a schedule's day: the same for every attempt
 * at that day, so that with `enforce_nonce` a retry after a lost outcome gets
 * the message Discord already created back instead of a second one. Discord
 * allows 25 characters.
 */
export function postNonce(scheduleId: number, localDate: string): string {
  return `hv:${scheduleId}:${localDate.replace(/-/g, '')}`;
}

/** The subset of pino's logger used here; a pino logger fits as is. */
export interface SchedulerLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export type SchedulerStore = Pick<
  DailyStore,
  | 'claimPost'
  | 'retryFailed'
  | 'reclaimStale'
  | 'markSent'
  | 'markFailed'
  | 'pauseSchedule'
  | 'refreshCheckHints'
  | 'dueSnapshot'
  | 'fullSnapshot'
>;

export interface DailySchedulerOptions {
  readonly store: SchedulerStore;
  readonly clock: () => Date;
  readonly deliver: (job: DeliveryJob) => Promise<DeliveryResult>;
  /** The voice of a schedule's local date (`DailyService#pick`: the rotation, or the schedule's syllabus theme). */
  readonly pickQuote: (schedule: Schedule, localDate: string) => Promise<PickedQuote>;
  readonly log: SchedulerLog;
  /** Only these guilds (a shard's own); all when absent. */
  readonly guildFilter?: (guildId: string) => boolean;
  /** Deliveries in flight at once. Default 4. */
  readonly concurrency?: number;
  /** Who claims, recorded with each claim. Default: host, pid and a random suffix. */
  readonly claimer?: string;
  readonly policy?: Partial<DailyPolicy>;
  /**
   * Minutes between full passes, the safety net under the check hints: the
   * first tick, and then the first tick this long after the last full pass,
   * decides over every schedule of this process. Default 60; 0 makes every
   * tick a full pass (no hints trusted).
   */
  readonly fullPassEveryMinutes?: number;
}

export interface TickSummary {
  /** The clock's reading for the pass; null if the clock itself failed. */
  readonly at: Date | null;
  /** Actions the decision produced. */
  due: number;
  sent: number;
  failed: number;
  /** Another process got the claim first, or the day stopped being due meanwhile. */
  skipped: number;
  paused: number;
  /** Unexpected errors (logged); the tick went on with the other guilds. */
  errors: number;
  /** Every active schedule was decided over (the safety net), not only those whose hint had come. */
  fullPass?: boolean;
  /** Schedules of this process the decision was made over. */
  checked?: number;
}

/** What a pass decided, and whose check hints to recompute once it has acted. */
interface Decision {
  readonly actions: DueAction[];
  readonly checked: number;
  readonly refresh: readonly number[];
}

export class DailyScheduler {
  private readonly policy: DailyPolicy;
  private readonly claimer: string;
  private readonly concurrency: number;
  private readonly fullPassEveryMs: number;
  private running: Promise<TickSummary> | undefined;
  private task: ScheduledTask | undefined;
  /** Clock reading of the last full pass that could decide; null before the first. */
  private lastFullPass: number | null = null;

  constructor(private readonly options: DailySchedulerOptions) {
    this.policy = { ...DEFAULT_POLICY, ...options.policy };
    this.claimer = options.claimer ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
    this.fullPassEveryMs = Math.max(0, options.fullPassEveryMinutes ?? 60) * 60_000;
  }

  /**
   * One pass: decide, claim, deliver, record. Never rejects. A call made while
   * a pass is running gets that pass's promise instead of starting another.
   */
  tick(): Promise<TickSummary> {
    if (!this.running) {
      this.running = this.runTick()
        .catch((error: unknown): TickSummary => {
          // Last line of defence (a failing clock, a throwing logger): a tick still resolves.
          this.options.log.error({ err: error }, 'daily: tick failed');
          return { at: null, due: 0, sent: 0, failed: 0, skipped: 0, paused: 0, errors: 1 };
        })
        .finally(() => {
          this.running = undefined;
        });
    }
    return this.running;
  }

  /** Ticks now (catching up on a post missed while down), then every minute. */
  start(): void {
    if (this.task) return;
    this.task = cron.schedule(
      '* * * * *',
      () => {
        void this.tick();
      },
      { name: 'daily-voice' },
    );
    void this.tick();
  }

  /** Stops the minute ticks and waits for a pass in flight to finish. */
  async stop(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    if (task) await task.destroy();
    await this.running;
  }

  private async runTick(): Promise<TickSummary> {
    const now = this.options.clock();
    const full =
      this.lastFullPass === null ||
      now.getTime() - this.lastFullPass >= this.fullPassEveryMs ||
      now.getTime() < this.lastFullPass; // the clock went back
    const summary: TickSummary = {
      at: now,
      due: 0,
      sent: 0,
      failed: 0,
      skipped: 0,
      paused: 0,
      errors: 0,
      fullPass: full,
      checked: 0,
    };
    let decision: Decision;
    try {
      decision = full ? await this.decideAll(now) : await this.decideHinted(now);
    } catch (error) {
      summary.errors++;
      this.options.log.error({ err: error }, 'daily: could not decide which posts are due');
      return summary;
    }
    if (full) this.lastFullPass = now.getTime();
    const { actions } = decision;
    summary.checked = decision.checked;
    summary.due = actions.length;
    await forEachBounded(actions, this.concurrency, async (action) => {
      try {
        await this.handle(action, summary);
      } catch (error) {
        summary.errors++;
        this.options.log.error(
          { err: error, guildId: action.schedule.guildId, scheduleId: action.schedule.id, kind: action.kind },
          'daily: handling a due post failed',
        );
      }
    });
    await this.refreshHints(decision.refresh, summary);
    if (summary.due > 0) this.options.log.info({ ...summary }, 'daily: tick done');
    return summary;
  }

  /**
   * The ordinary tick: only this process's schedules whose hint has come, and
   * only their posts (guild ids first, through the index, so that other
   * shards' guilds cost an index entry each, not a row).
   */
  private async decideHinted(now: Date): Promise<Decision> {
    const { store, guildFilter: filter } = this.options;
    const { from, to } = currentDateWindow(now);
    const { schedules, posts } = await store.dueSnapshot(now, from, to, filter);
    const actions = dueSchedules(schedules, posts, now, this.policy);
    return { actions, checked: schedules.length, refresh: schedules.map((schedule) => schedule.id) };
  }

  /**
   * The safety net: the decision over every schedule of this process, as if
   * there were no hints, and a check of the stored hints against it. A hint
   * later than the one computed now is wrong (hints only move later while the
   * posts they were computed from stay as they are): warned about, corrected,
   * and whatever it held back is due in this very pass.
   */
  private async decideAll(now: Date): Promise<Decision> {
    const { store, guildFilter: filter, log } = this.options;
    const { from, to } = currentDateWindow(now);
    const read = await store.fullSnapshot(now, from, to);
    const schedules = filter ? read.schedules.filter((schedule) => filter(schedule.guildId)) : read.schedules;
    const { posts, hints: stored } = read;
    const lookup = indexPosts(posts);
    const actions = dueSchedules(schedules, lookup, now, this.policy);
    const computed = nextCheckTimes(schedules, lookup, now, this.policy);
    const refresh: number[] = [];
    const late: { scheduleId: number; stored: string; computed: string | null }[] = [];
    for (const { id } of schedules) {
      const hint = stored.get(id);
      // Not set, or come: recompute, as an ordinary tick would.
      if (hint === undefined) {
        refresh.push(id);
        continue;
      }
      const fresh = computed.get(id) ?? null;
      if (fresh === null || fresh < hint) {
        refresh.push(id);
        late.push({
          scheduleId: id,
          stored: new Date(hint).toISOString(),
          computed: fresh === null ? null : new Date(fresh).toISOString(),
        });
      }
    }
    if (late.length > 0) {
      const lateIds = new Set(late.map((entry) => entry.scheduleId));
      const heldBack = actions.filter((action) => lateIds.has(action.schedule.id)).length;
      log.warn(
        { count: late.length, dueNow: heldBack, sample: late.slice(0, 10) },
        'daily: full pass found check hints later than the schedules’ next event (a bug); corrected',
      );
    }
    return { actions, checked: schedules.length, refresh };
  }

  /** After acting: the next check hints of the guilds this pass looked at. A failure leaves them due (re-read next tick). */
  private async refreshHints(ids: readonly number[], summary: TickSummary): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.options.store.refreshCheckHints(ids, this.options.clock(), this.policy);
    } catch (error) {
      summary.errors++;
      this.options.log.error({ err: error, schedules: ids.length }, 'daily: could not update check hints');
    }
  }

  private async handle(action: DueAction, summary: TickSummary): Promise<void> {
    const { store, clock } = this.options;
    const { schedule } = action;
    switch (action.kind) {
      case 'invalid': {
        if (await store.pauseSchedule(schedule.id, `daily: paused: ${action.error}`, clock())) summary.paused++;
        this.options.log.warn({ guildId: schedule.guildId, scheduleId: schedule.id, error: action.error }, 'daily: schedule unusable, paused');
        return;
      }
      case 'abandon': {
        const reason =
          action.post.nonceSince === null
            ? 'daily: delivery interrupted before the upgrade (process stopped mid-post); not retried, the message may have gone out'
            : 'daily: delivery interrupted and not resumed while Discord still remembered its nonce; not retried, the message may have gone out';
        await this.recordFinalFailure(schedule.id, action.localDate, reason, clock(), summary, false);
        return;
      }
      case 'claim': {
        const picked = await this.options.pickQuote(schedule, action.localDate);
        const quizId = picked.quizId ?? null;
        if (!(await store.claimPost(schedule.id, action.localDate, picked.quoteId, clock(), this.claimer, picked.theme, quizId))) {
          summary.skipped++;
          return;
        }
        await this.deliverAndRecord(jobFor(schedule, action.scheduledAt, action.localDate, picked.quoteId, 1, quizId), summary);
        return;
      }
      case 'retry':
      case 'reclaim': {
        const post =
          action.kind === 'retry'
            ? await store.retryFailed(schedule.id, action.localDate, clock(), this.claimer)
            : await store.reclaimStale(schedule.id, action.localDate, clock(), this.claimer, {
                staleAfterMinutes: this.policy.staleClaimMinutes,
                nonceWindowMinutes: this.policy.nonceWindowMinutes,
              });
        if (!post) {
          summary.skipped++;
          return;
        }
        if (action.kind === 'reclaim') {
          this.options.log.warn(
            { guildId: schedule.guildId, scheduleId: schedule.id, localDate: action.localDate, previousClaimer: action.post.claimedBy },
            'daily: taking over a claim left without outcome (same nonce: Discord returns the message if it went out)',
          );
        }
        // The recorded quote, quiz, attempt count and channel (the nonce finds its message only there).
        const job = jobFor(schedule, action.scheduledAt, post.localDate, post.quoteId, post.attempts, post.quizId);
        await this.deliverAndRecord({ ...job, channelId: post.channelId }, summary);
        return;
      }
    }
  }

  private async deliverAndRecord(job: DeliveryJob, summary: TickSummary): Promise<void> {
    const { store, clock, log } = this.options;
    const { guildId, scheduleId, localDate } = job;
    let result: DeliveryResult;
    try {
      result = await this.options.deliver(job);
    } catch (error) {
      // A throwing deliver is a bug or an unclassified error: treat it as one that may pass.
      const message = error instanceof Error ? error.message : String(error);
      result = { error: `daily: deliver threw: ${message}`, retryable: true };
    }
    const at = clock();

    if ('messageId' in result) {
      try {
        await store.markSent(scheduleId, localDate, result.messageId, at);
      } catch (error) {
        // The message is out but the claim still looks unfinished: say so, loudly.
        const details = { err: error, guildId, scheduleId, localDate, messageId: result.messageId };
        log.error(details, 'daily: posted but not recorded');
        throw error;
      }
      summary.sent++;
      return;
    }

    summary.failed++;
    const plan = planFailure(
      {
        attempts: job.attempt,
        retryable: result.retryable,
        permanent: result.permanent === true,
        now: at,
        localDate,
        timeZone: job.timeZone,
      },
      this.policy,
    );
    log.warn(
      { guildId, scheduleId, localDate, attempt: job.attempt, error: result.error, nextAttemptAt: plan.nextAttemptAt },
      'daily: delivery failed',
    );
    if (plan.nextAttemptAt) await store.markFailed(scheduleId, localDate, result.error, at, plan.nextAttemptAt);
    else await this.recordFinalFailure(scheduleId, localDate, result.error, at, summary, plan.pauseNow);
  }

  /** The day failed for good: count it, and pause on a permanent error or a long enough streak. */
  private async recordFinalFailure(
    scheduleId: number,
    localDate: string,
    error: string,
    at: Date,
    summary: TickSummary,
    permanent: boolean,
  ): Promise<void> {
    const { store, log } = this.options;
    const outcome = await store.markFailed(scheduleId, localDate, error, at, null);
    let reason: string | null = null;
    if (permanent) {
      reason = `daily: paused after an error that needs a fix: ${error}`;
    } else if (outcome && shouldPause(outcome.failedDays, this.policy)) {
      const days = outcome.failedDays;
      reason = `daily: paused after ${days} days in a row without a successful post; last error: ${error}`;
    }
    if (reason !== null && (await store.pauseSchedule(scheduleId, reason, at))) {
      summary.paused++;
      log.warn({ scheduleId, reason }, 'daily: schedule paused');
    }
  }
}

function jobFor(
  schedule: Schedule,
  scheduledAt: Date,
  localDate: string,
  quoteId: string,
  attempt: number,
  quizId: string | null,
): DeliveryJob {
  return {
    scheduleId: schedule.id,
    guildId: schedule.guildId,
    channelId: schedule.channelId,
    roleId: schedule.roleId,
    thread: schedule.thread,
    language: schedule.language,
    localDate,
    quoteId,
    timeZone: schedule.timeZone,
    scheduledAt,
    attempt,
    nonce: postNonce(schedule.id, localDate),
    quizId,
  };
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
async function forEachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) {
      const item = items[index];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
