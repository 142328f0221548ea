/**
 * The quiz's repository over SQLite: raw rows in, domain objects out.
 *
 * Every guarantee lives in SQL, so it holds across processes, shards and
 * restarts:
 * - an answer is one INSERT … ON CONFLICT DO NOTHING on the (quiz, user)
 *   primary key, inside a transaction that re-reads the quiz: a second press,
 *   a double click or another shard's copy of the press counts nothing;
 * - a close is claimed by one UPDATE whose WHERE re-checks the state, so of
 *   two closers (two shards, Reveal racing the clock) one edits the post; a
 *   claim whose process died is taken over after `CLOSE_LEASE_MS`.
 *
 * Instants are integer milliseconds since the epoch; `now` is always a parameter.
 */
import type { SqliteDatabase } from "../db/database.js";
import { LANGUAGES, type Language } from "../i18n/index.js";
import { truncate } from "../text/truncate.js";
import type { QuizMode } from "./question.js";

export type QuizState = "open" | "closing" | "closed" | "gone";

export interface Quiz {
  readonly id: string;
  readonly guildId: string;
  readonly channelId: string;
  readonly messageId: string | null;
  readonly askedBy: string;
  readonly quoteId: string;
  readonly mode: QuizMode;
  readonly shown: string;
  readonly options: readonly string[];
  readonly answer: number;
  readonly openedAt: Date;
  readonly closesAt: Date;
  readonly state: QuizState;
  readonly closedAt: Date | null;
  readonly attempts: number;
  /** The language of the post's own words: the asker's (migration 6). */
  readonly language: Language;
}

export type NewQuiz = Pick<
  Quiz,
  | "id"
  | "guildId"
  | "channelId"
  | "askedBy"
  | "quoteId"
  | "mode"
  | "shown"
  | "options"
  | "answer"
  | "openedAt"
  | "closesAt"
  | "language"
>;

export type AnswerOutcome =
  | {
      readonly status: "counted";
      readonly quiz: Quiz;
      readonly correct: boolean;
    }
  | {
      readonly status: "already";
      readonly quiz: Quiz;
      readonly choice: number;
      readonly correct: boolean;
    }
  | { readonly status: "closed"; readonly quiz: Quiz }
  | { readonly status: "unknown" };

export interface Tally {
  readonly answered: number;
  readonly right: number;
}

export interface ScoreRow {
  readonly userId: string;
  readonly right: number;
  readonly answered: number;
}

/** How long a close claim holds before another process may take it over (its edit failed or it died). */
export const CLOSE_LEASE_MS = 60_000;
/** Edits of a closing post tried before giving up on it. */
export const MAX_CLOSE_ATTEMPTS = 5;

interface QuizRow {
  id: string;
  guild_id: string;
  channel_id: string;
  message_id: string | null;
  asked_by: string;
  quote_id: string;
  mode: string;
  shown: string;
  options: string;
  answer: number;
  opened_at: number;
  closes_at: number;
  state: string;
  closed_at: number | null;
  attempts: number;
  language: string;
}

function transformQuiz(row: QuizRow): Quiz {
  const options = JSON.parse(row.options) as unknown;
  if (
    !Array.isArray(options) ||
    options.length !== 4 ||
    !options.every((o) => typeof o === "string")
  ) {
    throw new Error(`quiz store: quiz ${row.id} has malformed options`);
  }
  return {
    id: row.id,
    guildId: row.guild_id,
    channelId: row.channel_id,
    messageId: row.message_id,
    askedBy: row.asked_by,
    quoteId: row.quote_id,
    mode: row.mode === "source" ? "source" : "speaker",
    shown: row.shown,
    options,
    answer: row.answer,
    openedAt: new Date(row.opened_at),
    closesAt: new Date(row.closes_at),
    state: row.state as QuizState,
    closedAt: row.closed_at === null ? null : new Date(row.closed_at),
    attempts: row.attempts,
    // The column's CHECK admits only the bot's languages.
    language: (LANGUAGES as readonly string[]).includes(row.language) ? (row.language as Language) : "en",
  };
}

export class QuizStore {
  private readonly s;

  constructor(readonly db: SqliteDatabase) {
    this.s = {
      insert: db.prepare(`
        INSERT INTO quizzes (id, guild_id, channel_id, asked_by, quote_id, mode, shown, options, answer, opened_at, closes_at, language)
        VALUES (@id, @guildId, @channelId, @askedBy, @quoteId, @mode, @shown, @options, @answer, @openedAt, @closesAt, @language)`),
      get: db.prepare<[string], QuizRow>("SELECT * FROM quizzes WHERE id = ?"),
      setMessage: db.prepare<[string, string]>(
        "UPDATE quizzes SET message_id = ? WHERE id = ? AND message_id IS NULL",
      ),
      insertAnswer: db.prepare<Record<string, unknown>>(`
        INSERT INTO quiz_answers (quiz_id, user_id, guild_id, choice, correct, answered_at)
        VALUES (@quizId, @userId, @guildId, @choice, @correct, @now)
        ON CONFLICT (quiz_id, user_id) DO NOTHING`),
      getAnswer: db.prepare<
        [string, string],
        { choice: number; correct: number }
      >(
        "SELECT choice, correct FROM quiz_answers WHERE quiz_id = ? AND user_id = ?",
      ),
      tally: db.prepare<[string], { answered: number; right: number | null }>(
        "SELECT count(*) AS answered, sum(correct) AS right FROM quiz_answers WHERE quiz_id = ?",
      ),
      claimClose: db.prepare<Record<string, unknown>, QuizRow>(`
        UPDATE quizzes SET state = 'closing', closed_at = coalesce(closed_at, @now), attempts = attempts + 1, retry_at = @now + @lease
        WHERE id = @id AND ((state = 'open' AND (@force = 1 OR closes_at <= @now)) OR (state = 'closing' AND retry_at <= @now))
        RETURNING *`),
      due: db.prepare<[number, number], { id: string }>(`
        SELECT id FROM quizzes WHERE state = 'open' AND closes_at <= ?
        UNION SELECT id FROM quizzes WHERE state = 'closing' AND retry_at <= ?`),
      nextClose: db.prepare<[], { at: number | null }>(`
        SELECT min(at) AS at FROM (SELECT min(closes_at) AS at FROM quizzes WHERE state = 'open' UNION ALL SELECT min(retry_at) FROM quizzes WHERE state = 'closing')`),
      finish: db.prepare<[string, string | null, string]>(
        `UPDATE quizzes SET state = ?, retry_at = NULL, last_error = ? WHERE id = ? AND state = 'closing'`,
      ),
      failed: db.prepare<[string, string]>(
        `UPDATE quizzes SET last_error = ? WHERE id = ?`,
      ),
      scores: db.prepare<
        [string, number, number],
        { user_id: string; right: number; answered: number }
      >(`
        SELECT user_id, sum(correct) AS right, count(*) AS answered FROM quiz_answers
        WHERE guild_id = ? AND answered_at >= ?
        GROUP BY user_id ORDER BY right DESC, answered ASC, min(answered_at) ASC LIMIT ?`),
      forget: db.prepare<[string]>(
        "DELETE FROM quiz_answers WHERE user_id = ?",
      ),
      setTerm: db.prepare<Record<string, unknown>>(`
        INSERT INTO quiz_terms (guild_id, starts_on, set_by, updated_at) VALUES (@guildId, @startsOn, @setBy, @now)
        ON CONFLICT (guild_id) DO UPDATE SET starts_on = excluded.starts_on, set_by = excluded.set_by, updated_at = excluded.updated_at`),
      getTerm: db.prepare<[string], { starts_on: string }>(
        "SELECT starts_on FROM quiz_terms WHERE guild_id = ?",
      ),
    };
  }

  create(q: NewQuiz): Quiz {
    this.s.insert.run({
      ...q,
      options: JSON.stringify(q.options),
      openedAt: q.openedAt.getTime(),
      closesAt: q.closesAt.getTime(),
    });
    return this.mustGet(q.id);
  }

  get(id: string): Quiz | null {
    const row = this.s.get.get(id);
    return row ? transformQuiz(row) : null;
  }

  private mustGet(id: string): Quiz {
    const quiz = this.get(id);
    if (!quiz) throw new Error(`quiz store: quiz ${id} vanished`);
    return quiz;
  }

  /** The post's message id, once Discord has given it (first write wins). */
  setMessageId(id: string, messageId: string): void {
    this.s.setMessage.run(messageId, id);
  }

  /** One answer per person and quiz, while the quiz is open; a second press changes nothing. */
  answer(
    quizId: string,
    userId: string,
    choice: number,
    now: Date,
  ): AnswerOutcome {
    return this.db
      .transaction((): AnswerOutcome => {
        const row = this.s.get.get(quizId);
        if (!row) return { status: "unknown" };
        const quiz = transformQuiz(row);
        const previous = this.s.getAnswer.get(quizId, userId);
        if (previous)
          return {
            status: "already",
            quiz,
            choice: previous.choice,
            correct: previous.correct === 1,
          };
        if (quiz.state !== "open" || now.getTime() >= quiz.closesAt.getTime())
          return { status: "closed", quiz };
        const correct = choice === quiz.answer;
        const inserted = this.s.insertAnswer.run({
          quizId,
          userId,
          guildId: quiz.guildId,
          choice,
          correct: correct ? 1 : 0,
          now: now.getTime(),
        });
        if (inserted.changes === 0) {
          // Another process recorded this person's answer between our read and our write: theirs stands.
          const theirs = this.s.getAnswer.get(quizId, userId);
          return {
            status: "already",
            quiz,
            choice: theirs?.choice ?? choice,
            correct: theirs?.correct === 1,
          };
        }
        return { status: "counted", quiz, correct };
      })
      .immediate();
  }

  tally(quizId: string): Tally {
    const row = this.s.tally.get(quizId);
    return { answered: row?.answered ?? 0, right: row?.right ?? 0 };
  }

  /**
   * Claims the close of a quiz: due (`force` false) or asked for (Reveal). Returns the quiz when this
   * caller now owns the edit of its post, null when it is not due, already closed, or another holds it.
   */
  claimClose(id: string, now: Date, force = false): Quiz | null {
    const row = this.s.claimClose.get({
      id,
      now: now.getTime(),
      lease: CLOSE_LEASE_MS,
      force: force ? 1 : 0,
    });
    return row ? transformQuiz(row) : null;
  }

  /** Quizzes whose close is due, or whose close claim lapsed. */
  dueToClose(now: Date): string[] {
    return this.s.due.all(now.getTime(), now.getTime()).map((r) => r.id);
  }

  /** When the next close falls due, if any is pending. */
  nextCloseAt(): Date | null {
    const at = this.s.nextClose.get()?.at;
    return at === null || at === undefined ? null : new Date(at);
  }

  /** The post now shows the answer. */
  markClosed(id: string): void {
    this.s.finish.run("closed", null, id);
  }

  /** The post cannot be edited (message or channel deleted, access lost): the quiz is closed without it. */
  markGone(id: string, reason: string): void {
    this.s.finish.run("gone", truncate(reason, 300), id);
  }

  /** An edit failed in a way that may pass: the claim's lease makes it due again. */
  recordFailure(id: string, reason: string): void {
    this.s.failed.run(truncate(reason, 300), id);
  }

  /** Top answerers of a server since an instant (epoch for all time). */
  scores(guildId: string, since: Date | null, limit: number): ScoreRow[] {
    return this.s.scores
      .all(guildId, since?.getTime() ?? 0, limit)
      .map((r) => ({
        userId: r.user_id,
        right: r.right,
        answered: r.answered,
      }));
  }

  /** Deletes every answer of a person, in every server. Returns how many. */
  forgetUser(userId: string): number {
    return this.s.forget.run(userId).changes;
  }

  setTerm(guildId: string, startsOn: string, setBy: string, now: Date): void {
    this.s.setTerm.run({ guildId, startsOn, setBy, now: now.getTime() });
  }

  termStart(guildId: string): string | null {
    return this.s.getTerm.get(guildId)?.starts_on ?? null;
  }
}
