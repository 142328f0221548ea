/**
 * Every reply in every language, over the whole corpus in one pass per
 * language: the quote embed (with the longest search a footer can carry), Cite,
 * Context, /source for every note, the daily post and its thread, the quiz post
 * open and revealed, /about — each within Discord's limits; the quotation, the
 * speaker and the note identical in every language (never translated); button
 * ids identical in every language (a press answers in the presser's language);
 * and the longest translation of the bot's words measured against where it goes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp } from '../../src/app.js';
import { LANGUAGES, readResource, t, type Language } from '../../src/i18n/index.js';
import { LIMITS, limitViolations } from '../../src/message/limits.js';
import type { MessagePayload } from '../../src/message/payload.js';
import { buildQuestion, type QuizMode } from '../../src/quiz/question.js';
import type { Quiz } from '../../src/quiz/store.js';
import { dailyPostMessage, longLocalDate, sentenceDate, threadName, threadOpener } from '../../src/render/daily.js';
import { aboutMessage, citeMessage, contextMessage, noteMessage, resultMessage, themesMessage } from '../../src/render/messages.js';
import { closedQuizMessage, openQuizMessage } from '../../src/render/quiz.js';
import type { Filters } from '../../src/search/query.js';

const app = createApp({ random: () => 0 });
const { corpus } = app;

function customIds(p: MessagePayload): string[] {
  return (p.components ?? []).flatMap((row) => row.components.flatMap((c) => ('custom_id' in c ? [c.custom_id] : [])));
}

function labels(p: MessagePayload): string[] {
  return (p.components ?? []).flatMap((row) => row.components.flatMap((c) => ('label' in c && c.label ? [c.label] : [])));
}

function codeBlocks(p: MessagePayload): string[] {
  return [...(p.embeds?.[0]?.description ?? '').matchAll(/```text\n([\s\S]*?)\n```/g)].map((m) => m[1] ?? '');
}

/** Everything of a payload that is the source's, not the bot's: what must not change with the language. */
function sourceWords(p: MessagePayload): string {
  const e = p.embeds?.[0];
  return JSON.stringify([e?.description, e?.fields?.map((f) => f.value)]);
}

function quizOf(question: NonNullable<ReturnType<typeof buildQuestion>>, language: Language): Quiz {
  const opened = new Date('2026-03-10T12:00:00Z');
  return {
    id: `quiz-${question.quoteId}-${question.mode}`,
    guildId: '1',
    channelId: '2',
    messageId: null,
    askedBy: '3',
    quoteId: question.quoteId,
    mode: question.mode,
    shown: question.shown,
    options: question.options,
    answer: question.answer,
    openedAt: opened,
    closesAt: new Date(opened.getTime() + 600_000),
    state: 'open',
    closedAt: null,
    attempts: 0,
    language,
  };
}

/** The longest search a page can carry: a 100-character query and every filter (the longest of each). */
function longestSearch(): { query: string; filters: Filters } {
  const longest = <T>(items: readonly T[], text: (x: T) => string): T => items.reduce((a, b) => (text(b).length > text(a).length ? b : a));
  const theme = longest(corpus.themes, (th) => th.label).id;
  const kind = longest(corpus.kinds, (k) => t('uk', `kinds.${k.id}`)).id;
  const speaker = longest(app.search.facets, (f) => f.key).key;
  return { query: 'x'.repeat(100), filters: { theme, kind, speaker, note: 2 } };
}

describe('every reply in every language fits Discord’s limits', () => {
  const search = longestSearch();
  const rendered = new Map<Language, Map<string, MessagePayload>>();

  for (const language of LANGUAGES) {
    it(`${language}: every quote (page, Cite, Context, daily post, thread, quiz open and revealed), every note, /about and /themes`, () => {
      const out = new Map<string, MessagePayload>();
      const problems: string[] = [];
      const check = (what: string, p: MessagePayload) => {
        for (const v of limitViolations(p)) problems.push(`${language} ${what}: ${v}`);
        out.set(what, p);
      };
      const hits = corpus.quotes;
      corpus.quotes.forEach((q, index) => {
        check(`page ${q.id}`, resultMessage(corpus, { hits, index, query: '', filters: {} }, language));
        check(`long search ${q.id}`, resultMessage(corpus, { hits, index, query: search.query, filters: search.filters, note: 'x'.repeat(1500) }, language));
        check(`cite ${q.id}`, citeMessage(corpus, q, language));
        check(`context ${q.id}`, contextMessage(corpus, app.layouts, q, language));
        check(`daily ${q.id}`, dailyPostMessage(corpus, q, { localDate: '2026-09-30', roleId: '123456789012345678', test: true, language }));
        check(`opener ${q.id}`, threadOpener(corpus, q, language));
        const name = threadName(corpus, q, '2026-09-30', language);
        if (name.length > LIMITS.threadName) problems.push(`${language} thread name of ${q.id} is ${name.length} characters`);
        for (const mode of ['speaker', 'source'] as QuizMode[]) {
          const question = buildQuestion(corpus, q, mode, () => 0);
          if (!question) continue;
          const quiz = quizOf(question, language);
          check(`quiz ${mode} ${q.id}`, openQuizMessage(quiz, { answered: 1234, right: 567 }, corpus));
          check(`reveal ${mode} ${q.id}`, closedQuizMessage(corpus, quiz, { answered: 1234, right: 567 }));
        }
      });
      for (const source of corpus.sources) {
        for (const note of source.notes) check(`note ${source.id} ${note.n}`, noteMessage(corpus, note.n, source.id, language));
      }
      check('about', aboutMessage(corpus, language));
      check('themes', themesMessage(corpus, language));
      assert.deepEqual(problems, []);
      assert.ok(out.size > corpus.quotes.length * 6, `${out.size} replies rendered`);
      rendered.set(language, out);
    });
  }

  it('the quotations, speakers and notes are the same in every language, and so are the buttons’ ids', () => {
    const english = rendered.get('en');
    assert.ok(english);
    for (const language of LANGUAGES.filter((l) => l !== 'en')) {
      const other = rendered.get(language);
      assert.ok(other);
      for (const [what, p] of english) {
        const q: MessagePayload | undefined = other.get(what);
        assert.ok(q, `${language} ${what}`);
        assert.deepEqual(customIds(q), customIds(p), `${language} ${what}: button ids`);
        if (/^(page|daily|context)/.test(what)) assert.equal(q.embeds?.[0]?.description, p.embeds?.[0]?.description, `${language} ${what}: the quotation as printed`);
        // Cite: the instructions are translated; the quotation and its Chicago note (the code blocks) are not.
        if (/^cite/.test(what)) {
          assert.equal(codeBlocks(p).length, 2, what);
          assert.deepEqual(codeBlocks(q), codeBlocks(p), `${language} ${what}: the quotation and its note as printed`);
        }
        if (/^note /.test(what)) assert.equal(sourceWords(q).includes(JSON.stringify(p.embeds?.[0]?.description).slice(1, -1)), true, `${language} ${what}: the note's text`);
      }
      // The bot's own words did change: a Russian or Ukrainian reader sees their language.
      assert.notDeepEqual(labels(other.get(`page ${corpus.quotes[0]?.id}`) ?? { allowed_mentions: { parse: [] } }), labels(english.get(`page ${corpus.quotes[0]?.id}`) ?? { allowed_mentions: { parse: [] } }));
    }
  });

  it('the longest translation of each button, heading and footer fits where it goes', () => {
    const resources = Object.fromEntries(LANGUAGES.map((l) => [l, readResource(l)])) as Record<Language, Record<string, Record<string, unknown>>>;
    const longest = (path: string, max: number) => {
      const texts = LANGUAGES.map((l) => ({ l, text: t(l, path) }));
      const top = texts.reduce((a, b) => (b.text.length > a.text.length ? b : a));
      assert.ok(top.text.length <= max, `${path} in ${top.l}: ${top.text.length} > ${max}`);
      return top.text.length;
    };
    for (const key of Object.keys(resources.en.buttons ?? {})) longest(`buttons.${key}`, LIMITS.buttonLabel);
    for (const key of Object.keys(resources.en.kinds ?? {})) longest(`kinds.${key}`, LIMITS.buttonLabel);
    for (const key of ['source', 'note', 'themes', 'asPrinted']) longest(`quote.fields.${key}`, LIMITS.fieldName);
    for (const key of Object.keys(resources.en.questions ?? {})) longest(`questions.${key}`, LIMITS.content - 50);
    // A daily post's title with the longest date of any language (a Wednesday in September, in words).
    for (const language of LANGUAGES) {
      const title = t(language, 'daily.post.titleTest', { date: longLocalDate('2026-09-30', language) });
      assert.ok(title.length <= LIMITS.title, `${language}: ${title}`);
    }
    assert.equal(longLocalDate('2026-09-30', 'ru'), 'среда, 30 сентября 2026 г.');
    assert.equal(longLocalDate('2026-09-30', 'uk'), 'середа, 30 вересня 2026 р.');
    assert.equal(longLocalDate('2026-09-30', 'en'), 'Wednesday, 30 September 2026');
    // Inside a sentence ("until …", "from …") Russian and Ukrainian need the genitive, without the nominative weekday.
    assert.equal(sentenceDate('2026-12-20', 'ru'), '20 декабря 2026 г.');
    assert.equal(sentenceDate('2027-01-10', 'uk'), '10 січня 2027 р.');
    assert.equal(sentenceDate('2026-12-20', 'en'), 'Sunday, 20 December 2026');
  });

  it('every theme has its discussion question in every language; English is the corpus’s own', () => {
    for (const theme of corpus.themes) {
      assert.equal(t('en', `questions.${theme.id}`), theme.question, theme.id);
      for (const language of LANGUAGES) {
        const opener = threadOpener(corpus, { ...(corpus.quotes[0] as NonNullable<(typeof corpus.quotes)[0]>), themes: [theme.id] }, language).content ?? '';
        assert.ok(opener.includes(t(language, `questions.${theme.id}`)), `${language} ${theme.id}`);
        if (language !== 'en') assert.notEqual(t(language, `questions.${theme.id}`), theme.question, `${language} ${theme.id} is translated`);
      }
    }
  });
});
