import { ApplicationCommandOptionType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import { answerQuote, answerQuoteButton, autocompleteQuote } from '../src/answers/quote.js';
import { QUOTE_PREFIX } from '../src/interactions/custom-id.js';
import { readArguments } from '../src/interactions/arguments.js';
import type { Command } from '../src/interactions/types.js';
import { notice } from '../src/message/payload.js';
import { ANYWHERE } from './install.js';
import { MAX_QUERY_LENGTH } from '../src/search/query.js';

const data = {
  name: 'quote',
  description: 'A sourced quote of a Soviet citizen, with its speaker and the note it rests on',
  options: [
    { type: ApplicationCommandOptionType.String, name: 'query', description: 'Words to search for, e.g. nep, collective farms, "spicy dishes"', max_length: MAX_QUERY_LENGTH, autocomplete: true },
    { type: ApplicationCommandOptionType.String, name: 'theme', description: 'Only quotes on this theme', autocomplete: true },
    { type: ApplicationCommandOptionType.String, name: 'speaker', description: 'Only speakers described so: an occupation, nationality, gender or age group', autocomplete: true },
    { type: ApplicationCommandOptionType.String, name: 'source', description: 'Only this kind of source: interview, report, letter, leaflet…', autocomplete: true },
    { type: ApplicationCommandOptionType.String, name: 'work', description: 'Only quotes from this work (the essay, or another reading)', autocomplete: true },
    { type: ApplicationCommandOptionType.Integer, name: 'note', description: 'Only quotes resting on this note of the work', min_value: 1, max_value: 99 },
  ],
  ...ANYWHERE,
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export default {
  data,
  execute: (request, app) => {
    const read = readArguments(data, request);
    return read.ok ? answerQuote(app, read.args.options, request.language) : { type: 'message', payload: notice(read.error) };
  },
  autocomplete: (request, app) => autocompleteQuote(app, request.focused.name, request.focused.value, request.language),
  buttonPrefix: QUOTE_PREFIX,
  button: (request, app) => answerQuoteButton(app, request),
} satisfies Command;
