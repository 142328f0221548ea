/**
 * The quiz's messages as Discord API JSON: the open post (the speaker's words,
 * four answers, Reveal), the closed post (the quote as /quote shows it, with
 * its speaker, note, Cite and Context, and how many were right), the private
 * acknowledgements, and the scores (mentions that ping no one).
 *
 * The post's own words are in the quiz's language (the asker's, stored with
 * it), whoever presses and whenever it closes; a private answer is in the
 * presser's. The quotation and the speakers' descriptions stay as printed.
 */
import { roleMention, time, TimestampStyles, userMention } from "@discordjs/formatters";
import {
  ButtonStyle,
  ComponentType,
  type APIButtonComponent,
} from "discord-api-types/v10";
import type { Corpus } from "../corpus/types.js";
import { t, type Language } from "../i18n/index.js";
import { quizAnswerId, quizRevealId } from "../interactions/custom-id.js";
import { LIMITS } from "../message/limits.js";
import {
  EPHEMERAL,
  NO_MENTIONS,
  type MessagePayload,
} from "../message/payload.js";
import { MASK } from "../quiz/question.js";
import type { Quiz, ScoreRow, Tally } from "../quiz/store.js";
import { truncate } from "../text/truncate.js";
import { chicagoNote } from "./citation.js";
import { longLocalDate } from "./daily.js";
import { COLOR, kindLabel, quoteButtons, quoteEmbed } from "./messages.js";
import { escapeMarkdown } from "./text.js";

/** The local date of a quiz day's quiz (`daily-<schedule>-<yyyymmdd>`); null for a quiz someone asked. */
export function quizDayDate(quiz: Pick<Quiz, "id">): string | null {
  const m = /^daily-\d+-(\d{4})(\d{2})(\d{2})$/.exec(quiz.id);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

function title(quiz: Quiz, language: Language): string {
  const day = quizDayDate(quiz);
  if (day !== null) {
    return t(language, quiz.mode === "source" ? "daily.post.quizTitleSource" : "daily.post.quizTitle", { date: longLocalDate(day, language) });
  }
  return t(language, quiz.mode === "source" ? "quiz.titleSource" : "quiz.title");
}

/**
 * An answer as shown: a speaker's description as the source gives it; a kind
 * of source (stored as the corpus labels it) in the reader's language.
 */
function optionLabel(
  corpus: Corpus | null,
  quiz: Quiz,
  i: number,
  language: Language,
): string {
  const label = quiz.options[i] ?? "?";
  if (quiz.mode !== "source" || !corpus) return label;
  const kind = corpus.kinds.find((k) => k.label === label);
  return kind ? kindLabel(corpus, kind.id, language) : label;
}

/** The answer as a sentence's end: "a 50-year-old engineer", "a leaflet". */
function answerLabel(
  corpus: Corpus | null,
  quiz: Quiz,
  language: Language,
): string {
  return optionLabel(corpus, quiz, quiz.answer, language);
}

/** The open quiz: the words, who has answered, when it closes, the four answers and Reveal. */
export function openQuizMessage(
  quiz: Quiz,
  tally: Tally,
  corpus: Corpus | null = null,
): MessagePayload {
  const language = quiz.language;
  const masked = quiz.shown.includes(MASK)
    ? `\n\n${t(language, "quiz.masked", { mask: MASK })}`
    : "";
  const quote = truncate(
    `“${escapeMarkdown(quiz.shown)}”`,
    LIMITS.description - 400,
  );
  const status = t(language, "quiz.status", {
    answers: t(language, "quiz.answers", { count: tally.answered }),
    closes: time(quiz.closesAt, TimestampStyles.RelativeTime),
  });
  const options: APIButtonComponent[] = quiz.options.map((_, i) => ({
    type: ComponentType.Button,
    custom_id: quizAnswerId(quiz.id, i),
    label: truncate(optionLabel(corpus, quiz, i, language), LIMITS.buttonLabel),
    style: ButtonStyle.Secondary,
  }));
  return {
    embeds: [
      {
        color: COLOR,
        title: title(quiz, language),
        description: `${quote}${masked}\n\n${status}`,
        // A quiz day's quiz has no asker: it closes with the day, or by a manager's Reveal.
        footer: { text: t(language, quizDayDate(quiz) !== null ? "daily.post.quizFooter" : "quiz.footer") },
      },
    ],
    components: [
      { type: ComponentType.ActionRow, components: options },
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            custom_id: quizRevealId(quiz.id),
            label: t(language, "buttons.reveal"),
            style: ButtonStyle.Danger,
          },
        ],
      },
    ],
    allowed_mentions: NO_MENTIONS,
  };
}

/**
 * A quiz day's post: the quiz (speaker hidden, four answers, Reveal for a
 * manager), with the role the schedule mentions, and only it.
 */
export function dailyQuizMessage(corpus: Corpus, quiz: Quiz, tally: Tally, o: { readonly roleId?: string | null }): MessagePayload {
  const role = o.roleId ?? null;
  return {
    ...openQuizMessage(quiz, tally, corpus),
    ...(role ? { content: roleMention(role) } : {}),
    allowed_mentions: role ? { parse: [], roles: [role] } : { parse: [] },
  };
}

/**
 * A quiz day's discussion thread, named and opened from the quiz's day and mode only: the quote's
 * theme (the voice's usual thread) would hint at the hidden speaker ("grievances of workers").
 * Taking no quote, it cannot give one away.
 */
export function quizThreadName(quiz: Pick<Quiz, "id" | "language">): string {
  const day = quizDayDate(quiz) ?? "";
  return truncate(`${day ? `${day} · ` : ""}${t(quiz.language, "daily.post.quizThread")}`, LIMITS.threadName);
}

/** The neutral question that opens a quiz day's thread: argue the answer, which the close reveals. */
export function quizThreadOpener(quiz: Pick<Quiz, "mode" | "language">): MessagePayload {
  const question = t(quiz.language, quiz.mode === "source" ? "daily.post.quizDiscussSource" : "daily.post.quizDiscuss");
  return { content: truncate(t(quiz.language, "daily.post.discuss", { question }), LIMITS.content), allowed_mentions: { parse: [] } };
}

/** The closed quiz: the quote with its speaker, note and source; the answers greyed, the right one green; Cite and Context. */
export function closedQuizMessage(
  corpus: Corpus,
  quiz: Quiz,
  tally: Tally,
): MessagePayload {
  const language = quiz.language;
  const q = corpus.byId.get(quiz.quoteId);
  const outcome =
    tally.answered === 0
      ? t(language, "quiz.noneThisTime")
      : t(language, "quiz.right", { count: tally.right });
  const content = truncate(
    t(language, "quiz.closed", {
      title: title(quiz, language),
      answer: escapeMarkdown(answerLabel(corpus, quiz, language)),
      answers: t(language, "quiz.answers", { count: tally.answered }),
      outcome,
    }),
    LIMITS.content,
  );
  const options: APIButtonComponent[] = quiz.options.map((_, i) => ({
    type: ComponentType.Button,
    custom_id: quizAnswerId(quiz.id, i),
    label: truncate(optionLabel(corpus, quiz, i, language), LIMITS.buttonLabel),
    style: i === quiz.answer ? ButtonStyle.Success : ButtonStyle.Secondary,
    disabled: true,
  }));
  const rows: NonNullable<MessagePayload["components"]> = [
    { type: ComponentType.ActionRow, components: options },
  ];
  if (q) {
    rows.push({
      type: ComponentType.ActionRow,
      components: quoteButtons(q, language),
    });
  }
  return {
    content,
    // A quote since taken out of the corpus: the words as asked, and the answer, without a source to show.
    embeds: [
      q
        ? quoteEmbed(corpus, q, undefined, language)
        : {
            color: COLOR,
            description: truncate(
              `“${escapeMarkdown(quiz.shown)}”`,
              LIMITS.description,
            ),
          },
    ],
    components: rows,
    allowed_mentions: NO_MENTIONS,
  };
}

function privately(text: string): MessagePayload {
  return {
    content: truncate(text, LIMITS.content),
    flags: EPHEMERAL,
    allowed_mentions: NO_MENTIONS,
  };
}

function citation(corpus: Corpus, quiz: Quiz): string {
  const q = corpus.byId.get(quiz.quoteId);
  return q ? `\n${escapeMarkdown(chicagoNote(corpus, q))}` : "";
}

/** A first answer, counted: told privately, in the presser's language. */
export function answerAck(
  corpus: Corpus,
  quiz: Quiz,
  correct: boolean,
  language: Language = "en",
): MessagePayload {
  const answer = escapeMarkdown(answerLabel(corpus, quiz, language));
  return privately(
    `${t(language, correct ? "quiz.ack.right" : "quiz.ack.wrong", { answer })} ${t(language, "quiz.ack.secret")}${citation(corpus, quiz)}`,
  );
}

/** A second press: nothing changes. */
export function alreadyAnswered(
  quiz: Quiz,
  choice: number,
  language: Language = "en",
  corpus: Corpus | null = null,
): MessagePayload {
  return privately(
    t(language, "quiz.already", {
      answer: escapeMarkdown(optionLabel(corpus, quiz, choice, language)),
    }),
  );
}

/** A press after the close. */
export function quizClosedNotice(
  corpus: Corpus,
  quiz: Quiz,
  language: Language = "en",
): MessagePayload {
  return privately(
    `${t(language, "quiz.closedNotice", { answer: escapeMarkdown(answerLabel(corpus, quiz, language)) })}${citation(corpus, quiz)}`,
  );
}

export type ScorePeriod = "week" | "term" | "all";

/** The server's top answerers: mentions shown, nobody pinged. */
export function scoresMessage(
  rows: readonly ScoreRow[],
  period: { label: string },
  language: Language = "en",
): MessagePayload {
  const lines = rows.map(
    (r, i) =>
      `${i + 1}. ${userMention(r.userId)} — ${t(language, "quiz.scores.line", { right: r.right, answered: r.answered })}`,
  );
  return {
    embeds: [
      {
        color: COLOR,
        title: t(language, "quiz.scores.title", { period: period.label }),
        description: truncate(
          lines.length ? lines.join("\n") : t(language, "quiz.scores.none"),
          LIMITS.description,
        ),
        footer: { text: t(language, "quiz.scores.footer") },
      },
    ],
    allowed_mentions: NO_MENTIONS,
  };
}
