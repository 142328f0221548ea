/**
 * The quiz's store over PostgreSQL (`pg` Pool). The same rows and transform as
 * SQLite's (see store.ts). An answer reads its quiz with the row locked FOR
 * SHARE, so a close claimed meanwhile (an UPDATE of that row) waits for the
 * answer to be counted or refused, and inserts with ON CONFLICT DO NOTHING on
 * the (quiz, user) key: a second press, from any process, counts nothing.
 */
import type { PgPool } from "../db/postgres.js";
import { transaction } from "../db/postgres.js";
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

const SQL = {
  insert: `
    INSERT INTO quizzes (id, guild_id, channel_id, asked_by, quote_id, mode, shown, options, answer, opened_at, closes_at, language)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    RETURNING *`,
  get: "SELECT * FROM quizzes WHERE id = $1",
  getForAnswer: "SELECT * FROM quizzes WHERE id = $1 FOR SHARE",
  setMessage: "UPDATE quizzes SET message_id = $2 WHERE id = $1 AND message_id IS NULL",
  insertAnswer: `
    INSERT INTO quiz_answers (quiz_id, user_id, guild_id, choice, correct, answered_at)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (quiz_id, user_id) DO NOTHING`,
  getAnswer: "SELECT choice, correct FROM quiz_answers WHERE quiz_id = $1 AND user_id = $2",
  tally: `SELECT count(*) AS answered, sum(correct) AS "right" FROM quiz_answers WHERE quiz_id = $1`,
  claimClose: `
    UPDATE quizzes SET state = 'closing', closed_at = coalesce(closed_at, $2), attempts = attempts + 1, retry_at = $2 + $3::bigint
    WHERE id = $1 AND ((state = 'open' AND ($4 OR closes_at <= $2)) OR (state = 'closing' AND retry_at <= $2))
    RETURNING *`,
  due: `
    SELECT id FROM quizzes WHERE state = 'open' AND closes_at <= $1
    UNION SELECT id FROM quizzes WHERE state = 'closing' AND retry_at <= $1`,
  finish: `UPDATE quizzes SET state = $2, retry_at = NULL, last_error = $3 WHERE id = $1 AND state = 'closing'`,
  failed: "UPDATE quizzes SET last_error = $2 WHERE id = $1",
  scores: `
    SELECT user_id, sum(correct) AS "right", count(*) AS answered FROM quiz_answers
    WHERE guild_id = $1 AND answered_at >= $2
    GROUP BY user_id ORDER BY "right" DESC, answered ASC, min(answered_at) ASC LIMIT $3`,
  forget: "DELETE FROM quiz_answers WHERE user_id = $1",
  setTerm: `
    INSERT INTO quiz_terms (guild_id, starts_on, set_by, updated_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (guild_id) DO UPDATE SET starts_on = excluded.starts_on, set_by = excluded.set_by, updated_at = excluded.updated_at`,
  getTerm: "SELECT starts_on FROM quiz_terms WHERE guild_id = $1",
} as const satisfies Record<string, string>;

export class PgQuizStore implements QuizStore {
  constructor(private readonly pool: PgPool) {}

  async create(q: NewQuiz): Promise<Quiz> {
    const result = await this.pool.query<QuizRow>(SQL.insert, [
      q.id,
      q.guildId,
      q.channelId,
      q.askedBy,
      q.quoteId,
      q.mode,
      q.shown,
      JSON.stringify(q.options),
      q.answer,
      q.openedAt.getTime(),
      q.closesAt.getTime(),
      q.language,
    ]);
    const row = result.rows[0];
    if (!row) throw new Error(`quiz store: quiz ${q.id} vanished`);
    return transformQuiz(row);
  }

  async get(id: string): Promise<Quiz | null> {
    const row = (await this.pool.query<QuizRow>(SQL.get, [id])).rows[0];
    return row ? transformQuiz(row) : null;
  }

  async setMessageId(id: string, messageId: string): Promise<void> {
    await this.pool.query(SQL.setMessage, [id, messageId]);
  }

  async answer(quizId: string, userId: string, choice: number, now: Date): Promise<AnswerOutcome> {
    return transaction(this.pool, async (client): Promise<AnswerOutcome> => {
      const row = (await client.query<QuizRow>(SQL.getForAnswer, [quizId])).rows[0];
      if (!row) return { status: "unknown" };
      const quiz = transformQuiz(row);
      const previous = (await client.query<{ choice: number; correct: number }>(SQL.getAnswer, [quizId, userId])).rows[0];
      if (previous) return { status: "already", quiz, choice: previous.choice, correct: previous.correct === 1 };
      if (quiz.state !== "open" || now.getTime() >= quiz.closesAt.getTime()) return { status: "closed", quiz };
      const correct = choice === quiz.answer;
      const inserted = await client.query(SQL.insertAnswer, [quizId, userId, quiz.guildId, choice, correct ? 1 : 0, now.getTime()]);
      if (inserted.rowCount === 0) {
        // Another process recorded this person's answer between our read and our write: theirs stands.
        const theirs = (await client.query<{ choice: number; correct: number }>(SQL.getAnswer, [quizId, userId])).rows[0];
        return { status: "already", quiz, choice: theirs?.choice ?? choice, correct: theirs?.correct === 1 };
      }
      return { status: "counted", quiz, correct };
    });
  }

  async tally(quizId: string): Promise<Tally> {
    const row = (await this.pool.query<{ answered: number; right: number | null }>(SQL.tally, [quizId])).rows[0];
    return { answered: row?.answered ?? 0, right: row?.right ?? 0 };
  }

  async claimClose(id: string, now: Date, force = false): Promise<Quiz | null> {
    const row = (await this.pool.query<QuizRow>(SQL.claimClose, [id, now.getTime(), CLOSE_LEASE_MS, force])).rows[0];
    return row ? transformQuiz(row) : null;
  }

  async dueToClose(now: Date): Promise<string[]> {
    return (await this.pool.query<{ id: string }>(SQL.due, [now.getTime()])).rows.map((r) => r.id);
  }

  async markClosed(id: string): Promise<void> {
    await this.pool.query(SQL.finish, [id, "closed", null]);
  }

  async markGone(id: string, reason: string): Promise<void> {
    await this.pool.query(SQL.finish, [id, "gone", clipQuizReason(reason)]);
  }

  async recordFailure(id: string, reason: string): Promise<void> {
    await this.pool.query(SQL.failed, [id, clipQuizReason(reason)]);
  }

  async scores(guildId: string, since: Date | null, limit: number): Promise<ScoreRow[]> {
    const rows = (await this.pool.query<{ user_id: string; right: number; answered: number }>(SQL.scores, [guildId, since?.getTime() ?? 0, limit])).rows;
    return rows.map((r) => ({ userId: r.user_id, right: r.right, answered: r.answered }));
  }

  async forgetUser(userId: string): Promise<number> {
    return (await this.pool.query(SQL.forget, [userId])).rowCount ?? 0;
  }

  async setTerm(guildId: string, startsOn: string, setBy: string, now: Date): Promise<void> {
    await this.pool.query(SQL.setTerm, [guildId, startsOn, setBy, now.getTime()]);
  }

  async termStart(guildId: string): Promise<string | null> {
    return (await this.pool.query<{ starts_on: string }>(SQL.getTerm, [guildId])).rows[0]?.starts_on ?? null;
  }
}
