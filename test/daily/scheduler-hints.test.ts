/**
 * The scheduler with check hints: a tick reads only the schedules whose hint
 * has come, the full pass (first tick, then hourly) is the safety net, and
 * every guarantee of the plain decision still holds.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { openDatabase } from '../../src/db/database.js';
import type { SqliteDatabase } from '../../src/db/database.js';
import { DailyScheduler } from '../../src/daily/scheduler.js';
import type { DeliveryJob, DeliveryResult } from '../../src/daily/ports.js';
import type { DailySchedulerOptions, SchedulerLog, TickSummary } from '../../src/daily/scheduler.js';
import type { DailyStore } from '../../src/daily/store.js';
import { SqliteDailyStore } from '../../src/daily/sqlite-store.js';
import type { DueSnapshot, FullSnapshot, ScheduleInput } from '../../src/daily/store.js';



const at = (text: string): Date => new Date(text);
const MINUTE = 60_000;
/** Hints alone: no full pass after the first (a week between them). */
const HINTS_ONLY = 7 * 24 * 60;

const utc: ScheduleInput = { guildId: 'g1', channelId: 'c1', time: '09:00', timeZone: 'UTC', roleId: null, thread: false };

/** A store that counts what the scheduler reads. */
class CountingStore extends SqliteDailyStore {
  dueIds = 0;
  schedulesRead = 0;
  postsRead = 0;
  fullReads = 0;
  override async dueSnapshot(now: Date, from: string, to: string, own?: (guildId: string) => boolean): Promise<DueSnapshot> {
    // Every due id passes the shard's filter once: counting the calls counts the ids read.
    const read = await super.dueSnapshot(now, from, to, (guildId) => {
      this.dueIds++;
      return own ? own(guildId) : true;
    });
    this.schedulesRead += read.schedules.length;
    this.postsRead += read.posts.length;
    return read;
  }
  override async fullSnapshot(now: Date, from: string, to: string): Promise<FullSnapshot> {
    const read = await super.fullSnapshot(now, from, to);
    this.fullReads++;
    this.schedulesRead += read.schedules.length;
    this.postsRead += read.posts.length;
    return read;
  }
  reset(): void {
    this.dueIds = this.schedulesRead = this.postsRead = this.fullReads = 0;
  }
}

interface Harness {
  db: SqliteDatabase;
  store: DailyStore;
  clock: { now: Date };
  set(text: string): void;
  jobs: DeliveryJob[];
  logs: Array<{ level: string; details: object; message: string }>;
  /** A scheduler on its own connection to the same file (another process, a restart, a shard). */
  scheduler(overrides?: Partial<DailySchedulerOptions>): { scheduler: DailyScheduler; store: CountingStore };
}

function harness(t: TestContext, file?: string): Harness {
  let target = file;
  if (target === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-hints-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    target = path.join(dir, 'bot.db');
  }
  const where = target;
  const db = openDatabase(where);
  t.after(() => db.close());
  const clock = { now: at('2026-06-01T00:00:00Z') };
  const jobs: DeliveryJob[] = [];
  const logs: Harness['logs'] = [];
  const log: SchedulerLog = {
    info: (details, message) => logs.push({ level: 'info', details, message }),
    warn: (details, message) => logs.push({ level: 'warn', details, message }),
    error: (details, message) => logs.push({ level: 'error', details, message }),
  };
  return {
    db,
    store: new SqliteDailyStore(db),
    clock,
    set: (text) => {
      clock.now = at(text);
    },
    jobs,
    logs,
    scheduler(overrides = {}) {
      const own = where === ':memory:' ? db : openDatabase(where);
      if (own !== db) t.after(() => own.close());
      const store = new CountingStore(own);
      let count = 0;
      const scheduler = new DailyScheduler({
        store,
        clock: () => clock.now,
        log,
        pickQuote: async () => ({ quoteId: 'q1', theme: null }),
        deliver: async (job) => {
          jobs.push(job);
          await new Promise((resolve) => setImmediate(resolve));
          return { messageId: `m${++count}` };
        },
        ...overrides,
      });
      return { scheduler, store };
    },
  };
}

describe('DailyScheduler with check hints', () => {
  it('20,000 schedules, 3 due: the tick reads those 3 and their posts, nothing else', async (t) => {
    const h = harness(t);
    const created = at('2026-05-31T00:00:00Z');
    const insert = h.db.prepare(
      `INSERT INTO daily_schedules (guild_id, channel_id, local_time, time_zone, effective_from, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    // Berlin is UTC+2 in June: the same instants, spread over 10:00-21:59 UTC, in two zones (Berlin's
    // 12:00-23:59: no later, or its times would wrap to early hours already past at 08:29Z, and post).
    const zones = [
      ['UTC', 0],
      ['Europe/Berlin', 2],
    ] as const;
    h.db.transaction(() => {
      // Enough that reading them all would show; how fast 100,000 go is npm run bench's to measure.
      for (let i = 0; i < 20_000; i++) {
        const [zone, shift] = zones[i % 2] ?? zones[0];
        const minute = 600 + (i % 720) + shift * 60;
        const time = `${String(Math.floor(minute / 60) % 24).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
        insert.run(`g${i}`, `c${i}`, time, zone, created.getTime(), created.getTime(), created.getTime());
      }
    })();
    for (const guildId of ['due-a', 'due-b', 'due-c']) await h.store.upsertSchedule({ ...utc, guildId, time: '08:30' }, created);
    const { scheduler, store } = h.scheduler();

    // The first tick is the full pass: it decides over everything and stores every hint.
    h.set('2026-06-01T08:29:00Z');
    const first = await scheduler.tick();
    assert.equal(first.fullPass, true);
    assert.equal(first.checked, 20_003);
    assert.equal((await h.store.listDueScheduleIds(at('2026-06-01T08:29:00Z'))).length, 0, 'every hint set, none come');
    assert.equal(first.due, 0, 'nothing is due before 10:00Z');
    const posted = h.jobs.length;

    store.reset();
    h.set('2026-06-01T08:30:00Z');
    const tick = await scheduler.tick();
    assert.equal(tick.fullPass, false);
    assert.equal(tick.checked, 3);
    assert.equal(tick.due, 3);
    assert.equal(tick.sent, 3);
    assert.deepEqual(
      h.jobs.slice(posted).map((job) => job.guildId),
      ['due-a', 'due-b', 'due-c'],
    );
    assert.deepEqual(
      { dueIds: store.dueIds, schedulesRead: store.schedulesRead, postsRead: store.postsRead, fullReads: store.fullReads },
      { dueIds: 3, schedulesRead: 3, postsRead: 0, fullReads: 0 },
    );

    // Their hints moved to tomorrow: the next minute reads nothing at all.
    store.reset();
    h.set('2026-06-01T08:31:00Z');
    const next = await scheduler.tick();
    assert.equal(next.checked, 0);
    assert.equal(store.dueIds, 0);
    assert.equal((await h.store.getCheckHint((await h.store.listGuildSchedules('due-a'))[0]?.id ?? 0))?.toISOString(), '2026-06-02T08:30:00.000Z');
  });

  it('the safety net: a corrupted hint holds a post back until the next full pass, which posts it and warns', async (t) => {
    const h = harness(t);
    for (const guildId of ['g1', 'g2']) await h.store.upsertSchedule({ ...utc, guildId }, at('2026-05-31T00:00:00Z'));
    const { scheduler } = h.scheduler();
    h.set('2026-06-01T08:30:00Z');
    assert.equal((await scheduler.tick()).fullPass, true); // hints: 09:00 today

    // A bug (simulated): g2's hint jumps to tomorrow.
    h.db.prepare("UPDATE daily_schedules SET next_check_at = ? WHERE guild_id = 'g2'").run(at('2026-06-02T09:00:00Z').getTime());
    h.set('2026-06-01T09:00:00Z');
    await scheduler.tick();
    h.set('2026-06-01T09:15:00Z');
    await scheduler.tick();
    assert.deepEqual(h.jobs.map((job) => job.guildId), ['g1'], 'the hint is trusted between full passes');
    assert.ok(!h.logs.some((l) => l.level === 'warn'));

    h.set('2026-06-01T09:30:00Z'); // an hour after the last full pass
    const net = await scheduler.tick();
    assert.equal(net.fullPass, true);
    assert.deepEqual(h.jobs.map((job) => job.guildId), ['g1', 'g2']);
    assert.equal(h.jobs[1]?.scheduledAt.toISOString(), '2026-06-01T09:00:00.000Z', 'caught up the same local day');
    const warning = h.logs.find((l) => l.level === 'warn');
    assert.match(warning?.message ?? '', /full pass found check hints later than/);
    assert.deepEqual(
      { ...(warning?.details as object), sample: undefined },
      { count: 1, dueNow: 1, sample: undefined },
    );
    assert.equal((await h.store.getCheckHint(2))?.toISOString(), '2026-06-02T09:00:00.000Z', 'posted; tomorrow next');
  });

  it('the safety net corrects a wrong hint before it delays anything', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(utc, at('2026-05-31T00:00:00Z'));
    const { scheduler } = h.scheduler({ fullPassEveryMinutes: 30 });
    h.set('2026-06-01T08:00:00Z');
    await scheduler.tick();
    h.db.prepare("UPDATE daily_schedules SET next_check_at = ? WHERE guild_id = 'g1'").run(at('2026-06-01T23:00:00Z').getTime());
    h.set('2026-06-01T08:30:00Z');
    assert.equal((await scheduler.tick()).fullPass, true);
    const warning = h.logs.find((l) => l.level === 'warn');
    assert.equal((warning?.details as { dueNow?: number }).dueNow, 0);
    assert.equal((await h.store.getCheckHint(1))?.toISOString(), '2026-06-01T09:00:00.000Z');
    h.set('2026-06-01T09:00:00Z');
    assert.equal((await scheduler.tick()).sent, 1, 'on time');
  });

  it('two schedulers on one file, ticking together on hints: exactly one post each', async (t) => {
    const h = harness(t);
    for (let i = 0; i < 20; i++) await h.store.upsertSchedule({ ...utc, guildId: `g${i}` }, at('2026-05-31T00:00:00Z'));
    const a = h.scheduler({ fullPassEveryMinutes: HINTS_ONLY }).scheduler;
    const b = h.scheduler({ fullPassEveryMinutes: HINTS_ONLY }).scheduler;
    h.set('2026-06-01T08:00:00Z');
    await Promise.all([a.tick(), b.tick()]);
    for (const minute of ['09:00', '09:01', '09:02']) {
      h.set(`2026-06-01T${minute}:00Z`);
      const [x, y] = await Promise.all([a.tick(), b.tick()]);
      assert.equal(x.fullPass || y.fullPass, false);
    }
    assert.equal(h.jobs.length, 20);
    assert.equal(new Set(h.jobs.map((job) => job.guildId)).size, 20);
    assert.equal((await h.store.listDueScheduleIds(at('2026-06-01T09:03:00Z'))).length, 0);
  });

  it('restart mid-day: the new process’s full pass finds nothing, and its ticks read nothing until tomorrow', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(utc, at('2026-05-31T00:00:00Z'));
    const before = h.scheduler().scheduler;
    h.set('2026-06-01T09:00:00Z');
    await before.tick();
    await before.stop();
    const { scheduler: after, store } = h.scheduler({ fullPassEveryMinutes: HINTS_ONLY });
    h.set('2026-06-01T12:00:00Z');
    const first = await after.tick();
    assert.deepEqual([first.fullPass, first.checked, first.due], [true, 1, 0]);
    store.reset();
    for (const time of ['2026-06-01T12:01:00Z', '2026-06-01T23:59:00Z', '2026-06-02T08:59:00Z']) {
      h.set(time);
      assert.equal((await after.tick()).checked, 0);
    }
    assert.equal(store.dueIds, 0);
    h.set('2026-06-02T09:00:00Z');
    assert.equal((await after.tick()).sent, 1);
    assert.deepEqual(h.jobs.map((job) => job.localDate), ['2026-06-01', '2026-06-02']);
  });

  it('shards: each decides only its own guilds; another shard’s due guild is left for it, hint untouched', async (t) => {
    const h = harness(t);
    for (const guildId of ['1', '2', '3', '4']) await h.store.upsertSchedule({ ...utc, guildId }, at('2026-05-31T00:00:00Z'));
    const even = h.scheduler({ fullPassEveryMinutes: HINTS_ONLY, guildFilter: (id) => Number(id) % 2 === 0 });
    const odd = h.scheduler({ fullPassEveryMinutes: HINTS_ONLY, guildFilter: (id) => Number(id) % 2 === 1 });
    h.set('2026-06-01T08:00:00Z');
    await even.scheduler.tick();
    await odd.scheduler.tick();
    h.set('2026-06-01T09:00:00Z');
    even.store.reset();
    const evenTick = await even.scheduler.tick();
    assert.deepEqual([evenTick.checked, evenTick.sent], [2, 2]);
    assert.equal(even.store.dueIds, 4, 'the odd shard’s guilds cost their ids, not their rows');
    assert.equal(even.store.schedulesRead, 2);
    assert.equal((await h.store.getCheckHint((await h.store.findSchedule('1', 'c1'))?.id ?? 0))?.toISOString(), '2026-06-01T09:00:00.000Z', 'left due for its own shard');
    h.set('2026-06-01T09:01:00Z');
    assert.equal((await odd.scheduler.tick()).sent, 2, 'a minute late: its own tick');
    assert.deepEqual(h.jobs.map((job) => job.guildId).sort(), ['1', '2', '3', '4']);
  });

  it('on hints alone: backoff retries, a stale claim taken over at the next tick, three failed days pause', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(utc, at('2026-05-31T00:00:00Z'));
    await h.store.upsertSchedule({ ...utc, guildId: 'crashed' }, at('2026-05-31T00:00:00Z'));
    await h.store.upsertSchedule({ ...utc, guildId: 'broken' }, at('2026-05-31T00:00:00Z'));
    const outcomes: Record<string, DeliveryResult[]> = { g1: [{ error: 'HTTP 503', retryable: true }] };
    const attempts: string[] = [];
    const { scheduler, store } = h.scheduler({
      fullPassEveryMinutes: HINTS_ONLY,
      deliver: async (job) => {
        attempts.push(`${job.guildId}@${h.clock.now.toISOString().slice(5, 16)}#${job.attempt}`);
        if (job.guildId === 'broken') return { error: 'Missing Access', retryable: false };
        return outcomes[job.guildId]?.shift() ?? { messageId: 'm' };
      },
    });
    // A previous process claimed 'crashed' at 09:00 and died.
    await h.store.claimPost((await h.store.findSchedule('crashed', 'c1'))?.id ?? 0, '2026-06-01', 'q1', at('2026-06-01T09:00:00Z'), 'dead');
    const reads: number[] = [];
    for (let t0 = at('2026-06-01T08:00:00Z').getTime(); t0 <= at('2026-06-04T10:00:00Z').getTime(); t0 += MINUTE) {
      h.clock.now = new Date(t0);
      const summary: TickSummary = await scheduler.tick();
      reads.push(summary.checked ?? 0);
    }
    // In schedule order (g1, crashed, broken) within a minute.
    assert.deepEqual(attempts, [
      'g1@06-01T09:00#1',
      'broken@06-01T09:00#1',
      'crashed@06-01T09:01#2',
      'g1@06-01T09:02#2',
      'g1@06-02T09:00#1',
      'crashed@06-02T09:00#1',
      'broken@06-02T09:00#1',
      'g1@06-03T09:00#1',
      'crashed@06-03T09:00#1',
      'broken@06-03T09:00#1',
      'g1@06-04T09:00#1',
      'crashed@06-04T09:00#1',
    ]);
    assert.equal((await h.store.findSchedule('broken', 'c1'))?.state, 'paused');
    assert.equal(store.fullReads, 1, 'one full pass, at the start');
    // 3 days and 2 hours of minute ticks; past the first (full) pass, schedules were read only when something
    // was due: day 1 g1 and broken at 09:00, the takeover at 09:01, g1's retry at 09:02; then 3, 3 and 2 a day.
    assert.equal(reads.length, 4441);
    assert.deepEqual(
      reads.flatMap((n, minute) => (n > 0 ? [`${minute}:${n}`] : [])),
      ['0:3', '60:2', '61:1', '62:1', '1500:3', '2940:3', '4380:2'],
    );
  });

  it('decides exactly as a full pass every minute would, across clock changes (minute by minute)', async (t) => {
    const times = ['00:00', '00:30', '01:45', '02:15', '02:30', '03:00', '23:59'];
    // From about half a day before each change (hints computed on a steady day reach over it) to half a day after.
    const windows: [string, string, string[]][] = [
      ['2026-03-28T11:00:00Z', '2026-03-29T13:00:00Z', ['Europe/Berlin', 'Pacific/Kiritimati']], // forward
      ['2026-10-24T11:00:00Z', '2026-10-25T13:00:00Z', ['Europe/Berlin']], // back
      ['2026-04-04T04:00:00Z', '2026-04-05T12:00:00Z', ['Australia/Lord_Howe', 'America/Santiago']], // both back
      ['2026-10-03T02:00:00Z', '2026-10-04T04:00:00Z', ['Australia/Lord_Howe']], // forward half an hour
      ['2026-03-07T18:00:00Z', '2026-03-08T18:00:00Z', ['America/St_Johns']], // forward
    ];
    const run = async (fullPassEveryMinutes: number, from: string, to: string, zones: string[]) => {
      const h = harness(t, ':memory:');
      const created = at('2026-01-01T00:00:00Z');
      let n = 0;
      for (const timeZone of zones) {
        for (const time of times) await h.store.upsertSchedule({ ...utc, guildId: `${timeZone}|${time}|${n++}`, timeZone, time }, created);
      }
      const seen: string[] = [];
      const { scheduler } = h.scheduler({
        fullPassEveryMinutes,
        deliver: async (job) => {
          seen.push(`${h.clock.now.toISOString()} ${job.guildId} ${job.localDate} #${job.attempt}`);
          // Every third guild fails its first attempt of a day, retryably.
          const index = Number(job.guildId.split('|')[2]);
          return index % 3 === 0 && job.attempt === 1 ? { error: 'HTTP 500', retryable: true } : { messageId: 'm' };
        },
      });
      let checked = 0;
      for (let t0 = at(from).getTime(); t0 < at(to).getTime(); t0 += MINUTE) {
        h.clock.now = new Date(t0);
        checked += (await scheduler.tick()).checked ?? 0;
      }
      return { seen, checked };
    };
    for (const [from, to, zones] of windows) {
      const hinted = await run(HINTS_ONLY, from, to, zones);
      const full = await run(0, from, to, zones);
      assert.ok(full.seen.length > 10, `${from}: posts happened (${full.seen.length})`);
      assert.deepEqual(hinted.seen, full.seen, `${from}: the same posts, at the same minutes`);
      assert.ok(hinted.checked < full.checked / 50, `${from}: ${hinted.checked} schedules read, against ${full.checked}`);
    }
  });
});
