/**
 * The pure decision of the daily post: given the schedules, the post records
 * of the days concerned and the current instant, what must happen now.
 *
 * Rules (one post per guild per LOCAL date, the date on the guild's clock):
 * - a schedule is due once its time has been reached on its current local date
 *   and that date has no post record yet: downtime over the hour still gets the
 *   post when the bot returns the same local day (catch-up), and never for a day
 *   already gone, because only the current local date is ever considered;
 * - a slot that passed before the settings took effect (`effectiveFrom`: the
 *   schedule was created, re-enabled or retimed later that day) is not caught
 *   up: the first post is the next occurrence of the time, as `/daily set`
 *   announces it;
 * - a failed attempt names its `nextAttemptAt`; the day is due again only then;
 * - a claim with no outcome after `staleClaimMinutes` was left by a crash: it
 *   is taken over once; a second abandoned claim is recorded as a failure, not
 *   retried, because the crash may have come after Discord accepted the message;
 * - `paused` and `off` schedules are never due.
 *
 * Nothing here reads the clock or the database.
 */
import { addDays, localDate, scheduledInstant } from './time.js';

export type ScheduleState = 'active' | 'paused' | 'off';

/** A guild's daily-post settings. Rows are never deleted, only turned off or paused. */
export interface Schedule {
  readonly guildId: string;
  readonly channelId: string;
  /** `HH:MM` on the guild's wall clock. */
  readonly time: string;
  /** IANA zone name. */
  readonly timeZone: string;
  /** Role to mention with the post, if any. */
  readonly roleId: string | null;
  /** Open a discussion thread on the post. */
  readonly thread: boolean;
  readonly state: ScheduleState;
  /** Why the schedule paused itself; kept while paused, cleared when the settings are saved again. */
  readonly pausedReason: string | null;
  /** Consecutive local days whose post finally failed; reset by a success or new settings. */
  readonly failedDays: number;
  /** Slots before this instant are not caught up (see module comment). */
  readonly effectiveFrom: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * - `claimed`: a process took the day and is delivering (or crashed doing so);
 * - `sent`: Discord accepted the message;
 * - `failed`: the last attempt failed; retried at `nextAttemptAt`, or never
 *   again that day when it is null.
 */
export type PostStatus = 'claimed' | 'sent' | 'failed';

/** The record of a guild's post for one local date (at most one per date). */
export interface PostRecord {
  readonly guildId: string;
  readonly localDate: string;
  /** The quote chosen when the day was first claimed; retries post the same one. */
  readonly quoteId: string;
  readonly channelId: string;
  readonly status: PostStatus;
  /** Deliveries started for the day (first claim, retries, takeovers). */
  readonly attempts: number;
  /** Crashed claims taken over for the day. */
  readonly staleReclaims: number;
  readonly claimedBy: string;
  readonly claimedAt: Date;
  readonly messageId: string | null;
  readonly sentAt: Date | null;
  readonly lastError: string | null;
  readonly nextAttemptAt: Date | null;
  readonly updatedAt: Date;
}

export interface DailyPolicy {
  /** Deliveries per local day, first attempt included. */
  readonly maxAttemptsPerDay: number;
  /** Wait after the 1st, 2nd, … failure; the last entry repeats. */
  readonly backoffMinutes: readonly number[];
  /** A claim without outcome this old was left by a crash. */
  readonly staleClaimMinutes: number;
  /** Crashed claims taken over per day. */
  readonly maxStaleReclaims: number;
  /** Consecutive failed days after which the schedule pauses itself. */
  readonly pauseAfterFailedDays: number;
}

export const DEFAULT_POLICY: DailyPolicy = Object.freeze({
  maxAttemptsPerDay: 5,
  backoffMinutes: Object.freeze([2, 10, 30, 60]),
  staleClaimMinutes: 10,
  maxStaleReclaims: 1,
  pauseAfterFailedDays: 3,
});

interface ActionBase {
  readonly schedule: Schedule;
  readonly localDate: string;
  /** When the day's post was due (earlier than now when catching up). */
  readonly scheduledAt: Date;
}

/**
 * - `claim`: nothing recorded for the day: claim it and post;
 * - `retry`: a failed attempt's wait is over: claim the retry and post the recorded quote;
 * - `reclaim`: take over a crashed claim (once) and post the recorded quote;
 * - `abandon`: a taken-over claim crashed again: record the day as failed;
 * - `invalid`: the stored settings cannot be evaluated (a zone this runtime no
 *   longer knows): pause the schedule with the error rather than skip it silently.
 */
export type DueAction =
  | (ActionBase & { readonly kind: 'claim' })
  | (ActionBase & { readonly kind: 'retry' | 'reclaim' | 'abandon'; readonly post: PostRecord })
  | { readonly kind: 'invalid'; readonly schedule: Schedule; readonly error: string };

/** Finds the post record of a guild for a local date. */
export type PostLookup = (guildId: string, localDate: string) => PostRecord | undefined;

export function postKey(guildId: string, date: string): string {
  return `${guildId}|${date}`;
}

export function indexPosts(posts: Iterable<PostRecord>): PostLookup {
  const byKey = new Map<string, PostRecord>();
  for (const post of posts) byKey.set(postKey(post.guildId, post.localDate), post);
  return (guildId, date) => byKey.get(postKey(guildId, date));
}

/**
 * The UTC dates bracketing every zone's local date at `now` (offsets run from
 * -12:00 to +14:00, so a local date is at most one day from the UTC date).
 * Loading the posts of these dates gives `dueSchedules` all it needs.
 */
export function postDateWindow(now: Date): { readonly from: string; readonly to: string } {
  const utc = localDate(now, 'UTC');
  return { from: addDays(utc, -1), to: addDays(utc, 1) };
}

/**
 * What must happen now, one action per schedule at most, in schedule order.
 * Cheap for thousands of schedules: zone and slot arithmetic is shared by
 * schedules with the same zone and time.
 */
export function dueSchedules(
  schedules: Iterable<Schedule>,
  posts: PostLookup | Iterable<PostRecord>,
  now: Date,
  policy: DailyPolicy = DEFAULT_POLICY,
): DueAction[] {
  const lookup = typeof posts === 'function' ? posts : indexPosts(posts);
  const clock = new SlotClock(now);
  const staleBefore = now.getTime() - policy.staleClaimMinutes * 60_000;
  const actions: DueAction[] = [];

  for (const schedule of schedules) {
    if (schedule.state !== 'active') continue;
    let today: string;
    let scheduledAt: Date;
    try {
      today = clock.today(schedule.timeZone);
      scheduledAt = clock.slot(today, schedule.time, schedule.timeZone);
    } catch (error) {
      // One bad row must not stop every other guild's post.
      actions.push({ kind: 'invalid', schedule, error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    if (now.getTime() < scheduledAt.getTime()) continue;
    if (scheduledAt.getTime() < floorToMinute(schedule.effectiveFrom)) continue;

    const base = { schedule, localDate: today, scheduledAt };
    const post = lookup(schedule.guildId, today);
    if (!post) {
      actions.push({ ...base, kind: 'claim' });
      continue;
    }
    switch (post.status) {
      case 'sent':
        break;
      case 'failed':
        if (post.nextAttemptAt && post.nextAttemptAt.getTime() <= now.getTime()) {
          actions.push({ ...base, kind: 'retry', post });
        }
        break;
      case 'claimed':
        if (post.claimedAt.getTime() <= staleBefore) {
          const kind = post.staleReclaims < policy.maxStaleReclaims ? 'reclaim' : 'abandon';
          actions.push({ ...base, kind, post });
        }
        break;
    }
  }
  return actions;
}

/**
 * When the next post is expected, for status replies; null when the schedule
 * is paused or off. `todaysPost` is the record for the schedule's current
 * local date, if any. A day that is due but not yet posted answers `now`.
 */
export function nextPostInstant(schedule: Schedule, now: Date, todaysPost?: PostRecord | null): Date | null {
  if (schedule.state !== 'active') return null;
  const today = localDate(now, schedule.timeZone);
  const slot = scheduledInstant(today, schedule.time, schedule.timeZone);
  const counts = slot.getTime() >= floorToMinute(schedule.effectiveFrom);

  if (counts && !todaysPost) return slot.getTime() > now.getTime() ? slot : now;
  if (counts && todaysPost?.status === 'failed' && todaysPost.nextAttemptAt) {
    return todaysPost.nextAttemptAt.getTime() > now.getTime() ? todaysPost.nextAttemptAt : now;
  }
  // Today is done (or was set up after its slot): the next local day's slot.
  return scheduledInstant(addDays(today, 1), schedule.time, schedule.timeZone);
}

export interface FailureInput {
  /** Deliveries started for the day, the failed one included. */
  readonly attempts: number;
  readonly retryable: boolean;
  /** No retry will help until someone changes something (channel deleted, access removed). */
  readonly permanent: boolean;
  readonly now: Date;
  readonly localDate: string;
  readonly timeZone: string;
}

export interface FailurePlan {
  /** When to try again, or null: the day has failed for good. */
  readonly nextAttemptAt: Date | null;
  /** Pause the schedule right away (a permanent error); the streak rule is `shouldPause`. */
  readonly pauseNow: boolean;
}

/**
 * After a failed delivery: back off and retry within the same local day while
 * attempts remain and the error is worth retrying. A retry that would land on
 * the next local day is not planned: that day has its own post.
 */
export function planFailure(input: FailureInput, policy: DailyPolicy = DEFAULT_POLICY): FailurePlan {
  if (input.permanent) return { nextAttemptAt: null, pauseNow: true };
  if (!input.retryable || input.attempts >= policy.maxAttemptsPerDay) return { nextAttemptAt: null, pauseNow: false };
  const steps = policy.backoffMinutes;
  const wait = steps[Math.min(input.attempts, steps.length) - 1] ?? steps[steps.length - 1] ?? 1;
  const next = new Date(input.now.getTime() + wait * 60_000);
  const endOfDay = scheduledInstant(addDays(input.localDate, 1), '00:00', input.timeZone);
  return { nextAttemptAt: next.getTime() < endOfDay.getTime() ? next : null, pauseNow: false };
}

/** After a day failed for good: has the streak of failed days reached the limit? */
export function shouldPause(failedDays: number, policy: DailyPolicy = DEFAULT_POLICY): boolean {
  return failedDays >= policy.pauseAfterFailedDays;
}

function floorToMinute(instant: Date): number {
  return Math.floor(instant.getTime() / 60_000) * 60_000;
}

/** Memoizes one instant's local dates and slots: many guilds share a zone and a time. */
class SlotClock {
  private readonly dates = new Map<string, string>();
  private readonly slots = new Map<string, Date>();

  constructor(private readonly now: Date) {}

  today(zone: string): string {
    let date = this.dates.get(zone);
    if (date === undefined) {
      date = localDate(this.now, zone);
      this.dates.set(zone, date);
    }
    return date;
  }

  slot(date: string, time: string, zone: string): Date {
    const key = `${zone}|${date}|${time}`;
    let slot = this.slots.get(key);
    if (!slot) {
      slot = scheduledInstant(date, time, zone);
      this.slots.set(key, slot);
    }
    return slot;
  }
}
