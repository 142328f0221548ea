/** A quiz day's quiz: the same from the same (server, schedule, date), never the day's open voice, closed at local midnight. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadCorpusOrThrow } from '../../src/corpus/load.js';
import { dailyQuestion, dailyQuizId, endOfLocalDay, quizDayQuote } from '../../src/daily/quiz-day.js';
import { createRotation } from '../../src/daily/rotation.js';
import { DailyScheduler } from '../../src/daily/scheduler.js';
import type { DeliveryJob, DeliveryResult, PostOptions } from '../../src/daily/ports.js';
import { DailyService } from '../../src/daily/service.js';
import { SqliteDailyStore } from '../../src/daily/sqlite-store.js';
import { openDatabase } from '../../src/db/database.js';
import { parseQuizButton, quizAnswerId } from '../../src/interactions/custom-id.js';
import { QuizCloser } from '../../src/quiz/closer.js';
import { SqliteQuizStore } from '../../src/quiz/sqlite-store.js';

const corpus = loadCorpusOrThrow('data');
const rotation = createRotation(corpus.quotes.map((q) => q.id));

describe('quiz days', () => {
  it('the id is the schedule’s and the date’s, and fits a quiz button', () => {
    const id = dailyQuizId(12345, '2026-12-07');
    assert.equal(id, 'daily-12345-20261207');
    assert.deepEqual(parseQuizButton(quizAnswerId(id, 3)), { action: 'answer', quizId: id, choice: 3 });
  });

  it('closes at the next local midnight, however long the local day is', () => {
    assert.equal(endOfLocalDay('2026-12-07', 'Pacific/Kiritimati').toISOString(), '2026-12-07T10:00:00.000Z');
    assert.equal(endOfLocalDay('2026-12-06', 'America/Los_Angeles').toISOString(), '2026-12-07T08:00:00.000Z');
    // Berlin's 25-hour day: the clocks go back on 25 October 2026.
    assert.equal(endOfLocalDay('2026-10-25', 'Europe/Berlin').toISOString(), '2026-10-25T23:00:00.000Z');
    assert.equal(endOfLocalDay('2026-12-31', 'UTC').toISOString(), '2027-01-01T00:00:00.000Z');
  });

  it('the same quote and question from the same server, schedule and date; never the day’s open voice; another day, another quote', () => {
    const days = ['2026-12-04', '2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11'];
    const picked = days.map((localDate) => {
      const open = rotation.voiceOf(localDate);
      const input = { guildId: 'g1', scheduleId: 7, localDate, pool: corpus.quotes, shownOpenly: [open] };
      const a = quizDayQuote(corpus, input);
      const b = quizDayQuote(corpus, input);
      assert.ok(a && b, localDate);
      assert.equal(a.quote.id, b.quote.id);
      assert.notEqual(a.quote.id, open, 'not the voice every server shows that day');
      const qa = dailyQuestion(corpus, a.quote, a.quizId);
      assert.ok(qa);
      assert.deepEqual(dailyQuestion(corpus, a.quote, a.quizId), qa, 'the same buttons in the same order');
      assert.equal(qa.options.length, 4);
      return a.quote.id;
    });
    assert.ok(new Set(picked).size >= days.length - 1, `different days, different quotes: ${picked.join(', ')}`);
    const otherServer = quizDayQuote(corpus, { guildId: 'g2', scheduleId: 8, localDate: '2026-12-07', pool: corpus.quotes, shownOpenly: [] });
    assert.ok(otherServer);
  });

  it('every quote is either asked who said it, or which kind of source it is from', () => {
    for (const quote of corpus.quotes) {
      const question = dailyQuestion(corpus, quote, dailyQuizId(1, '2026-12-07'));
      assert.ok(question, `${quote.id} cannot be asked`);
      assert.equal(new Set(question.options).size, 4, quote.id);
    }
  });

  it('a pool with nothing askable but the open voice: no quiz (the day posts its voice)', () => {
    const only = corpus.quotes[0];
    assert.ok(only);
    assert.equal(quizDayQuote(corpus, { guildId: 'g1', scheduleId: 1, localDate: '2026-12-07', pool: [only], shownOpenly: [only.id] }), null);
  });
});

describe('a quiz day through the scheduler', () => {
  it('Friday posts the quiz (stored first, closing at the local midnight), a failed attempt retries the same quiz; Thursday posts the voice; the closer reveals it once', async () => {
    const db = openDatabase(':memory:');
    after(() => db.close());
    const store = new SqliteDailyStore(db);
    const quizzes = new SqliteQuizStore(db);
    const posts: { job: DeliveryJob; options: PostOptions | undefined }[] = [];
    // The quiz's first attempt fails, as Discord sometimes does.
    let failed = false;
    const service = new DailyService(corpus, store, {
      post: (job, options) => {
        posts.push({ job, options });
        const result: DeliveryResult = job.quizId && !failed ? { error: 'Discord answered 503', retryable: true } : { messageId: `m${posts.length}` };
        failed ||= job.quizId !== null;
        return Promise.resolve(result);
      },
    }, quizzes);
    const clock = { now: new Date('2026-12-03T07:00:00Z') };
    const scheduler = new DailyScheduler({ store, clock: () => clock.now, log: { info: () => {}, warn: () => {}, error: () => {} }, pickQuote: (s, d) => service.pickPost(s, d), deliver: (job) => service.deliver(job) });
    const s = await store.upsertSchedule({ guildId: 'g1', channelId: 'c1', time: '08:00', timeZone: 'Europe/Berlin', days: 31, quizDays: 16, roleId: null, thread: false }, new Date('2026-12-01T00:00:00Z'));

    await scheduler.tick(); // Thursday 08:00 in Berlin
    assert.equal(posts[0]?.job.quizId, null);
    assert.equal(posts[0]?.options?.quiz, undefined, 'Thursday: the voice');
    assert.equal(posts[0]?.job.quoteId, rotation.voiceOf('2026-12-03'));

    clock.now = new Date('2026-12-04T07:00:00Z'); // Friday 08:00 in Berlin
    await scheduler.tick();
    const friday = posts[1];
    const quizId = dailyQuizId(s.id, '2026-12-04');
    assert.equal(friday?.job.quizId, quizId);
    assert.equal(friday?.options?.quiz?.quiz.id, quizId);
    assert.notEqual(friday?.job.quoteId, rotation.voiceOf('2026-12-04'), 'not the voice every server shows on Friday');
    assert.equal((await store.getPost(s.id, '2026-12-04'))?.status, 'failed');
    const stored = await quizzes.get(quizId);
    assert.equal(stored?.closesAt.toISOString(), '2026-12-04T23:00:00.000Z', 'midnight at the end of Friday in Berlin');
    assert.equal(stored?.messageId, null);

    clock.now = new Date('2026-12-04T07:05:00Z'); // the retry, after the backoff
    await scheduler.tick();
    assert.equal(posts.length, 3);
    assert.deepEqual(posts[2]?.options?.quiz?.quiz, stored, 'the same quiz, not a second one');
    assert.equal(posts[2]?.job.quoteId, friday?.job.quoteId);
    assert.equal((await store.getPost(s.id, '2026-12-04'))?.quizId, quizId);
    assert.equal((await quizzes.get(quizId))?.messageId, 'm3', 'the post’s id, for the reveal');

    assert.equal((await quizzes.answer(quizId, 'u1', stored?.answer ?? 0, new Date('2026-12-04T12:00:00Z'))).status, 'counted');
    const edits: string[] = [];
    const closer = (at: string) =>
      new QuizCloser({
        store: quizzes,
        clock: () => new Date(at),
        edit: (_channel, message) => {
          edits.push(message);
          return Promise.resolve({ ok: true });
        },
        render: () => ({ content: 'closed', allowed_mentions: { parse: [] } }),
        log: { info: () => {}, warn: () => {}, error: () => {} },
      });
    await closer('2026-12-04T22:59:00Z').tick();
    assert.deepEqual(edits, [], 'open until the day ends');
    await closer('2026-12-04T23:00:00Z').tick();
    await closer('2026-12-04T23:30:00Z').tick();
    assert.deepEqual(edits, ['m3'], 'revealed once');
    assert.equal((await quizzes.get(quizId))?.state, 'closed');
  });
  /** A Friday quiz schedule over an in-memory database, its posts recorded; `quizzes` may be wrapped to fail. */
  async function friday(wrap: (q: SqliteQuizStore) => SqliteQuizStore = (q) => q) {
    const db = openDatabase(':memory:');
    after(() => db.close());
    const store = new SqliteDailyStore(db);
    const quizzes = new SqliteQuizStore(db);
    const posts: { job: DeliveryJob; options: PostOptions | undefined }[] = [];
    const service = new DailyService(corpus, store, { post: (job, options) => (posts.push({ job, options }), Promise.resolve({ messageId: `m${posts.length}` })) }, wrap(quizzes));
    const clock = { now: new Date('2026-12-04T07:00:00Z') }; // Friday 08:00 in Berlin
    const scheduler = new DailyScheduler({ store, clock: () => clock.now, log: { info: () => {}, warn: () => {}, error: () => {} }, pickQuote: (s, d) => service.pickPost(s, d), deliver: (job) => service.deliver(job) });
    const s = await store.upsertSchedule({ guildId: 'g1', channelId: 'c1', time: '08:00', timeZone: 'Europe/Berlin', days: 31, quizDays: 16, roleId: null, thread: false }, new Date('2026-12-01T00:00:00Z'));
    return { store, quizzes, posts, clock, scheduler, s };
  }

  it('Discord took the quiz post but recording its message id failed: the day counts as posted, never posted again', async () => {
    const { store, posts, clock, scheduler, s } = await friday((q) => Object.assign(Object.create(q) as SqliteQuizStore, { setMessageId: () => Promise.reject(new Error('connection lost')) }));
    await scheduler.tick();
    assert.equal(posts.length, 1);
    assert.equal((await store.getPost(s.id, '2026-12-04'))?.status, 'sent');
    clock.now = new Date('2026-12-04T07:15:00Z'); // past any retry, long past the nonce's few minutes
    await scheduler.tick();
    assert.equal(posts.length, 1, 'one post');
  });

  it('a quiz already over when its day is posted (a late retry) is posted as the plain voice, without buttons', async () => {
    const { quizzes, posts, scheduler, s } = await friday();
    const quizId = dailyQuizId(s.id, '2026-12-04');
    // As the closer leaves a quiz whose local day ended before its post went out.
    const question = dailyQuestion(corpus, corpus.quotes[5]!, quizId)!;
    await quizzes.create({ id: quizId, guildId: 'g1', channelId: 'c1', askedBy: 'daily', quoteId: question.quoteId, mode: question.mode, shown: question.shown, options: question.options, answer: question.answer, language: 'en', openedAt: new Date('2026-12-04T07:00:00Z'), closesAt: new Date('2026-12-04T07:00:00Z') });
    assert.ok(await quizzes.claimClose(quizId, new Date('2026-12-04T07:00:01Z')));
    await quizzes.markGone(quizId, 'the post’s message id was never recorded');
    assert.equal((await quizzes.get(quizId))?.state, 'gone');
    await scheduler.tick();
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.options?.quiz, undefined, 'no buttons for a quiz nobody may answer');
  });
});
