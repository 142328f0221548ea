import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_POLICY,
  dueSchedules,
  indexPosts,
  nextPostInstant,
  planFailure,
  postDateWindow,
  shouldPause,
} from '../../src/daily/due.js';
import type { PostRecord, Schedule } from '../../src/daily/due.js';
import { at, post, schedule } from './records.js';


/** The kinds and dates of what is due, for compact assertions. */
function decide(schedules: Schedule[], posts: PostRecord[], now: Date): string[] {
  return dueSchedules(schedules, posts, now).map((a) =>
    a.kind === 'invalid' ? `${a.schedule.guildId}:invalid` : `${a.schedule.guildId}:${a.kind}:${a.localDate}`,
  );
}

describe('dueSchedules', () => {
  it('is due once the local time is reached, not a minute before', () => {
    const s = schedule();
    assert.deepEqual(decide([s], [], at('2026-06-01T08:59:59Z')), []);
    assert.deepEqual(decide([s], [], at('2026-06-01T09:00:00Z')), ['g1:claim:2026-06-01']);
  });

  it('catches up later the same local day, never for a day already gone', () => {
    const s = schedule({ timeZone: 'Europe/Berlin' }); // 09:00 CEST = 07:00Z
    assert.deepEqual(decide([s], [], at('2026-06-01T20:00:00Z')), ['g1:claim:2026-06-01']);
    assert.deepEqual(decide([s], [], at('2026-06-01T21:59:00Z')), ['g1:claim:2026-06-01'], '23:59 local');
    // Back after midnight local: yesterday is gone, today's 09:00 is still ahead.
    assert.deepEqual(decide([s], [], at('2026-06-01T22:00:00Z')), []);
    assert.deepEqual(decide([s], [], at('2026-06-02T06:59:00Z')), []);
  });

  it('never posts twice for a local date: sent, in flight, or failed for good', () => {
    const s = schedule();
    const now = at('2026-06-01T12:00:00Z');
    assert.deepEqual(decide([s], [post()], now), []);
    assert.deepEqual(decide([s], [post({ status: 'claimed', claimedAt: at('2026-06-01T11:59:30Z') })], now), []);
    assert.deepEqual(decide([s], [post({ status: 'failed', nextAttemptAt: null })], now), []);
    // A record for another date or guild does not count.
    assert.deepEqual(decide([s], [post({ localDate: '2026-05-31' }), post({ guildId: 'g2' })], now), [
      'g1:claim:2026-06-01',
    ]);
  });

  it('skips paused and off schedules', () => {
    const now = at('2026-06-01T12:00:00Z');
    const paused = schedule({ guildId: 'p', state: 'paused', pausedReason: 'x' });
    const off = schedule({ guildId: 'o', state: 'off' });
    assert.deepEqual(decide([paused, off, schedule()], [], now), ['g1:claim:2026-06-01']);
  });

  it('does not catch up a slot that passed before the settings took effect', () => {
    const s = schedule({ effectiveFrom: at('2026-06-01T10:00:00Z') });
    assert.deepEqual(decide([s], [], at('2026-06-01T12:00:00Z')), []);
    assert.deepEqual(decide([s], [], at('2026-06-02T09:00:00Z')), ['g1:claim:2026-06-02']);
    // Set during the very minute of the slot: that minute still counts.
    const sameMinute = schedule({ effectiveFrom: at('2026-06-01T09:00:40Z') });
    assert.deepEqual(decide([sameMinute], [], at('2026-06-01T09:01:00Z')), ['g1:claim:2026-06-01']);
  });

  it('retries a failed day only once its backoff is over', () => {
    const s = schedule();
    const failed = post({ status: 'failed', messageId: null, nextAttemptAt: at('2026-06-01T09:10:00Z') });
    assert.deepEqual(decide([s], [failed], at('2026-06-01T09:09:59Z')), []);
    assert.deepEqual(decide([s], [failed], at('2026-06-01T09:10:00Z')), ['g1:retry:2026-06-01']);
  });

  it('takes over a claim left by a crash at the next tick, while Discord remembers its nonce; then gives up', () => {
    const s = schedule();
    const crashed = post({ status: 'claimed', messageId: null, claimedAt: at('2026-06-01T09:00:00Z') });
    assert.deepEqual(decide([s], [crashed], at('2026-06-01T09:00:59Z')), [], 'maybe still delivering');
    assert.deepEqual(decide([s], [crashed], at('2026-06-01T09:01:00Z')), ['g1:reclaim:2026-06-01']);
    // Taken over and crashed again: the nonce still dates from the first attempt.
    const again = { ...crashed, staleReclaims: 1, claimedAt: at('2026-06-01T09:01:00Z') };
    assert.deepEqual(decide([s], [again], at('2026-06-01T09:02:00Z')), ['g1:reclaim:2026-06-01']);
    // Three minutes after the first attempt Discord may have forgotten the nonce: a retry could double the post.
    const late = { ...crashed, staleReclaims: 2, claimedAt: at('2026-06-01T09:02:00Z') };
    assert.deepEqual(decide([s], [late], at('2026-06-01T09:03:00Z')), ['g1:abandon:2026-06-01']);
    // A claim made before the upgrade went out without a nonce: never retried blindly.
    assert.deepEqual(decide([s], [{ ...crashed, nonceSince: null }], at('2026-06-01T09:01:00Z')), ['g1:abandon:2026-06-01']);
  });

  it('each guild follows its own clock: Kiritimati and Honolulu share an instant, not a date', () => {
    const now = at('2025-12-31T20:00:00Z'); // Kiritimati 2026-01-01 10:00, Honolulu 2025-12-31 10:00
    const kiri = schedule({ guildId: 'kiri', timeZone: 'Pacific/Kiritimati' });
    const hono = schedule({ guildId: 'hono', timeZone: 'Pacific/Honolulu' });
    assert.deepEqual(decide([kiri, hono], [], now), ['kiri:claim:2026-01-01', 'hono:claim:2025-12-31']);
  });

  it('midnight and the last minute of the day', () => {
    const midnight = schedule({ guildId: 'mid', time: '00:00', timeZone: 'Asia/Kathmandu' });
    const late = schedule({ guildId: 'late', time: '23:59', timeZone: 'Asia/Kathmandu' });
    const yesterday = ['mid', 'late'].map((guildId) => post({ guildId, localDate: '2026-05-31' }));
    // 2026-06-01 00:00 +05:45 = 2026-05-31T18:15Z
    assert.deepEqual(decide([midnight, late], yesterday, at('2026-05-31T18:14:59Z')), []);
    assert.deepEqual(decide([midnight, late], yesterday, at('2026-05-31T18:15:00Z')), ['mid:claim:2026-06-01']);
    // 23:59 local = 18:14Z; one minute later it is a new local day and the slot is gone.
    assert.deepEqual(decide([late], [], at('2026-06-01T18:14:00Z')), ['late:claim:2026-06-01']);
    assert.deepEqual(decide([late], [], at('2026-06-01T18:15:00Z')), []);
  });

  it('Berlin spring forward: 02:30 does not exist and is due at 03:00 CEST', () => {
    const s = schedule({ time: '02:30', timeZone: 'Europe/Berlin' });
    assert.deepEqual(decide([s], [], at('2026-03-29T00:59:59Z')), []); // 01:59:59 CET
    assert.deepEqual(decide([s], [], at('2026-03-29T01:00:00Z')), ['g1:claim:2026-03-29']); // 03:00 CEST
  });

  it('Berlin fall back: 02:30 happens twice and is due at the first, once', () => {
    const s = schedule({ time: '02:30', timeZone: 'Europe/Berlin' });
    assert.deepEqual(decide([s], [], at('2026-10-25T00:29:59Z')), []);
    assert.deepEqual(decide([s], [], at('2026-10-25T00:30:00Z')), ['g1:claim:2026-10-25']); // 02:30 CEST
    const sent = post({ localDate: '2026-10-25' });
    assert.deepEqual(decide([s], [sent], at('2026-10-25T01:30:00Z')), [], 'second 02:30 (CET): already posted');
  });

  it('St. John’s and Lord Howe switch days', () => {
    const stJohns = schedule({ guildId: 'nl', time: '02:30', timeZone: 'America/St_Johns' });
    assert.deepEqual(decide([stJohns], [], at('2026-03-08T05:29:00Z')), []);
    assert.deepEqual(decide([stJohns], [], at('2026-03-08T05:30:00Z')), ['nl:claim:2026-03-08']);
    const stJohnsBack = schedule({ guildId: 'nl', time: '01:30', timeZone: 'America/St_Johns' });
    assert.deepEqual(decide([stJohnsBack], [], at('2026-11-01T04:00:00Z')), ['nl:claim:2026-11-01']);
    const lordHowe = schedule({ guildId: 'lh', time: '02:15', timeZone: 'Australia/Lord_Howe' });
    assert.deepEqual(decide([lordHowe], [], at('2026-10-03T15:29:00Z')), []);
    assert.deepEqual(decide([lordHowe], [], at('2026-10-03T15:30:00Z')), ['lh:claim:2026-10-04']);
  });

  it('reports a schedule it cannot evaluate instead of failing the whole batch', () => {
    const broken = schedule({ guildId: 'bad', timeZone: 'Gone/Zone' });
    const actions = dueSchedules([broken, schedule()], [], at('2026-06-01T12:00:00Z'));
    assert.equal(actions.length, 2);
    const [first, second] = actions;
    assert.equal(first?.kind, 'invalid');
    assert.match(first?.kind === 'invalid' ? first.error : '', /^daily: unknown time zone "Gone\/Zone"/);
    assert.equal(second?.kind, 'claim');
  });

  it('takes a lookup function as well as a list of posts', () => {
    const now = at('2026-06-01T12:00:00Z');
    const lookup = indexPosts([post()]);
    assert.equal(lookup(1, '2026-06-01')?.messageId, 'm1');
    assert.deepEqual(dueSchedules([schedule()], lookup, now), []);
  });

  it('decides thousands of schedules in one pass', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kathmandu', 'Pacific/Kiritimati'];
    const many = Array.from({ length: 5000 }, (_, i) =>
      schedule({ guildId: `g${i}`, timeZone: zones[i % zones.length] ?? 'UTC', time: i % 2 ? '06:00' : '23:00' }),
    );
    const actions = dueSchedules(many, [], at('2026-06-01T12:00:00Z'));
    // At 12:00Z, 06:00 has passed everywhere but in Kiritimati (02:00 on a new day there); 23:00 nowhere.
    assert.equal(actions.length, 2000);
  });
});

describe('postDateWindow', () => {
  it('brackets every local date at an instant', () => {
    const now = at('2026-06-01T12:00:00Z');
    const { from, to } = postDateWindow(now);
    assert.deepEqual({ from, to }, { from: '2026-05-31', to: '2026-06-02' });
    assert.equal(postDateWindow(at('2025-12-31T23:30:00Z')).to, '2026-01-01');
  });
});

describe('nextPostInstant', () => {
  it('today’s slot ahead, or now when due, or tomorrow once done; null when not active', () => {
    const s = schedule({ timeZone: 'Asia/Kathmandu' }); // 09:00 = 03:15Z
    assert.equal(nextPostInstant(s, at('2026-06-01T01:00:00Z'))?.toISOString(), '2026-06-01T03:15:00.000Z');
    const due = at('2026-06-01T05:00:00Z');
    assert.equal(nextPostInstant(s, due)?.toISOString(), due.toISOString());
    assert.equal(nextPostInstant(s, due, post())?.toISOString(), '2026-06-02T03:15:00.000Z');
    const retrying = post({ status: 'failed', nextAttemptAt: at('2026-06-01T05:10:00Z') });
    assert.equal(nextPostInstant(s, due, retrying)?.toISOString(), '2026-06-01T05:10:00.000Z');
    assert.equal(nextPostInstant(schedule({ state: 'paused' }), due), null);
    assert.equal(nextPostInstant(schedule({ state: 'off' }), due), null);
  });

  it('set up after today’s slot: tomorrow', () => {
    const s = schedule({ effectiveFrom: at('2026-06-01T10:00:00Z') });
    assert.equal(nextPostInstant(s, at('2026-06-01T10:00:00Z'))?.toISOString(), '2026-06-02T09:00:00.000Z');
  });

  it('tomorrow across a DST switch', () => {
    const s = schedule({ time: '02:30', timeZone: 'Europe/Berlin' });
    const sat = post({ localDate: '2026-03-28' });
    assert.equal(nextPostInstant(s, at('2026-03-28T12:00:00Z'), sat)?.toISOString(), '2026-03-29T01:00:00.000Z');
  });
});

describe('planFailure and shouldPause', () => {
  const base = { attempts: 1, retryable: true, permanent: false, now: at('2026-06-01T09:00:00Z') };
  const day = { localDate: '2026-06-01', timeZone: 'UTC' };

  it('backs off step by step while attempts remain', () => {
    const waits = [1, 2, 3, 4].map((attempts) => {
      const plan = planFailure({ ...base, ...day, attempts });
      return plan.nextAttemptAt ? (plan.nextAttemptAt.getTime() - base.now.getTime()) / 60_000 : null;
    });
    assert.deepEqual(waits, [...DEFAULT_POLICY.backoffMinutes]);
    assert.equal(planFailure({ ...base, ...day, attempts: DEFAULT_POLICY.maxAttemptsPerDay }).nextAttemptAt, null);
  });

  it('does not retry into the next local day', () => {
    const plan = planFailure({ ...base, ...day, attempts: 4, now: at('2026-06-01T23:30:00Z') });
    assert.deepEqual(plan, { nextAttemptAt: null, pauseNow: false });
    // In Kiritimati the local day ends at 10:00Z.
    const kiri = planFailure({
      ...base,
      attempts: 2,
      now: at('2026-06-01T09:55:00Z'),
      localDate: '2026-06-01',
      timeZone: 'Pacific/Kiritimati',
    });
    assert.equal(kiri.nextAttemptAt, null);
  });

  it('gives up on errors not worth retrying and pauses at once on permanent ones', () => {
    assert.deepEqual(planFailure({ ...base, ...day, retryable: false }), { nextAttemptAt: null, pauseNow: false });
    assert.deepEqual(planFailure({ ...base, ...day, permanent: true }), { nextAttemptAt: null, pauseNow: true });
  });

  it('pauses after the configured number of failed days', () => {
    assert.equal(shouldPause(2), false);
    assert.equal(shouldPause(3), true);
    assert.equal(shouldPause(1, { ...DEFAULT_POLICY, pauseAfterFailedDays: 1 }), true);
  });
});
