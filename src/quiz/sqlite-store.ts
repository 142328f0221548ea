/**
 * The quiz's store over SQLite (better-sqlite3, synchronous): the embedded
 * default. An answer re-reads its quiz and inserts in one IMMEDIATE
 * transaction, under the file's write lock. See store.ts for the guarantees.
 */
import type { SqliteDatabase } from "../db/database.js";
import {
  CLOSE_LEASE_MS,
  clipQuizReason,
  transformQuiz,
  type AnswerOutcome,
  type NewQuiz,
  type Quiz,
  type QuizRow,
  type QuizStore,
  type ScoreRow,
  type Tally,
} from "./store.js";

export class SqliteQuizStore implements QuizStore {
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

  async create(q: NewQuiz): Promise<Quiz> {
    this.s.insert.run({
      ...q,
      options: JSON.stringify(q.options),
      openedAt: q.openedAt.getTime(),
      closesAt: q.closesAt.getTime(),
    });
    return this.mustGet(q.id);
  }

  async get(id: string): Promise<Quiz | null> {
    const row = this.s.get.get(id);
    return row ? transformQuiz(row) : null;
  }

  private mustGet(id: string): Quiz {
    const row = this.s.get.get(id);
    const quiz = row ? transformQuiz(row) : null;
    if (!quiz) throw new Error(`quiz store: quiz ${id} vanished`);
    return quiz;
  }

  /** The post's message id, once Discord has given it (first write wins). */
  async setMessageId(id: string, messageId: string): Promise<void> {
    this.s.setMessage.run(messageId, id);
  }

  /** One answer per person and quiz, while the quiz is open; a second press changes nothing. */
  async answer(
    quizId: string,
    userId: string,
    choice: number,
    now: Date,
  ): Promise<AnswerOutcome> {
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

  async tally(quizId: string): Promise<Tally> {
    const row = this.s.tally.get(quizId);
    return { answered: row?.answered ?? 0, right: row?.right ?? 0 };
  }

  /**
   * Claims the close of a quiz: due (`force` false) or asked for (Reveal). Returns the quiz when this
   * caller now owns the edit of its post, null when it is not due, already closed, or another holds it.
   */
  async claimClose(id: string, now: Date, force = false): Promise<Quiz | null> {
    const row = this.s.claimClose.get({
      id,
      now: now.getTime(),
      lease: CLOSE_LEASE_MS,
      force: force ? 1 : 0,
    });
    return row ? transformQuiz(row) : null;
  }

  /** Quizzes whose close is due, or whose close claim lapsed. */
  async dueToClose(now: Date): Promise<string[]> {
    return this.s.due.all(now.getTime(), now.getTime()).map((r) => r.id);
  }

  /** The post now shows the answer. */
  async markClosed(id: string): Promise<void> {
    this.s.finish.run("closed", null, id);
  }

  /** The post cannot be edited (message or channel deleted, access lost): the quiz is closed without it. */
  async markGone(id: string, reason: string): Promise<void> {
    this.s.finish.run("gone", clipQuizReason(reason), id);
  }

  /** An edit failed in a way that may pass: the claim's lease makes it due again. */
  async recordFailure(id: string, reason: string): Promise<void> {
    this.s.failed.run(clipQuizReason(reason), id);
  }

  /** Top answerers of a server since an instant (epoch for all time). */
  async scores(guildId: string, since: Date | null, limit: number): Promise<ScoreRow[]> {
    return this.s.scores
      .all(guildId, since?.getTime() ?? 0, limit)
      .map((r) => ({
        userId: r.user_id,
        right: r.right,
        answered: r.answered,
      }));
  }

  /** Deletes every answer of a person, in every server. Returns how many. */
  async forgetUser(userId: string): Promise<number> {
    return this.s.forget.run(userId).changes;
  }

  async setTerm(guildId: string, startsOn: string, setBy: string, now: Date): Promise<void> {
    this.s.setTerm.run({ guildId, startsOn, setBy, now: now.getTime() });
  }

  async termStart(guildId: string): Promise<string | null> {
    return this.s.getTerm.get(guildId)?.starts_on ?? null;
  }
}
