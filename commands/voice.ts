import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import { answerVoice } from '../src/answers/daily.js';
import type { Command } from '../src/interactions/types.js';
import { ANYWHERE } from './install.js';

const data = {
  name: 'voice',
  description: 'Today’s voice of the day, for this server’s own date',
  ...ANYWHERE,
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export default {
  data,
  execute: (request, app) => answerVoice(app, request),
} satisfies Command;
