import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/db/database.js';
import { DailyStore, transformSchedule } from '../../src/daily/store.js';
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

function tempFile(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-store-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'bot.db');
}

/** A store on its own connection to `file` (closed after the test). */
function connect(t: TestContext, file: string): DailyStore {
  const db = openDatabase(file);
  t.after(() => db.close());
  return new DailyStore(db);
}

function freshStore(t: TestContext): { store: DailyStore; file: string } {
  const file = tempFile(t);
  return { store: connect(t, file), file };
}

describe('schedules', () => {
  it('saves, normalizes and reads back a schedule', (t) => {
    const { store } = freshStore(t);
    const now = at('2026-06-01T06:00:00Z');
    const saved = store.upsertSchedule({ ...input, timeZone: 'europe/berlin', roleId: 'r1', thread: true }, now);
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
    assert.deepEqual(store.getSchedule(1), saved);
    assert.equal(store.getSchedule(999), null);
    const quizzing = store.upsertSchedule({ ...input, days: 31, quizDays: 16 }, now);
    assert.deepEqual([quizzing.id, quizzing.days, quizzing.quizDays], [1, 31, 16], 'quiz days saved with the days, on the same schedule');
    assert.equal(store.upsertSchedule({ ...input, days: 31 }, now).quizDays, 16, 'new settings without quiz days keep them');
    assert.equal(store.upsertSchedule({ ...input, days: 31, quizDays: 0 }, now).quizDays, 0, 'no quiz days any more');
    assert.throws(() => store.upsertSchedule({ ...input, quizDays: 128 }, now), /^RangeError: daily: quiz days 128/);
  });

  it('refuses invalid settings with a daily: error and stores nothing', (t) => {
    const { store } = freshStore(t);
    const now = at('2026-06-01T06:00:00Z');
    assert.throws(() => store.upsertSchedule({ ...input, time: '25:00' }, now), /^RangeError: daily: time "25:00"/);
    assert.throws(
      () => store.upsertSchedule({ ...input, timeZone: 'Moon/Base' }, now),
      /^RangeError: daily: unknown time zone/,
    );
    assert.throws(() => store.upsertSchedule({ ...input, channelId: '' }, now), /^RangeError: daily: a schedule needs/);
    assert.equal(store.getSchedule(1), null);
  });

  it('keeps the slot when only the role or days change, restarts it when the time changes', (t) => {
    const { store } = freshStore(t);
    const created = at('2026-06-01T06:00:00Z');
    store.upsertSchedule(input, created);
    const moved = store.upsertSchedule({ ...input, days: 31, roleId: 'r9' }, at('2026-06-01T06:30:00Z'));
    assert.equal(moved.id, 1, 'the same channel: the same schedule');
    assert.equal(moved.days, 31);
    assert.equal(moved.effectiveFrom.getTime(), created.getTime());
    assert.equal(moved.createdAt.getTime(), created.getTime());
    assert.equal(moved.updatedAt.toISOString(), '2026-06-01T06:30:00.000Z');
    const retimed = store.upsertSchedule({ ...input, time: '10:00' }, at('2026-06-01T07:00:00Z'));
    assert.equal(retimed.effectiveFrom.toISOString(), '2026-06-01T07:00:00.000Z');
  });

  it('turns off and pauses without deleting; saving again resumes and clears the reason', (t) => {
    const { store } = freshStore(t);
    store.upsertSchedule(input, at('2026-06-01T06:00:00Z'));
    assert.equal(store.pauseSchedule(1, 'daily: paused: channel gone', at('2026-06-01T07:00:00Z')), true);
    assert.equal(store.pauseSchedule(1, 'again', at('2026-06-01T07:01:00Z')), false, 'only an active one pauses');
    const paused = store.getSchedule(1);
    assert.equal(paused?.state, 'paused');
    assert.equal(paused?.pausedReason, 'daily: paused: channel gone');
    assert.deepEqual(store.listActiveSchedules(), []);

    const resumed = store.upsertSchedule(input, at('2026-06-01T08:00:00Z'));
    assert.equal(resumed.state, 'active');
    assert.equal(resumed.pausedReason, null);
    assert.equal(resumed.effectiveFrom.toISOString(), '2026-06-01T08:00:00.000Z');

    const off = store.disableSchedule(1, at('2026-06-01T09:00:00Z'));
    assert.equal(off?.state, 'off');
    assert.equal(off?.channelId, 'c1', 'settings kept');
    assert.equal(store.disableSchedule(999, at('2026-06-01T09:00:00Z')), null);
  });

  it('lists active schedules, all or for a shard’s guilds', (t) => {
    const file = tempFile(t);
    const db = openDatabase(file);
    t.after(() => db.close());
    const store = new DailyStore(db);
    const now = at('2026-06-01T06:00:00Z');
    // g0 gets id 1, g1 id 2, … (one transaction: 3,000 commits would each wait for the disk)
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) store.upsertSchedule({ ...input, guildId: `g${i}` }, now);
    })();
    store.disableSchedule(2, now);
    assert.equal(store.listActiveSchedules().length, 2999);
    const mine = Array.from({ length: 1500 }, (_, i) => i * 2 + 1).concat([2, 99_999]);
    const listed = store.listActiveSchedules(mine);
    assert.equal(listed.length, 1500);
    assert.ok(listed.every((s) => Number(s.guildId.slice(1)) % 2 === 0));
    assert.deepEqual(store.listActiveSchedules([]), []);
  });

  it('rejects a row it does not understand', () => {
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

  it('keeps the posts’ language: English by default, kept when /daily set leaves it out, changed when given', (t) => {
    const { store } = freshStore(t);
    const now = at('2026-06-01T06:00:00Z');
    assert.equal(store.upsertSchedule(input, now).language, 'en');
    assert.equal(store.upsertSchedule({ ...input, language: 'uk' }, now).language, 'uk');
    assert.equal(store.upsertSchedule({ ...input, time: '10:00' }, now).language, 'uk', 'new settings without a language keep it');
    assert.equal(store.upsertSchedule({ ...input, language: 'ru' }, now).language, 'ru');
    assert.equal(store.upsertSchedule({ ...input, channelId: 'c2' }, now).language, 'en', 'another channel starts in English');
  });
});

describe('claiming and recording posts', () => {
  it('claims a day exactly once, recording the quote, and only for an active schedule', (t) => {
    const { store, file } = freshStore(t);
    const other = connect(t, file);
    const now = at('2026-06-01T07:00:00Z');
    store.upsertSchedule(input, at('2026-06-01T06:00:00Z'));
    assert.equal(store.claimPost(1, DAY, 'q1', now, 'a'), true);
    assert.equal(store.claimPost(1, DAY, 'q2', now, 'a'), false);
    assert.equal(other.claimPost(1, DAY, 'q3', now, 'b'), false, 'another connection');
    const claimed = store.getPost(1, DAY);
    assert.equal(claimed?.status, 'claimed');
    assert.equal(claimed?.quoteId, 'q1');
    assert.equal(claimed?.channelId, 'c1');
    assert.equal(claimed?.claimedBy, 'a');
    assert.equal(store.getPostedQuoteId(1, DAY), null, 'not posted yet');
    assert.equal(claimed?.quizId, null, 'an ordinary post');
    assert.equal(store.claimPost(1, '2026-06-03', 'q4', now, 'a', null, 'daily-1-20260603'), true);
    assert.equal(store.getPost(1, '2026-06-03')?.quizId, 'daily-1-20260603', 'a quiz day records its quiz with the claim');

    assert.equal(store.claimPost(999, DAY, 'q1', now, 'a'), false);
    store.disableSchedule(1, now);
    assert.equal(store.claimPost(1, '2026-06-02', 'q1', now, 'a'), false);
    assert.throws(() => store.claimPost(1, '2026-6-2', 'q1', now, 'a'), /daily: "2026-6-2" is not a calendar date/);
  });

  it('marks a claimed day sent, once, and ends the failure streak', (t) => {
    const { store } = freshStore(t);
    store.upsertSchedule(input, at('2026-05-30T06:00:00Z'));
    store.claimPost(1, '2026-05-31', 'q0', at('2026-05-31T07:00:00Z'), 'a');
    assert.deepEqual(store.markFailed(1, '2026-05-31', 'boom', at('2026-05-31T07:00:01Z'), null), { failedDays: 1 });
    store.claimPost(1, DAY, 'q1', at('2026-06-01T07:00:00Z'), 'a');
    assert.equal(store.markSent(1, DAY, 'm1', at('2026-06-01T07:00:02Z')), true);
    assert.equal(store.markSent(1, DAY, 'm2', at('2026-06-01T07:00:03Z')), false);
    const sent = store.getPost(1, DAY);
    assert.equal(sent?.status, 'sent');
    assert.equal(sent?.messageId, 'm1');
    assert.equal(sent?.sentAt?.toISOString(), '2026-06-01T07:00:02.000Z');
    assert.equal(store.getPostedQuoteId(1, DAY), 'q1');
    assert.equal(store.getSchedule(1)?.failedDays, 0);
  });

  it('retries a failed day after its backoff, for one claimer only, with the same quote', (t) => {
    const { store, file } = freshStore(t);
    const other = connect(t, file);
    store.upsertSchedule(input, at('2026-06-01T06:00:00Z'));
    store.claimPost(1, DAY, 'q1', at('2026-06-01T07:00:00Z'), 'a');
    assert.deepEqual(store.markFailed(1, DAY, 'HTTP 503', at('2026-06-01T07:00:01Z'), at('2026-06-01T07:02:00Z')), {
      failedDays: 0,
    });
    const failed = store.getPost(1, DAY);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.lastError, 'HTTP 503');
    assert.equal(failed?.nextAttemptAt?.toISOString(), '2026-06-01T07:02:00.000Z');

    assert.equal(store.retryFailed(1, DAY, at('2026-06-01T07:01:59Z'), 'a'), null, 'too early');
    const retry = store.retryFailed(1, DAY, at('2026-06-01T07:02:00Z'), 'a');
    assert.equal(other.retryFailed(1, DAY, at('2026-06-01T07:02:00Z'), 'b'), null, 'already taken');
    assert.equal(retry?.status, 'claimed');
    assert.equal(retry?.attempts, 2);
    assert.equal(retry?.quoteId, 'q1');
    assert.equal(retry?.channelId, 'c1');
    assert.equal(retry?.nonceSince?.toISOString(), '2026-06-01T07:02:00.000Z', 'a new attempt: a new nonce window');
    assert.equal(retry?.nextAttemptAt, null);
  });

  it('a final failure counts a failed day; recording on an unclaimed day does nothing', (t) => {
    const { store } = freshStore(t);
    store.upsertSchedule(input, at('2026-05-01T06:00:00Z'));
    for (const [i, date] of ['2026-05-01', '2026-05-02', '2026-05-03'].entries()) {
      store.claimPost(1, date, 'q', at(`${date}T07:00:00Z`), 'a');
      assert.deepEqual(store.markFailed(1, date, 'no access', at(`${date}T07:00:01Z`), null), { failedDays: i + 1 });
      assert.equal(store.markFailed(1, date, 'twice', at(`${date}T07:00:02Z`), null), null, 'not claimed any more');
    }
    assert.equal(store.getSchedule(1)?.failedDays, 3);
    assert.equal(store.retryFailed(1, '2026-05-03', at('2026-05-03T23:00:00Z'), 'a'), null, 'final: no retry');
  });

  it('takes over a crashed claim at the next tick, while its nonce is fresh, one taker at a time', (t) => {
    const { store, file } = freshStore(t);
    const other = connect(t, file);
    store.upsertSchedule(input, at('2026-06-01T06:00:00Z'));
    store.claimPost(1, DAY, 'q1', at('2026-06-01T07:00:00Z'), 'crashed');
    assert.equal(store.reclaimStale(1, DAY, at('2026-06-01T07:00:59Z'), 'b'), null, 'maybe still delivering');
    const taken = store.reclaimStale(1, DAY, at('2026-06-01T07:01:00Z'), 'b');
    assert.equal(other.reclaimStale(1, DAY, at('2026-06-01T07:01:00Z'), 'c'), null, 'one taker');
    assert.equal(taken?.claimedBy, 'b');
    assert.equal(taken?.attempts, 2);
    assert.equal(taken?.staleReclaims, 1);
    assert.equal(taken?.quoteId, 'q1');
    assert.equal(taken?.nonceSince?.toISOString(), '2026-06-01T07:00:00.000Z', 'the nonce window runs from the first attempt');
    // b crashes too: taken over again while Discord still remembers the nonce, never after.
    assert.equal(store.reclaimStale(1, DAY, at('2026-06-01T07:02:00Z'), 'c')?.staleReclaims, 2);
    assert.equal(store.reclaimStale(1, DAY, at('2026-06-01T07:03:00Z'), 'd'), null, 'the nonce may be forgotten');
    assert.equal(store.reclaimStale(1, DAY, at('2026-06-01T12:00:00Z'), 'd'), null);
  });

  it('keeps history newest first and reports the last delivery', (t) => {
    const { store } = freshStore(t);
    store.upsertSchedule(input, at('2026-05-01T06:00:00Z'));
    assert.equal(store.lastDelivery(1), null);
    for (const date of ['2026-05-01', '2026-05-03', '2026-05-02']) {
      store.claimPost(1, date, `q-${date}`, at(`${date}T07:00:00Z`), 'a');
      store.markSent(1, date, `m-${date}`, at(`${date}T07:00:01Z`));
    }
    store.claimPost(1, '2026-05-04', 'q4', at('2026-05-04T07:00:00Z'), 'a');
    store.markFailed(1, '2026-05-04', 'HTTP 500', at('2026-05-04T07:00:01Z'), null);
    assert.deepEqual(
      store.history('g1', 3).map((p) => p.localDate),
      ['2026-05-04', '2026-05-03', '2026-05-02'],
    );
    assert.equal(store.lastDelivery(1)?.lastError, 'HTTP 500');
    assert.deepEqual(
      store.listPostsBetween('2026-05-02', '2026-05-03').map((p) => p.localDate).sort(),
      ['2026-05-02', '2026-05-03'],
    );
    assert.equal(store.listPostsBetween('2026-05-01', '2026-05-04', [999]).length, 0);
  });

  it('records test posts apart: they never count as, or block, the day’s post', (t) => {
    const { store } = freshStore(t);
    const now = at('2026-06-01T06:00:00Z');
    const test = store.recordTestPost(
      { guildId: 'g1', channelId: 'c1', quoteId: 'q9', requestedBy: 'u1', messageId: 'm9', error: null },
      now,
    );
    assert.equal(test.id > 0, true);
    assert.equal(test.createdAt.getTime(), now.getTime());
    store.recordTestPost(
      { guildId: 'g1', channelId: 'c1', quoteId: 'q8', requestedBy: 'u1', messageId: null, error: 'x'.repeat(2000) },
      at('2026-06-01T06:01:00Z'),
    );
    const tests = store.listTestPosts('g1');
    assert.deepEqual(tests.map((p) => p.quoteId), ['q8', 'q9']);
    assert.equal(tests[0]?.error?.length, 500, 'long errors are truncated');

    store.upsertSchedule(input, now);
    assert.equal(store.history('g1').length, 0);
    assert.equal(store.claimPost(1, DAY, 'q1', now, 'a'), true);
  });
});

describe('across processes', () => {
  const STORE_MODULE = fileURLToPath(new URL('../../src/daily/store.ts', import.meta.url));
  const DATABASE_MODULE = fileURLToPath(new URL('../../src/db/database.ts', import.meta.url));

  it('processes claiming the same day at the same instant: exactly one wins', async (t) => {
    const file = tempFile(t);
    const setup = connect(t, file);
    setup.upsertSchedule(input, at('2026-06-01T06:00:00Z'));
    const startAt = Date.now() + 1500; // a common instant, after every child has started
    const script = path.join(path.dirname(file), 'claim.ts');
    fs.writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(DATABASE_MODULE)};
import { DailyStore } from ${JSON.stringify(STORE_MODULE)};
const store = new DailyStore(openDatabase(${JSON.stringify(file)}));
while (Date.now() < ${startAt}) { /* spin to the common instant */ }
const won = store.claimPost(1, '${DAY}', 'q-' + process.pid, new Date('2026-06-01T07:00:00Z'), String(process.pid));
console.log(won ? 'won' : 'lost');
`,
    );
    const run = promisify(execFile);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', script])),
    );
    const outcomes = results.map((r) => r.stdout.trim()).sort();
    assert.deepEqual(outcomes, ['lost', 'lost', 'lost', 'won']);
    const post = setup.getPost(1, DAY);
    assert.equal(post?.quoteId, `q-${post?.claimedBy}`, 'the winner’s quote is the one recorded');
  });
});

describe('check hints', () => {
  const ids = (store: DailyStore, now: string) => store.listDueScheduleIds(at(now)).map((entry) => entry.guildId).sort();

  it('new settings have none (look now); a refresh stores the next event; only come ones are listed', (t) => {
    const { store } = freshStore(t);
    store.upsertSchedule(input, at('2026-06-01T05:00:00Z')); // 09:00 Berlin = 07:00Z
    store.upsertSchedule({ ...input, guildId: 'g2', time: '12:00' }, at('2026-06-01T05:00:00Z'));
    assert.equal(store.getCheckHint(1), null);
    assert.deepEqual(ids(store, '2026-06-01T05:00:00Z'), ['g1', 'g2']);

    assert.equal(store.refreshCheckHints([1, 2, 999], at('2026-06-01T05:00:00Z')), 2);
    assert.equal(store.getCheckHint(1)?.toISOString(), '2026-06-01T07:00:00.000Z');
    assert.equal(store.getCheckHint(2)?.toISOString(), '2026-06-01T10:00:00.000Z');
    assert.equal(store.refreshCheckHints([1, 2], at('2026-06-01T05:30:00Z')), 0, 'unchanged: nothing written');
    assert.deepEqual(ids(store, '2026-06-01T06:59:59Z'), []);
    assert.deepEqual(ids(store, '2026-06-01T07:00:00Z'), ['g1']);
    assert.deepEqual(
      [...store.listCheckHints(at('2026-06-01T07:00:00Z'))].map(([guild, hint]) => [guild, new Date(hint).toISOString()]),
      [[2, '2026-06-01T10:00:00.000Z']],
    );

    // Paused and off schedules are never listed, whatever their hint.
    store.pauseSchedule(2, 'daily: paused: test', at('2026-06-01T07:00:00Z'));
    assert.deepEqual(ids(store, '2026-06-02T00:00:00Z'), ['g1']);
    store.disableSchedule(1, at('2026-06-01T07:00:00Z'));
    assert.deepEqual(ids(store, '2026-06-02T00:00:00Z'), []);
    // Resuming (saving the settings) clears the hint.
    store.upsertSchedule({ ...input, guildId: 'g2', time: '12:00' }, at('2026-06-01T08:00:00Z'));
    assert.equal(store.getCheckHint(2), null);
    assert.deepEqual(ids(store, '2026-06-01T08:00:00Z'), ['g2']);
  });

  it('follows the day: claimed, failed with a retry (cleared at once), sent, failed for good', (t) => {
    const { store, file } = freshStore(t);
    const other = connect(t, file);
    store.upsertSchedule(input, at('2026-06-01T05:00:00Z'));
    store.upsertSchedule({ ...input, guildId: 'g2' }, at('2026-06-01T05:00:00Z'));
    store.claimPost(1, DAY, 'q1', at('2026-06-01T07:00:00Z'), 'a');
    // Another process refreshes while the day is claimed: the stale-claim instant.
    other.refreshCheckHints([1], at('2026-06-01T07:00:01Z'));
    assert.equal(store.getCheckHint(1)?.toISOString(), '2026-06-01T07:01:00.000Z');
    // The delivery fails with a retry before that instant: the hint is cleared in the same write.
    store.markFailed(1, DAY, 'HTTP 503', at('2026-06-01T07:00:02Z'), at('2026-06-01T07:02:00Z'));
    assert.equal(store.getCheckHint(1), null);
    store.refreshCheckHints([1], at('2026-06-01T07:00:03Z'));
    assert.equal(store.getCheckHint(1)?.toISOString(), '2026-06-01T07:02:00.000Z');
    store.retryFailed(1, DAY, at('2026-06-01T07:02:00Z'), 'a');
    store.markSent(1, DAY, 'm1', at('2026-06-01T07:02:01Z'));
    store.refreshCheckHints([1], at('2026-06-01T07:02:02Z'));
    assert.equal(store.getCheckHint(1)?.toISOString(), '2026-06-02T07:00:00.000Z');

    store.claimPost(2, DAY, 'q1', at('2026-06-01T07:00:00Z'), 'a');
    store.refreshCheckHints([2], at('2026-06-01T07:00:01Z'));
    store.markFailed(2, DAY, 'Missing Access', at('2026-06-01T07:00:02Z'), null);
    assert.equal(store.getCheckHint(2)?.toISOString(), '2026-06-01T07:01:00.000Z', 'a final failure moves nothing sooner');
    store.refreshCheckHints([2], at('2026-06-01T07:00:03Z'));
    assert.equal(store.getCheckHint(2)?.toISOString(), '2026-06-02T07:00:00.000Z');
  });

  it('refreshes thousands, in batches', (t) => {
    const file = tempFile(t);
    const db = openDatabase(file);
    t.after(() => db.close());
    const store = new DailyStore(db);
    const now = at('2026-06-01T05:00:00Z');
    const guilds = Array.from({ length: 2500 }, (_, i) => `g${i}`);
    const created = db.transaction(() => guilds.map((guildId) => store.upsertSchedule({ ...input, guildId }, now).id))();
    assert.equal(store.listDueScheduleIds(now).length, 2500);
    assert.equal(store.refreshCheckHints(created, now), 2500);
    assert.equal(store.listDueScheduleIds(now).length, 0);
    assert.equal(store.listCheckHints(now).size, 2500);
  });
});

describe('snapshot', () => {
  it('reads as of one instant while another connection commits', (t) => {
    const { store, file } = freshStore(t);
    const other = connect(t, file);
    store.upsertSchedule(input, at('2026-06-01T05:00:00Z'));
    const seen = store.snapshot(() => {
      const before = store.listActiveSchedules().length;
      other.upsertSchedule({ ...input, guildId: 'g2' }, at('2026-06-01T05:00:01Z'));
      return [before, store.listActiveSchedules().length];
    });
    assert.deepEqual(seen, [1, 1]);
    assert.equal(store.listActiveSchedules().length, 2);
  });
});
