import {
  ApplicationCommandOptionType,
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import { answerQuiz, answerQuizButton } from "../src/answers/quiz.js";
import { autocompleteQuote } from "../src/answers/quote.js";
import { QUIZ_PREFIX } from "../src/interactions/custom-id.js";
import type { Command } from "../src/interactions/types.js";
import { MAX_MINUTES } from "../src/quiz/service.js";

const data = {
  name: "quiz",
  description: "Who said it? A quiz on the quotes, with server scores",
  integration_types: [ApplicationIntegrationType.GuildInstall],
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "ask",
      description:
        "Post a quote with its speaker hidden, and four answers for anyone here",
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: "theme",
          description: "Only quotes on this theme",
          autocomplete: true,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: "kind",
          description:
            "What to guess: the speaker (default) or the kind of source",
          choices: [
            { name: "speaker: who said it", value: "speaker" },
            {
              name: "source: interview, report, letter, leaflet…",
              value: "source",
            },
          ],
        },
        {
          type: ApplicationCommandOptionType.Integer,
          name: "minutes",
          description: "How long answers are taken (default 10)",
          min_value: 1,
          max_value: MAX_MINUTES,
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "scores",
      description: "This server’s top answerers",
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: "period",
          description: "Which answers count (default: this week)",
          choices: [
            { name: "this week", value: "week" },
            { name: "this term", value: "term" },
            { name: "all time", value: "all" },
          ],
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "term",
      description: "(Manage Server) Set the day this term began, for scores",
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: "date",
          description: "YYYY-MM-DD, e.g. 2026-09-01",
          required: true,
          min_length: 10,
          max_length: 10,
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: "forget-me",
      description: "Delete your quiz answers, in every server",
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export default {
  data,
  execute: (request, app) => answerQuiz(app, request),
  autocomplete: (request, app) =>
    request.focused.name === "theme"
      ? autocompleteQuote(app, "theme", request.focused.value, request.language)
      : [],
  buttonPrefix: QUIZ_PREFIX,
  button: (request, app) => answerQuizButton(app, request),
} satisfies Command;
