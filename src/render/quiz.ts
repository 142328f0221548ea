/**
 * The quiz's messages as Discord API JSON: the open post (the speaker's words,
 * four answers, Reveal), the closed post (the quote as /quote shows it, with
 * its speaker, note, Cite and Context, and how many were right), the private
 * acknowledgements, and the scores (mentions that ping no one).
 */
import { time, TimestampStyles, userMention } from "@discordjs/formatters";
import {
  ButtonStyle,
  ComponentType,
  type APIButtonComponent,
} from "discord-api-types/v10";
import type { Corpus } from "../corpus/types.js";
import {
  quizAnswerId,
  quizRevealId,
  quoteActionId,
} from "../interactions/custom-id.js";
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
import { COLOR, quoteEmbed } from "./messages.js";
import { escapeMarkdown } from "./text.js";

function title(quiz: Quiz): string {
  return quiz.mode === "source"
    ? "Quiz: what kind of source is this from?"
    : "Quiz: who said it?";
}

function answered(tally: Tally): string {
  return tally.answered === 1 ? "1 answer" : `${tally.answered} answers`;
}

/** The answer as a sentence's end: "a 50-year-old engineer", "a leaflet". */
function answerLabel(quiz: Quiz): string {
  return quiz.options[quiz.answer] ?? "?";
}

/** The open quiz: the words, who has answered, when it closes, the four answers and Reveal. */
export function openQuizMessage(quiz: Quiz, tally: Tally): MessagePayload {
  const masked = quiz.shown.includes(MASK)
    ? `\n\n${MASK} stands for a word that would give the answer away.`
    : "";
  const quote = truncate(
    `“${escapeMarkdown(quiz.shown)}”`,
    LIMITS.description - 400,
  );
  const status = `**${answered(tally)}** so far · closes ${time(quiz.closesAt, TimestampStyles.RelativeTime)}`;
  const options: APIButtonComponent[] = quiz.options.map((label, i) => ({
    type: ComponentType.Button,
    custom_id: quizAnswerId(quiz.id, i),
    label: truncate(label, LIMITS.buttonLabel),
    style: ButtonStyle.Secondary,
  }));
  return {
    embeds: [
      {
        color: COLOR,
        title: title(quiz),
        description: `${quote}${masked}\n\n${status}`,
        footer: {
          text: "One answer each; the first counts. The asker or a server manager can Reveal.",
        },
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
            label: "Reveal",
            style: ButtonStyle.Danger,
          },
        ],
      },
    ],
    allowed_mentions: NO_MENTIONS,
  };
}

/** The closed quiz: the quote with its speaker, note and source; the answers greyed, the right one green; Cite and Context. */
export function closedQuizMessage(
  corpus: Corpus,
  quiz: Quiz,
  tally: Tally,
): MessagePayload {
  const q = corpus.byId.get(quiz.quoteId);
  const right = tally.right === 1 ? "1 was right" : `${tally.right} were right`;
  const content = truncate(
    `**${title(quiz)} — closed.** It was **${escapeMarkdown(answerLabel(quiz))}**. ${answered(tally)}, ${tally.answered === 0 ? "none this time" : right}.`,
    LIMITS.content,
  );
  const options: APIButtonComponent[] = quiz.options.map((label, i) => ({
    type: ComponentType.Button,
    custom_id: quizAnswerId(quiz.id, i),
    label: truncate(label, LIMITS.buttonLabel),
    style: i === quiz.answer ? ButtonStyle.Success : ButtonStyle.Secondary,
    disabled: true,
  }));
  const rows: NonNullable<MessagePayload["components"]> = [
    { type: ComponentType.ActionRow, components: options },
  ];
  if (q) {
    rows.push({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          custom_id: quoteActionId("cite", q.id),
          label: "Cite",
          style: ButtonStyle.Primary,
        },
        {
          type: ComponentType.Button,
          custom_id: quoteActionId("context", q.id),
          label: "Context",
          style: ButtonStyle.Secondary,
        },
      ],
    });
  }
  return {
    content,
    // A quote since taken out of the corpus: the words as asked, and the answer, without a source to show.
    embeds: [
      q
        ? quoteEmbed(corpus, q)
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

/** A first answer, counted. */
export function answerAck(
  corpus: Corpus,
  quiz: Quiz,
  correct: boolean,
): MessagePayload {
  const head = correct
    ? `Right — it was **${escapeMarkdown(answerLabel(quiz))}**.`
    : `Not this time — it was **${escapeMarkdown(answerLabel(quiz))}**.`;
  return privately(
    `${head} Keep it to yourself until the quiz closes.${citation(corpus, quiz)}`,
  );
}

/** A second press: nothing changes. */
export function alreadyAnswered(quiz: Quiz, choice: number): MessagePayload {
  return privately(
    `You have answered this quiz already (“${escapeMarkdown(quiz.options[choice] ?? "?")}”); only your first answer counts.`,
  );
}

/** A press after the close. */
export function quizClosedNotice(corpus: Corpus, quiz: Quiz): MessagePayload {
  return privately(
    `This quiz has closed. It was **${escapeMarkdown(answerLabel(quiz))}**.${citation(corpus, quiz)}`,
  );
}

export type ScorePeriod = "week" | "term" | "all";

/** The server's top answerers: mentions shown, nobody pinged. */
export function scoresMessage(
  rows: readonly ScoreRow[],
  period: { label: string },
): MessagePayload {
  const lines = rows.map(
    (r, i) =>
      `${i + 1}. ${userMention(r.userId)} — ${r.right} right of ${r.answered}`,
  );
  return {
    embeds: [
      {
        color: COLOR,
        title: `Quiz scores — ${period.label}`,
        description: truncate(
          lines.length
            ? lines.join("\n")
            : "No answers in this period yet. Start one with `/quiz ask`.",
          LIMITS.description,
        ),
        footer: {
          text: "Right answers, then fewest tries. /quiz forget-me deletes your answers.",
        },
      },
    ],
    allowed_mentions: NO_MENTIONS,
  };
}
