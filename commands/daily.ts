import {
  ApplicationCommandOptionType,
  ApplicationIntegrationType,
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { answerDaily, answerDailyButton, autocompleteDays, autocompleteQuizDays, autocompleteTheme, autocompleteTimeZone, DAILY_PREFIX } from '../src/answers/daily.js';
import { readArguments } from '../src/interactions/arguments.js';
import type { Command } from '../src/interactions/types.js';
import { notice } from '../src/message/payload.js';

const CHANNEL_TYPES: [ChannelType.GuildText, ChannelType.GuildAnnouncement] = [ChannelType.GuildText, ChannelType.GuildAnnouncement];
/** The channel a command is about: optional where the server has one schedule (asked when it has several). */
const whichChannel = { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Which channel’s schedule (asked when there are several)', channel_types: CHANNEL_TYPES } as const;
const DATE = { type: ApplicationCommandOptionType.String, min_length: 10, max_length: 10 } as const;

const data = {
  name: 'daily',
  description: 'Post a voice of the day in channels of this server',
  // Server managers by default; a server can widen it in Server Settings → Integrations.
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  integration_types: [ApplicationIntegrationType.GuildInstall],
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'set',
      description: 'Add or change a channel’s daily post: time, time zone, days (up to 10 channels)',
      options: [
        { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Where to post', required: true, channel_types: CHANNEL_TYPES },
        { type: ApplicationCommandOptionType.String, name: 'time', description: 'Local time, 24-hour HH:MM, e.g. 08:30', required: true, min_length: 4, max_length: 5 },
        { type: ApplicationCommandOptionType.String, name: 'timezone', description: 'IANA time zone, e.g. Europe/Berlin, America/St_Johns, UTC', required: true, autocomplete: true, max_length: 64 },
        { type: ApplicationCommandOptionType.String, name: 'days', description: 'every day (default), weekdays, or days such as Mon, Wed, Fri', autocomplete: true, max_length: 100 },
        { type: ApplicationCommandOptionType.String, name: 'quiz', description: 'Days whose post is a who-said-it quiz, revealed at the day’s end, e.g. Fri; none to stop', autocomplete: true, max_length: 100 },
        { type: ApplicationCommandOptionType.Role, name: 'role', description: 'A role to mention with each post (only this role is pinged)' },
        { type: ApplicationCommandOptionType.Boolean, name: 'thread', description: 'Open a discussion thread on each post' },
        {
          type: ApplicationCommandOptionType.String,
          name: 'language',
          description: 'The language of the post’s own words (the quotes stay as printed); default English',
          // Each language's name in itself, as a student looks for it.
          choices: [
            { name: 'English', value: 'en' },
            { name: 'Русский', value: 'ru' },
            { name: 'Українська', value: 'uk' },
          ],
        },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'status', description: 'Every channel: days, time, syllabus, next post, last delivery' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'test', description: 'Post a sample now to check permissions (not counted as the day’s post)', options: [whichChannel] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'history', description: 'The last posts, with dates, channels and quote ids', options: [{ ...whichChannel, description: 'Only this channel (default: every channel)' }] },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'pause',
      description: 'Pause a channel’s post until a date (holidays)',
      options: [
        { ...DATE, name: 'until', description: 'The local date posting resumes, YYYY-MM-DD, e.g. 2027-01-04', required: true },
        whichChannel,
        { type: ApplicationCommandOptionType.String, name: 'reason', description: 'Why, shown in /daily status (e.g. winter holidays)', max_length: 200 },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'resume', description: 'End a pause now', options: [whichChannel] },
    {
      type: ApplicationCommandOptionType.SubcommandGroup,
      name: 'syllabus',
      description: 'Plan themes for ranges of dates (a term’s plan)',
      options: [
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'add',
          description: 'From a date (to an end date), this channel’s voices come from a theme',
          options: [
            { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'The channel whose syllabus this is', required: true, channel_types: CHANNEL_TYPES },
            { type: ApplicationCommandOptionType.String, name: 'theme', description: 'A theme, as /themes lists them', required: true, autocomplete: true, max_length: 100 },
            { ...DATE, name: 'from', description: 'First local date, YYYY-MM-DD', required: true },
            { ...DATE, name: 'to', description: 'Last local date, YYYY-MM-DD (default: until the next range)' },
          ],
        },
        { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'A channel’s syllabus', options: [whichChannel] },
        { type: ApplicationCommandOptionType.Subcommand, name: 'clear', description: 'Delete a channel’s syllabus (what was posted stays recorded)', options: [whichChannel] },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'off', description: 'Stop a channel’s daily post (settings and history are kept)', options: [whichChannel] },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export default {
  data,
  ephemeral: true,
  execute: (request, app) => {
    const read = readArguments(data, request);
    return read.ok ? answerDaily(app, request, read.args) : { type: 'message', payload: notice(read.error) };
  },
  autocomplete: (request, app) => {
    switch (request.focused.name) {
      case 'timezone':
        return autocompleteTimeZone(request.focused.value);
      case 'days':
        return autocompleteDays(request.focused.value, request.language ?? 'en');
      case 'quiz':
        return autocompleteQuizDays(request.focused.value, request.language ?? 'en');
      case 'theme':
        return autocompleteTheme(app, request.focused.value);
      default:
        return [];
    }
  },
  buttonPrefix: DAILY_PREFIX,
  button: (request, app) => answerDailyButton(app, request),
} satisfies Command;
