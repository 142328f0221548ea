/**
 * Child process: the daily voice at scale.
 *
 * 1. The real tick: `DailyScheduler.tick()` over a SQLite file (WAL,
 *    synchronous = FULL, as the bot runs it) holding 100,000 schedules spread
 *    over every time zone and the posts of the steady state of a day
 *    (yesterday's posts sent, most of today's sent, a few failed with a retry
 *    planned or not yet posted); `deliver` succeeds at once. The first tick
 *    after the upgrade (no check hints yet: a full pass that stores them all),
 *    then 60 successive minute ticks, one of which is the hourly full pass (the
 *    safety net), timed apart. The same servers and posts, then the same
 *    ticks, over PostgreSQL: a fresh database on an embedded server started
 *    (and stopped) here, bulk-seeded in batches of rows.
 * 2. The pure decision alone (`dueSchedules` over all 100,000 and ~150,000
 *    posts), as the scheduler made it every minute before the check hints, and
 *    as its full pass still makes it: successive minute ticks, and the first
 *    tick of a new local day.
 * 3. 10,000 posts due in the same minute, through the real DailyScheduler and
 *    an in-memory SQLite DailyStore, delivered by a fake `deliver` that holds
 *    Discord's global limit of 50 requests a second on a virtual clock (a post
 *    is 1 request, or 3 with its discussion thread). Nothing waits for real.
 *
 * Prints one JSON line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dueSchedules, type PostRecord, type Schedule } from '../src/daily/due.js';
import { createRotation } from '../src/daily/rotation.js';
import type { DeliveryJob } from '../src/daily/ports.js';
import { DailyScheduler } from '../src/daily/scheduler.js';
import { PgDailyStore } from '../src/daily/pg-store.js';
import { SqliteDailyStore } from '../src/daily/sqlite-store.js';
import type { DailyStore } from '../src/daily/store.js';
import { addDays, listTimeZones, localDate } from '../src/daily/time.js';
import { openDatabase } from '../src/db/database.js';
import { openPostgres } from '../src/db/postgres.js';
import { round, summarize } from './stats.js';
import { startPostgres } from '../support/postgres.js';
import { prng } from '../support/synthetic.js';

const SERVERS = Number(process.argv[2] ?? 100_000);
const BURST = Number(process.argv[3] ?? 10_000);
const TICKS = Number(process.argv[4] ?? 60);
/** Which stores the real ticks run over: `sqlite,postgres` (the default), or one of them. */
const ENGINES = (process.argv[5] ?? 'sqlite,postgres').split(',');

// ---- the servers and the steady state of their day ---------------------------
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
    id: i + 1,
    guildId: String(1_100_000_000_000_000_000n + BigInt(i)),
    channelId: String(1_200_000_000_000_000_000n + BigInt(i)),
    channelName: null,
    time: `${pad(hour)}:${pad(minute)}`,
    timeZone: zones[Math.floor(random() * zones.length)] as string,
    days: 127,
    quizDays: 0,
    roleId: null,
    thread: random() < 0.3,
    language: 'en',
    state: s < 0.95 ? 'active' : s < 0.99 ? 'paused' : 'off',
    pausedReason: null,
    pausedUntil: null,
    failedDays: 0,
    effectiveFrom: since,
    createdAt: since,
    updatedAt: since,
  });
}
const start = new Date('2026-03-10T14:07:00Z');
const post = (s: Schedule, date: string, status: PostRecord['status'], at: Date): PostRecord => ({
  scheduleId: s.id,
  guildId: s.guildId,
  localDate: date,
  quoteId: 'lr-001',
  theme: null,
  quizId: null,
  channelId: s.channelId,
  status,
  attempts: 1,
  staleReclaims: 0,
  claimedBy: 'bench',
  claimedAt: at,
  nonceSince: at,
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
const steadyPosts = posts.slice();

// ---- 1. the real tick ----------------------------------------------------------
interface Minute {
  ms: number;
  full: boolean;
  checked: number;
  due: number;
  sent: number;
}
/** The first tick after the upgrade, then TICKS successive minute ticks, through the real scheduler over `store`. */
async function realTicks(store: DailyStore) {
  let now = start;
  const scheduler = new DailyScheduler({
    store,
    clock: () => now,
    deliver: async () => ({ messageId: '1' }),
    pickQuote: async () => ({ quoteId: 'lr-001', theme: null }),
    log: { info() {}, warn() {}, error() {} },
  });
  const timed = async (at: Date) => {
    now = at;
    const t = performance.now();
    const summary = await scheduler.tick();
    return { ms: performance.now() - t, summary };
  };
  const first = await timed(start);
  const minutes: Minute[] = [];
  for (let i = 1; i <= TICKS; i++) {
    const { ms, summary } = await timed(new Date(start.getTime() + i * 60_000));
    minutes.push({ ms, full: summary.fullPass === true, checked: summary.checked ?? 0, due: summary.due, sent: summary.sent });
  }
  return { first, minutes };
}

/** The real ticks' figures, the same for every engine. */
function reportTicks(store: string, seedMs: number, real: Awaited<ReturnType<typeof realTicks>>) {
  const hinted = real.minutes.filter((m) => !m.full);
  const fullPasses = real.minutes.filter((m) => m.full);
  const busiest = hinted.reduce((a, b) => (b.due > a.due ? b : a));
  const hintedMs = summarize(hinted.map((m) => m.ms));
  const allMs = summarize(real.minutes.map((m) => m.ms));
  const median = (values: number[]) => summarize(values).p50;
  return {
    store,
    schedules: SERVERS,
    active: schedules.filter((s) => s.state === 'active').length,
    posts: steadyPosts.length,
    seed_ms: round(seedMs),
    tick_ms: { p50: round(hintedMs.p50), p99: round(hintedMs.p99), max: round(hintedMs.max), n: hintedMs.n },
    checked_per_tick: { p50: median(hinted.map((m) => m.checked)), max: Math.max(...hinted.map((m) => m.checked)) },
    due_per_tick: { p50: median(hinted.map((m) => m.due)), max: busiest.due },
    busiest_tick: { due: busiest.due, sent: busiest.sent, ms: round(busiest.ms) },
    full_pass_ms: round(Math.max(...fullPasses.map((m) => m.ms))),
    full_passes: fullPasses.length,
    full_pass_checked: fullPasses[0]?.checked ?? 0,
    all_ticks_ms: { p50: round(allMs.p50), p99: round(allMs.p99), max: round(allMs.max), n: allMs.n },
    first_tick_after_upgrade: {
      ms: round(real.first.ms),
      checked: real.first.summary.checked ?? 0,
      due: real.first.summary.due,
      sent: real.first.summary.sent,
    },
  };
}

/** The SQLite file, WAL and synchronous = FULL as the bot opens it, seeded in one transaction. */
async function onSqlite() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-bench-scheduler-'));
  try {
    const file = openDatabase(path.join(dir, 'bot.db'));
    const t = performance.now();
    const insertSchedule = file.prepare(`
      INSERT INTO daily_schedules (id, guild_id, channel_id, local_time, time_zone, role_id, thread, state, paused_reason,
                                   failed_days, effective_from, created_at, updated_at)
      VALUES (@id, @guildId, @channelId, @time, @timeZone, NULL, @thread, @state, NULL, 0, @since, @since, @since)`);
    const insertPost = file.prepare(`
      INSERT INTO daily_posts (schedule_id, guild_id, local_date, quote_id, channel_id, status, attempts, stale_reclaims,
                               claimed_by, claimed_at, nonce_since, message_id, sent_at, last_error, next_attempt_at,
                               updated_at)
      VALUES (@scheduleId, @guildId, @localDate, @quoteId, @channelId, @status, 1, 0, 'bench', @at, @at, @messageId,
              @sentAt, @lastError, @nextAttemptAt, @at)`);
    file.transaction(() => {
      for (const s of schedules) insertSchedule.run({ ...s, thread: s.thread ? 1 : 0, since: since.getTime() });
      for (const p of steadyPosts) {
        insertPost.run({
          ...p,
          at: p.claimedAt.getTime(),
          sentAt: p.sentAt?.getTime() ?? null,
          nextAttemptAt: p.nextAttemptAt?.getTime() ?? null,
        });
      }
    })();
    const seedMs = performance.now() - t;
    try {
      return reportTicks('SQLite file, WAL, synchronous=FULL', seedMs, await realTicks(new SqliteDailyStore(file)));
    } finally {
      file.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A fresh database on an embedded PostgreSQL started here with its default
 * crash safety (fsync, synchronous commit), over TCP on loopback as a server
 * on the same machine is reached; migrated as the bot migrates it, seeded in
 * batches of rows (one INSERT … SELECT FROM unnest(arrays) each), then
 * analysed as autovacuum would after such a load. Stopped at the end.
 */
async function onPostgres() {
  const cleanups: (() => unknown)[] = [];
  try {
    const server = await startPostgres({ after: (fn) => void cleanups.push(fn as () => unknown) }, { durable: true });
    const pool = await openPostgres(await server.freshDatabase());
    cleanups.push(() => pool.end());
    const t = performance.now();
    const BATCH = 10_000;
    for (let i = 0; i < schedules.length; i += BATCH) {
      const batch = schedules.slice(i, i + BATCH);
      await pool.query(
        `INSERT INTO daily_schedules (id, guild_id, channel_id, local_time, time_zone, role_id, thread, state, paused_reason,
                                      failed_days, effective_from, created_at, updated_at)
         SELECT id, guild_id, channel_id, local_time, time_zone, NULL, thread, state, NULL, 0, $6, $6, $6
         FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[], $7::integer[], $8::text[])
           AS v(id, guild_id, channel_id, local_time, time_zone, thread, state)`,
        [
          batch.map((s) => s.id),
          batch.map((s) => s.guildId),
          batch.map((s) => s.channelId),
          batch.map((s) => s.time),
          batch.map((s) => s.timeZone),
          since.getTime(),
          batch.map((s) => (s.thread ? 1 : 0)),
          batch.map((s) => s.state),
        ],
      );
    }
    // The ids were given: the identity goes on after them, as after a copy.
    await pool.query(`SELECT setval(pg_get_serial_sequence('daily_schedules', 'id'), (SELECT max(id) FROM daily_schedules))`);
    for (let i = 0; i < steadyPosts.length; i += BATCH) {
      const batch = steadyPosts.slice(i, i + BATCH);
      await pool.query(
        `INSERT INTO daily_posts (schedule_id, guild_id, local_date, quote_id, channel_id, status, attempts, stale_reclaims,
                                  claimed_by, claimed_at, nonce_since, message_id, sent_at, last_error, next_attempt_at,
                                  updated_at)
         SELECT schedule_id, guild_id, local_date, quote_id, channel_id, status, 1, 0, 'bench', at, at, message_id, sent_at,
                last_error, next_attempt_at, at
         FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[],
                     $9::bigint[], $10::text[], $11::bigint[])
           AS v(schedule_id, guild_id, local_date, quote_id, channel_id, status, at, message_id, sent_at, last_error,
                next_attempt_at)`,
        [
          batch.map((p) => p.scheduleId),
          batch.map((p) => p.guildId),
          batch.map((p) => p.localDate),
          batch.map((p) => p.quoteId),
          batch.map((p) => p.channelId),
          batch.map((p) => p.status),
          batch.map((p) => p.claimedAt.getTime()),
          batch.map((p) => p.messageId),
          batch.map((p) => p.sentAt?.getTime() ?? null),
          batch.map((p) => p.lastError),
          batch.map((p) => p.nextAttemptAt?.getTime() ?? null),
        ],
      );
    }
    await pool.query('VACUUM ANALYZE daily_schedules');
    await pool.query('VACUUM ANALYZE daily_posts');
    const seedMs = performance.now() - t;
    return reportTicks('PostgreSQL (embedded, loopback TCP, fsync on, synchronous_commit on)', seedMs, await realTicks(new PgDailyStore(pool)));
  } finally {
    // Last opened, first closed: the pool, then the server (and its data directory).
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

const realSqlite = ENGINES.includes('sqlite') ? await onSqlite() : null;
const realPostgres = ENGINES.includes('postgres') ? await onPostgres() : null;

// ---- 2. the pure decision --------------------------------------------------------
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

// ---- 3. the burst -----------------------------------------------------------
const db = openDatabase(':memory:');
const store = new SqliteDailyStore(db);
const created = new Date('2026-03-09T12:00:00Z');
const zone = 'Europe/Berlin';
for (let i = 0; i < BURST; i++) {
  await store.upsertSchedule({ guildId: `g${i}`, channelId: `c${i}`, time: '09:00', timeZone: zone, roleId: null, thread: i % 10 < 3 }, created);
}
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
const scheduler = new DailyScheduler({ store, clock: () => new Date(virtual), deliver, pickQuote: async (_s, d) => ({ quoteId: rotation.voiceOf(d), theme: null }), log: silent });
const t0 = performance.now();
const summary = await scheduler.tick();
const tickMs = performance.now() - t0;
const recorded = await store.listPostsBetween('2026-03-10', '2026-03-10');
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
    real_tick: realSqlite,
    real_tick_postgres: realPostgres,
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
