import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import { openDatabase } from '../../src/db/database.js';
import type { SqliteDatabase } from '../../src/db/database.js';
import { createRotation } from '../../src/daily/rotation.js';
import { DailyScheduler } from '../../src/daily/scheduler.js';
import type { DeliveryJob, DeliveryResult } from '../../src/daily/ports.js';
import type { DailySchedulerOptions, SchedulerLog } from '../../src/daily/scheduler.js';
import type { DailyStore } from '../../src/daily/store.js';
import { SqliteDailyStore } from '../../src/daily/sqlite-store.js';
import type { ScheduleInput } from '../../src/daily/store.js';

const at = (text: string): Date => new Date(text);

/** Berlin, 09:00 local: 07:00Z in summer. */
const berlin: ScheduleInput = {
  guildId: 'g1',
  channelId: 'c1',
  time: '09:00',
  timeZone: 'Europe/Berlin',
  roleId: 'r1',
  thread: true,
};

interface Harness {
  file: string;
  db: SqliteDatabase;
  store: DailyStore;
  /** The shared fake clock. */
  clock: { now: Date };
  set(text: string): void;
  jobs: DeliveryJob[];
  logs: Array<{ level: string; details: object; message: string }>;
  /** A scheduler on its own connection to the same file (a restart, another shard). */
  scheduler(overrides?: Partial<DailySchedulerOptions>, results?: DeliveryResult[]): DailyScheduler;
}

/**
 * `durable: false` turns off the flush to disk at each commit, for a test of thousands of posts
 * that is about the scheduler, not the disk (6,000 commits, each waiting for the disk, would take
 * most of a minute on a busy machine). That nothing acknowledged is lost is test/db's to show.
 */
function harness(t: TestContext, { durable = true } = {}): Harness {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-scheduler-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'bot.db');
  const open = (): SqliteDatabase => {
    const db = openDatabase(file);
    t.after(() => db.close());
    if (!durable) db.pragma('synchronous = OFF');
    return db;
  };
  const connect = (): DailyStore => new SqliteDailyStore(open());
  const db = open();
  const store = new SqliteDailyStore(db);
  const clock = { now: at('2026-06-01T00:00:00Z') };
  const jobs: DeliveryJob[] = [];
  const logs: Harness['logs'] = [];
  const log: SchedulerLog = {
    info: (details, message) => logs.push({ level: 'info', details, message }),
    warn: (details, message) => logs.push({ level: 'warn', details, message }),
    error: (details, message) => logs.push({ level: 'error', details, message }),
  };
  const rotation = createRotation(['q1', 'q2', 'q3', 'q4', 'q5']);
  return {
    file,
    db,
    store,
    clock,
    set: (text) => {
      clock.now = at(text);
    },
    jobs,
    logs,
    scheduler(overrides = {}, results = []) {
      let count = 0;
      return new DailyScheduler({
        store: connect(),
        clock: () => clock.now,
        log,
        pickQuote: async (_schedule, date) => ({ quoteId: rotation.voiceOf(date), theme: null }),
        deliver: async (job) => {
          jobs.push(job);
          await new Promise((resolve) => setImmediate(resolve)); // let other schedulers interleave
          return results.shift() ?? { messageId: `m${++count}` };
        },
        ...overrides,
      });
    },
  };
}

describe('DailyScheduler', () => {
  it('posts at the local time, once, with everything the Discord side needs', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-06-01T00:00:00Z'));
    const scheduler = h.scheduler();

    h.set('2026-06-01T06:59:59Z');
    assert.equal((await scheduler.tick()).due, 0);
    h.set('2026-06-01T07:00:00Z');
    const summary = await scheduler.tick();
    assert.equal(summary.sent, 1);
    assert.deepEqual(h.jobs, [
      {
        scheduleId: 1,
        guildId: 'g1',
        channelId: 'c1',
        roleId: 'r1',
        thread: true,
        language: 'en',
        localDate: '2026-06-01',
        quoteId: createRotation(['q1', 'q2', 'q3', 'q4', 'q5']).voiceOf('2026-06-01'),
        timeZone: 'Europe/Berlin',
        scheduledAt: at('2026-06-01T07:00:00Z'),
        attempt: 1,
        nonce: 'hv:1:20260601',
        quizId: null,
      },
    ]);
    const post = await h.store.getPost(1, '2026-06-01');
    assert.equal(post?.status, 'sent');
    assert.equal(post?.messageId, 'm1');
    assert.equal(await h.store.getPostedQuoteId(1, '2026-06-01'), h.jobs[0]?.quoteId);

    h.set('2026-06-01T07:01:00Z');
    await scheduler.tick();
    h.set('2026-06-01T21:59:00Z');
    await scheduler.tick();
    assert.equal(h.jobs.length, 1, 'one post per local day');
  });

  it('restart mid-day: a new scheduler on the same database does not post again', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-06-01T00:00:00Z'));
    h.set('2026-06-01T07:00:00Z');
    const before = h.scheduler();
    await before.tick();
    await before.stop();
    h.set('2026-06-01T12:00:00Z');
    const after = h.scheduler();
    const summary = await after.tick();
    assert.equal(summary.due, 0);
    assert.equal(h.jobs.length, 1);
  });

  it('two schedulers on one database ticking at the same instant: exactly one post', async (t) => {
    const h = harness(t);
    for (let i = 0; i < 20; i++) await h.store.upsertSchedule({ ...berlin, guildId: `g${i}` }, at('2026-06-01T00:00:00Z'));
    h.set('2026-06-01T07:00:00Z');
    const [a, b] = await Promise.all([h.scheduler().tick(), h.scheduler().tick()]);
    assert.equal(h.jobs.length, 20);
    assert.equal(new Set(h.jobs.map((job) => job.guildId)).size, 20);
    assert.equal(a.sent + b.sent, 20);
    // Whatever one saw as due and the other won, it skipped.
    assert.equal(a.skipped + b.skipped, a.due + b.due - 20);
    assert.ok(a.skipped + b.skipped > 0, 'the two really competed for claims');
  });

  it('catches up after downtime the same local day, never for a day already gone', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-05-31T00:00:00Z'));
    // Down from before 09:00 on 05-31 until 08:00 local on 06-01: 05-31 is gone.
    h.set('2026-06-01T06:00:00Z');
    const scheduler = h.scheduler();
    await scheduler.tick();
    assert.equal(h.jobs.length, 0);
    assert.equal(await h.store.getPost(1, '2026-05-31'), null);
    // Down over 09:00 on 06-01, back at 15:00 local: posts once, late.
    h.set('2026-06-01T13:00:00Z');
    await scheduler.tick();
    assert.equal(h.jobs.length, 1);
    assert.equal(h.jobs[0]?.localDate, '2026-06-01');
    assert.equal(h.jobs[0]?.scheduledAt.toISOString(), '2026-06-01T07:00:00.000Z');
  });

  it('start() ticks at once to catch up, then stop() waits for it', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-06-01T00:00:00Z'));
    h.set('2026-06-01T10:00:00Z');
    const scheduler = h.scheduler();
    scheduler.start();
    scheduler.start(); // idempotent
    await scheduler.stop();
    assert.equal(h.jobs.length, 1);
    assert.equal((await h.store.getPost(1, '2026-06-01'))?.status, 'sent');
  });

  it('crash between claim and send: the claim is taken over at the next tick, same quote, same nonce', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-06-01T00:00:00Z'));
    // A previous process claimed at 09:00 local and died before (or after) sending.
    await h.store.claimPost(1, '2026-06-01', 'q-claimed', at('2026-06-01T07:00:00Z'), 'dead-process');
    const scheduler = h.scheduler();
    h.set('2026-06-01T07:00:30Z');
    await scheduler.tick();
    assert.equal(h.jobs.length, 0, 'maybe still delivering');
    h.set('2026-06-01T07:01:00Z');
    await scheduler.tick();
    assert.equal(h.jobs.length, 1);
    assert.equal(h.jobs[0]?.quoteId, 'q-claimed');
    assert.equal(h.jobs[0]?.attempt, 2);
    assert.equal(h.jobs[0]?.nonce, 'hv:1:20260601', 'the nonce of the lost attempt: Discord returns its message');
    assert.equal((await h.store.getPost(1, '2026-06-01'))?.status, 'sent');
    assert.ok(h.logs.some((l) => l.message.startsWith('daily: taking over a claim left without outcome')));
  });

  it('a lost outcome found after Discord may have forgotten the nonce: not retried, recorded as a failed day', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-06-01T00:00:00Z'));
    await h.store.claimPost(1, '2026-06-01', 'q-claimed', at('2026-06-01T07:00:00Z'), 'dead-1');
    // The process that took it over died too, and nothing ran for two hours.
    await h.store.reclaimStale(1, '2026-06-01', at('2026-06-01T07:01:00Z'), 'dead-2');
    h.set('2026-06-01T09:00:00Z');
    const summary = await h.scheduler().tick();
    assert.equal(h.jobs.length, 0);
    assert.equal(summary.due, 1);
    const post = await h.store.getPost(1, '2026-06-01');
    assert.equal(post?.status, 'failed');
    assert.equal(post?.nextAttemptAt, null);
    assert.match(post?.lastError ?? '', /^daily: delivery interrupted and not resumed while Discord still remembered its nonce/);
    assert.equal((await h.store.getSchedule(1))?.failedDays, 1);
    h.set('2026-06-01T12:00:00Z');
    await h.scheduler().tick();
    assert.equal(h.jobs.length, 0);
  });

  it('a failure backs off, then retries the same quote', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-06-01T00:00:00Z'));
    const scheduler = h.scheduler({}, [{ error: 'HTTP 503', retryable: true }]);
    h.set('2026-06-01T07:00:00Z');
    const first = await scheduler.tick();
    assert.equal(first.failed, 1);
    const failed = await h.store.getPost(1, '2026-06-01');
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.nextAttemptAt?.toISOString(), '2026-06-01T07:02:00.000Z');

    h.set('2026-06-01T07:01:00Z');
    await scheduler.tick();
    assert.equal(h.jobs.length, 1, 'waiting for the backoff');
    h.set('2026-06-01T07:02:00Z');
    await scheduler.tick();
    assert.equal(h.jobs.length, 2);
    assert.equal(h.jobs[1]?.attempt, 2);
    assert.equal(h.jobs[1]?.quoteId, h.jobs[0]?.quoteId);
    assert.equal((await h.store.getPost(1, '2026-06-01'))?.status, 'sent');
    assert.equal((await h.store.getSchedule(1))?.failedDays, 0);
  });

  it('gives up for the day after the last attempt; a throwing deliver counts as a failure', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-06-01T00:00:00Z'));
    const scheduler = h.scheduler({
      deliver: async (job) => {
        h.jobs.push(job);
        throw new Error('socket hang up');
      },
    });
    h.set('2026-06-01T07:00:00Z');
    for (let i = 0; i < 20; i++) {
      await scheduler.tick();
      const next = (await h.store.getPost(1, '2026-06-01'))?.nextAttemptAt;
      if (!next) break;
      h.clock.now = next;
    }
    assert.deepEqual(
      h.jobs.map((job) => job.attempt),
      [1, 2, 3, 4, 5],
    );
    const post = await h.store.getPost(1, '2026-06-01');
    assert.equal(post?.status, 'failed');
    assert.equal(post?.lastError, 'daily: deliver threw: socket hang up');
    assert.equal((await h.store.getSchedule(1))?.failedDays, 1);
  });

  it('three days of failure in a row pause the schedule with the reason, keeping the settings', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-05-31T00:00:00Z'));
    const scheduler = h.scheduler({
      deliver: async (job) => {
        h.jobs.push(job);
        return { error: 'Missing Permissions', retryable: false };
      },
    });
    for (const date of ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04']) {
      h.set(`${date}T07:00:00Z`);
      await scheduler.tick();
    }
    assert.equal(h.jobs.length, 3, 'no attempt once paused');
    const paused = await h.store.getSchedule(1);
    assert.equal(paused?.state, 'paused');
    assert.match(paused?.pausedReason ?? '', /^daily: paused after 3 days in a row .*Missing Permissions/);
    assert.equal(paused?.channelId, 'c1');
    assert.equal(paused?.time, '09:00');

    // Saving the settings again resumes, from the next slot.
    await h.store.upsertSchedule(berlin, at('2026-06-04T08:00:00Z'));
    h.set('2026-06-05T07:00:00Z');
    await h.scheduler().tick();
    assert.equal(h.jobs.length, 4);
  });

  it('a success between failed days resets the streak', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-05-31T00:00:00Z'));
    const fail: DeliveryResult = { error: 'HTTP 500', retryable: false };
    const scheduler = h.scheduler({}, [fail, fail, { messageId: 'ok' }, fail, fail]);
    for (let day = 1; day <= 5; day++) {
      h.set(`2026-06-0${day}T07:00:00Z`);
      await scheduler.tick();
    }
    assert.equal((await h.store.getSchedule(1))?.state, 'active');
    assert.equal((await h.store.getSchedule(1))?.failedDays, 2);
  });

  it('a permanent error pauses at once', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-06-01T00:00:00Z'));
    h.set('2026-06-01T07:00:00Z');
    const summary = await h.scheduler({}, [{ error: 'Unknown Channel', retryable: false, permanent: true }]).tick();
    assert.equal(summary.paused, 1);
    const schedule = await h.store.getSchedule(1);
    assert.equal(schedule?.state, 'paused');
    assert.match(schedule?.pausedReason ?? '', /^daily: paused after an error that needs a fix: Unknown Channel/);
    assert.equal((await h.store.getPost(1, '2026-06-01'))?.nextAttemptAt, null);
  });

  it('pauses a schedule whose stored zone this runtime cannot use, and posts the others', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-06-01T00:00:00Z'));
    await h.store.upsertSchedule({ ...berlin, guildId: 'g2' }, at('2026-06-01T00:00:00Z'));
    h.db.prepare("UPDATE daily_schedules SET time_zone = 'Atlantis/Capital' WHERE guild_id = 'g2'").run();
    h.set('2026-06-01T07:00:00Z');
    const summary = await h.scheduler().tick();
    assert.equal(summary.sent, 1);
    assert.equal(summary.paused, 1);
    assert.match((await h.store.getSchedule(2))?.pausedReason ?? '', /daily: unknown time zone "Atlantis\/Capital"/);
  });

  it('never throws: a broken store is logged and the tick resolves', async (t) => {
    const h = harness(t);
    class LockedStore extends SqliteDailyStore {
      override async fullSnapshot(): Promise<never> {
        throw new Error('SQLITE_BUSY: database is locked');
      }
    }
    const summary = await h.scheduler({ store: new LockedStore(h.db) }).tick();
    assert.equal(summary.errors, 1);
    assert.ok(h.logs.some((l) => l.level === 'error' && l.message === 'daily: could not decide which posts are due'));
  });

  it('never throws: even a failing clock only produces a logged, failed tick', async (t) => {
    const h = harness(t);
    const scheduler = h.scheduler({
      clock: () => {
        throw new Error('clock unplugged');
      },
    });
    assert.deepEqual(await scheduler.tick(), { at: null, due: 0, sent: 0, failed: 0, skipped: 0, paused: 0, errors: 1 });
    assert.ok(h.logs.some((l) => l.message === 'daily: tick failed'));
  });

  it('never throws: one guild’s error does not stop the others', async (t) => {
    const h = harness(t);
    for (const guildId of ['a', 'b', 'c']) await h.store.upsertSchedule({ ...berlin, guildId }, at('2026-06-01T00:00:00Z'));
    h.set('2026-06-01T07:00:00Z');
    class FlakyStore extends SqliteDailyStore {
      override async claimPost(scheduleId: number, ...rest: [string, string, Date, string, (string | null)?]): Promise<boolean> {
        if (scheduleId === 2) throw new Error('disk I/O error');
        return super.claimPost(scheduleId, ...rest);
      }
    }
    const summary = await h.scheduler({ store: new FlakyStore(h.db) }).tick();
    assert.equal(summary.errors, 1);
    assert.equal(summary.sent, 2);
    assert.deepEqual(h.jobs.map((job) => job.guildId).sort(), ['a', 'c']);
    assert.ok(h.logs.some((l) => l.level === 'error' && 'guildId' in l.details && l.details.guildId === 'b'));
  });

  it('a quote that cannot be picked is logged, nothing is claimed, and the next tick tries again', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-06-01T00:00:00Z'));
    h.set('2026-06-01T07:00:00Z');
    let loaded = false;
    const scheduler = h.scheduler({
      pickQuote: async () => {
        if (!loaded) throw new Error('rotation: no quotes to choose from');
        return { quoteId: 'q1', theme: null };
      },
    });
    assert.equal((await scheduler.tick()).errors, 1);
    assert.equal(await h.store.getPost(1, '2026-06-01'), null);
    loaded = true;
    assert.equal((await scheduler.tick()).sent, 1);
  });

  it('ticks never overlap: a tick during a tick joins it', async (t) => {
    const h = harness(t);
    await h.store.upsertSchedule(berlin, at('2026-06-01T00:00:00Z'));
    h.set('2026-06-01T07:00:00Z');
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const scheduler = h.scheduler({
      deliver: async (job) => {
        h.jobs.push(job);
        await gate;
        return { messageId: 'm' };
      },
    });
    const first = scheduler.tick();
    const second = scheduler.tick();
    assert.equal(first, second);
    release();
    await first;
    assert.equal(h.jobs.length, 1);
  });

  it('delivers only its own guilds with a guild filter (a shard)', async (t) => {
    const h = harness(t);
    for (let i = 0; i < 10; i++) await h.store.upsertSchedule({ ...berlin, guildId: String(i) }, at('2026-06-01T00:00:00Z'));
    h.set('2026-06-01T07:00:00Z');
    await h.scheduler({ guildFilter: (id) => Number(id) % 2 === 0 }).tick();
    assert.deepEqual(
      h.jobs.map((job) => job.guildId),
      ['0', '2', '4', '6', '8'],
    );
  });

  it('the same date gives the same quote in every server; dates differ by zone', async (t) => {
    const h = harness(t);
    const created = at('2025-12-31T00:00:00Z');
    await h.store.upsertSchedule({ ...berlin, guildId: 'berlin', timeZone: 'Europe/Berlin' }, created);
    await h.store.upsertSchedule({ ...berlin, guildId: 'kathmandu', timeZone: 'Asia/Kathmandu' }, created);
    await h.store.upsertSchedule({ ...berlin, guildId: 'kiritimati', timeZone: 'Pacific/Kiritimati' }, created);
    h.set('2026-01-01T08:00:00Z'); // 09:00 in Berlin, 13:45 in Kathmandu, 22:00 in Kiritimati: all on 2026-01-01
    await h.scheduler().tick();
    assert.equal(h.jobs.length, 3);
    assert.deepEqual(new Set(h.jobs.map((job) => job.localDate)), new Set(['2026-01-01']));
    assert.equal(new Set(h.jobs.map((job) => job.quoteId)).size, 1);
  });

  it('handles thousands of schedules in one tick with bounded concurrency', async (t) => {
    const h = harness(t, { durable: false });
    const zones = ['UTC', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kathmandu', 'Australia/Lord_Howe'];
    // One transaction: 3000 durable commits would be slow. The store's SQLite writes run at once, inside it.
    const write = h.db.transaction(() => {
      for (let i = 0; i < 3000; i++) {
        void h.store.upsertSchedule(
          { ...berlin, guildId: `g${i}`, timeZone: zones[i % zones.length] ?? 'UTC', time: '00:00' },
          at('2026-05-01T00:00:00Z'),
        );
      }
    });
    write();
    assert.equal((await h.store.listActiveSchedules()).length, 3000);
    h.set('2026-06-01T12:00:00Z'); // the local date is 2026-06-01 in all five zones, past 00:00
    let inFlight = 0;
    let peak = 0;
    const scheduler = h.scheduler({
      concurrency: 8,
      deliver: async (job) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return { messageId: `m-${job.guildId}` };
      },
    });
    const summary = await scheduler.tick();
    assert.equal(summary.sent, 3000);
    assert.ok(peak <= 8 && peak > 1, `peak ${peak}`);
    assert.equal((await scheduler.tick()).due, 0);
  });

  it('accepts a pino logger as is', () => {
    const log: SchedulerLog = pino({ enabled: false });
    assert.equal(typeof log.info, 'function');
  });
});
