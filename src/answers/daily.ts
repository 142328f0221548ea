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
import { EVERY_DAY, parseDays, parseQuizDays, suggestDays, suggestQuizDays, WEEKDAYS, WEEKENDS } from '../daily/days.js';
import { nextPostInstant, type PostRecord, type Schedule } from '../daily/due.js';
import { rangeOn, teachingDaysBetween, type DailyService } from '../daily/service.js';
import { MAX_SCHEDULES_PER_GUILD, ScheduleLimitError } from '../daily/store.js';
import { addDays, localDate, normalizeTimeZone, parseLocalDate, parseLocalTime, searchTimeZones } from '../daily/time.js';
import type { ChannelOption, RoleOption } from '../interactions/arguments.js';
import type { ButtonRequest, CommandRequest, Reply } from '../interactions/types.js';
import { EPHEMERAL, NO_MENTIONS, notice } from '../message/payload.js';
import { LANGUAGES, t, type Language } from '../i18n/index.js';
import { dailyPostMessage, dateLocale, sentenceDate } from '../render/daily.js';
import { embedLength, fitFields, LIMITS } from '../message/limits.js';
import { truncate } from '../text/truncate.js';
import { COLOR } from '../render/messages.js';
import { capitalise, showUserText } from '../render/text.js';

const msg = (text: string): Reply => ({ type: 'message', payload: notice(text) });

/** The bot's words for /daily in the caller's language. */
const tr = (language: Language, key: string, values: Record<string, unknown> = {}): string => t(language, `daily.${key}`, values);
const say = (language: Language, key: string, values: Record<string, unknown> = {}): Reply => msg(tr(language, key, values));

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

function wallClock(instant: Date, zone: string, language: Language): string {
  return new Intl.DateTimeFormat(dateLocale(language), { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
}

/** `/voice`: today's voice for this server's own date. */
export async function answerVoice(app: App, request: CommandRequest): Promise<Reply> {
  const language = request.language ?? 'en';
  if (!app.daily) return say(language, 'voice.unavailable');
  const { quote, localDate: date, timeZone } = await app.daily.voiceFor(request.guildId, request.now);
  const payload = dailyPostMessage(app.corpus, quote, { localDate: date, language });
  const [embed] = payload.embeds ?? [];
  if (embed) embed.footer = { text: truncate(`${embed.footer?.text ?? quote.id} · ${tr(language, 'voice.dateIn', { zone: timeZone })}`, LIMITS.footerText) };
  return { type: 'message', payload };
}

/** Each permission the post needs, and its key under `daily.permissions` (named as Discord's settings name it in that language). */
const NEEDS = {
  view: { bit: PermissionFlagsBits.ViewChannel, name: 'view' },
  send: { bit: PermissionFlagsBits.SendMessages, name: 'send' },
  embed: { bit: PermissionFlagsBits.EmbedLinks, name: 'embed' },
  threads: { bit: PermissionFlagsBits.CreatePublicThreads, name: 'threads' },
  sendThreads: { bit: PermissionFlagsBits.SendMessagesInThreads, name: 'sendThreads' },
  mention: { bit: PermissionFlagsBits.MentionEveryone, name: 'mention' },
} as const;

/** What the bot lacks in a channel for these settings, named in `language`; empty when all is well or unknown. */
export function missingPermissions(botPermissions: bigint | null, o: { thread: boolean; roleNeedsMentionPermission: boolean }, language: Language = 'en'): string[] {
  if (botPermissions === null) return [];
  const has = (bit: bigint) => (botPermissions & PermissionFlagsBits.Administrator) !== 0n || (botPermissions & bit) === bit;
  const needed = [NEEDS.view, NEEDS.send, NEEDS.embed, ...(o.thread ? [NEEDS.threads, NEEDS.sendThreads] : []), ...(o.roleNeedsMentionPermission ? [NEEDS.mention] : [])];
  return needed.filter((n) => !has(n.bit)).map((n) => tr(language, `permissions.${n.name}`));
}

/** The channel a subcommand may name (asked when the server has several schedules and it names none). */
interface Which {
  readonly channel?: ChannelOption;
}

/**
 * `/daily`'s options by subcommand, as commands/daily.ts declares them: that module passes its
 * `ArgumentsOf<typeof data>` here, so a definition this handler does not follow fails to compile.
 */
export type DailyArguments =
  | {
      readonly subcommand: 'set';
      readonly options: {
        readonly channel: ChannelOption;
        readonly time: string;
        readonly timezone: string;
        readonly days?: string;
        readonly quiz?: string;
        readonly role?: RoleOption;
        readonly thread?: boolean;
        readonly language?: string;
      };
    }
  | { readonly subcommand: 'status' | 'test' | 'history' | 'resume' | 'off' | 'syllabus list' | 'syllabus clear'; readonly options: Which }
  | { readonly subcommand: 'pause'; readonly options: Which & { readonly until: string; readonly reason?: string } }
  | { readonly subcommand: 'syllabus add'; readonly options: { readonly channel: ChannelOption; readonly theme: string; readonly from: string; readonly to?: string } };

type PauseOptions = Extract<DailyArguments, { subcommand: 'pause' }>['options'];

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

const notManager = (language: Language): Reply => say(language, 'notManager');

export async function answerDaily(app: App, request: CommandRequest, args: DailyArguments): Promise<Reply> {
  const daily = app.daily;
  const language = request.language ?? 'en';
  if (!daily) return say(language, 'noDatabase');
  if (!request.guildId) return say(language, 'serverOnly');
  const guildId = request.guildId;
  // Discord offers /daily to server managers; a server may widen who sees it (Integrations settings), and
  // then anyone it lets in may read the status and history. Changing or testing the post stays with managers.
  const sub = args.subcommand;
  if (CHANGES.has(sub) && !canManage(request.memberPermissions)) return notManager(language);

  switch (args.subcommand) {
    case 'set':
      return setDaily(daily, guildId, request, args.options);
    case 'status':
      return statusDaily(app, daily, guildId, request.now, language);
    case 'history':
      return historyDaily(daily, guildId, request, args.options.channel);
    case 'syllabus add':
      return syllabusAdd(app, daily, guildId, request, args.options);
  }
  const action = ACTIONS[args.subcommand];
  const chosen = await chooseSchedule(daily, guildId, args.options.channel, sub, action.button, language);
  if ('reply' in chosen) return chosen.reply;
  return action.run(app, daily, chosen.schedule, request, args.subcommand === 'pause' ? args.options : null);
}

/** `daily:` buttons: the channel a manager picked when a command named none. */
export async function answerDailyButton(app: App, request: ButtonRequest): Promise<Reply> {
  const daily = app.daily;
  const language = request.language ?? 'en';
  const m = /^daily:([a-z-]+):(\d{1,15})$/.exec(request.customId);
  const action = m ? BUTTON_ACTIONS.find((a) => a === m[1]) : undefined;
  if (!daily || !m || !action || !request.guildId) return { type: 'update', payload: notice(t(language, 'errors.staleButton')) };
  const schedule = await daily.store.getSchedule(Number(m[2]));
  if (!schedule || schedule.guildId !== request.guildId) return { type: 'update', payload: notice(tr(language, 'goneSchedule')) };
  const sub = action === 'syllabus-list' ? 'syllabus list' : action === 'syllabus-clear' ? 'syllabus clear' : action;
  if (CHANGES.has(sub) && !canManage(request.memberPermissions)) return { type: 'update', payload: notManager(language).payload };
  const reply = await ACTIONS[sub].run(app, daily, schedule, { ...request, commandName: 'daily', subcommand: sub, options: {} }, null);
  return { type: 'update', payload: { ...reply.payload, components: [] } };
}

interface Action {
  /** The button offered when the command named no channel; null: the command needs options a button cannot carry. */
  readonly button: ButtonAction | null;
  /** `pause` gets its options (a button carries none: `pause` offers no button). */
  run(app: App, daily: DailyService, schedule: Schedule, request: CommandRequest, pause: PauseOptions | null): Promise<Reply> | Reply;
}

/** The subcommands that act on one schedule, chosen by channel. */
type ScheduleSubcommand = Exclude<DailyArguments['subcommand'], 'set' | 'status' | 'history' | 'syllabus add'>;

const languageOfRequest = (request: { language?: Language }): Language => request.language ?? 'en';

const ACTIONS: Readonly<Record<ScheduleSubcommand, Action>> = {
  off: {
    button: 'off',
    run: async (_app, daily, s, request) => {
      const language = languageOfRequest(request);
      const channel = channelMention(s.channelId);
      if (s.state === 'off') return say(language, 'off.already', { channel });
      await daily.store.disableSchedule(s.id, request.now);
      return say(language, 'off.done', { channel, slot: describeSlot(s, language) });
    },
  },
  test: { button: 'test', run: (_app, daily, s, request) => testDaily(daily, s, request) },
  pause: { button: null, run: (_app, daily, s, request, pause) => (pause ? pauseDaily(daily, s, request, pause) : { type: 'message', payload: notice(t(languageOfRequest(request), 'errors.staleButton')) }) },
  resume: {
    button: 'resume',
    run: async (_app, daily, s, request) => {
      const language = languageOfRequest(request);
      const channel = channelMention(s.channelId);
      const today = localDate(request.now, s.timeZone);
      const holiday = s.pausedUntil !== null && today < s.pausedUntil;
      if (s.state === 'off') return say(language, 'resume.off', { channel });
      if (s.state === 'active' && !holiday) return say(language, 'resume.notPaused', { channel, slot: describeSlot(s, language) });
      const resumed = await daily.store.resumeSchedule(s.id, request.now);
      if (!resumed) return say(language, 'resume.failed', { channel });
      const next = nextPostInstant(resumed, request.now, await daily.store.getPost(resumed.id, localDate(request.now, resumed.timeZone)));
      const nextText = next ? ` ${tr(language, 'resume.next', { when: wallClock(next, resumed.timeZone, language), zone: resumed.timeZone, relative: ts(next, TimestampStyles.RelativeTime) })}` : '';
      return msg(`${tr(language, 'resume.done', { channel })}${nextText}`);
    },
  },
  'syllabus list': { button: 'syllabus-list', run: (app, daily, s, request) => syllabusList(app, daily, s, request.now, languageOfRequest(request)) },
  'syllabus clear': {
    button: 'syllabus-clear',
    run: async (_app, daily, s, request) => {
      const language = languageOfRequest(request);
      const n = await daily.store.clearSyllabus(s.id);
      return say(language, n === 0 ? 'syllabus.clearNone' : 'syllabus.cleared', { channel: channelMention(s.channelId), count: n });
    },
  },
};

/**
 * The schedule a command is about: the channel named, or the only schedule
 * running; with several and none named, the question, with a button per
 * channel where the command needs nothing more.
 */
/** The `/daily …` command a subcommand path names, in the reader's language (`syllabus add` → `dailySyllabusAdd`). */
function subcommandText(language: Language, sub: string): string {
  const key = `daily${sub.split(' ').map((w) => capitalise(w)).join('')}`;
  return t(language, `cmd.${key}`);
}

async function chooseSchedule(daily: DailyService, guildId: string, channel: ChannelOption | undefined, sub: string, button: ButtonAction | null, language: Language): Promise<{ schedule: Schedule } | { reply: Reply }> {
  const all = await daily.store.listGuildSchedules(guildId);
  if (channel && typeof channel === 'object') {
    const found = all.find((s) => s.channelId === channel.id);
    if (found) return { schedule: found };
    const live = all.filter((s) => s.state !== 'off');
    const rest = live.length ? tr(language, 'choose.channelsWithOne', { channels: live.map((s) => `${channelMention(s.channelId)}`).join(', ') }) : tr(language, 'choose.startOne');
    return { reply: msg(`${tr(language, 'choose.noVoice', { channel: channelMention(channel.id) })} ${rest}`) };
  }
  const live = all.filter((s) => s.state !== 'off');
  const candidates = live.length > 0 ? live : all;
  if (candidates.length === 0) return { reply: say(language, 'notSetUp') };
  if (candidates.length === 1 && candidates[0]) return { schedule: candidates[0] };
  const lines = candidates.map((s) => `• ${channelMention(s.channelId)} — ${describeSlot(s, language)}${s.state === 'off' ? ` ${tr(language, 'choose.off')}` : ''}`);
  const ask = tr(language, button ? 'choose.askButtons' : 'choose.ask', { command: subcommandText(language, sub), option: t(language, 'commands.daily.options.test.options.channel.name') });
  const text = `${ask}\n${lines.join('\n')}`;
  const payload = privateEmbed(tr(language, 'choose.title'), text).payload;
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

/** `every day`, `weekdays (Mon–Fri)`, `Mon, Wed, Fri` — in the reader's language. */
export function daysText(days: number, language: Language): string {
  if (days === EVERY_DAY) return tr(language, 'days.every');
  if (days === WEEKDAYS) return tr(language, 'days.weekdays');
  if (days === WEEKENDS) return tr(language, 'days.weekends');
  return [0, 1, 2, 3, 4, 5, 6].filter((i) => (days & (1 << i)) !== 0).map((i) => tr(language, `days.names.${i}`)).join(', ');
}

/** `every day`, `on weekdays (Mon–Fri)`, `on Mon, Wed, Fri`: when a schedule posts, as a sentence says it. */
export function onDaysText(days: number, language: Language): string {
  if (days === EVERY_DAY) return tr(language, 'days.onEvery');
  if (days === WEEKDAYS) return tr(language, 'days.onWeekdays');
  if (days === WEEKENDS) return tr(language, 'days.onWeekends');
  return tr(language, 'days.onList', { days: daysText(days, language) });
}

/** `weekdays (Mon–Fri) at 08:30 Europe/Berlin` */
function describeSlot(s: Pick<Schedule, 'days' | 'time' | 'timeZone'>, language: Language): string {
  return tr(language, 'slot', { days: daysText(s.days, language), time: s.time, zone: s.timeZone });
}

/** The `language` option of `/daily set`: one of the bot's languages, or left out. */
function languageOption(value: string | undefined): Language | undefined | null {
  if (value === undefined || value === '') return undefined;
  return (LANGUAGES as readonly unknown[]).includes(value) ? (value as Language) : null;
}

async function setDaily(daily: DailyService, guildId: string, request: CommandRequest, o: Extract<DailyArguments, { subcommand: 'set' }>['options']): Promise<Reply> {
  const language = request.language ?? 'en';
  const { channel, role } = o;
  const thread = o.thread === true;
  if (!TEXT_CHANNEL_TYPES.has(channel.type)) return say(language, 'set.notText', { channel: channelMention(channel.id) });
  // Discord's role picker offers @everyone (its id is the server's): a daily ping of every member is never what a study server wants.
  if (role && role.id === guildId) return say(language, 'set.everyone');
  const time = parseLocalTime(o.time);
  if (!time.ok) {
    // English keeps the parser's own hint ("did you mean 09:00?"); the other languages say the rule.
    return language === 'en' ? msg(`${capitalise(time.error.replace(/^daily: /, ''))}.`) : say(language, 'set.badTime', { input: showUserText(o.time, 20) });
  }
  const abbreviation = zoneAbbreviation(o.timezone, language);
  if (abbreviation) return msg(abbreviation);
  const zone = normalizeTimeZone(o.timezone);
  if (!zone.ok) {
    const close = searchTimeZones(o.timezone, 5);
    const input = showUserText(o.timezone, 60);
    return close.length ? say(language, 'set.badZoneClose', { input, close: close.map((z) => `\`${z}\``).join(', ') }) : say(language, 'set.badZone', { input });
  }
  const days = parseDays(o.days ?? '');
  if (!days.ok) {
    return language === 'en' ? msg(`${capitalise(days.error.replace(/^daily: days: /, ''))}. Nothing was saved.`) : say(language, 'set.badDays', { input: showUserText(o.days ?? '', 30) });
  }
  // Quiz days: among the channel's days; left out, the schedule keeps its own.
  let quizDays: number | undefined;
  if (o.quiz !== undefined && o.quiz !== '') {
    const parsed = parseQuizDays(o.quiz);
    if (!parsed.ok) return say(language, 'set.badQuizDays', { input: showUserText(o.quiz, 30) });
    const outside = parsed.value & ~days.value;
    if (outside !== 0) return say(language, 'set.quizOutsideDays', { quiz: daysText(outside, language), days: daysText(days.value, language) });
    quizDays = parsed.value;
  }
  const postLanguage = languageOption(o.language);
  if (postLanguage === null) return say(language, 'set.badLanguage', { input: showUserText(o.language ?? '', 20) });
  const missing = missingPermissions(channel.botPermissions, { thread, roleNeedsMentionPermission: role !== undefined && !role.mentionable }, language);
  if (missing.length > 0) {
    return say(language, 'set.missing', { channel: channelMention(channel.id), missing: missing.join('**, **'), count: missing.length });
  }
  const existing = await daily.store.findSchedule(guildId, channel.id);
  let schedule: Schedule;
  try {
    schedule = await daily.store.upsertSchedule(
      { guildId, channelId: channel.id, channelName: channel.name, time: o.time, timeZone: zone.value, days: days.value, ...(quizDays !== undefined ? { quizDays } : {}), roleId: role?.id ?? null, thread, ...(postLanguage ? { language: postLanguage } : {}) },
      request.now,
    );
  } catch (error) {
    if (error instanceof ScheduleLimitError) {
      const live = (await daily.store.listGuildSchedules(guildId)).filter((s) => s.state !== 'off');
      return say(language, 'set.limit', { count: error.limit, channels: live.map((s) => `${channelMention(s.channelId)}`).join(', ') });
    }
    throw error;
  }
  const today = localDate(request.now, schedule.timeZone);
  const next = nextPostInstant(schedule, request.now, await daily.store.getPost(schedule.id, today));
  const holiday = schedule.pausedUntil !== null && today < schedule.pausedUntil;
  const lines = [
    tr(language, 'set.done', { channel: channelMention(schedule.channelId), days: onDaysText(schedule.days, language), time: schedule.time, zone: schedule.timeZone }),
    tr(language, 'set.language', { language: t(language, `languagesIn.${schedule.language}`) }),
    next ? tr(language, 'set.next', { when: wallClock(next, schedule.timeZone, language), zone: schedule.timeZone, local: ts(next), relative: ts(next, TimestampStyles.RelativeTime) }) : '',
    holiday ? tr(language, 'set.holiday', { date: sentenceDate(schedule.pausedUntil ?? today, language) }) : '',
    role ? tr(language, 'set.role', { role: roleMention(role.id) }) : '',
    thread ? tr(language, 'set.thread') : '',
    (schedule.quizDays & schedule.days) !== 0 ? tr(language, 'set.quiz', { days: daysText(schedule.quizDays & schedule.days, language) }) : '',
    channel.botPermissions === null ? tr(language, 'set.unchecked') : '',
    existing && existing.state !== 'off' ? tr(language, 'set.replaces') : '',
    tr(language, 'set.then'),
  ];
  return privateEmbed(tr(language, 'set.title'), lines.filter(Boolean).join('\n'));
}

/** The syllabus line of a schedule: the range in effect and the next one. */
async function syllabusNowAndNext(app: App, daily: DailyService, s: Schedule, today: string, language: Language): Promise<string | null> {
  const ranges = await daily.store.listSyllabus(s.id);
  if (ranges.length === 0) return null;
  const now = rangeOn(ranges, today);
  const next = ranges.find((r) => r.from > today);
  const label = (theme: string) => `**${themeLabel(app, theme)}**`;
  const parts = [
    now ? (now.until ? tr(language, 'status.nowUntil', { theme: label(now.theme), until: now.until }) : tr(language, 'status.now', { theme: label(now.theme) })) : tr(language, 'status.nowRotation'),
    next ? tr(language, 'status.next', { theme: label(next.theme), from: next.from }) : '',
  ];
  return parts.filter(Boolean).join('; ');
}

function themeLabel(app: App, theme: string): string {
  return app.corpus.themes.find((t) => t.id === theme)?.label ?? theme;
}

/**
 * The quiz ids among `posts` whose quiz is not yet revealed: a quiz day's recorded quote is
 * the quiz's answer, so it is shown only once the quiz is closed (or closed without its post).
 * A quiz that cannot be read (not stored yet, no quiz store) counts as still hidden.
 */
async function unrevealedQuizzes(daily: DailyService, posts: readonly PostRecord[]): Promise<Set<string>> {
  const ids = [...new Set(posts.flatMap((p) => (p.quizId ? [p.quizId] : [])))];
  const states = await Promise.all(ids.map(async (id) => ({ id, quiz: daily.quizzes ? await daily.quizzes.get(id) : null })));
  return new Set(states.filter(({ quiz }) => quiz === null || (quiz.state !== 'closed' && quiz.state !== 'gone')).map(({ id }) => id));
}

/**
 * A recorded error or pause reason as a status or history line shows it: up to 500 characters are kept,
 * but ten channels (or fifteen days) of them would not fit one reply.
 */
function shortReason(text: string): string {
  return truncate(text, SHORT_REASON);
}
const SHORT_REASON = 120;

function deliveryLine(last: PostRecord | null, language: Language, hidden: ReadonlySet<string>): string {
  if (!last) return tr(language, 'delivery.none');
  const id = last.quizId && hidden.has(last.quizId) ? tr(language, 'history.openQuiz') : last.quoteId;
  if (last.status === 'sent') return `${tr(language, 'delivery.sent', { date: last.localDate, id })}${last.sentAt ? ` ${ts(last.sentAt, TimestampStyles.RelativeTime)}` : ''}`;
  if (last.status === 'failed') {
    // The error is Discord's or the network's own words, kept as recorded.
    const retry = last.nextAttemptAt ? ` — ${tr(language, 'delivery.retrying', { relative: ts(last.nextAttemptAt, TimestampStyles.RelativeTime) })}` : '';
    return `${tr(language, 'delivery.failed', { date: last.localDate, error: last.lastError ? shortReason(last.lastError) : tr(language, 'delivery.unknownError') })}${retry}`;
  }
  return tr(language, 'delivery.sending', { date: last.localDate });
}

async function statusDaily(app: App, daily: DailyService, guildId: string, now: Date, language: Language): Promise<Reply> {
  const all = await daily.store.listGuildSchedules(guildId);
  if (all.length === 0) return say(language, 'notSetUp');
  const live = all.filter((s) => s.state !== 'off');
  const off = all.filter((s) => s.state === 'off');
  // The channels' reads at once: up to ten channels, a few reads each, and the reply has 3 seconds.
  const fields = await Promise.all(live.map(async (s) => {
    const today = localDate(now, s.timeZone);
    const [post, syllabus, last] = await Promise.all([
      daily.store.getPost(s.id, today),
      syllabusNowAndNext(app, daily, s, today, language),
      daily.store.lastDelivery(s.id),
    ]);
    const hidden = await unrevealedQuizzes(daily, last ? [last] : []);
    const next = s.state === 'active' ? nextPostInstant(s, now, post) : null;
    const holiday = s.state === 'active' && s.pausedUntil !== null && today < s.pausedUntil;
    // A reason the bot wrote when it paused itself is English ("daily: …"); one a manager typed is shown as typed.
    const state =
      s.state === 'paused'
        ? tr(language, 'status.paused', { reason: s.pausedReason ? shortReason(s.pausedReason) : tr(language, 'status.afterFailures') })
        : holiday
          ? `${tr(language, 'status.pausedUntil', { date: sentenceDate(s.pausedUntil ?? today, language) })}${s.pausedReason ? ` — ${shortReason(s.pausedReason)}` : ''} ${tr(language, 'status.endsEarly')}`
          : tr(language, 'status.on');
    const lines = [
      `${channelMention(s.channelId)} · ${state}`,
      `${tr(language, 'status.slot', { days: capitalise(daysText(s.days, language)), time: s.time, zone: s.timeZone })}${s.roleId ? ` · ${tr(language, 'status.mentions', { role: roleMention(s.roleId) })}` : ''}${s.thread ? ` · ${tr(language, 'status.thread')}` : ''} · ${t(language, `languages.${s.language}`)}`,
      syllabus ? `**${tr(language, 'status.syllabus')}** ${syllabus}` : '',
      (s.quizDays & s.days) !== 0 ? `**${tr(language, 'status.quiz')}** ${tr(language, 'status.quizDays', { days: capitalise(daysText(s.quizDays & s.days, language)) })}` : '',
      next ? `**${tr(language, 'status.nextPost')}** ${wallClock(next, s.timeZone, language)} — ${ts(next)} (${ts(next, TimestampStyles.RelativeTime)})` : '',
      `**${tr(language, 'status.lastDelivery')}** ${deliveryLine(last, language, hidden)}`,
      s.failedDays > 0 ? `**${tr(language, 'status.failedDays')}** ${s.failedDays}` : '',
    ];
    return { name: `#${s.channelName ?? s.channelId}`, value: lines.filter(Boolean).join('\n') };
  }));
  const description = [
    live.length === 0 ? tr(language, 'status.noneLive') : tr(language, 'status.live', { count: live.length, max: MAX_SCHEDULES_PER_GUILD }),
    off.length > 0 ? tr(language, 'status.offList', { channels: off.map((s) => `${channelMention(s.channelId)}`).join(', ') }) : '',
  ].filter(Boolean).join('\n');
  // Ten channels' fields share what the title and description leave of the embed's 6,000 characters; the
  // description (a long list of channels turned off) keeps at most a tenth of it.
  const head = { color: COLOR, title: tr(language, 'status.title'), description: truncate(description, LIMITS.embedTotal / 10) };
  const embed = { ...head, fields: fitFields(fields, LIMITS.embedTotal - embedLength(head)) };
  return { type: 'message', payload: { embeds: [embed], flags: EPHEMERAL, allowed_mentions: NO_MENTIONS } };
}

async function testDaily(daily: DailyService, s: Schedule, request: CommandRequest): Promise<Reply> {
  const language = languageOfRequest(request);
  const date = localDate(request.now, s.timeZone);
  const { quote } = await daily.voiceOfSchedule(s, date);
  const result = await daily.poster.post(
    { scheduleId: s.id, guildId: s.guildId, channelId: s.channelId, roleId: null, thread: false, language: s.language, localDate: date, quoteId: quote.id, timeZone: s.timeZone, scheduledAt: request.now, attempt: 1 },
    { test: true },
  );
  const ok = 'messageId' in result;
  await daily.store.recordTestPost({ guildId: s.guildId, channelId: s.channelId, quoteId: quote.id, requestedBy: request.userId, messageId: ok ? result.messageId : null, error: ok ? null : result.error }, request.now);
  // A failure is Discord's or the network's own words, kept as they came.
  return ok ? say(language, 'test.posted', { channel: channelMention(s.channelId) }) : say(language, 'test.failed', { channel: channelMention(s.channelId), error: result.error });
}

/** A local date option: `YYYY-MM-DD`, a real calendar day. `name` is the option's key under `commands.daily.options`. */
function dateOption(value: string | undefined, name: string, language: Language): { ok: true; date: string } | { ok: false; reply: Reply } {
  const text = (value ?? '').trim();
  try {
    parseLocalDate(text);
    return { ok: true, date: text };
  } catch {
    return { ok: false, reply: say(language, 'badDate', { option: t(language, `commands.daily.options.${name}.name`), input: showUserText(text, 30) }) };
  }
}

async function pauseDaily(daily: DailyService, s: Schedule, request: CommandRequest, o: PauseOptions): Promise<Reply> {
  const language = languageOfRequest(request);
  const channel = channelMention(s.channelId);
  if (s.state === 'off') return say(language, 'pause.off', { channel });
  const until = dateOption(o.until, 'pause.options.until', language);
  if (!until.ok) return until.reply;
  const today = localDate(request.now, s.timeZone);
  if (until.date <= today) return say(language, 'pause.notAfter', { date: until.date, today, zone: s.timeZone });
  if (until.date > addDays(today, 366)) return say(language, 'pause.tooLong');
  const reasonText = (o.reason ?? '').trim().slice(0, 200);
  // Stored with the schedule, like a typed reason: in the words of the manager who paused it.
  const reason = reasonText ? showUserText(reasonText, 200) : tr(language, 'pause.by', { user: userMention(request.userId) });
  const paused = await daily.store.pauseUntil(s.id, until.date, reason, request.now);
  if (!paused) return say(language, 'pause.failed', { channel });
  const next = nextPostInstant(paused, request.now, await daily.store.getPost(paused.id, today));
  const nextText = next ? ` ${tr(language, 'pause.resumesWith', { when: wallClock(next, s.timeZone, language), zone: s.timeZone, relative: ts(next, TimestampStyles.RelativeTime) })}` : '';
  return msg(`${tr(language, 'pause.done', { channel, date: sentenceDate(until.date, language), reason })}${nextText} ${tr(language, 'pause.endEarly')}`);
}

/** A theme option: its id or its label, as `/themes` lists them. */
function findTheme(app: App, input: string): Theme | null {
  const folded = input.trim().toLowerCase();
  return app.corpus.themes.find((t) => t.id.toLowerCase() === folded || t.label.toLowerCase() === folded) ?? null;
}

async function syllabusAdd(app: App, daily: DailyService, guildId: string, request: CommandRequest, o: Extract<DailyArguments, { subcommand: 'syllabus add' }>['options']): Promise<Reply> {
  const language = languageOfRequest(request);
  const chosen = await chooseSchedule(daily, guildId, o.channel, 'syllabus add', null, language);
  if ('reply' in chosen) return chosen.reply;
  const s = chosen.schedule;
  const themeInput = o.theme;
  const theme = findTheme(app, themeInput);
  if (!theme) return say(language, 'syllabus.noTheme', { input: showUserText(themeInput, 60) });
  const from = dateOption(o.from, 'syllabus.options.add.options.from', language);
  if (!from.ok) return from.reply;
  let to: string | null = null;
  if (o.to !== undefined && o.to.trim() !== '') {
    const parsed = dateOption(o.to, 'syllabus.options.add.options.to', language);
    if (!parsed.ok) return parsed.reply;
    to = parsed.date;
    if (to < from.date) return say(language, 'syllabus.endsBefore', { to, from: from.date });
  }
  let range;
  try {
    range = await daily.store.addSyllabusRange(s.id, theme.id, from.date, to, request.now);
  } catch (error) {
    if (error instanceof RangeError) {
      // English keeps the store's account of the clash; the other languages say what clashed with what dates it was given.
      const detail = language === 'en' ? capitalise(error.message.replace(/^daily: /, '')) : tr(language, 'syllabus.clash', { range: to ? `${from.date} → ${to}` : from.date });
      return msg(`${detail}. ${tr(language, 'syllabus.clashHelp')}`);
    }
    throw error;
  }
  const size = daily.themeSize(theme.id);
  const teaching = range.until ? teachingDaysBetween(s.days, range.from, addDays(range.until, 1)) : null;
  const span = range.until
    ? tr(language, 'syllabus.span', { from: sentenceDate(range.from, language), until: sentenceDate(range.until, language) })
    : tr(language, 'syllabus.spanOpen', { from: sentenceDate(range.from, language) });
  const lines = [
    tr(language, 'syllabus.added', { span, channel: channelMention(s.channelId), theme: theme.label, quotes: t(language, 'themes.count', { count: size }) }),
    teaching !== null
      ? `${tr(language, 'syllabus.teachingDays', { count: teaching, days: daysText(s.days, language) })}${teaching > size ? tr(language, 'syllabus.moreThanTheme', { quotes: t(language, 'themes.count', { count: size }) }) : tr(language, 'syllabus.noRepeats')}`
      : tr(language, 'syllabus.openEnded'),
    range.to === null && range.until !== null ? tr(language, 'syllabus.endsBeforeNext', { date: addDays(range.until, 1) }) : '',
    tr(language, 'syllabus.outside'),
  ];
  return privateEmbed(tr(language, 'syllabus.title'), lines.filter(Boolean).join('\n'));
}

async function syllabusList(app: App, daily: DailyService, s: Schedule, now: Date, language: Language): Promise<Reply> {
  const ranges = await daily.store.listSyllabus(s.id);
  if (ranges.length === 0) return say(language, 'syllabus.none', { channel: channelMention(s.channelId) });
  const today = localDate(now, s.timeZone);
  const current = rangeOn(ranges, today);
  const lines = ranges.map(
    (r) =>
      `${r === current ? '▶ ' : ''}\`${r.from}\` → ${r.until ? `\`${r.until}\`` : tr(language, 'syllabus.noEnd')} · **${themeLabel(app, r.theme)}** (${t(language, 'themes.count', { count: daily.themeSize(r.theme) })})${r.until !== null && r.until < today ? ` · ${tr(language, 'syllabus.past')}` : ''}`,
  );
  return privateEmbed(tr(language, 'syllabus.listTitle', { channel: s.channelName ?? s.channelId }), [tr(language, 'syllabus.datesIn', { channel: channelMention(s.channelId), zone: s.timeZone }), ...lines, tr(language, 'syllabus.outsideRanges')].join('\n'));
}

async function historyDaily(daily: DailyService, guildId: string, request: CommandRequest, channel: ChannelOption | undefined): Promise<Reply> {
  const language = languageOfRequest(request);
  let posts: PostRecord[];
  if (channel) {
    const s = await daily.store.findSchedule(guildId, channel.id);
    if (!s) return say(language, 'history.never', { channel: channelMention(channel.id) });
    posts = await daily.store.scheduleHistory(s.id, 15);
  } else {
    posts = await daily.store.history(guildId, 15);
  }
  if (posts.length === 0) return say(language, 'history.none');
  const several = new Set(posts.map((p) => p.channelId)).size > 1 || !channel;
  const outcome = (p: PostRecord): string =>
    p.status === 'sent' ? tr(language, 'history.sent') : p.status === 'failed' ? tr(language, 'history.failed', { error: shortReason(p.lastError ?? '') }) : tr(language, 'history.sending');
  const hidden = await unrevealedQuizzes(daily, posts);
  // An open quiz's quote id is its answer: the line says it is a quiz and keeps the id back until the reveal.
  const voice = (p: PostRecord): string =>
    p.quizId && hidden.has(p.quizId) ? tr(language, 'history.openQuiz') : `${p.quoteId}${p.quizId ? ` · ${tr(language, 'history.quiz')}` : ''}`;
  const lines = posts.map((p) => `\`${p.localDate}\`${several ? ` ${channelMention(p.channelId)}` : ''} ${voice(p)}${p.theme ? ` (${p.theme})` : ''} — ${outcome(p)}`);
  return privateEmbed(tr(language, 'history.title'), lines.join('\n'));
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
export function zoneAbbreviation(input: string, language: Language = 'en'): string | null {
  const upper = input.trim().toUpperCase();
  if (upper === 'UTC' || !/^[A-Z]{2,5}$/.test(upper)) return null;
  const place = ABBREVIATIONS[upper];
  return tr(language, 'set.abbreviation', { input: showUserText(input, 10), example: place ? `\`${place}\`` : '`Europe/Berlin`, `America/New_York`' });
}

/**
 * Days autocomplete for `/daily set`: the choices as the reader's language
 * writes them (`Пн, ср, пт`), each sending the English value the parser and
 * the console read alike.
 */
export function autocompleteDays(typed: string, language: Language): { name: string; value: string }[] {
  return suggestDays(typed).map((choice) => {
    const days = parseDays(choice.value);
    return days.ok && language !== 'en' ? { name: truncate(capitalise(daysText(days.value, language)), LIMITS.choiceName), value: choice.value } : choice;
  });
}

/** Autocomplete for `/daily set quiz`: `none`, then days as for `days`, named in the reader's language. */
export function autocompleteQuizDays(typed: string, language: Language): { name: string; value: string }[] {
  return suggestQuizDays(typed).map((choice) => {
    const days = choice.value === 'none' ? null : parseDays(choice.value);
    return days?.ok && language !== 'en' ? { name: truncate(capitalise(daysText(days.value, language)), LIMITS.choiceName), value: choice.value } : choice;
  });
}

/** Time-zone autocomplete for `/daily set`. */
export function autocompleteTimeZone(typed: string): { name: string; value: string }[] {
  return searchTimeZones(typed, LIMITS.autocompleteChoices).map((z) => ({ name: z, value: z }));
}
