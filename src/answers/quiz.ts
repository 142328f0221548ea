/**
 * /quiz: ask, answer, reveal, scores, term, forget-me. Decisions only: the
 * state is in the quiz store, the messages in render/quiz, time in the request.
 */
import { PermissionFlagsBits } from "discord-api-types/v10";
import type { App } from "../app.js";
import { addDays, localDate, scheduledInstant } from "../daily/time.js";
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
import { findTheme, noThemeText } from "../render/messages.js";
import { showUserText } from "../render/text.js";
import { t, type Language } from "../i18n/index.js";
import { Temporal } from "temporal-polyfill";

const message = (payload: ReturnType<typeof notice>): Reply => ({
  type: "message",
  payload,
});

/** A private line in the caller's language. */
const say = (
  language: Language,
  key: string,
  values: Record<string, unknown> = {},
): Reply => message(notice(t(language, `quiz.${key}`, values)));

function isManager(permissions: bigint | null): boolean {
  return (
    permissions !== null &&
    (permissions & PermissionFlagsBits.ManageGuild) ===
      PermissionFlagsBits.ManageGuild
  );
}

export async function answerQuiz(app: App, request: CommandRequest): Promise<Reply> {
  const quiz = app.quiz;
  const language = request.language ?? "en";
  if (!quiz) return say(language, "noDatabase");
  if (!request.guildId || !request.channelId)
    return say(language, "serverOnly");
  switch (request.subcommand) {
    case "ask":
      return ask(app, request);
    case "scores":
      return scores(app, request);
    case "term":
      return term(app, request);
    case "forget-me": {
      const n = await quiz.store.forgetUser(request.userId);
      return n === 0
        ? say(language, "forget.nothing")
        : say(language, "forget.done", { count: n });
    }
    default:
      return say(language, "unknownSubcommand");
  }
}

async function ask(app: App, request: CommandRequest): Promise<Reply> {
  const service = app.quiz;
  const language = request.language ?? "en";
  if (!service || !request.guildId || !request.channelId)
    return say(language, "serverOnly");
  const themeInput =
    typeof request.options.theme === "string"
      ? request.options.theme.trim()
      : "";
  let theme: string | undefined;
  if (themeInput) {
    const found = findTheme(app.corpus, themeInput);
    if (!found) return message(notice(noThemeText(app.corpus, themeInput, language)));
    theme = found.id;
  }
  const kindInput =
    typeof request.options.kind === "string" ? request.options.kind : "speaker";
  if (kindInput !== "speaker" && kindInput !== "source")
    return say(language, "badKind");
  const mode: QuizMode = kindInput;
  if (mode === "source" && !sourceQuestionsPossible(app.corpus))
    return say(language, "tooFewKinds");
  const minutes =
    typeof request.options.minutes === "number"
      ? request.options.minutes
      : DEFAULT_MINUTES;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES)
    return say(language, "badMinutes", { max: MAX_MINUTES, minutes });
  const quiz = await service.ask(
    {
      guildId: request.guildId,
      channelId: request.channelId,
      userId: request.userId,
      mode,
      minutes,
      now: request.now,
      language,
      ...(theme ? { theme } : {}),
    },
    app.random,
  );
  if (!quiz)
    return theme
      ? say(language, "noQuestionTheme", { theme })
      : say(language, "noQuestion");
  return {
    type: "message",
    payload: openQuizMessage(quiz, { answered: 0, right: 0 }, app.corpus),
    sent: async (messageId) => {
      if (messageId) await service.store.setMessageId(quiz.id, messageId);
    },
  };
}

/**
 * The clock a server's quiz periods follow: the zone of its daily schedules when they all share one (a class in
 * Berlin counts its week from Monday 00:00 in Berlin, not from Sunday 23:00 or 01:00), else UTC, one week for
 * everyone whatever their zones. The scores reply names it.
 */
async function periodZone(app: App, guildId: string): Promise<string> {
  const schedules = (await app.daily?.store.listGuildSchedules(guildId)) ?? [];
  const zones = new Set(schedules.filter((s) => s.state !== "off").map((s) => s.timeZone));
  const [only] = zones;
  return zones.size === 1 && only !== undefined ? only : "UTC";
}

async function scores(app: App, request: CommandRequest): Promise<Reply> {
  const service = app.quiz;
  const language = request.language ?? "en";
  if (!service || !request.guildId) return say(language, "serverOnly");
  const period =
    typeof request.options.period === "string"
      ? request.options.period
      : "week";
  let since: Date | null = null;
  let label = t(language, "quiz.period.all");
  const zone = await periodZone(app, request.guildId);
  if (period === "week") {
    // Weeks start on Monday, 00:00 on the server's clock (periodZone).
    const today = localDate(request.now, zone);
    const monday = addDays(today, 1 - Temporal.PlainDate.from(today).dayOfWeek);
    since = scheduledInstant(monday, "00:00", zone);
    label = t(language, "quiz.period.week", { monday, zone });
  } else if (period === "term") {
    const start = await service.store.termStart(request.guildId);
    if (!start) return say(language, "noTerm");
    since = scheduledInstant(start, "00:00", zone);
    label = t(language, "quiz.period.term", { start, zone });
  } else if (period !== "all") {
    return say(language, "badPeriod");
  }
  return {
    type: "message",
    payload: scoresMessage(
      await service.scores(request.guildId, since),
      { label },
      language,
    ),
  };
}

async function term(app: App, request: CommandRequest): Promise<Reply> {
  const service = app.quiz;
  const language = request.language ?? "en";
  if (!service || !request.guildId) return say(language, "serverOnly");
  if (!isManager(request.memberPermissions))
    return say(language, "term.notManager");
  const date =
    typeof request.options.date === "string" ? request.options.date.trim() : "";
  let parsed: Temporal.PlainDate;
  try {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError("shape");
    parsed = Temporal.PlainDate.from(date, { overflow: "reject" });
  } catch {
    return say(language, "term.badDate", { input: showUserText(date, 20) });
  }
  const zone = await periodZone(app, request.guildId);
  if (
    Temporal.PlainDate.compare(
      parsed,
      Temporal.PlainDate.from(localDate(request.now, zone)),
    ) > 0
  ) {
    return say(language, "term.future");
  }
  await service.store.setTerm(
    request.guildId,
    parsed.toString(),
    request.userId,
    request.now,
  );
  return say(language, "term.done", { date: parsed.toString(), zone });
}

/**
 * Answers and Reveal. What only the presser reads is in their language; the
 * post itself keeps the quiz's (a Russian press on an English post answers in
 * Russian and leaves the post in English).
 */
export async function answerQuizButton(app: App, request: ButtonRequest): Promise<Reply> {
  const service = app.quiz;
  const language = request.language ?? "en";
  const parsed = parseQuizButton(request.customId);
  if (!service || !parsed) return say(language, "staleButton");
  const quiz = await service.store.get(parsed.quizId);
  if (!quiz) return say(language, "gone");
  // The post's id, in case Discord never told us when it was sent.
  if (!quiz.messageId && request.messageId)
    await service.store.setMessageId(quiz.id, request.messageId);
  if (parsed.action === "reveal") {
    if (
      request.userId !== quiz.askedBy &&
      !isManager(request.memberPermissions)
    ) {
      return say(language, "notAsker");
    }
    const claimed = await service.reveal(quiz.id, request.now);
    if (!claimed) return message(quizClosedNotice(app.corpus, quiz, language));
    return {
      type: "update",
      payload: closedQuizMessage(app.corpus, claimed, await service.tally(quiz.id)),
      sent: () => service.store.markClosed(quiz.id),
    };
  }
  const outcome = await service.answer(
    quiz.id,
    request.userId,
    parsed.choice,
    request.now,
  );
  switch (outcome.status) {
    case "unknown":
      return say(language, "gone");
    case "closed":
      return message(quizClosedNotice(app.corpus, outcome.quiz, language));
    case "already":
      return message(
        alreadyAnswered(outcome.quiz, outcome.choice, language, app.corpus),
      );
    case "counted":
      return {
        type: "update",
        payload: openQuizMessage(
          outcome.quiz,
          await service.tally(quiz.id),
          app.corpus,
        ),
        followUp: answerAck(
          app.corpus,
          outcome.quiz,
          outcome.correct,
          language,
        ),
      };
  }
}
