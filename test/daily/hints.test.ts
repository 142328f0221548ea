/**
 * Check hints (`nextCheckTimes`): when the scheduler must next look at a
 * schedule. A hint must never be later than the first instant `dueSchedules`
 * would act, or a post is late; these tests check that against the decision
 * itself, minute by minute, around every clock change of the zones that make
 * slot arithmetic hard.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentDateWindow, DEFAULT_POLICY, dueSchedules, nextCheckAt, nextCheckTimes } from '../../src/daily/due.js';
import type { PostRecord, Schedule } from '../../src/daily/due.js';
import { Temporal } from 'temporal-polyfill';
import { addDays, listTimeZones, localDate, scheduledInstant } from '../../src/daily/time.js';
import { at, idOf, post, schedule } from './records.js';

const MINUTE = 60_000;

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

describe('nextCheckAt: each state of the day', () => {
  const s = schedule();

  it('not yet due: today’s slot; due and not posted: the slot, already past', () => {
    assert.equal(iso(nextCheckAt(s, [], at('2026-06-01T08:00:00Z'))), '2026-06-01T09:00:00.000Z');
    assert.equal(iso(nextCheckAt(s, [], at('2026-06-01T15:00:00Z'))), '2026-06-01T09:00:00.000Z');
  });

  it('sent: the next local day’s slot', () => {
    assert.equal(iso(nextCheckAt(s, [post()], at('2026-06-01T09:00:05Z'))), '2026-06-02T09:00:00.000Z');
  });

  it('failed with a retry planned: the retry', () => {
    const failed = post({ status: 'failed', messageId: null, nextAttemptAt: at('2026-06-01T09:02:00Z') });
    assert.equal(iso(nextCheckAt(s, [failed], at('2026-06-01T09:00:05Z'))), '2026-06-01T09:02:00.000Z');
  });

  it('failed for good: the next local day’s slot', () => {
    const final = post({ status: 'failed', messageId: null, nextAttemptAt: null });
    assert.equal(iso(nextCheckAt(s, [final], at('2026-06-01T09:00:05Z'))), '2026-06-02T09:00:00.000Z');
  });

  it('claimed without outcome: when the claim turns stale (takeover with the same nonce, or abandon)', () => {
    const claimed = post({ status: 'claimed', messageId: null, claimedAt: at('2026-06-01T09:00:00Z') });
    assert.equal(iso(nextCheckAt(s, [claimed], at('2026-06-01T09:00:05Z'))), '2026-06-01T09:01:00.000Z');
    const taken = { ...claimed, staleReclaims: 1, claimedAt: at('2026-06-01T09:01:00Z') };
    assert.equal(iso(nextCheckAt(s, [taken], at('2026-06-01T09:01:05Z'))), '2026-06-01T09:02:00.000Z');
    const slow = { ...DEFAULT_POLICY, staleClaimMinutes: 30 };
    assert.equal(iso(nextCheckAt(s, [claimed], at('2026-06-01T09:00:05Z'), slow)), '2026-06-01T09:30:00.000Z');
    // A late claim whose stale instant is past the next day's slot: that slot first.
    const late = post({ status: 'claimed', messageId: null, claimedAt: at('2026-06-02T08:59:30Z'), localDate: '2026-06-01' });
    assert.equal(iso(nextCheckAt(s, [late], at('2026-06-01T23:59:00Z'))), '2026-06-02T09:00:00.000Z');
  });

  it('paused, off, or unusable: none (an unusable one is due as invalid at once)', () => {
    const now = at('2026-06-01T08:00:00Z');
    assert.equal(nextCheckAt(schedule({ state: 'paused' }), [], now), null);
    assert.equal(nextCheckAt(schedule({ state: 'off' }), [], now), null);
    assert.equal(nextCheckAt(schedule({ timeZone: 'Gone/Zone' }), [], now), null);
    assert.equal(nextCheckAt(schedule({ time: '9h' }), [], now), null);
  });

  it('set up after today’s slot: tomorrow’s; posts of other dates and guilds do not count', () => {
    const late = schedule({ effectiveFrom: at('2026-06-01T10:00:00Z') });
    assert.equal(iso(nextCheckAt(late, [], at('2026-06-01T10:00:00Z'))), '2026-06-02T09:00:00.000Z');
    const others = [post({ localDate: '2026-05-31' }), post({ guildId: 'g2' })];
    assert.equal(iso(nextCheckAt(s, others, at('2026-06-01T10:00:00Z'))), '2026-06-01T09:00:00.000Z');
  });

  it('batches: one hint per schedule, by schedule id', () => {
    const hints = nextCheckTimes(
      [schedule(), schedule({ guildId: 'g2', time: '10:00' }), schedule({ guildId: 'p', state: 'paused' })],
      [post()],
      at('2026-06-01T09:30:00Z'),
    );
    assert.deepEqual(
      [...hints].map(([guild, hint]) => [guild, hint === null ? null : new Date(hint).toISOString()]),
      [
        [1, '2026-06-02T09:00:00.000Z'],
        [2, '2026-06-01T10:00:00.000Z'],
        [idOf('p'), null],
      ],
    );
  });
});

describe('nextCheckAt: clock changes and far zones', () => {
  const sentOn = (guildId: string, date: string) => post({ guildId, localDate: date });

  it('Berlin spring forward: the next slot is 23 hours away, and 02:30 comes at the jump', () => {
    const nine = schedule({ timeZone: 'Europe/Berlin' });
    // Saturday 09:00 CET = 08:00Z; Sunday 09:00 CEST = 07:00Z, not 08:00Z.
    assert.equal(iso(nextCheckAt(nine, [sentOn('g1', '2026-03-28')], at('2026-03-28T08:00:05Z'))), '2026-03-29T07:00:00.000Z');
    const half = schedule({ time: '02:30', timeZone: 'Europe/Berlin' });
    assert.equal(iso(nextCheckAt(half, [sentOn('g1', '2026-03-28')], at('2026-03-28T12:00:00Z'))), '2026-03-29T01:00:00.000Z');
  });

  it('Berlin fall back: 25 hours to the next slot, and 02:30 at its first occurrence', () => {
    const nine = schedule({ timeZone: 'Europe/Berlin' });
    assert.equal(iso(nextCheckAt(nine, [sentOn('g1', '2026-10-24')], at('2026-10-24T07:00:05Z'))), '2026-10-25T08:00:00.000Z');
    const half = schedule({ time: '02:30', timeZone: 'Europe/Berlin' });
    assert.equal(iso(nextCheckAt(half, [sentOn('g1', '2026-10-24')], at('2026-10-24T12:00:00Z'))), '2026-10-25T00:30:00.000Z');
    // Posted at the first 02:30: the second one (01:30Z) is the same date, nothing until Monday.
    assert.equal(iso(nextCheckAt(half, [sentOn('g1', '2026-10-25')], at('2026-10-25T00:30:05Z'))), '2026-10-26T01:30:00.000Z');
  });

  it('Lord Howe: half-hour switches', () => {
    const s = schedule({ time: '02:15', timeZone: 'Australia/Lord_Howe' });
    // Forward on 2026-10-04, 02:00 -> 02:30: 02:15 does not exist, due at the jump (15:30Z).
    assert.equal(iso(nextCheckAt(s, [sentOn('g1', '2026-10-03')], at('2026-10-03T06:00:00Z'))), '2026-10-03T15:30:00.000Z');
    // Back on 2026-04-05, 02:00 -> 01:30: 01:45 happens twice, due at the first (14:45Z, +11:00).
    const back = schedule({ time: '01:45', timeZone: 'Australia/Lord_Howe' });
    assert.equal(iso(nextCheckAt(back, [sentOn('g1', '2026-04-04')], at('2026-04-04T06:00:00Z'))), '2026-04-04T14:45:00.000Z');
  });

  it('St. John’s: -03:30 and -02:30', () => {
    const s = schedule({ time: '02:30', timeZone: 'America/St_Johns' });
    assert.equal(iso(nextCheckAt(s, [sentOn('g1', '2026-03-07')], at('2026-03-07T12:00:00Z'))), '2026-03-08T05:30:00.000Z');
    const back = schedule({ time: '01:30', timeZone: 'America/St_Johns' });
    assert.equal(iso(nextCheckAt(back, [sentOn('g1', '2026-10-31')], at('2026-10-31T12:00:00Z'))), '2026-11-01T04:00:00.000Z');
  });

  it('Kiritimati (+14): its date turns at 10:00Z; the hint follows its own date', () => {
    const s = schedule({ timeZone: 'Pacific/Kiritimati' });
    // 09:00Z is 23:00 on 06-01 there: 06-01 posted, next is 06-02 09:00 = 06-01T19:00Z.
    assert.equal(iso(nextCheckAt(s, [sentOn('g1', '2026-06-01')], at('2026-06-01T09:00:00Z'))), '2026-06-01T19:00:00.000Z');
    // 10:00Z is 00:00 on 06-02: nothing posted yet for it, its slot is 19:00Z.
    assert.equal(iso(nextCheckAt(s, [sentOn('g1', '2026-06-01')], at('2026-06-01T10:00:00Z'))), '2026-06-01T19:00:00.000Z');
  });
});

/** Every instant in [from, to) at which `zone` changes its offset (Temporal's transitions: exact, and quicker than a scan). */
function offsetChanges(zone: string, from: Date, to: Date): Date[] {
  const changes: Date[] = [];
  let t: Temporal.ZonedDateTime | null = Temporal.Instant.fromEpochMilliseconds(from.getTime() - 1).toZonedDateTimeISO(zone);
  while ((t = t.getTimeZoneTransition('next')) !== null && t.epochMilliseconds < to.getTime()) changes.push(new Date(t.epochMilliseconds));
  return changes;
}

const TIMES = ['00:00', '00:30', '01:45', '02:15', '02:30', '23:59'];
/** How far each sweep goes (a minute at a time, so the test stays quick); hints further out are checked to there. */
const HORIZON = 30 * 60 * MINUTE;

/**
 * Schedules at every time in TIMES, each in four situations at `now`: nothing
 * posted today, today's post sent, claimed 3 minutes ago, failed with a retry
 * in 7 minutes. Then, minute by minute from `now` until the last hint (at most
 * HORIZON): no schedule is due before its hint, and each is due at its hint,
 * except a claim or retry of today that would fall on the next local date,
 * where the hint is early (harmless: one look too many).
 */
function checkAgainstDecision(zone: string, now: Date, tightExceptions = new Set<string>()): number {
  const today = localDate(now, zone);
  const schedules: Schedule[] = [];
  const posts: PostRecord[] = [];
  for (const time of TIMES) {
    for (const situation of ['none', 'sent', 'claimed', 'retry'] as const) {
      const guildId = `${time}/${situation}`;
      schedules.push(schedule({ guildId, time, timeZone: zone, effectiveFrom: at('2000-01-01T00:00:00Z') }));
      if (situation === 'sent') posts.push(post({ guildId, localDate: today }));
      if (situation === 'claimed') {
        posts.push(post({ guildId, localDate: today, status: 'claimed', messageId: null, claimedAt: new Date(now.getTime() - 3 * MINUTE) }));
      }
      if (situation === 'retry') {
        const nextAttemptAt = new Date(now.getTime() + 7 * MINUTE);
        posts.push(post({ guildId, localDate: today, status: 'failed', messageId: null, nextAttemptAt }));
      }
    }
  }
  const byId = nextCheckTimes(schedules, posts, now);
  const guildOf = new Map(schedules.map((s) => [s.id, s.guildId]));
  const hints = new Map([...byId].map(([id, hint]) => [guildOf.get(id) ?? String(id), hint]));
  assert.ok(hints.size > 0, 'hints were computed');
  const seen = new Set<string>();
  let last = now.getTime();
  for (const [guildId, hint] of hints) {
    assert.ok(hint !== null, `${zone} ${guildId}: a hint`);
    last = Math.max(last, hint);
    const situation = guildId.split('/')[1];
    if ((situation === 'claimed' || situation === 'retry') && localDate(new Date(hint), zone) !== today) {
      tightExceptions.add(guildId);
    }
  }
  last = Math.min(last, now.getTime() + HORIZON);
  // Decisions change only at whole minutes (slots, dates, and the claim and retry instants here are whole minutes).
  for (let t = now.getTime(); t <= last; t += MINUTE) {
    const due = new Set(dueSchedules(schedules, posts, new Date(t)).map((action) => action.schedule.guildId));
    for (const [guildId, hint] of hints) {
      // The message only on failure: built for every minute and schedule, it would cost more than the check.
      const where = () => `${zone} at ${now.toISOString()}: ${guildId}, hint ${new Date(hint ?? 0).toISOString()}`;
      if (due.has(guildId) && (hint ?? 0) > t) assert.fail(`${where()}: due at ${new Date(t).toISOString()}, before its hint`);
      // Tight: at its hint (or right away when it is already past), the schedule is due.
      if (t === Math.max(now.getTime(), hint ?? 0) && !tightExceptions.has(guildId)) {
        if (!due.has(guildId)) assert.fail(`${where()}: not due at its hint`);
        seen.add(guildId);
      }
    }
  }
  return seen.size;
}

describe('nextCheckTimes against dueSchedules, minute by minute', () => {
  const year = { from: at('2026-01-01T00:00:00Z'), to: at('2027-01-01T00:00:00Z') };

  for (const zone of ['Europe/Berlin', 'Australia/Lord_Howe', 'America/St_Johns', 'America/Santiago', 'America/Havana']) {
    it(`${zone}: around each clock change of 2026`, () => {
      const changes = offsetChanges(zone, year.from, year.to);
      assert.equal(changes.length, 2, `${zone} changes its clocks twice a year`);
      for (const change of changes) {
        for (const before of [-26, -0.5]) {
          const now = new Date(change.getTime() + Math.round(before * 60) * MINUTE);
          checkAgainstDecision(zone, now);
        }
      }
    });
  }

  it('zones without DST, far from UTC: Kiritimati, Kathmandu, Chatham, Honolulu', () => {
    for (const zone of ['Pacific/Kiritimati', 'Asia/Kathmandu', 'Pacific/Chatham', 'Pacific/Honolulu']) {
      for (const now of ['2026-06-01T09:45:00Z', '2026-06-01T18:14:00Z', '2026-12-31T23:59:00Z']) {
        checkAgainstDecision(zone, at(now));
      }
    }
  });

  it('a skipped local date (Samoa, 2011-12-30): never late, though not due at the hint', () => {
    // The day did not exist: the hint for it is the jump (00:00 on the 31st), where nothing is due yet.
    const skipped = new Set(TIMES.flatMap((time) => [`${time}/sent`]));
    checkAgainstDecision('Pacific/Apia', at('2011-12-29T12:00:00Z'), skipped);
  });
});

describe('the next local day’s slot, in every zone that changes its clocks', () => {
  it('is what scheduledInstant says, on the days around each change of 2026', () => {
    let checked = 0;
    for (const zone of listTimeZones()) {
      // The UTC day of each change of 2026 (from noon the day before to its noon).
      const days = offsetChanges(zone, at('2026-01-01T12:00:00Z'), at('2027-01-01T12:00:00Z')).map((change) =>
        new Date(change.getTime() + 12 * 3_600_000 - 1).toISOString().slice(0, 10),
      );
      for (const changeDay of days) {
        for (let k = -4; k <= 3; k++) {
          const date = addDays(changeDay, k);
          const noon = scheduledInstant(date, '12:00', zone);
          const today = localDate(noon, zone);
          const sent = post({ localDate: today });
          for (const time of ['00:00', '01:30', '02:30', '09:00', '23:59']) {
            const s = schedule({ time, timeZone: zone });
            const expected = scheduledInstant(addDays(today, 1), time, zone);
            assert.equal(iso(nextCheckAt(s, [sent], noon)), expected.toISOString(), `${zone} ${date} ${time}`);
            checked++;
          }
        }
      }
    }
    assert.ok(checked > 5_000, `checked ${checked}`);
  });
});

describe('currentDateWindow', () => {
  it('holds every zone’s local date at every instant; two dates but from 10:00 to 12:00 UTC', () => {
    const zones = listTimeZones();
    // An oracle apart from Temporal (and quicker): Intl's own calendar date, in the form YYYY-MM-DD.
    const formats = new Map(zones.map((zone) => [zone, new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })]));
    for (const day of ['2026-01-15', '2026-03-29', '2026-06-21', '2026-10-04', '2026-12-31']) {
      for (let minutes = 0; minutes < 1440; minutes += 30) {
        const now = new Date(Date.parse(`${day}T00:00:00Z`) + minutes * MINUTE);
        const { from, to } = currentDateWindow(now);
        for (const [zone, format] of formats) {
          const date = format.format(now);
          if (!(from <= date && date <= to)) assert.fail(`${zone} at ${now.toISOString()}: ${date} outside ${from}..${to}`);
        }
        const hour = now.getUTCHours();
        assert.equal(to, addDays(from, hour >= 10 && hour < 12 ? 2 : 1), now.toISOString());
      }
    }
  });
});
