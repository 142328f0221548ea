/**
 * Closes quizzes on time, across restarts: what is due is read from the
 * database, so a quiz opened before a restart closes when its time comes (or
 * at the first tick after start, if that time passed while the bot was down).
 * Time comes from the injected clock; a timer only says when to look.
 *
 * The post is edited through the bot's own channel message route, never the
 * interaction's token, which lasts 15 minutes. A post that is gone (message or
 * channel deleted, access lost) closes the quiz without it, with a log line; an
 * edit that failed otherwise is retried when its claim lapses, up to
 * MAX_CLOSE_ATTEMPTS times.
 */
import type { MessagePayload } from "../message/payload.js";
import {
  MAX_CLOSE_ATTEMPTS,
  type Quiz,
  type QuizStore,
  type Tally,
} from "./store.js";

/** How an edit of a post ended. */
export type EditResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly gone: boolean; readonly error: string };

export interface CloserLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface QuizCloserOptions {
  readonly store: QuizStore;
  readonly clock: () => Date;
  /** Edits the quiz post to `payload` (the bot: PATCH /channels/:id/messages/:id). */
  readonly edit: (
    channelId: string,
    messageId: string,
    payload: MessagePayload,
  ) => Promise<EditResult>;
  /** The closed post. */
  readonly render: (quiz: Quiz, tally: Tally) => MessagePayload;
  readonly log: CloserLog;
  /** How often to look; default 5 s. */
  readonly everyMs?: number;
}

export class QuizCloser {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly o: QuizCloserOptions) {}

  /** Closes every quiz that is due; never throws. */
  tick(): Promise<void> {
    // One tick at a time in a process; other processes are kept apart by the claims.
    this.running ??= this.closeDue().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async closeDue(): Promise<void> {
    const now = this.o.clock();
    let due: string[];
    try {
      due = await this.o.store.dueToClose(now);
    } catch (err) {
      this.o.log.error({ err }, "quiz: could not read the quizzes to close");
      return;
    }
    for (const id of due) {
      try {
        const quiz = await this.o.store.claimClose(id, now);
        if (quiz) await this.close(quiz);
      } catch (err) {
        this.o.log.error({ quiz: id, err }, "quiz: close failed");
      }
    }
  }

  /** Edits a claimed quiz's post to show the answer, and records how that went. */
  async close(quiz: Quiz): Promise<void> {
    if (!quiz.messageId) {
      await this.o.store.markGone(
        quiz.id,
        "the post’s message id was never recorded",
      );
      this.o.log.warn(
        { quiz: quiz.id, guild: quiz.guildId },
        "quiz: closed without its post (no message id)",
      );
      return;
    }
    const result = await this.o.edit(
      quiz.channelId,
      quiz.messageId,
      this.o.render(quiz, await this.o.store.tally(quiz.id)),
    );
    if (result.ok) {
      await this.o.store.markClosed(quiz.id);
      this.o.log.info({ quiz: quiz.id, guild: quiz.guildId }, "quiz: closed");
    } else if (result.gone || quiz.attempts >= MAX_CLOSE_ATTEMPTS) {
      await this.o.store.markGone(quiz.id, result.error);
      this.o.log.info(
        {
          quiz: quiz.id,
          guild: quiz.guildId,
          channel: quiz.channelId,
          error: result.error,
        },
        "quiz: closed; its post could not be edited",
      );
    } else {
      await this.o.store.recordFailure(quiz.id, result.error);
      this.o.log.warn(
        {
          quiz: quiz.id,
          guild: quiz.guildId,
          attempt: quiz.attempts,
          error: result.error,
        },
        "quiz: could not edit the post; will retry",
      );
    }
  }

  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.o.everyMs ?? 5_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
