import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import type { Command } from '../src/interactions/types.js';
import { ANYWHERE } from './install.js';
import { aboutMessage } from '../src/render/messages.js';

const data = {
  name: 'about',
  description: 'What Hidden Voices is, where its quotes come from, and how to cite them',
  ...ANYWHERE,
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export default {
  data,
  execute: (request, app) => ({ type: 'message', payload: aboutMessage(app.corpus, request.language) }),
} satisfies Command;
