/**
 * /quiz scores and /quiz term count on the server's clock: the zone of its
 * daily schedules when they share one, else UTC; the reply says which.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { answerQuiz } from '../../src/answers/quiz.js';
import { createApp, libraryOf } from '../../src/app.js';
import { loadCorpusOrThrow } from '../../src/corpus/load.js';
import { DailyService } from '../../src/daily/service.js';
import { SqliteDailyStore } from '../../src/daily/sqlite-store.js';
import { openDatabase } from '../../src/db/database.js';
import type { CommandRequest } from '../../src/interactions/types.js';
import type { MessagePayload } from '../../src/message/payload.js';
import { QuizService } from '../../src/quiz/service.js';
import { SqliteQuizStore } from '../../src/quiz/sqlite-store.js';

const db = openDatabase(':memory:');
after(() => db.close());
const library = libraryOf(loadCorpusOrThrow('data'));
const dailyStore = new SqliteDailyStore(db);
const quizStore = new SqliteQuizStore(db);
const app = createApp({
  library,
  daily: new DailyService(library.corpus, dailyStore, { post: () => Promise.reject(new Error('no posts here')) }),
  quiz: new QuizService(library.corpus, quizStore),
});
const MANAGE_GUILD = 1n << 5n;

function request(guildId: string, subcommand: string, options: CommandRequest['options'], now: string): CommandRequest {
  return { userId: 'teacher', guildId, channelId: 'c1', memberPermissions: MANAGE_GUILD, commandName: 'quiz', subcommand, options, now: new Date(now) };
}

async function payloadOf(pending: ReturnType<typeof answerQuiz>): Promise<MessagePayload> {
  const reply = await pending;
  assert.equal(reply.type, 'message');
  return reply.payload;
}

/** One quiz of the server, answered right by `user` at `when`. */
let n = 0;
async function answered(guildId: string, user: string, when: string): Promise<void> {
  const id = `q${++n}`;
  const at = new Date(when);
  await quizStore.create({ id, guildId, channelId: 'c1', askedBy: 'teacher', quoteId: 'lr-001', mode: 'speaker', shown: '…', options: ['A', 'B', 'C', 'D'], answer: 0, language: 'en', openedAt: at, closesAt: new Date(at.getTime() + 60_000) });
  assert.equal((await quizStore.answer(id, user, 0, at)).status, 'counted');
}

const board = async (guildId: string, period: string, now: string) => {
  const embed = (await payloadOf(answerQuiz(app, request(guildId, 'scores', { period }, now)))).embeds?.[0];
  return { title: embed?.title ?? '', users: [...(embed?.description ?? '').matchAll(/<@(\w+)>/g)].map((m) => m[1]) };
};

describe('quiz periods on the server’s clock', () => {
  it('a server whose schedules are all in Los Angeles: its week runs from Monday 00:00 there, and the reply says so', async () => {
    await dailyStore.upsertSchedule({ guildId: 'la', channelId: 'c1', time: '08:00', timeZone: 'America/Los_Angeles', roleId: null, thread: false }, new Date('2026-11-01T00:00:00Z'));
    await dailyStore.upsertSchedule({ guildId: 'la', channelId: 'c2', time: '15:00', timeZone: 'America/Los_Angeles', roleId: null, thread: false }, new Date('2026-11-01T00:00:00Z'));
    await answered('la', 'sunday', '2026-11-30T05:00:00Z'); // Sunday 29 November, 21:00 in Los Angeles: last week there
    await answered('la', 'saturday', '2026-12-05T10:00:00Z'); // Saturday 5 December, 02:00 there: this week
    await answered('la', 'late', '2026-12-07T04:00:00Z'); // Sunday 6 December, 20:00 there: this week, though Monday by UTC
    const now = '2026-12-07T05:00:00Z'; // Sunday 6 December, 21:00 in Los Angeles
    const week = await board('la', 'week', now);
    assert.equal(week.title, 'Quiz scores — this week (since Monday 2026-11-30, 00:00 America/Los_Angeles)');
    assert.deepEqual(week.users.sort(), ['late', 'saturday']);
    assert.deepEqual((await board('la', 'all', now)).users.sort(), ['late', 'saturday', 'sunday']);
  });

  it('the term starts at 00:00 of its date on the same clock; a date still to come there is refused', async () => {
    const done = await payloadOf(answerQuiz(app, request('la', 'term', { date: '2026-11-30' }, '2026-12-07T05:00:00Z')));
    assert.match(done.content ?? '', /since then \(00:00 America\/Los_Angeles\)\.$/);
    const term = (await board('la', 'term', '2026-12-07T05:00:00Z'));
    assert.equal(term.title, 'Quiz scores — this term (since 2026-11-30, 00:00 America/Los_Angeles)');
    assert.deepEqual(term.users.sort(), ['late', 'saturday'], 'the Sunday evening before, in Los Angeles, is not in the term');
    // 7 December has begun by UTC but not in Los Angeles.
    const future = await payloadOf(answerQuiz(app, request('la', 'term', { date: '2026-12-07' }, '2026-12-07T05:00:00Z')));
    assert.doesNotMatch(future.content ?? '', /^This term began/);
  });

  it('a server with schedules in two zones, or none: weeks from Monday 00:00 UTC, said as such', async () => {
    await dailyStore.upsertSchedule({ guildId: 'two', channelId: 'c1', time: '08:00', timeZone: 'Europe/Berlin', roleId: null, thread: false }, new Date('2026-11-01T00:00:00Z'));
    await dailyStore.upsertSchedule({ guildId: 'two', channelId: 'c2', time: '08:00', timeZone: 'Asia/Tokyo', roleId: null, thread: false }, new Date('2026-11-01T00:00:00Z'));
    await answered('two', 'monday', '2026-12-07T00:30:00Z');
    await answered('two', 'sunday', '2026-12-06T23:30:00Z');
    const week = (await board('two', 'week', '2026-12-07T05:00:00Z'));
    assert.equal(week.title, 'Quiz scores — this week (since Monday 2026-12-07, 00:00 UTC)');
    assert.deepEqual(week.users, ['monday']);
    assert.equal((await board('none', 'week', '2026-12-07T05:00:00Z')).title, 'Quiz scores — this week (since Monday 2026-12-07, 00:00 UTC)');
  });
});
