import { ApplicationCommandOptionType, ApplicationIntegrationType, InteractionContextType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import type { Command } from '../src/interactions/types.js';
import { noteMessage } from '../src/render/messages.js';
import { intOption } from './options.js';

const data = {
  name: 'source',
  description: 'A note of the essay in full, with its link and the quotes that rest on it',
  options: [{ type: ApplicationCommandOptionType.Integer, name: 'n', description: 'The note number, e.g. 8', required: true }],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export default {
  data,
  execute: (request, app) => ({ type: 'message', payload: noteMessage(app, intOption(request, 'n') ?? Number.NaN) }),
} satisfies Command;
