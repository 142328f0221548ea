import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addDays,
  daysBetween,
  formatUtcOffset,
  isoWeekday,
  isValidTimeZone,
  listTimeZones,
  localDate,
  localDay,
  localParts,
  nextOffsetChange,
  normalizeTimeZone,
  parseLocalDate,
  parseLocalTime,
  scheduledInstant,
  searchTimeZones,
} from '../../src/daily/time.js';

const iso = (d: Date): string => d.toISOString();
const at = (text: string): Date => new Date(text);

describe('time zone names', () => {
  it('accepts IANA names and links, refuses unknown names and offsets', () => {
    for (const zone of [
      'Europe/Berlin',
      'America/St_Johns',
      'Asia/Kathmandu',
      'Pacific/Kiritimati',
      'Australia/Lord_Howe',
      'UTC',
      'US/Eastern',
    ]) {
      assert.equal(isValidTimeZone(zone), true, zone);
    }
    for (const zone of ['', 'Mars/Olympus_Mons', 'Europe/Berlinn', '+05:30', '-03:00', 'UTC+1']) {
      assert.equal(isValidTimeZone(zone), false, zone);
    }
  });

  it('lists every zone once, sorted, with UTC and current spellings', () => {
    const zones = listTimeZones();
    assert.ok(zones.length > 300);
    assert.deepEqual([...zones].sort(), zones);
    assert.equal(new Set(zones).size, zones.length);
    const expected = ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Kathmandu', 'Europe/Kyiv', 'Pacific/Kiritimati'];
    for (const zone of expected) {
      assert.ok(zones.includes(zone), zone);
    }
    assert.ok(!zones.includes('Asia/Calcutta'), 'legacy ICU spelling replaced');
    assert.ok(zones.every(isValidTimeZone));
  });

  it('normalizes what users type to the spelling to store', () => {
    assert.deepEqual(normalizeTimeZone(' europe/berlin '), { ok: true, value: 'Europe/Berlin' });
    assert.deepEqual(normalizeTimeZone('Asia/Calcutta'), { ok: true, value: 'Asia/Kolkata' });
    assert.deepEqual(normalizeTimeZone('utc'), { ok: true, value: 'UTC' });
    assert.deepEqual(normalizeTimeZone('US/Eastern'), { ok: true, value: 'America/New_York' });
    const bad = normalizeTimeZone('Europe/Atlantis');
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.error, /^daily: unknown time zone "Europe\/Atlantis"/);
  });

  it('finds zones for autocomplete by words, city prefix first', () => {
    assert.deepEqual(searchTimeZones('new york'), ['America/New_York']);
    assert.equal(searchTimeZones('kathmandu')[0], 'Asia/Kathmandu');
    assert.equal(searchTimeZones('st johns')[0], 'America/St_Johns');
    assert.equal(searchTimeZones('', 25).length, 25);
    assert.ok(searchTimeZones('america', 5).length === 5);
  });
});

describe('parseLocalTime', () => {
  it('accepts 00:00 through 23:59', () => {
    assert.deepEqual(parseLocalTime('00:00'), { ok: true, value: { hour: 0, minute: 0 } });
    assert.deepEqual(parseLocalTime('23:59'), { ok: true, value: { hour: 23, minute: 59 } });
    assert.deepEqual(parseLocalTime(' 09:05 '), { ok: true, value: { hour: 9, minute: 5 } });
  });

  it('refuses anything else with an error that says how to fix it', () => {
    for (const text of ['24:00', '12:60', '9:00', '0900', '09:00:00', '9am', '', '-1:00', '09h00', '٠٩:٠٠']) {
      const result = parseLocalTime(text);
      assert.equal(result.ok, false, text);
      if (!result.ok) assert.match(result.error, /^daily: time ".*" must be HH:MM/);
    }
    const loose = parseLocalTime('9:00');
    assert.ok(!loose.ok && loose.error.includes('did you mean 09:00?'));
    const midnight = parseLocalTime('24:00');
    assert.ok(!midnight.ok && midnight.error.includes('midnight is 00:00'));
  });
});

describe('calendar dates', () => {
  it('validates dates and counts days', () => {
    assert.deepEqual(parseLocalDate('2024-02-29'), { year: 2024, month: 2, day: 29 });
    assert.throws(() => parseLocalDate('2026-02-29'), /^RangeError: daily: "2026-02-29" is not a calendar date/);
    assert.throws(() => parseLocalDate('2026-1-01'), /daily:/);
    assert.equal(addDays('2026-12-31', 1), '2027-01-01');
    assert.equal(addDays('2026-03-01', -1), '2026-02-28');
    assert.equal(daysBetween('2024-01-01', '2025-01-01'), 366);
    assert.equal(daysBetween('2026-03-29', '2026-03-28'), -1);
  });
});

describe('localDate and localParts', () => {
  it('reads the wall clock with its offset', () => {
    const p = localParts(at('2026-07-01T12:34:56Z'), 'Asia/Kathmandu');
    assert.deepEqual(p, { year: 2026, month: 7, day: 1, hour: 18, minute: 19, second: 56, offsetMinutes: 345 });
    assert.equal(localParts(at('2026-07-01T12:00:00Z'), 'America/St_Johns').offsetMinutes, -150);
    assert.equal(localParts(at('2026-01-01T12:00:00Z'), 'America/St_Johns').offsetMinutes, -210);
    assert.equal(localParts(at('2026-01-01T00:00:00Z'), 'UTC').hour, 0, 'midnight is 0, not 24');
    assert.equal(formatUtcOffset(345), 'UTC+05:45');
    assert.equal(formatUtcOffset(-150), 'UTC-02:30');
  });

  it('crosses the date line: Kiritimati is a day ahead of Honolulu at the same instant', () => {
    const instant = at('2025-12-31T12:00:00Z');
    assert.equal(localDate(instant, 'Pacific/Kiritimati'), '2026-01-01');
    assert.equal(localDate(instant, 'Pacific/Honolulu'), '2025-12-31');
    assert.equal(localDate(at('2025-12-31T09:59:59Z'), 'Pacific/Kiritimati'), '2025-12-31');
    assert.equal(localDate(at('2025-12-31T10:00:00Z'), 'Pacific/Kiritimati'), '2026-01-01');
  });

  it('throws with its origin for an unknown zone or an invalid instant', () => {
    assert.throws(
      () => localDate(new Date(0), 'Nowhere/Land'),
      /^RangeError: daily: unknown time zone "Nowhere\/Land"/,
    );
    assert.throws(() => localDate(new Date(NaN), 'UTC'), /daily: invalid instant/);
  });
});

describe('scheduledInstant', () => {
  const cases: Array<[zone: string, date: string, time: string, expected: string, why: string]> = [
    ['UTC', '2026-06-01', '09:00', '2026-06-01T09:00:00.000Z', 'plain'],
    ['UTC', '2026-06-01', '00:00', '2026-06-01T00:00:00.000Z', 'midnight'],
    ['UTC', '2026-06-01', '23:59', '2026-06-01T23:59:00.000Z', 'last minute'],
    ['Europe/Berlin', '2026-01-15', '09:00', '2026-01-15T08:00:00.000Z', 'winter, +1'],
    ['Europe/Berlin', '2026-07-15', '09:00', '2026-07-15T07:00:00.000Z', 'summer, +2'],
    ['Europe/Berlin', '2026-03-29', '01:59', '2026-03-29T00:59:00.000Z', 'just before the gap'],
    ['Europe/Berlin', '2026-03-29', '02:00', '2026-03-29T01:00:00.000Z', 'gap start → 03:00 CEST'],
    ['Europe/Berlin', '2026-03-29', '02:30', '2026-03-29T01:00:00.000Z', 'in the gap → 03:00 CEST'],
    ['Europe/Berlin', '2026-03-29', '02:59', '2026-03-29T01:00:00.000Z', 'gap end → 03:00 CEST'],
    ['Europe/Berlin', '2026-03-29', '03:00', '2026-03-29T01:00:00.000Z', 'first minute after the gap'],
    ['Europe/Berlin', '2026-03-29', '00:00', '2026-03-28T23:00:00.000Z', 'midnight on the spring day'],
    ['Europe/Berlin', '2026-03-29', '23:59', '2026-03-29T21:59:00.000Z', 'end of the spring day'],
    ['Europe/Berlin', '2026-10-25', '02:30', '2026-10-25T00:30:00.000Z', 'twice → first (CEST)'],
    ['Europe/Berlin', '2026-10-25', '02:00', '2026-10-25T00:00:00.000Z', 'twice → first (CEST)'],
    ['Europe/Berlin', '2026-10-25', '03:00', '2026-10-25T02:00:00.000Z', 'after the overlap, CET'],
    ['Europe/Berlin', '2026-10-25', '01:59', '2026-10-24T23:59:00.000Z', 'before the overlap'],
    ['America/St_Johns', '2026-01-15', '09:00', '2026-01-15T12:30:00.000Z', 'NST -3:30'],
    ['America/St_Johns', '2026-07-15', '09:00', '2026-07-15T11:30:00.000Z', 'NDT -2:30'],
    ['America/St_Johns', '2026-03-08', '02:30', '2026-03-08T05:30:00.000Z', 'gap → 03:00 NDT'],
    ['America/St_Johns', '2026-03-08', '01:59', '2026-03-08T05:29:00.000Z', 'before the gap'],
    ['America/St_Johns', '2026-11-01', '01:30', '2026-11-01T04:00:00.000Z', 'twice → first (NDT)'],
    ['America/St_Johns', '2026-11-01', '02:00', '2026-11-01T05:30:00.000Z', 'after the overlap, NST'],
    ['Asia/Kathmandu', '2026-01-01', '09:00', '2026-01-01T03:15:00.000Z', '+5:45'],
    ['Asia/Kathmandu', '2026-01-01', '00:00', '2025-12-31T18:15:00.000Z', 'midnight, previous UTC day'],
    ['Asia/Kathmandu', '2026-01-01', '23:59', '2026-01-01T18:14:00.000Z', 'last minute'],
    ['Pacific/Kiritimati', '2026-01-01', '09:00', '2025-12-31T19:00:00.000Z', '+14, previous UTC day'],
    ['Pacific/Kiritimati', '2026-01-01', '00:00', '2025-12-31T10:00:00.000Z', 'midnight +14'],
    ['Pacific/Kiritimati', '2026-01-01', '23:59', '2026-01-01T09:59:00.000Z', 'last minute +14'],
    ['Australia/Lord_Howe', '2026-07-01', '09:00', '2026-06-30T22:30:00.000Z', 'standard +10:30'],
    ['Australia/Lord_Howe', '2026-01-15', '09:00', '2026-01-14T22:00:00.000Z', 'summer +11'],
    ['Australia/Lord_Howe', '2026-10-04', '02:00', '2026-10-03T15:30:00.000Z', '30-min gap → 02:30'],
    ['Australia/Lord_Howe', '2026-10-04', '02:15', '2026-10-03T15:30:00.000Z', '30-min gap → 02:30'],
    ['Australia/Lord_Howe', '2026-10-04', '02:30', '2026-10-03T15:30:00.000Z', 'first minute after the gap'],
    ['Australia/Lord_Howe', '2026-04-05', '01:45', '2026-04-04T14:45:00.000Z', 'twice → first (+11)'],
    ['Australia/Lord_Howe', '2026-04-05', '01:30', '2026-04-04T14:30:00.000Z', 'twice → first (+11)'],
    ['Australia/Lord_Howe', '2026-04-05', '02:00', '2026-04-04T15:30:00.000Z', 'after the overlap'],
    ['America/Santiago', '2026-09-06', '00:00', '2026-09-06T04:00:00.000Z', 'midnight in the gap → 01:00'],
  ];

  for (const [zone, date, time, expected, why] of cases) {
    it(`${zone} ${date} ${time}: ${why}`, () => {
      const instant = scheduledInstant(date, time, zone);
      assert.equal(iso(instant), expected);
      // The slot always lands on the local day it was asked for.
      assert.equal(localDate(instant, zone), date);
    });
  }

  it('an existing time reads back exactly; a missing one reads as the first minute after it', () => {
    for (const zone of ['Europe/Berlin', 'America/St_Johns', 'Australia/Lord_Howe']) {
      for (let minutes = 0; minutes < 24 * 60; minutes += 15) {
        const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
        for (const date of ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01']) {
          const p = localParts(scheduledInstant(date, time, zone), zone);
          const read = p.hour * 60 + p.minute;
          assert.ok(read >= minutes && read - minutes <= 60, `${zone} ${date} ${time} read ${p.hour}:${p.minute}`);
        }
      }
    }
  });

  it('throws with its origin on bad input', () => {
    assert.throws(() => scheduledInstant('2026-02-30', '09:00', 'UTC'), /^RangeError: daily: "2026-02-30"/);
    assert.throws(() => scheduledInstant('2026-02-01', '9:00', 'UTC'), /^RangeError: daily: time "9:00"/);
    assert.throws(() => scheduledInstant('2026-02-01', '09:00', 'Mars/Base'), /^RangeError: daily: unknown time zone/);
  });
});

describe('localDay: a date as the instants it spans', () => {
  const span = (date: string, zone: string) => {
    const d = localDay(date, zone);
    return [iso(d.start), iso(d.end), d.steady];
  };

  it('an ordinary day: 24 hours from 00:00, steady', () => {
    assert.deepEqual(span('2026-06-01', 'Europe/Berlin'), ['2026-05-31T22:00:00.000Z', '2026-06-01T22:00:00.000Z', true]);
    assert.deepEqual(span('2026-06-01', 'Asia/Kathmandu'), ['2026-05-31T18:15:00.000Z', '2026-06-01T18:15:00.000Z', true]);
  });

  it('the days the clocks change are not steady: 23 or 25 hours', () => {
    assert.deepEqual(span('2026-03-29', 'Europe/Berlin'), ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', false]);
    assert.deepEqual(span('2026-10-25', 'Europe/Berlin'), ['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', false]);
  });

  it('a jump over the day’s last hour (Nuuk, 23:00 -> 00:00) is in that day: 23:30 does not exist', () => {
    assert.deepEqual(span('2026-03-28', 'America/Nuuk'), ['2026-03-28T02:00:00.000Z', '2026-03-29T01:00:00.000Z', false]);
    assert.equal(iso(scheduledInstant('2026-03-28', '23:30', 'America/Nuuk')), '2026-03-29T01:00:00.000Z');
    assert.equal(span('2026-03-29', 'America/Nuuk')[2], true);
  });

  it('a day whose midnight is skipped starts at the jump (Santiago, 00:00 -> 01:00), not steady', () => {
    const [start, , steady] = span('2026-09-06', 'America/Santiago');
    assert.equal(start, '2026-09-06T04:00:00.000Z');
    assert.equal(localParts(at(start as string), 'America/Santiago').hour, 1);
    assert.equal(steady, false);
  });

  it('on the steady days around each change of 2026, a slot is its minutes after the start', () => {
    let steadyDays = 0;
    for (const zone of ['Europe/Berlin', 'America/Nuuk', 'America/Santiago', 'Australia/Lord_Howe', 'America/St_Johns', 'Asia/Gaza']) {
      for (let change = nextOffsetChange(at('2026-01-01T00:00:00Z'), zone); change && change < at('2027-01-01T00:00:00Z'); change = nextOffsetChange(change, zone)) {
        for (let k = -3; k <= 3; k++) {
          const date = addDays(localDate(change, zone), k);
          const day = localDay(date, zone);
          assert.equal(day.steady, k !== 0 && k !== -1 ? true : day.steady, `${zone} ${date}: only the change's own day (or the day before it, for a jump at midnight) is not steady`);
          if (!day.steady) continue;
          steadyDays++;
          for (const [time, minutes] of [['00:00', 0], ['02:30', 150], ['23:59', 1439]] as const) {
            assert.equal(scheduledInstant(date, time, zone).getTime(), day.start.getTime() + minutes * 60_000, `${zone} ${date} ${time}`);
          }
        }
      }
    }
    assert.ok(steadyDays >= 6 * 2 * 5, `${steadyDays} steady days`);
  });

  it('isoWeekday: Monday 1 … Sunday 7', () => {
    assert.deepEqual(['2026-06-01', '2026-06-06', '2026-06-07'].map(isoWeekday), [1, 6, 7]);
  });
});
