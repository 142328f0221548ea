/**
 * The daily voice's ports: what the scheduler and the service ask of an edge
 * that posts (the bot to Discord, the console to the terminal), in plain
 * data, so that nothing in src/daily knows discord.js.
 */
import type { Language } from '../i18n/index.js';
import type { Quiz, Tally } from '../quiz/store.js';

/** What `deliver` must post. */
export interface DeliveryJob {
  /** The schedule the post is for (several per server, one per channel). */
  readonly scheduleId: number;
  readonly guildId: string;
  readonly channelId: string;
  /** Role to mention, if any (allowed_mentions must name it). */
  readonly roleId: string | null;
  /** Open a discussion thread on the message. */
  readonly thread: boolean;
  /** The language of the post's own words (the schedule's setting). */
  readonly language: Language;
  /** The guild's local date this post is for. */
  readonly localDate: string;
  readonly quoteId: string;
  readonly timeZone: string;
  /** When the post was due; earlier than now when catching up or retrying. */
  readonly scheduledAt: Date;
  /** 1 for the day's first delivery, then 2, 3… */
  readonly attempt: number;
  /**
   * The Discord message nonce of the schedule's day (`postNonce`), to be sent
   * with `enforce_nonce`: a retry after a lost outcome gets Discord's existing
   * message back. Absent for test posts.
   */
  readonly nonce?: string;
  /** On a quiz day, the quiz the post is (`daily-<schedule>-<yyyymmdd>`); null or absent for the voice itself. */
  readonly quizId?: string | null;
}

/** The voice a schedule's day gets: the rotation's, or its syllabus theme's. */
export interface PickedQuote {
  readonly quoteId: string;
  /** The syllabus theme it was chosen from; null for the ordinary rotation. */
  readonly theme: string | null;
  /** On a quiz day, the quiz the post asks (the quote is then its hidden answer); else null or absent. */
  readonly quizId?: string | null;
}

/**
 * How a delivery ended.
 * - success: the id of the message Discord accepted;
 * - failure: `retryable` for errors that may pass (5xx, timeouts, network,
 *   rate limits that outlasted the REST queue); `permanent` for errors only a
 *   human can fix (unknown channel, missing access or permissions): the
 *   schedule pauses at once, with the error as reason.
 */
export type DeliveryResult =
  | { readonly messageId: string }
  | { readonly error: string; readonly retryable: boolean; readonly permanent?: boolean };

export interface PostOptions {
  /** A sample for `/daily test`, labelled as such, never the day's post. */
  readonly test?: boolean;
  /** A quiz day: post this quiz (speaker hidden, four answers) instead of the voice. */
  readonly quiz?: { readonly quiz: Quiz; readonly tally: Tally };
}

/** Posts a voice-of-the-day message somewhere; the bot's posts to Discord, the console's to the terminal. */
export interface Poster {
  post(job: DeliveryJob, options?: PostOptions): Promise<DeliveryResult>;
}
