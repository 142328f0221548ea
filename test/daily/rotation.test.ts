import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ROTATION_EPOCH,
  createRotation,
  dayNumber,
  hashString,
  mulberry32,
  voiceOfTheDay,
} from '../../src/daily/rotation.js';
import { addDays } from '../../src/daily/time.js';

const corpus = (n: number): string[] => Array.from({ length: n }, (_, i) => `q${String(i).padStart(3, '0')}`);

/** `count` consecutive dates starting at `from`. */
const dates = (from: string, count: number): string[] => Array.from({ length: count }, (_, i) => addDays(from, i));

describe('voiceOfTheDay', () => {
  it('shows every quote once per cycle of n days, for several cycles and corpus sizes', () => {
    for (const n of [1, 2, 3, 7, 50, 365]) {
      const ids = corpus(n);
      const rotation = createRotation(ids);
      for (let cycle = -1; cycle < 3; cycle++) {
        const start = addDays(ROTATION_EPOCH, cycle * n);
        const picks = dates(start, n).map((date) => rotation.voiceOf(date));
        assert.deepEqual([...picks].sort(), ids, `n=${n}, cycle ${cycle}`);
      }
    }
  });

  it('never shows the same quote two days running, across cycle boundaries too', () => {
    for (const n of [2, 3, 4, 10, 31]) {
      const rotation = createRotation(corpus(n));
      const picks = dates(addDays(ROTATION_EPOCH, -5 * n), 15 * n).map((date) => rotation.voiceOf(date));
      for (let i = 1; i < picks.length; i++) assert.notEqual(picks[i], picks[i - 1], `n=${n}, day ${i}`);
    }
  });

  it('gives the same quote for the same date whatever the order, duplicates or caller', () => {
    const ids = corpus(40);
    const shuffled = [...ids].reverse().concat(ids.slice(0, 5));
    for (const date of dates('2026-03-01', 60)) {
      // Two servers (or two shards) asking independently agree.
      assert.equal(voiceOfTheDay(ids, date), voiceOfTheDay(shuffled, date), date);
      assert.equal(voiceOfTheDay(ids, date), createRotation(ids).voiceOf(date), date);
    }
  });

  it('is pinned: changing the algorithm would reshuffle every future day', () => {
    const ids = corpus(10).map((id) => id.replace(/^q0/, 'q'));
    assert.deepEqual(
      ['2024-01-01', '2024-01-02', '2026-03-29', '2023-12-31'].map((date) => voiceOfTheDay(ids, date)),
      ['q08', 'q09', 'q04', 'q04'],
    );
    assert.equal(hashString('hidden-voices:0'), 239355117);
  });

  it('depends on the seed', () => {
    const ids = corpus(100);
    const days = dates('2026-01-01', 30);
    const a = days.map((date) => voiceOfTheDay(ids, date, 'hidden-voices'));
    const b = days.map((date) => voiceOfTheDay(ids, date, 'another-seed'));
    assert.notDeepEqual(a, b);
  });

  it('refuses an empty corpus with its origin', () => {
    assert.throws(() => voiceOfTheDay([], '2026-01-01'), /^RangeError: rotation: no quotes/);
  });

  it('counts days from the epoch, negative before it', () => {
    assert.equal(dayNumber(ROTATION_EPOCH), 0);
    assert.equal(dayNumber('2024-12-31'), 365);
    assert.equal(dayNumber('2023-12-31'), -1);
  });

  it('mulberry32 is deterministic and in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      assert.equal(x, b());
      assert.ok(x >= 0 && x < 1);
    }
  });
});
