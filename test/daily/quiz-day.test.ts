/** A quiz day's quiz: the same from the same (server, schedule, date), never the day's open voice, closed at local midnight. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCorpusOrThrow } from '../../src/corpus/load.js';
import { dailyQuestion, dailyQuizId, endOfLocalDay, quizDayQuote } from '../../src/daily/quiz-day.js';
import { createRotation } from '../../src/daily/rotation.js';
import { parseQuizButton, quizAnswerId } from '../../src/interactions/custom-id.js';

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
