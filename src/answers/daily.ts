/**
 * `/voice` and `/daily`: what a server manager sets, sees, tests and stops.
 * Several schedules per server, one per channel: a command that names no
 * channel where several run asks which, with the choices. Pure decisions over
 * the store and the clock; posting goes through the service's Poster.
 */
import { channelMention, roleMention, time as timestamp, TimestampStyles, userMention } from '@discordjs/formatters';
import { ButtonStyle, ChannelType, ComponentType, PermissionFlagsBits } from 'discord-api-types/v10';
import type { App } from '../app.js';
import type { Theme } from '../corpus/types.js';
import { EVERY_DAY, formatDays, parseDays } from '../daily/days.js';
import { nextPostInstant, type PostRecord, type Schedule } from '../daily/due.js';
import { rangeOn, teachingDaysBetween, type DailyService } from '../daily/service.js';
import { MAX_SCHEDULES_PER_GUILD, ScheduleLimitError } from '../daily/store.js';
import { addDays, localDate, normalizeTimeZone, parseLocalDate, parseLocalTime, searchTimeZones } from '../daily/time.js';
import type { ButtonRequest, CommandRequest, OptionValue, Reply } from '../interactions/types.js';
import { EPHEMERAL, NO_MENTIONS, notice } from '../message/payload.js';
import { dailyPostMessage, longLocalDate } from '../render/daily.js';
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

type Channel = Extract<OptionValue, { kind: 'channel' }>;
type Role = Extract<OptionValue, { kind: 'role' }>;

const TEXT_CHANNEL_TYPES: ReadonlySet<number> = new Set([ChannelType.GuildText, ChannelType.GuildAnnouncement]);

/** Custom ids of the "which channel?" buttons: `daily:<action>:<schedule id>`. */
export const DAILY_PREFIX = 'daily:';
const BUTTON_ACTIONS = ['off', 'test', 'resume', 'syllabus-list', 'syllabus-clear'] as const;
type ButtonAction = (typeof BUTTON_ACTIONS)[number];

/** Subcommands that change or post, for managers only. */
const CHANGES = new Set(['set', 'off', 'test', 'pause', 'resume', 'syllabus add', 'syllabus clear']);

function canManage(memberPermissions: bigint | null): boolean {
  return memberPermissions !== null && (memberPermissions & (PermissionFlagsBits.ManageGuild | PermissionFlagsBits.Administrator)) !== 0n;
}

const NOT_MANAGER = msg('Only members with the **Manage Server** permission can change or test the voice of the day. `/daily status` shows the settings; `/voice` shows today’s voice.');

export async function answerDaily(app: App, request: CommandRequest): Promise<Reply> {
  const daily = app.daily;
  if (!daily) return msg('Daily posts need the bot’s database, which is not available here.');
  if (!request.guildId) return msg('`/daily` works inside a server.');
  const guildId = request.guildId;
  // Discord offers /daily to server managers; a server may widen who sees it (Integrations settings), and
  // then anyone it lets in may read the status and history. Changing or testing the post stays with managers.
  const sub = request.subcommand ?? '';
  if (CHANGES.has(sub) && !canManage(request.memberPermissions)) return NOT_MANAGER;

  switch (sub) {
    case 'set':
      return setDaily(daily, guildId, request);
    case 'status':
      return statusDaily(app, daily, guildId, request.now);
    case 'history':
      return historyDaily(daily, guildId, request);
    case 'syllabus add':
      return syllabusAdd(app, daily, guildId, request);
  }
  const action = ACTIONS[sub];
  if (!action) return msg('Use `/daily set`, `/daily status`, `/daily test`, `/daily history`, `/daily pause`, `/daily resume`, `/daily syllabus` or `/daily off`.');
  const chosen = chooseSchedule(daily, guildId, request.options.channel as Channel | undefined, sub, action.button);
  if ('reply' in chosen) return chosen.reply;
  return action.run(app, daily, chosen.schedule, request);
}

/** `daily:` buttons: the channel a manager picked when a command named none. */
export async function answerDailyButton(app: App, request: ButtonRequest): Promise<Reply> {
  const daily = app.daily;
  const m = /^daily:([a-z-]+):(\d{1,15})$/.exec(request.customId);
  const action = m ? BUTTON_ACTIONS.find((a) => a === m[1]) : undefined;
  if (!daily || !m || !action || !request.guildId) return { type: 'update', payload: notice('This button no longer does anything. Run the command again.') };
  const schedule = daily.store.getSchedule(Number(m[2]));
  if (!schedule || schedule.guildId !== request.guildId) return { type: 'update', payload: notice('That schedule no longer exists here. Run the command again.') };
  const sub = action === 'syllabus-list' ? 'syllabus list' : action === 'syllabus-clear' ? 'syllabus clear' : action;
  if (CHANGES.has(sub) && !canManage(request.memberPermissions)) return { type: 'update', payload: NOT_MANAGER.payload };
  const run = ACTIONS[sub];
  if (!run) return { type: 'update', payload: notice('This button no longer does anything. Run the command again.') };
  const reply = await run.run(app, daily, schedule, { ...request, commandName: 'daily', subcommand: sub, options: {} });
  return { type: 'update', payload: { ...reply.payload, components: [] } };
}

interface Action {
  /** The button offered when the command named no channel; null: the command needs options a button cannot carry. */
  readonly button: ButtonAction | null;
  run(app: App, daily: DailyService, schedule: Schedule, request: CommandRequest): Promise<Reply> | Reply;
}

const ACTIONS: Readonly<Record<string, Action>> = {
  off: {
    button: 'off',
    run: (_app, daily, s, request) => {
      if (s.state === 'off') return msg(`The voice of the day is already off in ${channelMention(s.channelId)}. \`/daily set\` starts it again.`);
      daily.store.disableSchedule(s.id, request.now);
      return msg(`The voice of the day is off in ${channelMention(s.channelId)}. Its settings (${describeSlot(s)}), syllabus and history are kept: \`/daily set\` turns it back on.`);
    },
  },
  test: { button: 'test', run: (_app, daily, s, request) => testDaily(daily, s, request) },
  pause: { button: null, run: (_app, daily, s, request) => pauseDaily(daily, s, request) },
  resume: {
    button: 'resume',
    run: (_app, daily, s, request) => {
      const today = localDate(request.now, s.timeZone);
      const holiday = s.pausedUntil !== null && today < s.pausedUntil;
      if (s.state === 'off') return msg(`The voice of the day is off in ${channelMention(s.channelId)}. \`/daily set\` turns it back on.`);
      if (s.state === 'active' && !holiday) return msg(`${channelMention(s.channelId)} is not paused: its voice of the day is on (${describeSlot(s)}).`);
      const resumed = daily.store.resumeSchedule(s.id, request.now);
      if (!resumed) return msg(`The voice of the day in ${channelMention(s.channelId)} could not be resumed. Try \`/daily set\`.`);
      const next = nextPostInstant(resumed, request.now, daily.store.getPost(resumed.id, localDate(request.now, resumed.timeZone)));
      return msg(`Resumed: the voice of the day in ${channelMention(s.channelId)} is on again.${next ? ` Next post: **${wallClock(next, resumed.timeZone)}** (${resumed.timeZone}), ${ts(next, TimestampStyles.RelativeTime)}.` : ''}`);
    },
  },
  'syllabus list': { button: 'syllabus-list', run: (app, daily, s, request) => syllabusList(app, daily, s, request.now) },
  'syllabus clear': {
    button: 'syllabus-clear',
    run: (_app, daily, s) => {
      const n = daily.store.clearSyllabus(s.id);
      return msg(n === 0 ? `${channelMention(s.channelId)} has no syllabus; its voices come from the ordinary rotation.` : `The syllabus of ${channelMention(s.channelId)} is cleared (${n} range${n === 1 ? '' : 's'}). From its next post on, its voices come from the ordinary rotation; what was posted stays in \`/daily history\`.`);
    },
  },
};

/**
 * The schedule a command is about: the channel named, or the only schedule
 * running; with several and none named, the question, with a button per
 * channel where the command needs nothing more.
 */
function chooseSchedule(daily: DailyService, guildId: string, channel: Channel | undefined, sub: string, button: ButtonAction | null): { schedule: Schedule } | { reply: Reply } {
  const all = daily.store.listGuildSchedules(guildId);
  if (channel && typeof channel === 'object') {
    const found = all.find((s) => s.channelId === channel.id);
    if (found) return { schedule: found };
    const live = all.filter((s) => s.state !== 'off');
    return { reply: msg(`${channelMention(channel.id)} has no voice of the day.${live.length ? ` Channels with one: ${live.map((s) => `${channelMention(s.channelId)}`).join(', ')}.` : ' `/daily set` starts one.'}`) };
  }
  const live = all.filter((s) => s.state !== 'off');
  const candidates = live.length > 0 ? live : all;
  if (candidates.length === 0) return { reply: msg('The voice of the day is not set up here. A server manager can start it with `/daily set`.') };
  if (candidates.length === 1 && candidates[0]) return { schedule: candidates[0] };
  const lines = candidates.map((s) => `• ${channelMention(s.channelId)} — ${describeSlot(s)}${s.state === 'off' ? ' (off)' : ''}`);
  const text = `Several channels have a voice of the day here. Which one? ${button ? 'Pick it below, or run' : 'Run'} \`/daily ${sub}\` again with \`channel:\` set to one of them.\n${lines.join('\n')}`;
  const payload = privateEmbed('Which channel?', text).payload;
  if (button) {
    const buttons = candidates.slice(0, 25).map((s) => ({
      type: ComponentType.Button as const,
      style: ButtonStyle.Secondary as const,
      label: truncate(`#${s.channelName ?? s.channelId} · ${s.time}`, LIMITS.buttonLabel),
      custom_id: `${DAILY_PREFIX}${button}:${s.id}`,
    }));
    const rows = [];
    for (let i = 0; i < buttons.length; i += 5) rows.push({ type: ComponentType.ActionRow as const, components: buttons.slice(i, i + 5) });
    payload.components = rows;
  }
  return { reply: { type: 'message', payload } };
}

/** `weekdays (Mon–Fri) at 08:30 Europe/Berlin` */
function describeSlot(s: Pick<Schedule, 'days' | 'time' | 'timeZone'>): string {
  return `${s.days === EVERY_DAY ? 'every day' : formatDays(s.days)} at ${s.time} ${s.timeZone}`;
}

async function setDaily(daily: DailyService, guildId: string, request: CommandRequest): Promise<Reply> {
  const o = request.options;
  const channel = o.channel as Channel | undefined;
  const role = o.role as Role | undefined;
  const thread = o.thread === true;
  if (!channel || typeof channel !== 'object') return msg('Choose the channel to post in.');
  if (!TEXT_CHANNEL_TYPES.has(channel.type)) return msg(`${channelMention(channel.id)} is not a text channel. Choose a text or announcement channel.`);
  // Discord's role picker offers @everyone (its id is the server's): a daily ping of every member is never what a study server wants.
  if (role && role.id === guildId) return msg('The daily post cannot mention @everyone. Choose a role whose members asked for it (for example a “Daily voice” role), or leave `role` out. Nothing was saved.');
  const time = parseLocalTime(String(o.time ?? ''));
  if (!time.ok) return msg(`${capitalise(time.error.replace(/^daily: /, ''))}.`);
  const abbreviation = zoneAbbreviation(String(o.timezone ?? ''));
  if (abbreviation) return msg(abbreviation);
  const zone = normalizeTimeZone(String(o.timezone ?? ''));
  if (!zone.ok) {
    const close = searchTimeZones(String(o.timezone ?? ''), 5);
    return msg(`“${showUserText(String(o.timezone ?? ''), 60)}” is not a time zone I know. Use an IANA name such as \`Europe/Berlin\`, \`America/St_Johns\` or \`UTC\`${close.length ? ` — perhaps ${close.map((z) => `\`${z}\``).join(', ')}?` : '.'}`);
  }
  const days = parseDays(String(o.days ?? ''));
  if (!days.ok) return msg(`${capitalise(days.error.replace(/^daily: days: /, ''))}. Nothing was saved.`);
  const missing = missingPermissions(channel.botPermissions, { thread, roleNeedsMentionPermission: role !== undefined && !role.mentionable });
  if (missing.length > 0) {
    return msg(`I can’t post in ${channelMention(channel.id)} yet. I’m missing: **${missing.join('**, **')}** there. Grant ${missing.length === 1 ? 'it' : 'them'} to my role (or in the channel’s permissions) and run \`/daily set\` again. Nothing was saved.`);
  }
  const existing = daily.store.findSchedule(guildId, channel.id);
  let schedule: Schedule;
  try {
    schedule = daily.store.upsertSchedule({ guildId, channelId: channel.id, channelName: channel.name, time: String(o.time), timeZone: zone.value, days: days.value, roleId: role?.id ?? null, thread }, request.now);
  } catch (error) {
    if (error instanceof ScheduleLimitError) {
      const live = daily.store.listGuildSchedules(guildId).filter((s) => s.state !== 'off');
      return msg(`This server already runs ${error.limit} daily schedules, the most it can have (${live.map((s) => `${channelMention(s.channelId)}`).join(', ')}). Turn one off with \`/daily off\` first. Nothing was saved.`);
    }
    throw error;
  }
  const today = localDate(request.now, schedule.timeZone);
  const next = nextPostInstant(schedule, request.now, daily.store.getPost(schedule.id, today));
  const holiday = schedule.pausedUntil !== null && today < schedule.pausedUntil;
  const lines = [
    `The voice of the day will be posted in ${channelMention(schedule.channelId)} ${schedule.days === EVERY_DAY ? 'every day' : `on ${formatDays(schedule.days)}`} at **${schedule.time}** (${schedule.timeZone}).`,
    next ? `Next post: **${wallClock(next, schedule.timeZone)}** (${schedule.timeZone}) — in your own time ${ts(next)} (${ts(next, TimestampStyles.RelativeTime)}).` : '',
    holiday ? `Paused for the holidays until **${longLocalDate(schedule.pausedUntil ?? today)}** (\`/daily resume\` ends the pause).` : '',
    role ? `Each post will mention ${roleMention(role.id)}.` : '',
    thread ? 'Each post opens a discussion thread with a question.' : '',
    channel.botPermissions === null ? '**I could not check my permissions in that channel** — run `/daily test` now to be sure the post can go out.' : '',
    existing && existing.state !== 'off' ? 'These settings replace the channel’s previous ones.' : '',
    `Check it now with \`/daily test\`; plan themes with \`/daily syllabus add\`; see every channel with \`/daily status\`.`,
  ];
  return privateEmbed('Voice of the day is set', lines.filter(Boolean).join('\n'));
}

/** The syllabus line of a schedule: the range in effect and the next one. */
function syllabusNowAndNext(app: App, daily: DailyService, s: Schedule, today: string): string | null {
  const ranges = daily.store.listSyllabus(s.id);
  if (ranges.length === 0) return null;
  const now = rangeOn(ranges, today);
  const next = ranges.find((r) => r.from > today);
  const label = (theme: string) => `**${themeLabel(app, theme)}**`;
  const parts = [
    now ? `now ${label(now.theme)}${now.until ? ` until ${now.until}` : ''}` : 'now the ordinary rotation',
    next ? `next ${label(next.theme)} from ${next.from}` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

function themeLabel(app: App, theme: string): string {
  return app.corpus.themes.find((t) => t.id === theme)?.label ?? theme;
}

function deliveryLine(last: PostRecord | null): string {
  if (!last) return 'none yet';
  if (last.status === 'sent') return `sent for ${last.localDate} (${last.quoteId})${last.sentAt ? ` ${ts(last.sentAt, TimestampStyles.RelativeTime)}` : ''}`;
  if (last.status === 'failed') return `**failed** for ${last.localDate}: ${last.lastError ?? 'unknown error'}${last.nextAttemptAt ? ` — retrying ${ts(last.nextAttemptAt, TimestampStyles.RelativeTime)}` : ''}`;
  return `being sent for ${last.localDate}`;
}

function statusDaily(app: App, daily: DailyService, guildId: string, now: Date): Reply {
  const all = daily.store.listGuildSchedules(guildId);
  if (all.length === 0) return msg('The voice of the day is not set up here. A server manager can start it with `/daily set`.');
  const live = all.filter((s) => s.state !== 'off');
  const off = all.filter((s) => s.state === 'off');
  const fields = live.map((s) => {
    const today = localDate(now, s.timeZone);
    const next = s.state === 'active' ? nextPostInstant(s, now, daily.store.getPost(s.id, today)) : null;
    const holiday = s.state === 'active' && s.pausedUntil !== null && today < s.pausedUntil;
    const state =
      s.state === 'paused'
        ? `**Paused** — ${s.pausedReason ?? 'after repeated failures'}. Fix the cause, then \`/daily resume\`.`
        : holiday
          ? `**Paused until ${longLocalDate(s.pausedUntil ?? today)}**${s.pausedReason ? ` — ${s.pausedReason}` : ''} (\`/daily resume\` ends it early)`
          : 'On';
    const syllabus = syllabusNowAndNext(app, daily, s, today);
    const lines = [
      `${channelMention(s.channelId)} · ${state}`,
      `${s.days === EVERY_DAY ? 'Every day' : capitalise(formatDays(s.days))} at **${s.time}** ${s.timeZone}${s.roleId ? ` · mentions ${roleMention(s.roleId)}` : ''}${s.thread ? ' · thread' : ''}`,
      syllabus ? `**Syllabus:** ${syllabus}` : '',
      next ? `**Next post:** ${wallClock(next, s.timeZone)} — ${ts(next)} (${ts(next, TimestampStyles.RelativeTime)})` : '',
      `**Last delivery:** ${deliveryLine(daily.store.lastDelivery(s.id))}`,
      s.failedDays > 0 ? `**Failed days in a row:** ${s.failedDays}` : '',
    ];
    return { name: truncate(`#${s.channelName ?? s.channelId}`, LIMITS.fieldName), value: truncate(lines.filter(Boolean).join('\n'), LIMITS.fieldValue) };
  });
  const description = [
    live.length === 0 ? 'No channel posts a voice of the day now.' : `${live.length} channel${live.length === 1 ? '' : 's'} with a voice of the day (at most ${MAX_SCHEDULES_PER_GUILD}).`,
    off.length > 0 ? `Off, settings and history kept: ${off.map((s) => `${channelMention(s.channelId)}`).join(', ')}.` : '',
  ].filter(Boolean).join('\n');
  return {
    type: 'message',
    payload: { embeds: [{ color: COLOR, title: 'Voice of the day', description: truncate(description, LIMITS.description), fields }], flags: EPHEMERAL, allowed_mentions: NO_MENTIONS },
  };
}

async function testDaily(daily: DailyService, s: Schedule, request: CommandRequest): Promise<Reply> {
  const date = localDate(request.now, s.timeZone);
  const { quote } = daily.voiceOfSchedule(s, date);
  const result = await daily.poster.post(
    { scheduleId: s.id, guildId: s.guildId, channelId: s.channelId, roleId: null, thread: false, language: s.language, localDate: date, quoteId: quote.id, timeZone: s.timeZone, scheduledAt: request.now, attempt: 1 },
    { test: true },
  );
  const ok = 'messageId' in result;
  daily.store.recordTestPost({ guildId: s.guildId, channelId: s.channelId, quoteId: quote.id, requestedBy: request.userId, messageId: ok ? result.messageId : null, error: ok ? null : result.error }, request.now);
  return ok
    ? msg(`Posted a test voice in ${channelMention(s.channelId)}. It does not count as today’s post.`)
    : msg(`The test post to ${channelMention(s.channelId)} failed: ${result.error}. Nothing else was changed.`);
}

/** A local date option: `YYYY-MM-DD`, a real calendar day. */
function dateOption(value: OptionValue | undefined, name: string): { ok: true; date: string } | { ok: false; reply: Reply } {
  const text = String(value ?? '').trim();
  try {
    parseLocalDate(text);
    return { ok: true, date: text };
  } catch {
    return { ok: false, reply: msg(`\`${name}\` must be a date written YYYY-MM-DD, e.g. 2027-01-04 (“${showUserText(text, 30)}” is not one). Nothing was changed.`) };
  }
}

function pauseDaily(daily: DailyService, s: Schedule, request: CommandRequest): Reply {
  if (s.state === 'off') return msg(`The voice of the day is off in ${channelMention(s.channelId)}; there is nothing to pause.`);
  const until = dateOption(request.options.until, 'until');
  if (!until.ok) return until.reply;
  const today = localDate(request.now, s.timeZone);
  if (until.date <= today) return msg(`${until.date} is not after today (${today} in ${s.timeZone}): the pause would end before it began. Choose the date posting resumes. Nothing was changed.`);
  if (until.date > addDays(today, 366)) return msg(`A pause lasts at most a year; for longer, \`/daily off\` keeps the settings. Nothing was changed.`);
  const reasonText = typeof request.options.reason === 'string' ? request.options.reason.trim().slice(0, 200) : '';
  const reason = reasonText ? showUserText(reasonText, 200) : `paused by ${userMention(request.userId)}`;
  const paused = daily.store.pauseUntil(s.id, until.date, reason, request.now);
  if (!paused) return msg(`The voice of the day in ${channelMention(s.channelId)} could not be paused. Nothing was changed.`);
  const next = nextPostInstant(paused, request.now, daily.store.getPost(paused.id, today));
  return msg(`Paused: no voice of the day in ${channelMention(s.channelId)} until **${longLocalDate(until.date)}** (${reason}).${next ? ` It resumes with the post of **${wallClock(next, s.timeZone)}** (${s.timeZone}), ${ts(next, TimestampStyles.RelativeTime)}.` : ''} \`/daily resume\` ends the pause early.`);
}

/** A theme option: its id or its label, as `/themes` lists them. */
function findTheme(app: App, input: string): Theme | null {
  const folded = input.trim().toLowerCase();
  return app.corpus.themes.find((t) => t.id.toLowerCase() === folded || t.label.toLowerCase() === folded) ?? null;
}

function syllabusAdd(app: App, daily: DailyService, guildId: string, request: CommandRequest): Reply {
  const channel = request.options.channel as Channel | undefined;
  const chosen = chooseSchedule(daily, guildId, channel, 'syllabus add', null);
  if ('reply' in chosen) return chosen.reply;
  const s = chosen.schedule;
  const themeInput = String(request.options.theme ?? '');
  const theme = findTheme(app, themeInput);
  if (!theme) return msg(`“${showUserText(themeInput, 60)}” is not a theme. Pick one from the list as you type, or see \`/themes\`. Nothing was saved.`);
  const from = dateOption(request.options.from, 'from');
  if (!from.ok) return from.reply;
  let to: string | null = null;
  if (request.options.to !== undefined && String(request.options.to).trim() !== '') {
    const parsed = dateOption(request.options.to, 'to');
    if (!parsed.ok) return parsed.reply;
    to = parsed.date;
    if (to < from.date) return msg(`The range ends (${to}) before it starts (${from.date}). Nothing was saved.`);
  }
  let range;
  try {
    range = daily.store.addSyllabusRange(s.id, theme.id, from.date, to, request.now);
  } catch (error) {
    if (error instanceof RangeError) return msg(`${capitalise(error.message.replace(/^daily: /, ''))}. Ranges follow one another; \`/daily syllabus list\` shows them, \`/daily syllabus clear\` starts over. Nothing was saved.`);
    throw error;
  }
  const size = daily.themeSize(theme.id);
  const teaching = range.until ? teachingDaysBetween(s.days, range.from, addDays(range.until, 1)) : null;
  const lines = [
    `From **${longLocalDate(range.from)}**${range.until ? ` to **${longLocalDate(range.until)}**` : ' on'}, the voices in ${channelMention(s.channelId)} come from **${theme.label}** (${size} quote${size === 1 ? '' : 's'}).`,
    teaching !== null ? `That is ${teaching} teaching day${teaching === 1 ? '' : 's'} — ${s.days === EVERY_DAY ? 'every day' : formatDays(s.days)}${teaching > size ? `, more than the theme’s ${size} quotes: they all come once before any repeats` : ': no voice repeats'}.` : 'No voice repeats until all of the theme’s quotes have been posted; then the cycle starts again.',
    range.to === null && range.until !== null ? `It ends the day before the next range starts (${addDays(range.until, 1)}).` : '',
    'Outside the syllabus, the ordinary rotation continues.',
  ];
  return privateEmbed('Syllabus', lines.filter(Boolean).join('\n'));
}

function syllabusList(app: App, daily: DailyService, s: Schedule, now: Date): Reply {
  const ranges = daily.store.listSyllabus(s.id);
  if (ranges.length === 0) return msg(`${channelMention(s.channelId)} has no syllabus: its voices come from the ordinary rotation. \`/daily syllabus add\` plans a theme for a range of dates.`);
  const today = localDate(now, s.timeZone);
  const current = rangeOn(ranges, today);
  const lines = ranges.map((r) => `${r === current ? '▶ ' : ''}\`${r.from}\` → ${r.until ? `\`${r.until}\`` : 'no end'} · **${themeLabel(app, r.theme)}** (${daily.themeSize(r.theme)} quotes)${r.until !== null && r.until < today ? ' · past' : ''}`);
  return privateEmbed(`Syllabus of #${s.channelName ?? s.channelId}`, [`${channelMention(s.channelId)}, dates in ${s.timeZone}:`, ...lines, 'Outside these ranges, the ordinary rotation continues.'].join('\n'));
}

function historyDaily(daily: DailyService, guildId: string, request: CommandRequest): Reply {
  const channel = request.options.channel as Channel | undefined;
  let posts: PostRecord[];
  if (channel && typeof channel === 'object') {
    const s = daily.store.findSchedule(guildId, channel.id);
    if (!s) return msg(`${channelMention(channel.id)} has never had a voice of the day.`);
    posts = daily.store.scheduleHistory(s.id, 15);
  } else {
    posts = daily.store.history(guildId, 15);
  }
  if (posts.length === 0) return msg('No voice of the day has been posted here yet.');
  const several = new Set(posts.map((p) => p.channelId)).size > 1 || !channel;
  const lines = posts.map((p) => `\`${p.localDate}\`${several ? ` ${channelMention(p.channelId)}` : ''} ${p.quoteId}${p.theme ? ` (${p.theme})` : ''} — ${p.status === 'sent' ? 'sent' : p.status === 'failed' ? `failed: ${p.lastError ?? ''}` : 'sending'}`);
  return privateEmbed('Recent voices of the day', lines.join('\n'));
}

/** Autocomplete of a theme for `/daily syllabus add`: ids and labels containing what is typed. */
export function autocompleteTheme(app: App, typed: string): { name: string; value: string }[] {
  const folded = typed.trim().toLowerCase();
  return app.corpus.themes
    .filter((t) => folded === '' || t.id.toLowerCase().includes(folded) || t.label.toLowerCase().includes(folded))
    .slice(0, LIMITS.autocompleteChoices)
    .map((t) => ({ name: truncate(`${t.label} (${t.id})`, 100), value: t.id }));
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
