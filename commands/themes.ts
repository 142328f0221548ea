import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import type { Command } from '../src/interactions/types.js';
import { ANYWHERE } from './install.js';
import { themesMessage } from '../src/render/messages.js';

const data = {
  name: 'themes',
  description: 'The themes of the quotes, with how many quotes each has',
  ...ANYWHERE,
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export default {
  data,
  execute: (request, app) => ({ type: 'message', payload: themesMessage(app.corpus, request.language) }),
} satisfies Command;
