/**
 * Child process: the daily voice at scale.
 *
 * 1. One decision (`dueSchedules`, pure) with 100,000 servers spread over every
 *    time zone, in the steady state of a day (yesterday's posts sent, most of
 *    today's sent, a few failed or due), as the scheduler makes it each minute:
 *    successive minute ticks, and the first tick of a new local day.
 * 2. 10,000 posts due in the same minute, through the real DailyScheduler and
 *    an in-memory SQLite DailyStore, delivered by a fake `deliver` that holds
 *    Discord's global limit of 50 requests a second on a virtual clock (a post
 *    is 1 request, or 3 with its discussion thread). Nothing waits for real.
 *
 * Prints one JSON line.
 */
import { dueSchedules, type PostRecord, type Schedule } from '../src/daily/due.js';
import { createRotation } from '../src/daily/rotation.js';
import { DailyScheduler, type DeliveryJob } from '../src/daily/scheduler.js';
import { DailyStore } from '../src/daily/store.js';
import { addDays, listTimeZones, localDate } from '../src/daily/time.js';
import { openDatabase } from '../src/db/database.js';
import { round, summarize } from './stats.js';
import { prng } from './synthetic.js';

const SERVERS = Number(process.argv[2] ?? 100_000);
const BURST = Number(process.argv[3] ?? 10_000);
const TICKS = Number(process.argv[4] ?? 60);

// ---- 1. the decision ------------------------------------------------------
const random = prng(11);
const zones = listTimeZones();
const pad = (n: number) => String(n).padStart(2, '0');
const since = new Date('2026-01-01T00:00:00Z');
const schedules: Schedule[] = [];
for (let i = 0; i < SERVERS; i++) {
  const x = random();
  const hour = Math.floor(random() * 24);
  // Most servers pick a round hour, some a quarter, a few any minute.
  const minute = x < 0.6 ? 0 : x < 0.85 ? ([15, 30, 45][Math.floor(random() * 3)] as number) : Math.floor(random() * 60);
  const s = random();
  schedules.push({
    guildId: String(1_100_000_000_000_000_000n + BigInt(i)),
    channelId: String(1_200_000_000_000_000_000n + BigInt(i)),
    time: `${pad(hour)}:${pad(minute)}`,
    timeZone: zones[Math.floor(random() * zones.length)] as string,
    roleId: null,
    thread: random() < 0.3,
    state: s < 0.95 ? 'active' : s < 0.99 ? 'paused' : 'off',
    pausedReason: null,
    failedDays: 0,
    effectiveFrom: since,
    createdAt: since,
    updatedAt: since,
  });
}
const start = new Date('2026-03-10T14:07:00Z');
const post = (s: Schedule, date: string, status: PostRecord['status'], at: Date): PostRecord => ({
  guildId: s.guildId,
  localDate: date,
  quoteId: 'lr-001',
  channelId: s.channelId,
  status,
  attempts: 1,
  staleReclaims: 0,
  claimedBy: 'bench',
  claimedAt: at,
  messageId: status === 'sent' ? '1' : null,
  sentAt: status === 'sent' ? at : null,
  lastError: status === 'failed' ? 'bench' : null,
  nextAttemptAt: status === 'failed' ? new Date(at.getTime() + 30 * 60_000) : null,
  updatedAt: at,
});
// The steady state at `start`: yesterday's posts all sent; today's sent where due, but a few failed or missing.
const todayOf = new Map(zones.map((z) => [z, localDate(start, z)]));
const posts: PostRecord[] = [];
for (const s of schedules) if (s.state === 'active') posts.push(post(s, addDays(todayOf.get(s.timeZone) as string, -1), 'sent', start));
for (const action of dueSchedules(schedules, [], start)) {
  if (action.kind !== 'claim') continue;
  const r = random();
  if (r < 0.98) posts.push(post(action.schedule, action.localDate, 'sent', start));
  else if (r < 0.99) posts.push(post(action.schedule, action.localDate, 'failed', start));
}
/** One decision, timed; then, as the scheduler would, the posts it found due go out (recorded as sent). */
const decide = (at: Date) => {
  const t = performance.now();
  const actions = dueSchedules(schedules, posts, at);
  const ms = performance.now() - t;
  for (const a of actions) if (a.kind === 'claim' || a.kind === 'retry') posts.push(post(a.schedule, a.localDate, 'sent', at));
  return { ms, due: actions.length };
};
decide(start);
decide(start);
const ticks: number[] = [];
let due = 0;
for (let i = 0; i < TICKS; i++) {
  const d = decide(new Date(start.getTime() + i * 60_000));
  ticks.push(d.ms);
  due = Math.max(due, d.due);
}
// The first tick of a local day: every zone's day is new (offsets probed again).
const dayStarts = [1, 2, 3].map((k) => decide(new Date(start.getTime() + k * 86_400_000)).ms);

// ---- 2. the burst -----------------------------------------------------------
const db = openDatabase(':memory:');
const store = new DailyStore(db);
const created = new Date('2026-03-09T12:00:00Z');
const zone = 'Europe/Berlin';
db.transaction(() => {
  for (let i = 0; i < BURST; i++) {
    store.upsertSchedule({ guildId: `g${i}`, channelId: `c${i}`, time: '09:00', timeZone: zone, roleId: null, thread: i % 10 < 3 }, created);
  }
})();
const slot = new Date('2026-03-10T08:00:00Z'); // 09:00 in Berlin (CET)
let virtual = slot.getTime();
/** Discord's global limit, strictly: at most 50 requests in any second. */
const PER_SECOND = 50;
const recent: number[] = [];
const sentAt: number[] = [];
const request = (): number => {
  let at = virtual;
  if (recent.length === PER_SECOND) at = Math.max(at, (recent.shift() as number) + 1000);
  recent.push(at);
  sentAt.push(at);
  virtual = at;
  return at;
};
const LATENCY_MS = 80;
let requests = 0;
let lastDone = slot.getTime();
const deliver = async (job: DeliveryJob) => {
  // The message, then (with a thread) the thread and its opening message, one after the other.
  for (let k = 0; k < (job.thread ? 3 : 1); k++) {
    request();
    requests++;
  }
  lastDone = Math.max(lastDone, virtual + LATENCY_MS);
  return { messageId: `m${requests}` };
};
const rotation = createRotation(['lr-001', 'lr-002', 'lr-003']);
const silent = { info() {}, warn() {}, error() {} };
const scheduler = new DailyScheduler({ store, clock: () => new Date(virtual), deliver, pickQuote: (d) => rotation.voiceOf(d), log: silent });
const t0 = performance.now();
const summary = await scheduler.tick();
const tickMs = performance.now() - t0;
const recorded = store.listPostsBetween('2026-03-10', '2026-03-10');
let worstWindow = 0;
for (let i = 0, j = 0; i < sentAt.length; i++) {
  while ((sentAt[j] as number) <= (sentAt[i] as number) - 1000) j++;
  worstWindow = Math.max(worstWindow, i - j + 1);
}
db.close();

const tick = summarize(ticks);
console.log(
  JSON.stringify({
    servers: SERVERS,
    zones: zones.length,
    posts_indexed: posts.length,
    due_per_tick_max: due,
    tick_ms: { p50: round(tick.p50), p99: round(tick.p99), max: round(tick.max), n: tick.n },
    tick_ms_day_start: round(Math.max(...dayStarts)),
    burst: {
      posts: BURST,
      requests,
      sent: summary.sent,
      failed: summary.failed,
      skipped: summary.skipped,
      errors: summary.errors,
      recorded_sent: recorded.filter((p) => p.status === 'sent').length,
      simulated_s: round((lastDone - slot.getTime()) / 1000),
      max_requests_in_any_second: worstWindow,
      tick_cpu_ms: round(tickMs),
    },
  }),
);
