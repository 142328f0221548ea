/**
 * The quiz as the commands see it: ask (pick a fair question, store it),
 * answer (once per person), reveal (asker or Manage Server), scores, forget.
 * Time and randomness come in; Discord stays outside.
 */
import { randomUUID } from "node:crypto";
import type { Corpus } from "../corpus/types.js";
import type { Language } from "../i18n/index.js";
import { pickQuestion, type QuizMode } from "./question.js";
import type {
  AnswerOutcome,
  Quiz,
  QuizStore,
  ScoreRow,
  Tally,
} from "./store.js";

export const DEFAULT_MINUTES = 10;
export const MAX_MINUTES = 24 * 60;

export interface AskInput {
  readonly guildId: string;
  readonly channelId: string;
  readonly userId: string;
  readonly mode: QuizMode;
  readonly theme?: string;
  readonly minutes: number;
  readonly now: Date;
  /** The asker's language: the post's own words stay in it until it closes. */
  readonly language?: Language;
}

export class QuizService {
  constructor(
    readonly corpus: Corpus,
    readonly store: QuizStore,
    private readonly newId: () => string = () => randomUUID(),
  ) {}

  /** A new quiz, stored before it is posted; null when no fair question can be asked (theme too small). */
  async ask(input: AskInput, random: () => number): Promise<Quiz | null> {
    const question = pickQuestion(
      this.corpus,
      { mode: input.mode, ...(input.theme ? { theme: input.theme } : {}) },
      random,
    );
    if (!question) return null;
    return this.store.create({
      id: this.newId(),
      guildId: input.guildId,
      channelId: input.channelId,
      askedBy: input.userId,
      quoteId: question.quoteId,
      mode: question.mode,
      shown: question.shown,
      options: question.options,
      answer: question.answer,
      openedAt: input.now,
      closesAt: new Date(input.now.getTime() + input.minutes * 60_000),
      language: input.language ?? "en",
    });
  }

  answer(
    quizId: string,
    userId: string,
    choice: number,
    now: Date,
  ): Promise<AnswerOutcome> {
    return this.store.answer(quizId, userId, choice, now);
  }

  tally(quizId: string): Promise<Tally> {
    return this.store.tally(quizId);
  }

  /** Claims the close now, for Reveal: the quiz when the caller now owns the edit, null when it is closed already. */
  reveal(quizId: string, now: Date): Promise<Quiz | null> {
    return this.store.claimClose(quizId, now, true);
  }

  scores(guildId: string, since: Date | null, limit = 10): Promise<ScoreRow[]> {
    return this.store.scores(guildId, since, limit);
  }
}
