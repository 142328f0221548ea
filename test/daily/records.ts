/** Schedule and post records for the daily tests: sensible defaults, overridden per test. */
import type { PostRecord, Schedule } from '../../src/daily/due.js';

export const at = (text: string): Date => new Date(text);
export const EPOCH = at('2020-01-01T00:00:00Z');

/** A stable schedule id per guild name (g1 → 1, g2 → 2, other names numbered as they come): one schedule per guild unless a test says otherwise. */
const ids = new Map<string, number>();
export function idOf(guildId: string): number {
  const numbered = /^g(\d+)$/.exec(guildId);
  if (numbered) return Number(numbered[1]);
  let id = ids.get(guildId);
  if (id === undefined) {
    id = 1_000_000 + ids.size;
    ids.set(guildId, id);
  }
  return id;
}

export function schedule(overrides: Partial<Schedule> = {}): Schedule {
  const guildId = overrides.guildId ?? 'g1';
  return {
    id: idOf(guildId),
    guildId,
    channelId: 'c1',
    channelName: null,
    time: '09:00',
    timeZone: 'UTC',
    days: 127,
    quizDays: 0,
    roleId: null,
    thread: false,
    language: 'en',
    state: 'active',
    pausedReason: null,
    pausedUntil: null,
    failedDays: 0,
    effectiveFrom: EPOCH,
    createdAt: EPOCH,
    updatedAt: EPOCH,
    ...overrides,
  };
}

export function post(overrides: Partial<PostRecord> = {}): PostRecord {
  const guildId = overrides.guildId ?? 'g1';
  return {
    scheduleId: idOf(guildId),
    guildId,
    localDate: '2026-06-01',
    quoteId: 'q1',
    theme: null,
    quizId: null,
    channelId: 'c1',
    status: 'sent',
    attempts: 1,
    staleReclaims: 0,
    claimedBy: 'a',
    claimedAt: at('2026-06-01T09:00:00Z'),
    nonceSince: overrides.claimedAt ?? at('2026-06-01T09:00:00Z'),
    messageId: 'm1',
    sentAt: at('2026-06-01T09:00:01Z'),
    lastError: null,
    nextAttemptAt: null,
    updatedAt: at('2026-06-01T09:00:01Z'),
    ...overrides,
  };
}
