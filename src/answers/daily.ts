/**
 * `/voice` and `/daily`: what a server manager sets, sees, tests and stops.
 * Pure decisions over the store and the clock; posting goes through the
 * service's Poster.
 */
import { channelMention, roleMention, time as timestamp, TimestampStyles } from '@discordjs/formatters';
import { ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import type { App } from '../app.js';
import { nextPostInstant } from '../daily/due.js';
import type { DailyService } from '../daily/service.js';
import { localDate, normalizeTimeZone, parseLocalTime, searchTimeZones } from '../daily/time.js';
import type { ChannelOption, RoleOption } from '../interactions/arguments.js';
import type { CommandRequest, Reply } from '../interactions/types.js';
import { EPHEMERAL, NO_MENTIONS, notice } from '../message/payload.js';
import { dailyPostMessage } from '../render/daily.js';
import { LIMITS } from '../message/limits.js';
import { truncate } from '../text/truncate.js';
import { COLOR } from '../render/messages.js';
import { capitalise, showUserText } from '../render/text.js';

const msg = (text: string): Reply => ({ type: 'message', payload: notice(text) });

function privateEmbed(title: string, description: string): Reply {
  return {
    type: 'message',
    payload: { embeds: [{ color: COLOR, title, description: truncate(description, LIMITS.description) }], flags: EPHEMERAL, allowed_mentions: NO_MENTIONS },
  };
}

/** A timestamp each reader's Discord shows in their own time zone: the full date and time, or "in 3 hours". */
function ts(instant: Date, style: typeof TimestampStyles.LongDateTime | typeof TimestampStyles.RelativeTime = TimestampStyles.LongDateTime): string {
  return timestamp(Math.floor(instant.getTime() / 1000), style);
}

function wallClock(instant: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
}

/** `/voice`: today's voice for this server's own date. */
export function answerVoice(app: App, request: CommandRequest): Reply {
  if (!app.daily) return msg('The voice of the day is not available here.');
  const { quote, localDate: date, timeZone } = app.daily.voiceFor(request.guildId, request.now);
  const payload = dailyPostMessage(app.corpus, quote, { localDate: date });
  const [embed] = payload.embeds ?? [];
  if (embed) embed.footer = { text: truncate(`${embed.footer?.text ?? quote.id} · the date in ${timeZone}`, LIMITS.footerText) };
  return { type: 'message', payload };
}

const NEEDS = {
  view: { bit: PermissionFlagsBits.ViewChannel, name: 'View Channel' },
  send: { bit: PermissionFlagsBits.SendMessages, name: 'Send Messages' },
  embed: { bit: PermissionFlagsBits.EmbedLinks, name: 'Embed Links' },
  threads: { bit: PermissionFlagsBits.CreatePublicThreads, name: 'Create Public Threads' },
  sendThreads: { bit: PermissionFlagsBits.SendMessagesInThreads, name: 'Send Messages in Threads' },
  mention: { bit: PermissionFlagsBits.MentionEveryone, name: 'Mention @everyone, @here, and All Roles' },
} as const;

/** What the bot lacks in a channel for these settings; empty when all is well or unknown. */
export function missingPermissions(botPermissions: bigint | null, o: { thread: boolean; roleNeedsMentionPermission: boolean }): string[] {
  if (botPermissions === null) return [];
  const has = (bit: bigint) => (botPermissions & PermissionFlagsBits.Administrator) !== 0n || (botPermissions & bit) === bit;
  const needed = [NEEDS.view, NEEDS.send, NEEDS.embed, ...(o.thread ? [NEEDS.threads, NEEDS.sendThreads] : []), ...(o.roleNeedsMentionPermission ? [NEEDS.mention] : [])];
  return needed.filter((n) => !has(n.bit)).map((n) => n.name);
}

/** `/daily set`'s options as its definition declares them (commands/daily.ts reads them with readArguments). */
export interface DailySetOptions {
  readonly channel: ChannelOption;
  readonly time: string;
  readonly timezone: string;
  readonly role?: RoleOption;
  readonly thread?: boolean;
}

export type DailyArguments =
  | { readonly subcommand: 'set'; readonly options: DailySetOptions }
  | { readonly subcommand: 'status' | 'test' | 'history' | 'off'; readonly options: Readonly<Record<string, never>> };

const TEXT_CHANNEL_TYPES: ReadonlySet<number> = new Set([ChannelType.GuildText, ChannelType.GuildAnnouncement]);

export async function answerDaily(app: App, request: CommandRequest, args: DailyArguments): Promise<Reply> {
  const daily = app.daily;
  if (!daily) return msg('Daily posts need the bot’s database, which is not available here.');
  if (!request.guildId) return msg('`/daily` works inside a server.');
  const guildId = request.guildId;
  // Discord offers /daily to server managers; a server may widen who sees it (Integrations settings), and
  // then anyone it lets in may read the status and history. Changing or testing the post stays with managers.
  const manage = request.memberPermissions !== null && (request.memberPermissions & (PermissionFlagsBits.ManageGuild | PermissionFlagsBits.Administrator)) !== 0n;
  const changes = request.subcommand === 'set' || request.subcommand === 'off' || request.subcommand === 'test';
  if (changes && !manage) return msg('Only members with the **Manage Server** permission can change or test the voice of the day. `/daily status` shows the settings; `/voice` shows today’s voice.');

  switch (args.subcommand) {
    case 'set':
      return setDaily(daily, guildId, request, args.options);
    case 'status':
      return statusDaily(daily, guildId, request.now);
    case 'off': {
      const s = daily.store.getSchedule(guildId);
      if (!s || s.state === 'off') return msg('The voice of the day is already off here. `/daily set` starts it.');
      daily.store.disableSchedule(guildId, request.now);
      return msg(`The voice of the day is off. Your settings (${channelMention(s.channelId)} at ${s.time} ${s.timeZone}) are kept: \`/daily set\` turns it back on.`);
    }
    case 'test':
      return testDaily(daily, guildId, request);
    case 'history':
      return historyDaily(daily, guildId);
    default:
      return msg('Use `/daily set`, `/daily status`, `/daily test`, `/daily history` or `/daily off`.');
  }
}

async function setDaily(daily: DailyService, guildId: string, request: CommandRequest, o: DailySetOptions): Promise<Reply> {
  const { channel, role } = o;
  const thread = o.thread === true;
  if (!TEXT_CHANNEL_TYPES.has(channel.type)) return msg(`${channelMention(channel.id)} is not a text channel. Choose a text or announcement channel.`);
  // Discord's role picker offers @everyone (its id is the server's): a daily ping of every member is never what a study server wants.
  if (role && role.id === guildId) return msg('The daily post cannot mention @everyone. Choose a role whose members asked for it (for example a “Daily voice” role), or leave `role` out. Nothing was saved.');
  const time = parseLocalTime(o.time);
  if (!time.ok) return msg(`${capitalise(time.error.replace(/^daily: /, ''))}.`);
  const abbreviation = zoneAbbreviation(o.timezone);
  if (abbreviation) return msg(abbreviation);
  const zone = normalizeTimeZone(o.timezone);
  if (!zone.ok) {
    const close = searchTimeZones(o.timezone, 5);
    return msg(`“${showUserText(o.timezone, 60)}” is not a time zone I know. Use an IANA name such as \`Europe/Berlin\`, \`America/St_Johns\` or \`UTC\`${close.length ? ` — perhaps ${close.map((z) => `\`${z}\``).join(', ')}?` : '.'}`);
  }
  const missing = missingPermissions(channel.botPermissions, { thread, roleNeedsMentionPermission: role !== undefined && !role.mentionable });
  if (missing.length > 0) {
    return msg(`I can’t post in ${channelMention(channel.id)} yet. I’m missing: **${missing.join('**, **')}** there. Grant ${missing.length === 1 ? 'it' : 'them'} to my role (or in the channel’s permissions) and run \`/daily set\` again. Nothing was saved.`);
  }
  const schedule = daily.store.upsertSchedule({ guildId, channelId: channel.id, time: o.time, timeZone: zone.value, roleId: role?.id ?? null, thread }, request.now);
  const today = daily.store.getPost(guildId, localDate(request.now, schedule.timeZone));
  const next = nextPostInstant(schedule, request.now, today);
  const lines = [
    `The voice of the day will be posted in ${channelMention(schedule.channelId)} every day at **${schedule.time}** (${schedule.timeZone}).`,
    next ? `Next post: **${wallClock(next, schedule.timeZone)}** (${schedule.timeZone}) — in your own time ${ts(next)} (${ts(next, TimestampStyles.RelativeTime)}).` : '',
    role ? `Each post will mention ${roleMention(role.id)}.` : '',
    thread ? 'Each post opens a discussion thread with a question.' : '',
    channel.botPermissions === null ? '**I could not check my permissions in that channel** — run `/daily test` now to be sure the post can go out.' : '',
    'Check it now with `/daily test`; see it any time with `/daily status`.',
  ];
  return privateEmbed('Voice of the day is set', lines.filter(Boolean).join('\n'));
}

function statusDaily(daily: DailyService, guildId: string, now: Date): Reply {
  const s = daily.store.getSchedule(guildId);
  if (!s) return msg('The voice of the day is not set up here. A server manager can start it with `/daily set`.');
  const today = daily.store.getPost(guildId, localDate(now, s.timeZone));
  const next = s.state === 'active' ? nextPostInstant(s, now, today) : null;
  const last = daily.store.lastDelivery(guildId);
  const state =
    s.state === 'active' ? 'On' : s.state === 'off' ? 'Off (settings kept; `/daily set` turns it on)' : `**Paused** — ${s.pausedReason ?? 'after repeated failures'}. Fix the cause, then \`/daily set\` resumes it.`;
  const lastLine = !last
    ? 'none yet'
    : last.status === 'sent'
      ? `sent for ${last.localDate} (${last.quoteId})${last.sentAt ? ` ${ts(last.sentAt, TimestampStyles.RelativeTime)}` : ''}`
      : last.status === 'failed'
        ? `**failed** for ${last.localDate}: ${last.lastError ?? 'unknown error'}${last.nextAttemptAt ? ` — retrying ${ts(last.nextAttemptAt, TimestampStyles.RelativeTime)}` : ''}`
        : `being sent for ${last.localDate}`;
  const lines = [
    `**State:** ${state}`,
    `**Channel:** ${channelMention(s.channelId)}`,
    `**Time:** ${s.time} ${s.timeZone}`,
    s.roleId ? `**Mentions:** ${roleMention(s.roleId)}` : '',
    `**Thread:** ${s.thread ? 'yes' : 'no'}`,
    next ? `**Next post:** ${wallClock(next, s.timeZone)} — ${ts(next)} (${ts(next, TimestampStyles.RelativeTime)})` : '',
    `**Last delivery:** ${lastLine}`,
    s.failedDays > 0 ? `**Failed days in a row:** ${s.failedDays}` : '',
  ];
  return privateEmbed('Voice of the day', lines.filter(Boolean).join('\n'));
}

async function testDaily(daily: DailyService, guildId: string, request: CommandRequest): Promise<Reply> {
  const s = daily.store.getSchedule(guildId);
  if (!s) return msg('Set the voice of the day up first with `/daily set`; then `/daily test` posts a sample to check permissions.');
  const { quote, localDate: date } = daily.voiceFor(guildId, request.now);
  const result = await daily.poster.post(
    { guildId, channelId: s.channelId, roleId: null, thread: false, localDate: date, quoteId: quote.id, timeZone: s.timeZone, scheduledAt: request.now, attempt: 1 },
    { test: true },
  );
  const ok = 'messageId' in result;
  daily.store.recordTestPost({ guildId, channelId: s.channelId, quoteId: quote.id, requestedBy: request.userId, messageId: ok ? result.messageId : null, error: ok ? null : result.error }, request.now);
  return ok
    ? msg(`Posted a test voice in ${channelMention(s.channelId)}. It does not count as today’s post.`)
    : msg(`The test post to ${channelMention(s.channelId)} failed: ${result.error}. Nothing else was changed.`);
}

function historyDaily(daily: DailyService, guildId: string): Reply {
  const posts = daily.store.history(guildId, 10);
  if (posts.length === 0) return msg('No voice of the day has been posted here yet.');
  const lines = posts.map((p) => `\`${p.localDate}\` ${p.quoteId} — ${p.status === 'sent' ? 'sent' : p.status === 'failed' ? `failed: ${p.lastError ?? ''}` : 'sending'}`);
  return privateEmbed('Recent voices of the day', lines.join('\n'));
}

/** Abbreviations people type for zones, and the place names that keep daylight saving right. */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  EST: 'America/New_York', EDT: 'America/New_York', CST: 'America/Chicago', CDT: 'America/Chicago',
  MST: 'America/Denver', MDT: 'America/Denver', PST: 'America/Los_Angeles', PDT: 'America/Los_Angeles',
  AKST: 'America/Anchorage', HST: 'Pacific/Honolulu', NST: 'America/St_Johns', NDT: 'America/St_Johns',
  GMT: 'Europe/London', BST: 'Europe/London', WET: 'Europe/Lisbon', CET: 'Europe/Berlin', CEST: 'Europe/Berlin',
  EET: 'Europe/Athens', EEST: 'Europe/Athens', MSK: 'Europe/Moscow', IST: 'Asia/Kolkata', JST: 'Asia/Tokyo',
  KST: 'Asia/Seoul', AEST: 'Australia/Sydney', AEDT: 'Australia/Sydney', ACST: 'Australia/Adelaide', AWST: 'Australia/Perth', NZST: 'Pacific/Auckland',
};

/**
 * "EST" names a fixed offset, not a place: a US East Coast server saving it
 * would post an hour off from March to November. Ask for the place instead.
 */
export function zoneAbbreviation(input: string): string | null {
  const t = input.trim().toUpperCase();
  if (t === 'UTC' || !/^[A-Z]{2,5}$/.test(t)) return null;
  const place = ABBREVIATIONS[t];
  return `“${showUserText(input, 10)}” is an abbreviation, not a time zone: it would ignore daylight saving. Use the place’s zone name${place ? `, e.g. \`${place}\`` : ', e.g. `Europe/Berlin` or `America/New_York`'} (start typing a city and pick from the list).`;
}

/** Time-zone autocomplete for `/daily set`. */
export function autocompleteTimeZone(typed: string): { name: string; value: string }[] {
  return searchTimeZones(typed, LIMITS.autocompleteChoices).map((z) => ({ name: z, value: z }));
}
