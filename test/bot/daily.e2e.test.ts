/**
 * Voice of the day end to end: /daily through the real bot and the local
 * Discord stand-in, the scheduler's tick posting into the channel.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationCommandOptionType as T, PermissionFlagsBits } from 'discord-api-types/v10';
import pino from 'pino';
import { startBot } from '../../src/main.js';
import type { StandIn } from '../../support/discord/index.js';
import { build } from '../../support/bot.js';

/** An embed's text as a reader sees it: description, then each field's name and value. */
function embedText(message: { embeds: { description?: string; fields?: { name: string; value: string }[] }[] } | undefined | null): string {
  const embed = message?.embeds[0];
  return [embed?.description ?? '', ...(embed?.fields ?? []).flatMap((f) => [f.name, f.value])].join('\n');
}

const MANAGER = { id: '1180000000000000201', username: 'teacher' };
const ROLE_ID = '1180000000000000301';

function daily(standIn: StandIn, sub: string, options: { name: string; type: number; value: string | number | boolean }[] = [], memberPermissions: bigint = PermissionFlagsBits.ManageGuild) {
  return standIn.sendCommand({ name: 'daily', user: MANAGER, memberPermissions, options: [{ name: sub, type: T.Subcommand, options }] });
}

function setOptions(standIn: StandIn, extra: { name: string; type: number; value: string | number | boolean }[] = [], channelId = standIn.channelId) {
  return [
    { name: 'channel', type: T.Channel, value: channelId },
    { name: 'time', type: T.String, value: '08:30' },
    { name: 'timezone', type: T.String, value: 'Europe/Berlin' },
    ...extra,
  ];
}

const guildWithRole = {
  guilds: [
    {
      channels: [{ name: 'general' }, { name: 'read-only', permission_overwrites: [] }],
      roles: [{ name: '@everyone' }, { id: ROLE_ID, name: 'History class', mentionable: true }],
    },
  ],
};

test('/daily set, then the tick posts once at 08:30 Berlin with embed, role ping and thread; status shows it', async (t) => {
  // 06:00 UTC on 10 March = 07:00 in Berlin (CET): before the hour.
  const { standIn, bot, clock } = await build(t, { standIn: guildWithRole, now: new Date('2026-03-10T06:00:00Z') });
  const set = await (await daily(standIn, 'set', setOptions(standIn, [{ name: 'role', type: T.Role, value: ROLE_ID }, { name: 'thread', type: T.Boolean, value: true }]))).response();
  assert.equal(set.ephemeral, true);
  assert.match(set.message?.embeds[0]?.description ?? '', /every day at \*\*08:30\*\* \(Europe\/Berlin\)/);
  assert.match(set.message?.embeds[0]?.description ?? '', /Next post: \*\*Tue 10 Mar, 08:30\*\* \(Europe\/Berlin\) — in your own time <t:1773127800:F>/);

  await bot.scheduler.tick();
  assert.equal(standIn.channelMessages(standIn.channelId).length, 0, 'not before the hour');

  clock.now = new Date('2026-03-10T07:30:00Z'); // 08:30 Berlin
  await bot.scheduler.tick();
  await bot.scheduler.tick();
  const posts = standIn.channelMessages(standIn.channelId).filter((m) => m.embeds.length > 0);
  assert.equal(posts.length, 1, 'exactly one post');
  const post = posts[0];
  assert.match(post?.embeds[0]?.title ?? '', /^Voice of the day — Tuesday, 10 March 2026$/);
  assert.equal(post?.content, `<@&${ROLE_ID}>`);
  const body = standIn.requests.find((r) => r.method === 'POST' && r.path.endsWith(`/channels/${standIn.channelId}/messages`))?.body as { allowed_mentions?: unknown };
  assert.deepEqual(body.allowed_mentions, { parse: [], roles: [ROLE_ID], users: [] });
  const thread = standIn.requests.find((r) => r.method === 'POST' && /\/messages\/\d+\/threads$/.test(r.path));
  assert.ok(thread, 'a discussion thread was opened on the post');
  assert.match((thread.body as { name: string }).name, /^2026-03-10 · /);
  const opener = standIn.requests.filter((r) => r.method === 'POST' && /\/channels\/\d+\/messages$/.test(r.path)).at(-1)?.body as { content: string; allowed_mentions: unknown };
  assert.match(opener.content, /^\*\*To discuss:\*\* /);
  assert.deepEqual(opener.allowed_mentions, { parse: [], roles: [], users: [] });

  const status = await (await daily(standIn, 'status')).response();
  assert.match(embedText(status.message), /\*\*Last delivery:\*\* sent for 2026-03-10 \(lr-\d{3}\)/);
  const voice = await (await standIn.sendCommand({ name: 'voice' })).response();
  assert.equal(voice.message?.embeds[0]?.description, post?.embeds[0]?.description, '/voice shows the posted quote');
  const history = await (await daily(standIn, 'history')).response();
  assert.match(history.message?.embeds[0]?.description ?? '', /`2026-03-10` <#\d+> lr-\d{3} — sent/);
});

test('a restart mid-day (new process, same database) does not post again', async (t) => {
  const { standIn, bot, clock, env } = await build(t, { now: new Date('2026-03-10T06:00:00Z') });
  await (await daily(standIn, 'set', setOptions(standIn))).response();
  clock.now = new Date('2026-03-10T08:00:00Z');
  await bot.scheduler.tick();
  assert.equal(standIn.channelMessages(standIn.channelId).length, 1);
  await bot.stop();
  const again = await startBot(env, { log: pino({ level: 'silent' }), clock: () => new Date('2026-03-10T09:00:00Z'), schedule: false });
  t.after(() => again.stop());
  await again.scheduler.tick();
  assert.equal(standIn.channelMessages(standIn.channelId).length, 1, 'still one post');
});

test('where a server widened /daily, anyone it lets in reads the status, but only managers change it', async (t) => {
  const { standIn } = await build(t);
  await (await daily(standIn, 'set', setOptions(standIn))).response();
  const status = await (await daily(standIn, 'status', [], 0n)).response();
  assert.match(embedText(status.message), /Every day at \*\*08:30\*\* Europe\/Berlin/);
  const off = await (await daily(standIn, 'off', [], 0n)).response();
  assert.match(off.message?.content ?? '', /Only members with the \*\*Manage Server\*\* permission can change or test/);
});

test('missing permissions are named exactly, and nothing is saved', async (t) => {
  const { standIn, bot } = await build(t);
  const botRole = standIn.guildId; // @everyone: the bot's permissions come from it
  standIn.setChannelOverwrites(standIn.channelId, [{ id: botRole, type: 0, deny: PermissionFlagsBits.EmbedLinks | PermissionFlagsBits.CreatePublicThreads }]);
  const r = await (await daily(standIn, 'set', setOptions(standIn, [{ name: 'thread', type: T.Boolean, value: true }]))).response();
  assert.equal(r.ephemeral, true);
  assert.match(r.message?.content ?? '', /missing: \*\*Embed Links\*\*, \*\*Create Public Threads\*\*/);
  assert.equal((await bot.app.daily?.store.listGuildSchedules(standIn.guildId) ?? [])[0] ?? null, null);
});

test('bad time and zone get a clear private answer', async (t) => {
  const { standIn } = await build(t);
  const badTime = await (await daily(standIn, 'set', [{ name: 'channel', type: T.Channel, value: standIn.channelId }, { name: 'time', type: T.String, value: '8:30' }, { name: 'timezone', type: T.String, value: 'UTC' }])).response();
  assert.match(badTime.message?.content ?? '', /HH:MM/);
  const badZone = await (await daily(standIn, 'set', [{ name: 'channel', type: T.Channel, value: standIn.channelId }, { name: 'time', type: T.String, value: '08:30' }, { name: 'timezone', type: T.String, value: 'Europe/Berln' }])).response();
  assert.match(badZone.message?.content ?? '', /not a time zone I know.*Europe\/Berlin/);
  const abbreviation = await (await daily(standIn, 'set', [{ name: 'channel', type: T.Channel, value: standIn.channelId }, { name: 'time', type: T.String, value: '08:30' }, { name: 'timezone', type: T.String, value: 'EST' }])).response();
  assert.match(abbreviation.message?.content ?? '', /abbreviation, not a time zone.*America\/New_York/);
});

test('a deleted channel: the failure is recorded, shown in status, the schedule pauses, nothing crashes', async (t) => {
  const STUDY = '1180000000000000401';
  const { standIn, bot, clock } = await build(t, { now: new Date('2026-03-10T06:00:00Z'), standIn: { guilds: [{ channels: [{ name: 'general' }, { id: STUDY, name: 'study' }] }] } });
  await (await daily(standIn, 'set', setOptions(standIn, [], STUDY))).response();
  standIn.deleteChannel(STUDY);
  clock.now = new Date('2026-03-10T08:00:00Z');
  const summary = await bot.scheduler.tick();
  assert.equal(summary.sent, 0);
  const status = await (await daily(standIn, 'status')).response();
  const text = embedText(status.message);
  assert.match(text, /failed\*\* for 2026-03-10: the channel/);
  assert.match(text, /Paused/);
  assert.ok((await bot.app.daily?.store.listGuildSchedules(standIn.guildId) ?? [])[0] ?? null, 'settings are kept');
});

test('/daily test posts now without counting as the day’s post; /daily off keeps the settings', async (t) => {
  const { standIn, bot, clock } = await build(t, { now: new Date('2026-03-10T06:00:00Z') });
  await (await daily(standIn, 'set', setOptions(standIn))).response();
  const r = await (await daily(standIn, 'test')).response();
  assert.match(r.message?.content ?? '', /Posted a test voice/);
  assert.match(standIn.channelMessages(standIn.channelId)[0]?.embeds[0]?.title ?? '', /\(test post\)$/);
  clock.now = new Date('2026-03-10T08:00:00Z');
  await bot.scheduler.tick();
  assert.equal(standIn.channelMessages(standIn.channelId).length, 2, 'the real post still goes out');
  const off = await (await daily(standIn, 'off')).response();
  assert.match(off.message?.content ?? '', /off.*kept/);
  assert.equal((await bot.app.daily?.store.listGuildSchedules(standIn.guildId) ?? [])[0]?.state, 'off');
});

test('removed from a server: its schedule pauses with the reason, settings kept', async (t) => {
  const { standIn, bot } = await build(t, { now: new Date('2026-03-10T06:00:00Z') });
  await (await daily(standIn, 'set', setOptions(standIn))).response();
  const left = new Promise((resolve) => bot.client.once('guildDelete', resolve));
  standIn.removeBotFromGuild(standIn.guildId);
  await left;
  const schedule = (await bot.app.daily?.store.listGuildSchedules(standIn.guildId) ?? [])[0] ?? null;
  assert.equal(schedule?.state, 'paused');
  assert.equal(schedule?.pausedReason, 'the bot was removed from this server');
  assert.equal(schedule?.channelId, standIn.channelId);
});

test('/daily set with @everyone as the role: refused privately, nothing saved, nothing posted', async (t) => {
  const { standIn, bot } = await build(t, { standIn: guildWithRole });
  // Discord's role picker offers @everyone; its id is the server's own.
  const r = await (await daily(standIn, 'set', setOptions(standIn, [{ name: 'role', type: T.Role, value: standIn.guildId }]))).response();
  assert.equal(r.ephemeral, true);
  assert.match(r.message?.content ?? '', /^The daily post cannot mention @everyone\./);
  assert.equal((await bot.app.daily?.store.listGuildSchedules(standIn.guildId) ?? [])[0] ?? null, null);
  assert.equal(standIn.channelMessages(standIn.channelId).length, 0);
});

test('a crash after Discord accepted the post and before it was recorded, then a restart: one message in the channel', async (t) => {
  const { standIn, bot, clock, env } = await build(t, { now: new Date('2026-03-10T06:00:00Z') });
  await (await daily(standIn, 'set', setOptions(standIn))).response();
  const store = bot.app.daily?.store;
  assert.ok(store);
  const scheduleId = (await store.listGuildSchedules(standIn.guildId))[0]?.id;
  assert.ok(scheduleId !== undefined);
  // The process dies between Discord's answer and the database write: the write never happens.
  store.markSent = () => {
    throw new Error('process killed before the outcome was recorded');
  };
  clock.now = new Date('2026-03-10T07:30:00Z'); // 08:30 Berlin
  await bot.scheduler.tick().catch(() => undefined);
  const posted = standIn.channelMessages(standIn.channelId);
  assert.equal(posted.length, 1, 'Discord accepted the post');
  assert.equal((await store.getPost(scheduleId, '2026-03-10'))?.status, 'claimed', 'but no outcome was recorded');
  await bot.stop();

  // The restart, two minutes later: inside Discord's nonce memory, past the one-tick stale claim.
  const again = await startBot(env, { log: pino({ level: 'silent' }), clock: () => new Date('2026-03-10T07:32:00Z'), schedule: false });
  t.after(() => again.stop());
  await again.scheduler.tick();
  await again.scheduler.tick();

  const sends = standIn.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/channels/${standIn.channelId}/messages`));
  assert.equal(sends.length, 2, 'the restart sent the post again');
  for (const send of sends) assert.deepEqual([(send.body as { nonce?: unknown }).nonce, (send.body as { enforce_nonce?: unknown }).enforce_nonce], [`hv:${scheduleId}:20260310`, true]);
  assert.deepEqual(standIn.channelMessages(standIn.channelId).map((m) => m.id), [posted[0]?.id], 'still exactly one message');
  const record = await again.app.daily?.store.getPost(scheduleId, '2026-03-10');
  assert.equal(record?.status, 'sent');
  assert.equal(record?.messageId, posted[0]?.id, 'the day records the message Discord returned');
});

test('two channels in two zones each post once, at their own local time', async (t) => {
  const STUDY = '1180000000000000402';
  const { standIn, bot, clock } = await build(t, { now: new Date('2026-03-10T06:00:00Z'), standIn: { guilds: [{ channels: [{ name: 'general' }, { id: STUDY, name: 'study' }] }] } });
  const zone = (channelId: string, timeZone: string) => [
    { name: 'channel', type: T.Channel, value: channelId },
    { name: 'time', type: T.String, value: '08:30' },
    { name: 'timezone', type: T.String, value: timeZone },
  ];
  await (await daily(standIn, 'set', zone(standIn.channelId, 'Europe/Berlin'))).response();
  await (await daily(standIn, 'set', zone(STUDY, 'America/Los_Angeles'))).response();
  assert.equal((await bot.app.daily?.store.listGuildSchedules(standIn.guildId) ?? []).length, 2);
  const count = () => [standIn.channelMessages(standIn.channelId).length, standIn.channelMessages(STUDY).length];

  clock.now = new Date('2026-03-10T07:30:00Z'); // 08:30 Berlin, 00:30 Los Angeles
  await bot.scheduler.tick();
  await bot.scheduler.tick();
  assert.deepEqual(count(), [1, 0]);
  clock.now = new Date('2026-03-10T15:30:00Z'); // 08:30 Los Angeles (PDT since 8 March)
  await bot.scheduler.tick();
  await bot.scheduler.tick();
  assert.deepEqual(count(), [1, 1]);
  clock.now = new Date('2026-03-10T22:59:00Z'); // 23:59 Berlin: still the same day there
  await bot.scheduler.tick();
  assert.deepEqual(count(), [1, 1]);
  assert.match(standIn.channelMessages(STUDY)[0]?.embeds[0]?.title ?? '', /Tuesday, 10 March 2026$/);
});

test('a quiz day: the post is a quiz, a student answers, the end of the local day reveals it, after a restart; status shows the quiz days', async (t) => {
  // Friday 4 December 2026, 07:00 in Los Angeles (15:00 UTC).
  const { standIn, bot, clock, env } = await build(t, { now: new Date('2026-12-04T15:00:00Z') });
  const badQuiz = await (await daily(standIn, 'set', [...setOptions(standIn), { name: 'days', type: T.String, value: 'weekdays' }, { name: 'quiz', type: T.String, value: 'Sat' }])).response();
  assert.match(badQuiz.message?.content ?? '', /^The quiz days must be days the channel posts on: Sat is not among weekdays/);
  assert.equal((await bot.app.daily?.store.listGuildSchedules(standIn.guildId))?.length, 0, 'nothing saved');
  const set = await (
    await daily(standIn, 'set', [
      { name: 'channel', type: T.Channel, value: standIn.channelId },
      { name: 'time', type: T.String, value: '08:00' },
      { name: 'timezone', type: T.String, value: 'America/Los_Angeles' },
      { name: 'days', type: T.String, value: 'weekdays' },
      { name: 'quiz', type: T.String, value: 'Fri' },
      { name: 'thread', type: T.Boolean, value: true },
    ])
  ).response();
  assert.match(set.message?.embeds[0]?.description ?? '', /On Fri the post is a quiz: who said it\?/);
  const status = await (await daily(standIn, 'status')).response();
  assert.match(embedText(status.message), /\*\*Quiz:\*\* Fri, revealed at the end of the day/);

  clock.now = new Date('2026-12-04T16:00:00Z'); // 08:00 in Los Angeles
  await bot.scheduler.tick();
  const posts = standIn.channelMessages(standIn.channelId);
  assert.equal(posts.length, 1, 'one post');
  const post = posts[0];
  assert.match(post?.embeds[0]?.title ?? '', /^Voice of the day — Friday, 4 December 2026: (who said it\?|what kind of source is this from\?)$/);
  assert.doesNotMatch(post?.embeds[0]?.description ?? '', /\n— /, 'no speaker line');
  const answers = (post?.components ?? []).flatMap((row) => (row as { components: { custom_id?: string; label?: string }[] }).components).filter((b) => b.custom_id?.startsWith('quiz:answer:'));
  assert.equal(answers.length, 4);
  const quizId = answers[0]?.custom_id?.split(':')[2] ?? '';
  assert.match(quizId, /^daily-\d+-20261204$/);
  const quiz = await bot.app.quiz?.store.get(quizId);
  assert.ok(quiz);
  assert.equal(quiz.messageId, post?.id, 'the post’s id is kept, for the reveal');
  assert.equal(quiz.closesAt.toISOString(), '2026-12-05T08:00:00.000Z', 'midnight at the end of Friday in Los Angeles');
  // The discussion thread gives nothing of the hidden quote away: no theme in its name or its question.
  const threadRequest = standIn.requests.find((r) => r.method === 'POST' && r.path.endsWith(`/messages/${post?.id ?? ''}/threads`));
  assert.equal((threadRequest?.body as { name?: string } | undefined)?.name, '2026-12-04 · Quiz');
  const threadId = standIn.requests.find((r) => r.method === 'POST' && /\/channels\/\d+\/messages$/.test(r.path) && !r.path.includes(standIn.channelId))?.path.split('/')[2] ?? '';
  const opener = standIn.channelMessages(threadId)[0]?.content ?? '';
  assert.match(opener, quiz.mode === 'source' ? /^\*\*To discuss:\*\* What kind of source do you think this is/ : /^\*\*To discuss:\*\* Who do you think said it/);
  for (const theme of bot.app.corpus.themes.filter((th) => bot.app.corpus.byId.get(quiz.quoteId)?.themes.includes(th.id))) {
    assert.ok(!opener.includes(theme.question) && !opener.includes(theme.label), `the thread names nothing of the quote's theme ${theme.id}`);
  }
  // The day's voice elsewhere (/voice) is not the quiz's answer.
  const voice = await (await standIn.sendCommand({ name: 'voice' })).response();
  assert.doesNotMatch(voice.message?.embeds[0]?.footer?.text ?? '', new RegExp(quiz.quoteId));

  const student = { id: '1180000000000000202', username: 'student' };
  const press = await standIn.sendButton({ customId: answers[quiz.answer]?.custom_id ?? '', message: post?.id ?? '', user: student });
  await press.response();
  await press.waitFor(() => press.followUps[0]);
  assert.match(press.followUps[0]?.content ?? '', /^Right — it was \*\*/);
  assert.match(standIn.message(post?.id ?? '')?.embeds[0]?.description ?? '', /\*\*1 answer\*\* so far/);

  // Not revealed before the day ends; a restart in between; revealed once, at midnight in Los Angeles.
  clock.now = new Date('2026-12-05T07:59:00Z');
  await bot.quizCloser.tick();
  assert.doesNotMatch(standIn.message(post?.id ?? '')?.content ?? '', /closed/);
  await bot.stop();
  const later = { now: new Date('2026-12-05T08:00:00Z') };
  const again = await startBot(env, { log: pino({ level: 'silent' }), clock: () => later.now, schedule: false });
  t.after(() => again.stop());
  await again.quizCloser.tick();
  const revealed = standIn.message(post?.id ?? '');
  assert.match(revealed?.content ?? '', /— closed\.\*\* It was \*\*.+\*\*\. 1 answer, 1 was right\./);
  assert.match(revealed?.embeds[0]?.description ?? '', /\n— /, 'the speaker shown');
  const edits = standIn.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/messages/${post?.id ?? ''}`)).length;
  later.now = new Date('2026-12-05T09:00:00Z');
  await again.quizCloser.tick();
  assert.equal(standIn.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/messages/${post?.id ?? ''}`)).length, edits, 'revealed once');
  const scores = await (await standIn.sendCommand({ name: 'quiz', user: student, options: [{ name: 'scores', type: T.Subcommand, options: [{ name: 'period', type: T.String, value: 'all' }] }] })).response();
  assert.match(scores.message?.embeds[0]?.description ?? '', new RegExp(`<@${student.id}> — 1 right of 1`));
  const history = await (await daily(standIn, 'history')).response();
  assert.match(history.message?.embeds[0]?.description ?? '', /`2026-12-04` <#\d+> lr-\d{3} · quiz — sent/);
  // Saturday: no post; Monday: the voice itself, not a quiz.
  // The scheduler's posts (through the channel's messages route; /voice and /quiz answered the interactions).
  const dailyPosts = () => standIn.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/channels/${standIn.channelId}/messages`)).map((r) => (r.body as { embeds?: { title?: string }[] }).embeds?.[0]?.title);
  later.now = new Date('2026-12-05T16:00:00Z');
  await again.scheduler.tick();
  assert.equal(dailyPosts().length, 1, 'no post on Saturday');
  later.now = new Date('2026-12-07T16:00:00Z');
  await again.scheduler.tick();
  assert.deepEqual(dailyPosts().slice(1), ['Voice of the day — Monday, 7 December 2026'], 'Monday: the voice itself');
});
