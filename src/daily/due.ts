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
 * - a schedule posts only on its teaching days (`days`, by the weekday of its
 *   local date) and not while a holiday pause lasts (`pausedUntil`: no post on
 *   a local date before it);
 * - a claim with no outcome after `staleClaimMinutes` (one tick) was left by a
 *   crash: it is taken over and delivered again with the same Discord nonce,
 *   which makes Discord return the message already created instead of a second
 *   one — but only while Discord still remembers the nonce
 *   (`nonceWindowMinutes` after the first attempt whose outcome is unknown).
 *   Past that, or for a claim made without a nonce (before the upgrade), the
 *   day is recorded as failed, not retried: the message may have gone out;
 * - `paused` and `off` schedules are never due.
 *
 * Nothing here reads the clock or the database.
 */
import type { Language } from '../i18n/index.js';
import { postsOn } from './days.js';
import { addDays, isoWeekday, localDate, localDay, scheduledInstant, toLocalTime } from './time.js';

export type ScheduleState = 'active' | 'paused' | 'off';

/** A channel's daily-post settings (several per server). Rows are never deleted, only turned off or paused. */
export interface Schedule {
  /** The schedule's key: posts are claimed per (schedule, local date). */
  readonly id: number;
  readonly guildId: string;
  readonly channelId: string;
  /** The channel's name at the last `/daily set` (a label only); null when unknown. */
  readonly channelName: string | null;
  /** `HH:MM` on the guild's wall clock. */
  readonly time: string;
  /** IANA zone name. */
  readonly timeZone: string;
  /** Teaching days, a bitmask: Monday = 1 … Sunday = 64 (`days.ts`). */
  readonly days: number;
  /** Days whose post is a quiz (same bitmask; 0 = never): the voice of the day with its speaker hidden. */
  readonly quizDays: number;
  /** Role to mention with the post, if any. */
  readonly roleId: string | null;
  /** Open a discussion thread on the post. */
  readonly thread: boolean;
  /** The language of the post's own words (`/daily set … language`); the quotation stays as printed. */
  readonly language: Language;
  readonly state: ScheduleState;
  /** Why the schedule paused itself; kept while paused, cleared when the settings are saved again. */
  readonly pausedReason: string | null;
  /**
   * A holiday pause: no post on a local date before this one (`YYYY-MM-DD`, the
   * date posting resumes). The schedule stays `active`; null when not paused so.
   */
  readonly pausedUntil: string | null;
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

/** The record of a schedule's post for one local date (at most one per date). */
export interface PostRecord {
  readonly scheduleId: number;
  readonly guildId: string;
  readonly localDate: string;
  /** The quote chosen when the day was first claimed; retries post the same one. */
  readonly quoteId: string;
  /** The syllabus theme the quote was chosen from; null for the ordinary rotation. */
  readonly theme: string | null;
  /** The quiz the day's post carries (decided at the claim, kept for retries); null for an ordinary post. */
  readonly quizId: string | null;
  readonly channelId: string;
  readonly status: PostStatus;
  /** Deliveries started for the day (first claim, retries, takeovers). */
  readonly attempts: number;
  /** Crashed claims taken over for the day. */
  readonly staleReclaims: number;
  readonly claimedBy: string;
  readonly claimedAt: Date;
  /**
   * When the first attempt whose outcome is unknown began: from then on Discord
   * may hold a message under the day's nonce. Null for a claim made before the
   * upgrade (sent without a nonce).
   */
  readonly nonceSince: Date | null;
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
  /** A claim without outcome this old was left by a crash (a tick: the delivering process answers well within it). */
  readonly staleClaimMinutes: number;
  /**
   * How long after an attempt a retry with the same nonce still gets Discord's
   * existing message back ("the past few minutes", Discord says; kept short).
   */
  readonly nonceWindowMinutes: number;
  /** Consecutive failed days after which the schedule pauses itself. */
  readonly pauseAfterFailedDays: number;
}

export const DEFAULT_POLICY: DailyPolicy = Object.freeze({
  maxAttemptsPerDay: 5,
  backoffMinutes: Object.freeze([2, 10, 30, 60]),
  staleClaimMinutes: 1,
  nonceWindowMinutes: 3,
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

/** Finds the post record of a schedule for a local date. */
export type PostLookup = (scheduleId: number, localDate: string) => PostRecord | undefined;

export function indexPosts(posts: Iterable<PostRecord>): PostLookup {
  const byDate = lazyPostsByDate(posts);
  return (scheduleId, date) => byDate(date)?.get(scheduleId);
}

/**
 * The posts of a date by schedule, indexed on first use: a decision needs only
 * the dates that are some zone's today (not yesterday's full day of posts).
 */
function lazyPostsByDate(posts: Iterable<PostRecord>): (date: string) => ReadonlyMap<number, PostRecord> | null {
  const all = Array.isArray(posts) ? (posts as readonly PostRecord[]) : [...posts];
  const byDate = new Map<string, Map<number, PostRecord> | null>();
  return (date) => {
    let byGuild = byDate.get(date);
    if (byGuild === undefined) {
      byGuild = null;
      for (const post of all) {
        if (post.localDate !== date) continue;
        byGuild ??= new Map();
        byGuild.set(post.scheduleId, post);
      }
      byDate.set(date, byGuild);
    }
    return byGuild;
  };
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
 * The local dates some zone is on at `now`, from the date at -12:00 to the
 * date at +14:00: two dates most of the time, three from 10:00 to 12:00 UTC.
 * The posts of these dates are all that `dueSchedules` and `nextCheckTimes`
 * look up (each only a schedule's current local date); narrower than
 * `postDateWindow`, so a full pass reads about a day's posts, not two.
 */
export function currentDateWindow(now: Date): { readonly from: string; readonly to: string } {
  // The zones at the two ends of the offsets (POSIX signs: Etc/GMT+12 is UTC-12:00).
  return { from: localDate(now, 'Etc/GMT+12'), to: localDate(now, 'Etc/GMT-14') };
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
  const lookup = typeof posts === 'function' ? posts : null;
  const byDate = typeof posts === 'function' ? null : lazyPostsByDate(posts);
  const clock = new SlotClock(now);
  const staleBefore = now.getTime() - policy.staleClaimMinutes * 60_000;
  const nonceSinceAfter = now.getTime() - policy.nonceWindowMinutes * 60_000;
  const actions: DueAction[] = [];

  const nowMs = now.getTime();
  for (const schedule of schedules) {
    if (schedule.state !== 'active') continue;
    let day: ZoneDay;
    let slot: number;
    try {
      day = clock.day(schedule.timeZone);
      slot = clock.slot(day, schedule.time, schedule.timeZone);
    } catch (error) {
      // One bad row must not stop every other guild's post.
      actions.push({ kind: 'invalid', schedule, error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    if (nowMs < slot) continue;
    if (slot < floorToMinute(schedule.effectiveFrom)) continue;
    const today = day.span.date;
    if (!teachingDay(schedule, day)) continue;

    let post: PostRecord | undefined;
    if (lookup) post = lookup(schedule.id, today);
    else {
      if (day.posts === undefined) day.posts = byDate ? byDate(today) : null;
      post = day.posts?.get(schedule.id);
    }
    if (!post) {
      actions.push({ schedule, localDate: today, scheduledAt: new Date(slot), kind: 'claim' });
      continue;
    }
    switch (post.status) {
      case 'sent':
        break;
      case 'failed':
        if (post.nextAttemptAt && post.nextAttemptAt.getTime() <= nowMs) {
          actions.push({ schedule, localDate: today, scheduledAt: new Date(slot), kind: 'retry', post });
        }
        break;
      case 'claimed':
        if (post.claimedAt.getTime() <= staleBefore) {
          // The same nonce returns Discord's message only while Discord remembers it.
          const kind = post.nonceSince !== null && post.nonceSince.getTime() > nonceSinceAfter ? 'reclaim' : 'abandon';
          actions.push({ schedule, localDate: today, scheduledAt: new Date(slot), kind, post });
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
  const counts = slot.getTime() >= floorToMinute(schedule.effectiveFrom) && postsToday(schedule, today);

  if (counts && !todaysPost) return slot.getTime() > now.getTime() ? slot : now;
  if (counts && todaysPost?.status === 'failed' && todaysPost.nextAttemptAt) {
    return todaysPost.nextAttemptAt.getTime() > now.getTime() ? todaysPost.nextAttemptAt : now;
  }
  // Today is done (or not a day it posts): the next local day it posts on, after any holiday pause.
  let date = addDays(today, 1);
  if (schedule.pausedUntil !== null && date < schedule.pausedUntil) date = schedule.pausedUntil;
  for (let i = 0; i < 7 && !postsOn(schedule.days, date); i++) date = addDays(date, 1);
  return scheduledInstant(date, schedule.time, schedule.timeZone);
}

/** Is `date` one of the schedule's teaching days, outside any holiday pause? */
export function postsToday(schedule: Pick<Schedule, 'days' | 'pausedUntil'>, date: string): boolean {
  if (schedule.pausedUntil !== null && date < schedule.pausedUntil) return false;
  return postsOn(schedule.days, date);
}

function teachingDay(schedule: Schedule, day: ZoneDay): boolean {
  if (schedule.days === 127 && schedule.pausedUntil === null) return true;
  const span = day.span;
  span.weekdayBit ??= 1 << (isoWeekday(span.date) - 1);
  if (schedule.pausedUntil !== null && span.date < schedule.pausedUntil) return false;
  return (schedule.days & span.weekdayBit) !== 0;
}

/**
 * When a schedule must next be looked at: the earliest instant at which
 * `dueSchedules` could return an action for it, given the posts it has now.
 * The scheduler stores it as the schedule's check hint (`next_check_at`) and
 * reads only the schedules whose hint has come, so a tick costs what is due
 * rather than what exists. A hint is a lower bound, never a decision: when it
 * comes, `dueSchedules` decides as always.
 *
 * The earliest of:
 * - the next local day's slot (always: whatever today holds, tomorrow may have its post;
 *   a day it does not post on costs one look);
 * - when today's slot counts (not before `effectiveFrom`, a teaching day, no holiday pause):
 *   - no post yet: today's slot (in the past when due now, or being caught up);
 *   - failed with a retry planned: its `nextAttemptAt`;
 *   - claimed without outcome: when the claim turns stale (`claimedAt` + `staleClaimMinutes`:
 *     taken over with the same nonce, or recorded as failed outside the nonce window);
 *   - sent, or failed for good: nothing more today;
 *   (a retry or stale claim never before today's slot: `dueSchedules` acts on no day before its slot).
 *
 * Null when there is nothing to compute: the schedule is paused or off, or its
 * zone or time cannot be evaluated (then it is due as `invalid` right away).
 *
 * Valid while the posts stay as they are. A write that could make the day due
 * sooner must clear the hint: saving settings does, and so does a failure
 * recorded with a retry (a hint computed while the day was claimed names the
 * stale-claim instant, which may be after the retry). Claims, takeovers and
 * successes only ever push the next event later.
 */
export function nextCheckTimes(
  schedules: Iterable<Schedule>,
  posts: PostLookup | Iterable<PostRecord>,
  now: Date,
  policy: DailyPolicy = DEFAULT_POLICY,
): Map<number, number | null> {
  const lookup = typeof posts === 'function' ? posts : indexPosts(posts);
  const clock = new SlotClock(now);
  const staleAfter = policy.staleClaimMinutes * 60_000;
  const hints = new Map<number, number | null>();
  for (const schedule of schedules) {
    if (schedule.state !== 'active') {
      hints.set(schedule.id, null);
      continue;
    }
    let day: ZoneDay;
    let slot: number;
    let next: number;
    try {
      day = clock.day(schedule.timeZone);
      slot = clock.slot(day, schedule.time, schedule.timeZone);
      next = clock.slot(clock.nextDay(day, schedule.timeZone), schedule.time, schedule.timeZone);
    } catch {
      hints.set(schedule.id, null);
      continue;
    }
    // Today's event, if any; nothing is due for a day before its slot (a record can predate it: the time was changed).
    let today: number | null = null;
    // Not a teaching day (or a holiday): the next local day's slot is still a lower bound.
    if (slot >= floorToMinute(schedule.effectiveFrom) && teachingDay(schedule, day)) {
      const post = lookup(schedule.id, day.span.date);
      if (!post) today = slot;
      else if (post.status === 'failed' && post.nextAttemptAt) today = Math.max(slot, post.nextAttemptAt.getTime());
      else if (post.status === 'claimed') today = Math.max(slot, post.claimedAt.getTime() + staleAfter);
    }
    hints.set(schedule.id, today === null ? next : Math.min(today, next));
  }
  return hints;
}

/** `nextCheckTimes` for one schedule, as a Date (null when paused, off or unusable). */
export function nextCheckAt(
  schedule: Schedule,
  posts: PostLookup | Iterable<PostRecord>,
  now: Date,
  policy: DailyPolicy = DEFAULT_POLICY,
): Date | null {
  const hint = nextCheckTimes([schedule], posts, now, policy).get(schedule.id) ?? null;
  return hint === null ? null : new Date(hint);
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

/** A zone's local date as Temporal spans it (`localDay`), with what decisions derive from it. Pure: shared by every decision. */
interface DaySpan {
  readonly date: string;
  readonly start: number;
  readonly end: number;
  readonly steady: boolean;
  /** Slots asked of `scheduledInstant` (days that are not steady). */
  readonly slots: Map<string, number>;
  /** The date's weekday as a `days` bit (filled on first use). */
  weekdayBit?: number;
  /** The next local date (filled by `nextDay` on first use). */
  next?: DaySpan;
}

/** A zone's local day at the instant of one decision. */
interface ZoneDay {
  readonly span: DaySpan;
  /** That date's post records by schedule (filled by dueSchedules on first use). */
  posts?: ReadonlyMap<number, PostRecord> | null;
}

/** Each zone's day at the latest decision: a tick a minute sees the same day hundreds of times. */
const currentDays = new Map<string, DaySpan>();
/** Days by zone and date (next days, and the days the decisions went back to). */
const knownDays = new Map<string, DaySpan>();

function daySpan(date: string, zone: string): DaySpan {
  const key = `${zone} ${date}`;
  let span = knownDays.get(key);
  if (span === undefined) {
    const day = localDay(date, zone);
    span = { date, start: day.start.getTime(), end: day.end.getTime(), steady: day.steady, slots: new Map() };
    // Bounded: about a day's worth of every zone, and whatever a sweep over a few days needs.
    if (knownDays.size > 10_000) knownDays.clear();
    knownDays.set(key, span);
  }
  return span;
}

/**
 * Memoizes one instant's local days and slots: many guilds share a zone and a
 * time. The days themselves are Temporal's (`localDay`), remembered across
 * decisions. On a steady day (all but a few a year: one offset throughout) a
 * slot is its wall time's minutes after the day's start; on the others,
 * `scheduledInstant` says, with its DST rules.
 */
class SlotClock {
  private readonly zones = new Map<string, ZoneDay>();
  private readonly nowMs: number;

  constructor(private readonly now: Date) {
    this.nowMs = now.getTime();
  }

  /** The zone's local date at `now` (throws a `daily:` RangeError for an unknown zone). */
  day(zone: string): ZoneDay {
    let entry = this.zones.get(zone);
    if (entry !== undefined) return entry;
    let span = currentDays.get(zone);
    if (span === undefined || this.nowMs < span.start || span.end <= this.nowMs) {
      span = daySpan(localDate(this.now, zone), zone);
      if (currentDays.size > 5_000) currentDays.clear();
      currentDays.set(zone, span);
    }
    entry = { span };
    this.zones.set(zone, entry);
    return entry;
  }

  /** The zone's local date after `day` (for check hints). */
  nextDay(day: ZoneDay, zone: string): ZoneDay {
    day.span.next ??= daySpan(addDays(day.span.date, 1), zone);
    return { span: day.span.next };
  }

  /** The instant (ms) `time` is due on the zone's day; throws a `daily:` RangeError for an invalid time. */
  slot(day: ZoneDay, time: string, zone: string): number {
    const span = day.span;
    if (span.steady) return span.start + minutesOf(time) * 60_000;
    let slot = span.slots.get(time);
    if (slot === undefined) {
      slot = scheduledInstant(span.date, time, zone).getTime();
      span.slots.set(time, slot);
    }
    return slot;
  }
}

/** Minutes after midnight of a strict `HH:MM`; anything else throws parseLocalTime's error. */
function minutesOf(time: string): number {
  if (time.length === 5 && time.charCodeAt(2) === 58) {
    const h1 = time.charCodeAt(0) - 48;
    const h2 = time.charCodeAt(1) - 48;
    const m1 = time.charCodeAt(3) - 48;
    const m2 = time.charCodeAt(4) - 48;
    if (h1 >= 0 && h1 <= 2 && h2 >= 0 && h2 <= 9 && m1 >= 0 && m1 <= 5 && m2 >= 0 && m2 <= 9) {
      const hour = h1 * 10 + h2;
      if (hour < 24) return hour * 60 + m1 * 10 + m2;
    }
  }
  const { hour, minute } = toLocalTime(time);
  return hour * 60 + minute;
}

