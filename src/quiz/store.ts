/**
 * The quiz's repository: one interface (`QuizStore`, every method async), an
 * implementation per engine (`SqliteQuizStore`, `PgQuizStore`); raw rows in,
 * domain objects out through `transformQuiz`, shared by both.
 *
 * Every guarantee lives in SQL, so it holds across processes, shards,
 * machines and restarts:
 * - an answer is one INSERT … ON CONFLICT DO NOTHING on the (quiz, user)
 *   primary key, inside a transaction that re-reads the quiz: a second press,
 *   a double click or another shard's copy of the press counts nothing;
 * - a close is claimed by one UPDATE whose WHERE re-checks the state, so of
 *   two closers (two shards, Reveal racing the clock) one edits the post; a
 *   claim whose process died is taken over after `CLOSE_LEASE_MS`.
 *
 * Instants are integer milliseconds since the epoch; `now` is always a parameter.
 */
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

/** A row of `quizzes` as the database returns it (both engines). */
export interface QuizRow {
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

export function transformQuiz(row: QuizRow): Quiz {
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

/** The quiz's storage, whatever the engine: every method is a round trip to the database. */
export interface QuizStore {
  /** Stores a new quiz (before it is posted) and returns it as stored. */
  create(q: NewQuiz): Promise<Quiz>;
  get(id: string): Promise<Quiz | null>;
  /** The post's message id, once Discord has given it (first write wins). */
  setMessageId(id: string, messageId: string): Promise<void>;
  /** One answer per person and quiz, while the quiz is open; a second press changes nothing. */
  answer(quizId: string, userId: string, choice: number, now: Date): Promise<AnswerOutcome>;
  tally(quizId: string): Promise<Tally>;
  /**
   * Claims the close of a quiz: due (`force` false) or asked for (Reveal). Returns the quiz when this
   * caller now owns the edit of its post, null when it is not due, already closed, or another holds it.
   */
  claimClose(id: string, now: Date, force?: boolean): Promise<Quiz | null>;
  /** Quizzes whose close is due, or whose close claim lapsed. */
  dueToClose(now: Date): Promise<string[]>;
  /** The post now shows the answer. */
  markClosed(id: string): Promise<void>;
  /** The post cannot be edited (message or channel deleted, access lost): the quiz is closed without it. */
  markGone(id: string, reason: string): Promise<void>;
  /** An edit failed in a way that may pass: the claim's lease makes it due again. */
  recordFailure(id: string, reason: string): Promise<void>;
  /** Top answerers of a server since an instant (epoch for all time). */
  scores(guildId: string, since: Date | null, limit: number): Promise<ScoreRow[]>;
  /** Deletes every answer of a person, in every server. Returns how many. */
  forgetUser(userId: string): Promise<number>;
  setTerm(guildId: string, startsOn: string, setBy: string, now: Date): Promise<void>;
  termStart(guildId: string): Promise<string | null>;
}

/** Reasons end up in logs and status: kept short. */
export function clipQuizReason(reason: string): string {
  return truncate(reason, 300);
}
