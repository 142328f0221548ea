import {
  ApplicationCommandOptionType,
  ApplicationIntegrationType,
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { answerDaily, autocompleteTimeZone } from '../src/answers/daily.js';
import { readArguments } from '../src/interactions/arguments.js';
import type { Command } from '../src/interactions/types.js';
import { notice } from '../src/message/payload.js';

const data = {
  name: 'daily',
  description: 'Post a voice of the day in a channel of this server',
  // Server managers by default; a server can widen it in Server Settings → Integrations.
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  integration_types: [ApplicationIntegrationType.GuildInstall],
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'set',
      description: 'Choose the channel, time and time zone of the daily post',
      options: [
        { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Where to post', required: true, channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement] },
        { type: ApplicationCommandOptionType.String, name: 'time', description: 'Local time, 24-hour HH:MM, e.g. 08:30', required: true, min_length: 4, max_length: 5 },
        { type: ApplicationCommandOptionType.String, name: 'timezone', description: 'IANA time zone, e.g. Europe/Berlin, America/St_Johns, UTC', required: true, autocomplete: true, max_length: 64 },
        { type: ApplicationCommandOptionType.Role, name: 'role', description: 'A role to mention with each post (only this role is pinged)' },
        { type: ApplicationCommandOptionType.Boolean, name: 'thread', description: 'Open a discussion thread on each post' },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'status', description: 'Channel, time, next post and the last delivery' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'test', description: 'Post a sample now to check permissions (not counted as the day’s post)' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'history', description: 'The last posts, with dates and quote ids' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'off', description: 'Stop the daily post (settings are kept)' },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export default {
  data,
  ephemeral: true,
  execute: (request, app) => {
    const read = readArguments(data, request);
    return read.ok ? answerDaily(app, request, read.args) : { type: 'message', payload: notice(read.error) };
  },
  autocomplete: (request) => (request.focused.name === 'timezone' ? autocompleteTimeZone(request.focused.value) : []),
} satisfies Command;
