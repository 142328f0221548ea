/** Schedule and post records for the daily tests: sensible defaults, overridden per test. */
import type { PostRecord, Schedule } from '../../src/daily/due.js';

export const at = (text: string): Date => new Date(text);
export const EPOCH = at('2020-01-01T00:00:00Z');

export function schedule(overrides: Partial<Schedule> = {}): Schedule {
  return {
    guildId: 'g1',
    channelId: 'c1',
    time: '09:00',
    timeZone: 'UTC',
    roleId: null,
    thread: false,
    state: 'active',
    pausedReason: null,
    failedDays: 0,
    effectiveFrom: EPOCH,
    createdAt: EPOCH,
    updatedAt: EPOCH,
    ...overrides,
  };
}

export function post(overrides: Partial<PostRecord> = {}): PostRecord {
  return {
    guildId: 'g1',
    localDate: '2026-06-01',
    quoteId: 'q1',
    channelId: 'c1',
    status: 'sent',
    attempts: 1,
    staleReclaims: 0,
    claimedBy: 'a',
    claimedAt: at('2026-06-01T09:00:00Z'),
    messageId: 'm1',
    sentAt: at('2026-06-01T09:00:01Z'),
    lastError: null,
    nextAttemptAt: null,
    updatedAt: at('2026-06-01T09:00:01Z'),
    ...overrides,
  };
}
