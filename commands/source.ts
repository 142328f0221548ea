import { ApplicationCommandOptionType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import { readArguments } from '../src/interactions/arguments.js';
import type { Command } from '../src/interactions/types.js';
import { ANYWHERE } from './install.js';
import { LIMITS } from '../src/message/limits.js';
import { notice } from '../src/message/payload.js';
import { noteMessage } from '../src/render/messages.js';
import { truncate } from '../src/text/truncate.js';

const data = {
  name: 'source',
  description: 'A note of the essay in full, with its link and the quotes that rest on it',
  options: [
    { type: ApplicationCommandOptionType.Integer, name: 'n', description: 'The note number, e.g. 8', required: true },
    { type: ApplicationCommandOptionType.String, name: 'work', description: 'Whose notes (when the corpus has several works); default: the first', autocomplete: true },
  ],
  ...ANYWHERE,
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export default {
  data,
  execute: (request, app) => {
    const read = readArguments(data, request);
    return { type: 'message', payload: read.ok ? noteMessage(app.corpus, read.args.options.n, read.args.options.work?.trim() || undefined, request.language) : notice(read.error) };
  },
  autocomplete: (request, app) => {
    const typed = request.focused.value.trim().toLowerCase();
    return app.corpus.sources
      .filter((s) => !typed || s.id.includes(typed) || s.title.toLowerCase().includes(typed))
      .slice(0, LIMITS.autocompleteChoices)
      .map((s) => ({ name: truncate(`${s.title} (${s.author}, ${s.date.slice(0, 4)})`, LIMITS.choiceName, { atWord: false }), value: s.id }));
  },
} satisfies Command;
