/**
 * /quiz: ask, answer, reveal, scores, term, forget-me. Decisions only: the
 * state is in the quiz store, the messages in render/quiz, time in the request.
 */
import { PermissionFlagsBits } from "discord-api-types/v10";
import type { App } from "../app.js";
import { addDays, localDate } from "../daily/time.js";
import { parseQuizButton } from "../interactions/custom-id.js";
import type {
  ButtonRequest,
  CommandRequest,
  Reply,
} from "../interactions/types.js";
import { notice } from "../message/payload.js";
import { sourceQuestionsPossible, type QuizMode } from "../quiz/question.js";
import { DEFAULT_MINUTES, MAX_MINUTES } from "../quiz/service.js";
import {
  alreadyAnswered,
  answerAck,
  closedQuizMessage,
  openQuizMessage,
  quizClosedNotice,
  scoresMessage,
} from "../render/quiz.js";
import { showUserText } from "../render/text.js";
import { Temporal } from "temporal-polyfill";

const message = (payload: ReturnType<typeof notice>): Reply => ({
  type: "message",
  payload,
});

function isManager(permissions: bigint | null): boolean {
  return (
    permissions !== null &&
    (permissions & PermissionFlagsBits.ManageGuild) ===
      PermissionFlagsBits.ManageGuild
  );
}

export function answerQuiz(app: App, request: CommandRequest): Reply {
  const quiz = app.quiz;
  if (!quiz)
    return message(
      notice("Quizzes are not available here: they need the bot’s database."),
    );
  if (!request.guildId || !request.channelId)
    return message(
      notice("Quizzes are for servers: run `/quiz` in a server channel."),
    );
  switch (request.subcommand) {
    case "ask":
      return ask(app, request);
    case "scores":
      return scores(app, request);
    case "term":
      return term(app, request);
    case "forget-me": {
      const n = quiz.store.forgetUser(request.userId);
      return message(
        notice(
          n === 0
            ? "You have no quiz answers stored; there is nothing to forget."
            : `Done: your ${n === 1 ? "answer" : `${n} answers`} to quizzes, in every server, ${n === 1 ? "is" : "are"} deleted. Answers you give from now on are counted again.`,
        ),
      );
    }
    default:
      return message(
        notice(
          "Use `/quiz ask`, `/quiz scores`, `/quiz term` or `/quiz forget-me`.",
        ),
      );
  }
}

function ask(app: App, request: CommandRequest): Reply {
  const service = app.quiz;
  if (!service || !request.guildId || !request.channelId)
    return message(notice("Quizzes are for servers."));
  const themeInput =
    typeof request.options.theme === "string"
      ? request.options.theme.trim()
      : "";
  let theme: string | undefined;
  if (themeInput) {
    const t = themeInput.toLowerCase();
    const found = app.corpus.themes.find(
      (th) => th.id === t || th.label.toLowerCase() === t,
    );
    if (!found)
      return message(
        notice(
          `There is no theme “${showUserText(themeInput, 40)}”. The themes are: ${app.corpus.themes.map((th) => `\`${th.id}\``).join(", ")}.`,
        ),
      );
    theme = found.id;
  }
  const kindInput =
    typeof request.options.kind === "string" ? request.options.kind : "speaker";
  if (kindInput !== "speaker" && kindInput !== "source")
    return message(
      notice(
        "The quiz kind is `speaker` (who said it) or `source` (what kind of source).",
      ),
    );
  const mode: QuizMode = kindInput;
  if (mode === "source" && !sourceQuestionsPossible(app.corpus))
    return message(
      notice(
        "The corpus has too few kinds of source for that quiz; try `/quiz ask` without `kind`.",
      ),
    );
  const minutes =
    typeof request.options.minutes === "number"
      ? request.options.minutes
      : DEFAULT_MINUTES;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES)
    return message(
      notice(
        `A quiz stays open from 1 to ${MAX_MINUTES} minutes; ${minutes} is outside that.`,
      ),
    );
  const quiz = service.ask(
    {
      guildId: request.guildId,
      channelId: request.channelId,
      userId: request.userId,
      mode,
      minutes,
      now: request.now,
      ...(theme ? { theme } : {}),
    },
    app.random,
  );
  if (!quiz)
    return message(
      notice(
        `No fair question can be made${theme ? ` on the theme \`${theme}\`` : ""}: too few quotes with distinct speakers. Try another theme, or none.`,
      ),
    );
  return {
    type: "message",
    payload: openQuizMessage(quiz, { answered: 0, right: 0 }),
    sent: (messageId) =>
      messageId && service.store.setMessageId(quiz.id, messageId),
  };
}

function scores(app: App, request: CommandRequest): Reply {
  const service = app.quiz;
  if (!service || !request.guildId)
    return message(notice("Quizzes are for servers."));
  const period =
    typeof request.options.period === "string"
      ? request.options.period
      : "week";
  let since: Date | null = null;
  let label = "all time";
  if (period === "week") {
    // Weeks start on Monday, 00:00 UTC: one week for everyone in the server, whatever their zone.
    const today = localDate(request.now, "UTC");
    const monday = addDays(today, 1 - Temporal.PlainDate.from(today).dayOfWeek);
    since = new Date(`${monday}T00:00:00Z`);
    label = `this week (since Monday ${monday}, 00:00 UTC)`;
  } else if (period === "term") {
    const start = service.store.termStart(request.guildId);
    if (!start)
      return message(
        notice(
          "This server has not set when its term began. A server manager sets it with `/quiz term date:YYYY-MM-DD`.",
        ),
      );
    since = new Date(`${start}T00:00:00Z`);
    label = `this term (since ${start})`;
  } else if (period !== "all") {
    return message(notice("The period is `week`, `term` or `all`."));
  }
  return {
    type: "message",
    payload: scoresMessage(service.scores(request.guildId, since), { label }),
  };
}

function term(app: App, request: CommandRequest): Reply {
  const service = app.quiz;
  if (!service || !request.guildId)
    return message(notice("Quizzes are for servers."));
  if (!isManager(request.memberPermissions))
    return message(
      notice(
        "Only server managers (Manage Server) can set when the term began.",
      ),
    );
  const date =
    typeof request.options.date === "string" ? request.options.date.trim() : "";
  let parsed: Temporal.PlainDate;
  try {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError("shape");
    parsed = Temporal.PlainDate.from(date, { overflow: "reject" });
  } catch {
    return message(
      notice(
        `“${showUserText(date, 20)}” is not a date: write it YYYY-MM-DD, e.g. \`2026-09-01\`.`,
      ),
    );
  }
  if (
    Temporal.PlainDate.compare(
      parsed,
      Temporal.PlainDate.from(localDate(request.now, "UTC")),
    ) > 0
  ) {
    return message(
      notice(
        "The term’s start cannot be in the future: scores count answers since that day.",
      ),
    );
  }
  service.store.setTerm(
    request.guildId,
    parsed.toString(),
    request.userId,
    request.now,
  );
  return message(
    notice(
      `This term began on ${parsed.toString()}: \`/quiz scores period:term\` counts answers since then (00:00 UTC).`,
    ),
  );
}

export function answerQuizButton(app: App, request: ButtonRequest): Reply {
  const service = app.quiz;
  const parsed = parseQuizButton(request.customId);
  if (!service || !parsed)
    return message(
      notice(
        "This quiz button no longer works. Start a new quiz with `/quiz ask`.",
      ),
    );
  const quiz = service.store.get(parsed.quizId);
  if (!quiz)
    return message(
      notice(
        "This quiz is no longer stored. Start a new one with `/quiz ask`.",
      ),
    );
  // The post's id, in case Discord never told us when it was sent.
  if (!quiz.messageId && request.messageId)
    service.store.setMessageId(quiz.id, request.messageId);
  if (parsed.action === "reveal") {
    if (
      request.userId !== quiz.askedBy &&
      !isManager(request.memberPermissions)
    ) {
      return message(
        notice(
          "Only the person who asked this quiz, or a server manager, can reveal it. It closes by itself when its time is up.",
        ),
      );
    }
    const claimed = service.reveal(quiz.id, request.now);
    if (!claimed) return message(quizClosedNotice(app.corpus, quiz));
    return {
      type: "update",
      payload: closedQuizMessage(app.corpus, claimed, service.tally(quiz.id)),
      sent: () => service.store.markClosed(quiz.id),
    };
  }
  const outcome = service.answer(
    quiz.id,
    request.userId,
    parsed.choice,
    request.now,
  );
  switch (outcome.status) {
    case "unknown":
      return message(
        notice(
          "This quiz is no longer stored. Start a new one with `/quiz ask`.",
        ),
      );
    case "closed":
      return message(quizClosedNotice(app.corpus, outcome.quiz));
    case "already":
      return message(alreadyAnswered(outcome.quiz, outcome.choice));
    case "counted":
      return {
        type: "update",
        payload: openQuizMessage(outcome.quiz, service.tally(quiz.id)),
        followUp: answerAck(app.corpus, outcome.quiz, outcome.correct),
      };
  }
}
