/**
 * Issue 10's clock tests: classroom schedules driven through the real
 * scheduler and store, with the clock injected (no waiting). One database for
 * the file; each case has servers of its own.
 * - a weekday schedule on Saturday and Sunday (no post) and Monday (one post),
 *   where the local day is not UTC's: Pacific/Kiritimati (+14) and
 *   America/Los_Angeles (-8);
 * - a syllabus range beginning and ending mid-week;
 * - a holiday pause over New Year;
 * - ten schedules of one server due the same minute; an eleventh refused,
 *   accepted once one is turned off (whose history stays);
 * - a deleted channel pauses its schedule only.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadCorpusOrThrow } from '../../src/corpus/load.js';
import { WEEKDAYS } from '../../src/daily/days.js';
import type { DeliveryJob } from '../../src/daily/ports.js';
import { DailyScheduler, postNonce } from '../../src/daily/scheduler.js';
import { DailyService } from '../../src/daily/service.js';
import { SqliteDailyStore } from '../../src/daily/sqlite-store.js';
import { ScheduleLimitError } from '../../src/daily/store.js';
import type { ScheduleInput } from '../../src/daily/store.js';
import { isoWeekday } from '../../src/daily/time.js';
import { openDatabase } from '../../src/db/database.js';

const corpus = loadCorpusOrThrow('data');
const db = openDatabase(':memory:');
after(() => db.close());
const store = new SqliteDailyStore(db);
const service = new DailyService(corpus, store, { post: () => Promise.reject(new Error('the scheduler delivers')) });
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const DAY_NAMES = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A scheduler over the shared store with its own clock, recording what it delivers. */
function run(guildIds: readonly string[]): { jobs: DeliveryJob[]; at(iso: string): Promise<void>; every(fromIso: string, toIso: string, minutes: number): Promise<void> } {
  const clock = { now: new Date(0) };
  const jobs: DeliveryJob[] = [];
  let n = 0;
  const scheduler = new DailyScheduler({
    store,
    clock: () => clock.now,
    log: quiet,
    pickQuote: (schedule, date) => service.pick(schedule, date),
    guildFilter: (guildId) => guildIds.includes(guildId),
    deliver: (job) => {
      jobs.push(job);
      return Promise.resolve({ messageId: `m${++n}` });
    },
  });
  const at = async (iso: string) => {
    clock.now = new Date(iso);
    await scheduler.tick();
  };
  return {
    jobs,
    at,
    async every(fromIso, toIso, minutes) {
      for (let t = Date.parse(fromIso); t <= Date.parse(toIso); t += minutes * 60_000) await at(new Date(t).toISOString());
    },
  };
}

const set = (input: Partial<ScheduleInput> & Pick<ScheduleInput, 'guildId' | 'channelId' | 'time' | 'timeZone'>, now: string) =>
  store.upsertSchedule({ roleId: null, thread: false, ...input }, new Date(now));

const posted = (jobs: readonly DeliveryJob[], guildId: string) =>
  jobs.filter((j) => j.guildId === guildId).map((j) => `${DAY_NAMES[isoWeekday(j.localDate)]} ${j.localDate}`);

describe('classroom schedules on the clock', () => {
  it('weekdays in Kiritimati (+14) and Los Angeles (-8): no post on the local Saturday and Sunday, one on Monday, whatever day UTC says', async () => {
    // Kiritimati 09:00 is 19:00Z the day before; Los Angeles 18:00 (PST) is 02:00Z the day after.
    await set({ guildId: 'kiri', channelId: 'k1', time: '09:00', timeZone: 'Pacific/Kiritimati', days: WEEKDAYS }, '2026-12-01T00:00:00Z');
    await set({ guildId: 'la', channelId: 'l1', time: '18:00', timeZone: 'America/Los_Angeles', days: WEEKDAYS }, '2026-12-01T00:00:00Z');
    const r = run(['kiri', 'la']);
    // From Friday 4 December 00:00Z to Tuesday 8 December 12:00Z, every 20 minutes.
    await r.every('2026-12-04T00:00:00Z', '2026-12-08T12:00:00Z', 20);
    // At the first tick it is already Friday afternoon in Kiritimati and Thursday afternoon in Los Angeles.
    assert.deepEqual(posted(r.jobs, 'kiri'), ['Fri 2026-12-04', 'Mon 2026-12-07', 'Tue 2026-12-08']);
    assert.deepEqual(posted(r.jobs, 'la'), ['Thu 2026-12-03', 'Fri 2026-12-04', 'Mon 2026-12-07']);
    const kiriMonday = r.jobs.find((j) => j.guildId === 'kiri' && j.localDate === '2026-12-07');
    assert.equal(kiriMonday?.scheduledAt.toISOString(), '2026-12-06T19:00:00.000Z', 'Monday 09:00 in Kiritimati is Sunday by UTC');
    const laFriday = r.jobs.find((j) => j.guildId === 'la' && j.localDate === '2026-12-04');
    assert.equal(laFriday?.scheduledAt.toISOString(), '2026-12-05T02:00:00.000Z', 'Friday 18:00 in Los Angeles is Saturday by UTC');
    assert.equal(r.jobs.length, 6, 'one post per local teaching day, never two');
  });

  it('a syllabus range from a Wednesday to the next Wednesday: its theme on the teaching days inside, no voice twice, the rotation either side', async () => {
    const s = await set({ guildId: 'syl', channelId: 's1', time: '08:00', timeZone: 'Europe/Berlin', days: 1 | 4 | 16 }, '2026-12-01T00:00:00Z'); // Mon, Wed, Fri
    const theme = 'collectivization';
    await store.addSyllabusRange(s.id, theme, '2026-12-09', '2026-12-16', new Date('2026-12-01T00:00:00Z'));
    const r = run(['syl']);
    await r.every('2026-12-07T06:00:00Z', '2026-12-18T12:00:00Z', 60);
    assert.deepEqual(posted(r.jobs, 'syl'), ['Mon 2026-12-07', 'Wed 2026-12-09', 'Fri 2026-12-11', 'Mon 2026-12-14', 'Wed 2026-12-16', 'Fri 2026-12-18']);
    const records = (await store.scheduleHistory(s.id, 10)).reverse();
    assert.deepEqual(records.map((p) => p.theme), [null, theme, theme, theme, theme, null], 'the theme from the first day to the last, inclusive');
    const inRange = records.filter((p) => p.theme === theme).map((p) => p.quoteId);
    assert.ok(service.themeSize(theme) >= inRange.length, 'the theme has voices enough for the range');
    assert.equal(new Set(inRange).size, inRange.length, `no voice twice within the range: ${inRange.join(', ')}`);
    for (const id of inRange) assert.ok(corpus.byId.get(id)?.themes.includes(theme), `${id} is of ${theme}`);
    assert.equal(records[0]?.quoteId, service.rotation.voiceOf('2026-12-07'), 'before the range: the day’s ordinary voice');
    assert.equal(records[5]?.quoteId, service.rotation.voiceOf('2026-12-18'), 'after it: the ordinary voice again');
    for (const p of records) assert.equal(p.status, 'sent');
  });

  it('a holiday pause over New Year in Kiritimati: nothing until the local date it ends, then every day again', async () => {
    const s = await set({ guildId: 'ny', channelId: 'n1', time: '00:30', timeZone: 'Pacific/Kiritimati' }, '2026-12-01T00:00:00Z');
    await store.pauseUntil(s.id, '2027-01-02', 'winter break', new Date('2026-12-20T00:00:00Z'));
    const r = run(['ny']);
    // Kiritimati's 30 December 00:30 is 29 December 10:30Z; its 3 January 00:30 is 2 January 10:30Z.
    await r.every('2026-12-29T00:00:00Z', '2027-01-02T12:00:00Z', 30);
    assert.deepEqual(posted(r.jobs, 'ny'), ['Sat 2027-01-02', 'Sun 2027-01-03']);
    const first = r.jobs[0];
    assert.equal(first?.scheduledAt.toISOString(), '2027-01-01T10:30:00.000Z', 'posting resumes on the local 2 January, still New Year’s Day by UTC');
    assert.equal((await store.getSchedule(s.id))?.pausedUntil, '2027-01-02', 'the pause stays recorded; it no longer holds anything back');
  });

  it('ten schedules of one server due the same minute: ten posts, one per channel, each with its own nonce; an eleventh channel is refused', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) ids.push((await set({ guildId: 'ten', channelId: `t${i}`, time: '09:00', timeZone: 'Europe/Kyiv', days: WEEKDAYS }, '2026-12-01T00:00:00Z')).id);
    await assert.rejects(() => set({ guildId: 'ten', channelId: 't10', time: '09:00', timeZone: 'Europe/Kyiv' }, '2026-12-01T00:00:00Z'), ScheduleLimitError);
    assert.equal((await store.listGuildSchedules('ten')).length, 10, 'nothing saved for the eleventh');
    const r = run(['ten']);
    await r.at('2026-12-07T06:59:00Z');
    assert.equal(r.jobs.length, 0, 'a minute early');
    await r.at('2026-12-07T07:00:00Z'); // 09:00 in Kyiv, Monday
    assert.deepEqual(r.jobs.map((j) => j.channelId).sort(), ids.map((_, i) => `t${i}`).sort());
    assert.deepEqual(new Set(r.jobs.map((j) => j.nonce)), new Set(ids.map((id) => postNonce(id, '2026-12-07'))));
    assert.equal(new Set(r.jobs.map((j) => j.quoteId)).size, 1, 'the same day’s voice in every channel of the server');
    await r.at('2026-12-07T07:01:00Z');
    await r.at('2026-12-07T12:00:00Z');
    assert.equal(r.jobs.length, 10, 'each posted once');
    for (const id of ids) assert.equal((await store.getPost(id, '2026-12-07'))?.status, 'sent');
    // Turning a channel's schedule off keeps its history, and frees its place for another channel.
    await store.disableSchedule(ids[0] as number, new Date('2026-12-07T08:00:00Z'));
    assert.equal((await store.scheduleHistory(ids[0] as number)).length, 1, 'the day it posted stays recorded');
    assert.equal((await store.history('ten', 20)).length, 10);
    const eleventh = await set({ guildId: 'ten', channelId: 't10', time: '09:00', timeZone: 'Europe/Kyiv' }, '2026-12-07T08:00:00Z');
    assert.equal(eleventh.state, 'active');
  });

  it('a deleted channel pauses its own schedule; the server’s other channel still posts', async () => {
    await set({ guildId: 'del', channelId: 'gone', time: '10:00', timeZone: 'UTC' }, '2026-12-01T00:00:00Z');
    await set({ guildId: 'del', channelId: 'kept', time: '10:00', timeZone: 'UTC' }, '2026-12-01T00:00:00Z');
    assert.equal((await store.pauseChannel('gone', 'the channel was deleted', new Date('2026-12-07T09:00:00Z'))).length, 1);
    const r = run(['del']);
    await r.at('2026-12-07T10:00:00Z');
    assert.deepEqual(r.jobs.map((j) => j.channelId), ['kept']);
    assert.deepEqual((await store.listGuildSchedules('del')).map((s) => [s.channelId, s.state, s.pausedReason]), [
      ['gone', 'paused', 'the channel was deleted'],
      ['kept', 'active', null],
    ]);
  });
});
