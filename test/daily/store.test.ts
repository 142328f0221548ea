import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { STORE_ENGINES, type StoreFixture } from '../../support/stores.js';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { transformSchedule } from '../../src/daily/store.js';
import type { DailyStore } from '../../src/daily/store.js';
import type { ScheduleInput, ScheduleRow } from '../../src/daily/store.js';

const at = (text: string): Date => new Date(text);
const DAY = '2026-06-01';
const input: ScheduleInput = {
  guildId: 'g1',
  channelId: 'c1',
  time: '09:00',
  timeZone: 'Europe/Berlin',
  roleId: null,
  thread: false,
};

/**
 * `count` active schedules in one statement (ids 1…count, guilds g0…, every day at 09:00 Berlin, created
 * 2026-06-01T05:00Z): thousands of upserts one by one, each its own durable commit, would be slow.
 */
function seedSchedules(count: number): string {
  const since = Date.parse('2026-06-01T05:00:00Z');
  return `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1})
    INSERT INTO daily_schedules (guild_id, channel_id, local_time, time_zone, days, thread, state, failed_days,
                                 effective_from, created_at, updated_at)
    SELECT 'g' || i, 'c1', '09:00', 'Europe/Berlin', 127, 0, 'active', 0, ${since}, ${since}, ${since} FROM n ORDER BY i`;
}

for (const engine of STORE_ENGINES) describe(engine.name, () => {
/** A fresh database for one test: the store, a seeder, and the fixture (for other connections). */
async function freshStore(t: TestContext): Promise<{ store: DailyStore; file: StoreFixture; seed: (count: number) => Promise<void> }> {
  const file = await engine.fresh(t);
  return { store: file.daily, file, seed: (count) => file.exec(seedSchedules(count)) };
}

/** A store on another connection to the same database. */
async function connect(file: StoreFixture): Promise<DailyStore> {
  return (await file.connect()).daily;
}

describe('schedules', () => {
  it('saves, normalizes and reads back a schedule', async (t) => {
    const { store } = await freshStore(t);
    const now = at('2026-06-01T06:00:00Z');
    const saved = await store.upsertSchedule({ ...input, timeZone: 'europe/berlin', roleId: 'r1', thread: true }, now);
    assert.deepEqual(saved, {
      id: 1,
      guildId: 'g1',
      channelId: 'c1',
      channelName: null,
      time: '09:00',
      timeZone: 'Europe/Berlin',
      days: 127,
      quizDays: 0,
      roleId: 'r1',
      thread: true,
      language: 'en',
      state: 'active',
      pausedReason: null,
      pausedUntil: null,
      failedDays: 0,
      effectiveFrom: now,
      createdAt: now,
      updatedAt: now,
    });
    assert.deepEqual(await store.getSchedule(1), saved);
    assert.equal(await store.getSchedule(999), null);
    const quizzing = await store.upsertSchedule({ ...input, days: 31, quizDays: 16 }, now);
    assert.deepEqual([quizzing.id, quizzing.days, quizzing.quizDays], [1, 31, 16], 'quiz days saved with the days, on the same schedule');
    assert.equal((await store.upsertSchedule({ ...input, days: 31 }, now)).quizDays, 16, 'new settings without quiz days keep them');
    assert.equal((await store.upsertSchedule({ ...input, days: 31, quizDays: 0 }, now)).quizDays, 0, 'no quiz days any more');
    await assert.rejects(() => store.upsertSchedule({ ...input, quizDays: 128 }, now), /^RangeError: daily: quiz days 128/);
  });

  it('refuses invalid settings with a daily: error and stores nothing', async (t) => {
    const { store } = await freshStore(t);
    const now = at('2026-06-01T06:00:00Z');
    await assert.rejects(() => store.upsertSchedule({ ...input, time: '25:00' }, now), /^RangeError: daily: time "25:00"/);
    await assert.rejects(
      () => store.upsertSchedule({ ...input, timeZone: 'Moon/Base' }, now),
      /^RangeError: daily: unknown time zone/,
    );
    await assert.rejects(() => store.upsertSchedule({ ...input, channelId: '' }, now), /^RangeError: daily: a schedule needs/);
    assert.equal(await store.getSchedule(1), null);
  });

  it('keeps the slot when only the role or days change, restarts it when the time changes', async (t) => {
    const { store } = await freshStore(t);
    const created = at('2026-06-01T06:00:00Z');
    await store.upsertSchedule(input, created);
    const moved = await store.upsertSchedule({ ...input, days: 31, roleId: 'r9' }, at('2026-06-01T06:30:00Z'));
    assert.equal(moved.id, 1, 'the same channel: the same schedule');
    assert.equal(moved.days, 31);
    assert.equal(moved.effectiveFrom.getTime(), created.getTime());
    assert.equal(moved.createdAt.getTime(), created.getTime());
    assert.equal(moved.updatedAt.toISOString(), '2026-06-01T06:30:00.000Z');
    const retimed = await store.upsertSchedule({ ...input, time: '10:00' }, at('2026-06-01T07:00:00Z'));
    assert.equal(retimed.effectiveFrom.toISOString(), '2026-06-01T07:00:00.000Z');
  });

  it('turns off and pauses without deleting; saving again resumes and clears the reason', async (t) => {
    const { store } = await freshStore(t);
    await store.upsertSchedule(input, at('2026-06-01T06:00:00Z'));
    assert.equal(await store.pauseSchedule(1, 'daily: paused: channel gone', at('2026-06-01T07:00:00Z')), true);
    assert.equal(await store.pauseSchedule(1, 'again', at('2026-06-01T07:01:00Z')), false, 'only an active one pauses');
    const paused = await store.getSchedule(1);
    assert.equal(paused?.state, 'paused');
    assert.equal(paused?.pausedReason, 'daily: paused: channel gone');
    assert.deepEqual(await store.listActiveSchedules(), []);

    const resumed = await store.upsertSchedule(input, at('2026-06-01T08:00:00Z'));
    assert.equal(resumed.state, 'active');
    assert.equal(resumed.pausedReason, null);
    assert.equal(resumed.effectiveFrom.toISOString(), '2026-06-01T08:00:00.000Z');

    const off = await store.disableSchedule(1, at('2026-06-01T09:00:00Z'));
    assert.equal(off?.state, 'off');
    assert.equal(off?.channelId, 'c1', 'settings kept');
    assert.equal(await store.disableSchedule(999, at('2026-06-01T09:00:00Z')), null);
  });

  it('lists active schedules, all or for a shard’s guilds', async (t) => {
    const { store, seed } = await freshStore(t);
    const now = at('2026-06-01T06:00:00Z');
    // g0 gets id 1, g1 id 2, …
    await seed(3000);
    await store.disableSchedule(2, now);
    assert.equal((await store.listActiveSchedules()).length, 2999);
    const mine = Array.from({ length: 1500 }, (_, i) => i * 2 + 1).concat([2, 99_999]);
    const listed = await store.listActiveSchedules(mine);
    assert.equal(listed.length, 1500);
    assert.ok(listed.every((s) => Number(s.guildId.slice(1)) % 2 === 0));
    assert.deepEqual(await store.listActiveSchedules([]), []);
  });

  it('rejects a row it does not understand', async () => {
    const row: ScheduleRow = {
      id: 7,
      guild_id: 'g',
      channel_id: 'c',
      channel_name: null,
      local_time: '09:00',
      time_zone: 'UTC',
      days: 127,
      quiz_days: 0,
      role_id: null,
      thread: 0,
      language: 'en',
      state: 'deleted',
      paused_reason: null,
      paused_until: null,
      failed_days: 0,
      effective_from: 0,
      created_at: 0,
      updated_at: 0,
    };
    assert.throws(() => transformSchedule(row), /^Error: daily: schedule 7 of guild g has unknown state "deleted"/);
    assert.throws(() => transformSchedule({ ...row, state: 'active', language: 'de' }), /^Error: daily: schedule 7 of guild g has unknown language "de"/);
  });

  it('keeps the posts’ language: English by default, kept when /daily set leaves it out, changed when given', async (t) => {
    const { store } = await freshStore(t);
    const now = at('2026-06-01T06:00:00Z');
    assert.equal((await store.upsertSchedule(input, now)).language, 'en');
    assert.equal((await store.upsertSchedule({ ...input, language: 'uk' }, now)).language, 'uk');
    assert.equal((await store.upsertSchedule({ ...input, time: '10:00' }, now)).language, 'uk', 'new settings without a language keep it');
    assert.equal((await store.upsertSchedule({ ...input, language: 'ru' }, now)).language, 'ru');
    assert.equal((await store.upsertSchedule({ ...input, channelId: 'c2' }, now)).language, 'en', 'another channel starts in English');
  });
});

describe('claiming and recording posts', () => {
  it('claims a day exactly once, recording the quote, and only for an active schedule', async (t) => {
    const { store, file } = await freshStore(t);
    const other = await connect(file);
    const now = at('2026-06-01T07:00:00Z');
    await store.upsertSchedule(input, at('2026-06-01T06:00:00Z'));
    assert.equal(await store.claimPost(1, DAY, 'q1', now, 'a'), true);
    assert.equal(await store.claimPost(1, DAY, 'q2', now, 'a'), false);
    assert.equal(await other.claimPost(1, DAY, 'q3', now, 'b'), false, 'another connection');
    const claimed = await store.getPost(1, DAY);
    assert.equal(claimed?.status, 'claimed');
    assert.equal(claimed?.quoteId, 'q1');
    assert.equal(claimed?.channelId, 'c1');
    assert.equal(claimed?.claimedBy, 'a');
    assert.equal(await store.getPostedQuoteId(1, DAY), null, 'not posted yet');
    assert.equal(claimed?.quizId, null, 'an ordinary post');
    assert.equal(await store.claimPost(1, '2026-06-03', 'q4', now, 'a', null, 'daily-1-20260603'), true);
    assert.equal((await store.getPost(1, '2026-06-03'))?.quizId, 'daily-1-20260603', 'a quiz day records its quiz with the claim');

    assert.equal(await store.claimPost(999, DAY, 'q1', now, 'a'), false);
    await store.disableSchedule(1, now);
    assert.equal(await store.claimPost(1, '2026-06-02', 'q1', now, 'a'), false);
    await assert.rejects(() => store.claimPost(1, '2026-6-2', 'q1', now, 'a'), /daily: "2026-6-2" is not a calendar date/);
  });

  it('marks a claimed day sent, once, and ends the failure streak', async (t) => {
    const { store } = await freshStore(t);
    await store.upsertSchedule(input, at('2026-05-30T06:00:00Z'));
    await store.claimPost(1, '2026-05-31', 'q0', at('2026-05-31T07:00:00Z'), 'a');
    assert.deepEqual(await store.markFailed(1, '2026-05-31', 'boom', at('2026-05-31T07:00:01Z'), null), { failedDays: 1 });
    await store.claimPost(1, DAY, 'q1', at('2026-06-01T07:00:00Z'), 'a');
    assert.equal(await store.markSent(1, DAY, 'm1', at('2026-06-01T07:00:02Z')), true);
    assert.equal(await store.markSent(1, DAY, 'm2', at('2026-06-01T07:00:03Z')), false);
    const sent = await store.getPost(1, DAY);
    assert.equal(sent?.status, 'sent');
    assert.equal(sent?.messageId, 'm1');
    assert.equal(sent?.sentAt?.toISOString(), '2026-06-01T07:00:02.000Z');
    assert.equal(await store.getPostedQuoteId(1, DAY), 'q1');
    assert.equal((await store.getSchedule(1))?.failedDays, 0);
  });

  it('retries a failed day after its backoff, for one claimer only, with the same quote', async (t) => {
    const { store, file } = await freshStore(t);
    const other = await connect(file);
    await store.upsertSchedule(input, at('2026-06-01T06:00:00Z'));
    await store.claimPost(1, DAY, 'q1', at('2026-06-01T07:00:00Z'), 'a');
    assert.deepEqual(await store.markFailed(1, DAY, 'HTTP 503', at('2026-06-01T07:00:01Z'), at('2026-06-01T07:02:00Z')), {
      failedDays: 0,
    });
    const failed = await store.getPost(1, DAY);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.lastError, 'HTTP 503');
    assert.equal(failed?.nextAttemptAt?.toISOString(), '2026-06-01T07:02:00.000Z');

    assert.equal(await store.retryFailed(1, DAY, at('2026-06-01T07:01:59Z'), 'a'), null, 'too early');
    const retry = await store.retryFailed(1, DAY, at('2026-06-01T07:02:00Z'), 'a');
    assert.equal(await other.retryFailed(1, DAY, at('2026-06-01T07:02:00Z'), 'b'), null, 'already taken');
    assert.equal(retry?.status, 'claimed');
    assert.equal(retry?.attempts, 2);
    assert.equal(retry?.quoteId, 'q1');
    assert.equal(retry?.channelId, 'c1');
    assert.equal(retry?.nonceSince?.toISOString(), '2026-06-01T07:02:00.000Z', 'a new attempt: a new nonce window');
    assert.equal(retry?.nextAttemptAt, null);
  });

  it('a final failure counts a failed day; recording on an unclaimed day does nothing', async (t) => {
    const { store } = await freshStore(t);
    await store.upsertSchedule(input, at('2026-05-01T06:00:00Z'));
    for (const [i, date] of ['2026-05-01', '2026-05-02', '2026-05-03'].entries()) {
      await store.claimPost(1, date, 'q', at(`${date}T07:00:00Z`), 'a');
      assert.deepEqual(await store.markFailed(1, date, 'no access', at(`${date}T07:00:01Z`), null), { failedDays: i + 1 });
      assert.equal(await store.markFailed(1, date, 'twice', at(`${date}T07:00:02Z`), null), null, 'not claimed any more');
    }
    assert.equal((await store.getSchedule(1))?.failedDays, 3);
    assert.equal(await store.retryFailed(1, '2026-05-03', at('2026-05-03T23:00:00Z'), 'a'), null, 'final: no retry');
  });

  it('takes over a crashed claim at the next tick, while its nonce is fresh, one taker at a time', async (t) => {
    const { store, file } = await freshStore(t);
    const other = await connect(file);
    await store.upsertSchedule(input, at('2026-06-01T06:00:00Z'));
    await store.claimPost(1, DAY, 'q1', at('2026-06-01T07:00:00Z'), 'crashed');
    assert.equal(await store.reclaimStale(1, DAY, at('2026-06-01T07:00:59Z'), 'b'), null, 'maybe still delivering');
    const taken = await store.reclaimStale(1, DAY, at('2026-06-01T07:01:00Z'), 'b');
    assert.equal(await other.reclaimStale(1, DAY, at('2026-06-01T07:01:00Z'), 'c'), null, 'one taker');
    assert.equal(taken?.claimedBy, 'b');
    assert.equal(taken?.attempts, 2);
    assert.equal(taken?.staleReclaims, 1);
    assert.equal(taken?.quoteId, 'q1');
    assert.equal(taken?.nonceSince?.toISOString(), '2026-06-01T07:00:00.000Z', 'the nonce window runs from the first attempt');
    // b crashes too: taken over again while Discord still remembers the nonce, never after.
    assert.equal((await store.reclaimStale(1, DAY, at('2026-06-01T07:02:00Z'), 'c'))?.staleReclaims, 2);
    assert.equal(await store.reclaimStale(1, DAY, at('2026-06-01T07:03:00Z'), 'd'), null, 'the nonce may be forgotten');
    assert.equal(await store.reclaimStale(1, DAY, at('2026-06-01T12:00:00Z'), 'd'), null);
  });

  it('keeps history newest first and reports the last delivery', async (t) => {
    const { store } = await freshStore(t);
    await store.upsertSchedule(input, at('2026-05-01T06:00:00Z'));
    assert.equal(await store.lastDelivery(1), null);
    for (const date of ['2026-05-01', '2026-05-03', '2026-05-02']) {
      await store.claimPost(1, date, `q-${date}`, at(`${date}T07:00:00Z`), 'a');
      await store.markSent(1, date, `m-${date}`, at(`${date}T07:00:01Z`));
    }
    await store.claimPost(1, '2026-05-04', 'q4', at('2026-05-04T07:00:00Z'), 'a');
    await store.markFailed(1, '2026-05-04', 'HTTP 500', at('2026-05-04T07:00:01Z'), null);
    assert.deepEqual(
      (await store.history('g1', 3)).map((p) => p.localDate),
      ['2026-05-04', '2026-05-03', '2026-05-02'],
    );
    assert.equal((await store.lastDelivery(1))?.lastError, 'HTTP 500');
    assert.deepEqual(
      (await store.listPostsBetween('2026-05-02', '2026-05-03')).map((p) => p.localDate).sort(),
      ['2026-05-02', '2026-05-03'],
    );
    assert.equal((await store.listPostsBetween('2026-05-01', '2026-05-04', [999])).length, 0);
  });

  it('records test posts apart: they never count as, or block, the day’s post', async (t) => {
    const { store } = await freshStore(t);
    const now = at('2026-06-01T06:00:00Z');
    const test = await store.recordTestPost(
      { guildId: 'g1', channelId: 'c1', quoteId: 'q9', requestedBy: 'u1', messageId: 'm9', error: null },
      now,
    );
    assert.equal(test.id > 0, true);
    assert.equal(test.createdAt.getTime(), now.getTime());
    await store.recordTestPost(
      { guildId: 'g1', channelId: 'c1', quoteId: 'q8', requestedBy: 'u1', messageId: null, error: 'x'.repeat(2000) },
      at('2026-06-01T06:01:00Z'),
    );
    const tests = await store.listTestPosts('g1');
    assert.deepEqual(tests.map((p) => p.quoteId), ['q8', 'q9']);
    assert.equal(tests[0]?.error?.length, 500, 'long errors are truncated');

    await store.upsertSchedule(input, now);
    assert.equal((await store.history('g1')).length, 0);
    assert.equal(await store.claimPost(1, DAY, 'q1', now, 'a'), true);
  });
});

describe('across processes', () => {
  const MODULES = ['../../src/db/database.ts', '../../src/daily/sqlite-store.ts', '../../src/db/postgres.ts', '../../src/daily/pg-store.ts'].map((m) =>
    JSON.stringify(fileURLToPath(new URL(m, import.meta.url))),
  );

  it('processes claiming the same day at the same instant: exactly one wins', async (t) => {
    const { store: setup, file } = await freshStore(t);
    await setup.upsertSchedule(input, at('2026-06-01T06:00:00Z'));
    const startAt = Date.now() + 2500; // a common instant, after every child has started
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-claim-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const script = path.join(dir, 'claim.mts');
    fs.writeFileSync(
      script,
      `import { openDatabase } from ${MODULES[0]};
import { SqliteDailyStore } from ${MODULES[1]};
import { openPostgres } from ${MODULES[2]};
import { PgDailyStore } from ${MODULES[3]};
const where = process.env.HV_WHERE ?? '';
const store = where.startsWith('postgres') ? new PgDailyStore(await openPostgres(where, { max: 1 })) : new SqliteDailyStore(openDatabase(where));
await store.getSchedule(1); // connected before the common instant
while (Date.now() < ${startAt}) { /* spin to the common instant */ }
const won = await store.claimPost(1, '${DAY}', 'q-' + process.pid, new Date('2026-06-01T07:00:00Z'), String(process.pid));
console.log(won ? 'won' : 'lost');
process.exit(0);
`,
    );
    const run = promisify(execFile);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, HV_WHERE: file.location } })),
    );
    const outcomes = results.map((r) => r.stdout.trim()).sort();
    assert.deepEqual(outcomes, ['lost', 'lost', 'lost', 'won']);
    const post = await setup.getPost(1, DAY);
    assert.equal(post?.quoteId, `q-${post?.claimedBy}`, 'the winner’s quote is the one recorded');
  });
});

describe('check hints', () => {
  const ids = async (store: DailyStore, now: string) => (await store.listDueScheduleIds(at(now))).map((entry) => entry.guildId).sort();

  it('new settings have none (look now); a refresh stores the next event; only come ones are listed', async (t) => {
    const { store } = await freshStore(t);
    await store.upsertSchedule(input, at('2026-06-01T05:00:00Z')); // 09:00 Berlin = 07:00Z
    await store.upsertSchedule({ ...input, guildId: 'g2', time: '12:00' }, at('2026-06-01T05:00:00Z'));
    assert.equal(await store.getCheckHint(1), null);
    assert.deepEqual(await ids(store, '2026-06-01T05:00:00Z'), ['g1', 'g2']);

    assert.equal(await store.refreshCheckHints([1, 2, 999], at('2026-06-01T05:00:00Z')), 2);
    assert.equal((await store.getCheckHint(1))?.toISOString(), '2026-06-01T07:00:00.000Z');
    assert.equal((await store.getCheckHint(2))?.toISOString(), '2026-06-01T10:00:00.000Z');
    assert.equal(await store.refreshCheckHints([1, 2], at('2026-06-01T05:30:00Z')), 0, 'unchanged: nothing written');
    assert.deepEqual(await ids(store, '2026-06-01T06:59:59Z'), []);
    assert.deepEqual(await ids(store, '2026-06-01T07:00:00Z'), ['g1']);
    assert.deepEqual(
      [...(await store.listCheckHints(at('2026-06-01T07:00:00Z')))].map(([guild, hint]) => [guild, new Date(hint).toISOString()]),
      [[2, '2026-06-01T10:00:00.000Z']],
    );

    // Paused and off schedules are never listed, whatever their hint.
    await store.pauseSchedule(2, 'daily: paused: test', at('2026-06-01T07:00:00Z'));
    assert.deepEqual(await ids(store, '2026-06-02T00:00:00Z'), ['g1']);
    await store.disableSchedule(1, at('2026-06-01T07:00:00Z'));
    assert.deepEqual(await ids(store, '2026-06-02T00:00:00Z'), []);
    // Resuming (saving the settings) clears the hint.
    await store.upsertSchedule({ ...input, guildId: 'g2', time: '12:00' }, at('2026-06-01T08:00:00Z'));
    assert.equal(await store.getCheckHint(2), null);
    assert.deepEqual(await ids(store, '2026-06-01T08:00:00Z'), ['g2']);
  });

  it('follows the day: claimed, failed with a retry (cleared at once), sent, failed for good', async (t) => {
    const { store, file } = await freshStore(t);
    const other = await connect(file);
    await store.upsertSchedule(input, at('2026-06-01T05:00:00Z'));
    await store.upsertSchedule({ ...input, guildId: 'g2' }, at('2026-06-01T05:00:00Z'));
    await store.claimPost(1, DAY, 'q1', at('2026-06-01T07:00:00Z'), 'a');
    // Another process refreshes while the day is claimed: the stale-claim instant.
    await other.refreshCheckHints([1], at('2026-06-01T07:00:01Z'));
    assert.equal((await store.getCheckHint(1))?.toISOString(), '2026-06-01T07:01:00.000Z');
    // The delivery fails with a retry before that instant: the hint is cleared in the same write.
    await store.markFailed(1, DAY, 'HTTP 503', at('2026-06-01T07:00:02Z'), at('2026-06-01T07:02:00Z'));
    assert.equal(await store.getCheckHint(1), null);
    await store.refreshCheckHints([1], at('2026-06-01T07:00:03Z'));
    assert.equal((await store.getCheckHint(1))?.toISOString(), '2026-06-01T07:02:00.000Z');
    await store.retryFailed(1, DAY, at('2026-06-01T07:02:00Z'), 'a');
    await store.markSent(1, DAY, 'm1', at('2026-06-01T07:02:01Z'));
    await store.refreshCheckHints([1], at('2026-06-01T07:02:02Z'));
    assert.equal((await store.getCheckHint(1))?.toISOString(), '2026-06-02T07:00:00.000Z');

    await store.claimPost(2, DAY, 'q1', at('2026-06-01T07:00:00Z'), 'a');
    await store.refreshCheckHints([2], at('2026-06-01T07:00:01Z'));
    await store.markFailed(2, DAY, 'Missing Access', at('2026-06-01T07:00:02Z'), null);
    assert.equal((await store.getCheckHint(2))?.toISOString(), '2026-06-01T07:01:00.000Z', 'a final failure moves nothing sooner');
    await store.refreshCheckHints([2], at('2026-06-01T07:00:03Z'));
    assert.equal((await store.getCheckHint(2))?.toISOString(), '2026-06-02T07:00:00.000Z');
  });

  it('refreshes thousands, in batches', async (t) => {
    const { store, seed } = await freshStore(t);
    const now = at('2026-06-01T05:00:00Z');
    await seed(2500);
    const created = Array.from({ length: 2500 }, (_, i) => i + 1);
    assert.equal((await store.listDueScheduleIds(now)).length, 2500);
    assert.equal(await store.refreshCheckHints(created, now), 2500);
    assert.equal((await store.listDueScheduleIds(now)).length, 0);
    assert.equal((await store.listCheckHints(now)).size, 2500);
  });
});

describe('the scheduler’s reads', () => {
  it('reads what is due (for this shard) and its posts, or everything and the hints to come', async (t) => {
    const { store } = await freshStore(t);
    await store.upsertSchedule(input, at('2026-06-01T05:00:00Z')); // 07:00Z
    await store.upsertSchedule({ ...input, guildId: 'g2' }, at('2026-06-01T05:00:00Z'));
    await store.upsertSchedule({ ...input, guildId: 'g3' }, at('2026-06-01T05:00:00Z'));
    await store.claimPost(1, DAY, 'q1', at('2026-06-01T07:00:00Z'), 'a');
    await store.claimPost(2, DAY, 'q2', at('2026-06-01T07:00:00Z'), 'a');
    await store.claimPost(2, '2026-05-20', 'q0', at('2026-05-20T07:00:00Z'), 'a');
    await store.refreshCheckHints([3], at('2026-06-01T05:00:00Z'));
    const due = await store.dueSnapshot(at('2026-06-01T06:00:00Z'), '2026-05-31', '2026-06-02', (guildId) => guildId !== 'g2');
    assert.deepEqual(due.schedules.map((s) => s.guildId), ['g1'], 'g2 is another shard’s, g3’s hint has not come');
    assert.deepEqual(due.posts.map((p) => [p.scheduleId, p.localDate]), [[1, DAY]]);
    const none = await store.dueSnapshot(at('2026-06-01T06:00:00Z'), '2026-05-31', '2026-06-02', () => false);
    assert.deepEqual(none, { schedules: [], posts: [] });

    const full = await store.fullSnapshot(at('2026-06-01T06:00:00Z'), '2026-05-31', '2026-06-02');
    assert.deepEqual(full.schedules.map((s) => s.id), [1, 2, 3]);
    assert.deepEqual(full.posts.map((p) => p.scheduleId).sort(), [1, 2], 'only the window’s posts');
    assert.deepEqual([...full.hints], [[3, Date.parse('2026-06-01T07:00:00Z')]]);
  });

  it('reads as of one instant while another connection commits', async (t) => {
    const { store, file } = await freshStore(t);
    await store.upsertSchedule(input, at('2026-06-01T05:00:00Z'));
    await store.claimPost(1, DAY, 'q1', at('2026-06-01T07:00:00Z'), 'a');
    // Between the snapshot's first read and the next, another process sends the day and turns the schedule off.
    const seen = await store.dueSnapshot(at('2026-06-01T07:00:00Z'), DAY, DAY, () => {
      file.execElsewhereSync(`UPDATE daily_posts SET status = 'sent'; UPDATE daily_schedules SET state = 'off'`);
      return true;
    });
    assert.deepEqual(seen.schedules.map((s) => s.state), ['active']);
    assert.deepEqual(seen.posts.map((p) => p.status), ['claimed']);
    assert.deepEqual(await store.listActiveSchedules(), []);
  });
});
});
