/**
 * /daily through the dispatcher with an in-memory store: what the edges cannot
 * always know (the bot's permissions in a channel) is said, not assumed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { commands } from '../../commands/index.js';
import { createApp, loadLibrary } from '../../src/app.js';
import { DailyService } from '../../src/daily/service.js';
import { SqliteDailyStore } from '../../src/daily/sqlite-store.js';
import { openDatabase } from '../../src/db/database.js';
import { Dispatcher } from '../../src/interactions/dispatch.js';
import { limitViolations } from '../../src/message/limits.js';
import { SqliteQuizStore } from '../../src/quiz/sqlite-store.js';
import type { CommandRequest, OptionValue } from '../../src/interactions/types.js';

function setup(t: { after: (fn: () => void) => void }) {
  const library = loadLibrary();
  const db = openDatabase(':memory:');
  t.after(() => db.close());
  const app = createApp({ library, daily: new DailyService(library.corpus, new SqliteDailyStore(db), { post: async () => ({ messageId: '1' }) }) });
  return { app, dispatcher: new Dispatcher(commands, app) };
}

function set(channel: OptionValue, timezone = 'Europe/Berlin'): CommandRequest {
  return {
    userId: '1180000000000000201',
    guildId: '1180000000000000202',
    channelId: '1180000000000000203',
    memberPermissions: PermissionFlagsBits.ManageGuild,
    commandName: 'daily',
    subcommand: 'set',
    options: { channel, time: '08:30', timezone },
    now: new Date('2026-03-10T06:00:00Z'),
  };
}

const channel = (botPermissions: bigint | null): OptionValue => ({ kind: 'channel', id: '1180000000000000203', name: 'general', type: 0, botPermissions });

test('permissions the bot could not check are said, with what to do', async (t) => {
  const { dispatcher } = setup(t);
  const reply = await dispatcher.command(set(channel(null)));
  assert.match(reply.payload.embeds?.[0]?.description ?? '', /I could not check my permissions in that channel\*\* — run `\/daily test`/);
});

test('known permissions: nothing to say when they are all there', async (t) => {
  const { dispatcher } = setup(t);
  const all = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.EmbedLinks;
  const reply = await dispatcher.command(set(channel(all)));
  assert.doesNotMatch(reply.payload.embeds?.[0]?.description ?? '', /could not check/);
});

test('a zone abbreviation is refused with the place to use instead, and nothing is saved', async (t) => {
  const { dispatcher, app } = setup(t);
  const reply = await dispatcher.command(set(channel(null), 'PST'));
  assert.match(reply.payload.content ?? '', /“PST” is an abbreviation, not a time zone.*`America\/Los_Angeles`/);
  assert.equal((await app.daily?.store.listGuildSchedules('1180000000000000202') ?? [])[0] ?? null, null);
});

test('@everyone (the role whose id is the server’s) is refused as the daily mention, and nothing is saved', async (t) => {
  const { dispatcher, app } = setup(t);
  const request = set(channel(null));
  const everyone: OptionValue = { kind: 'role', id: '1180000000000000202', name: '@everyone', mentionable: false };
  const reply = await dispatcher.command({ ...request, options: { ...request.options, role: everyone } });
  assert.equal(reply.payload.flags, 64);
  assert.match(reply.payload.content ?? '', /^The daily post cannot mention @everyone\. .*Nothing was saved\.$/);
  assert.equal((await app.daily?.store.listGuildSchedules('1180000000000000202') ?? [])[0] ?? null, null);
});

test('an open quiz day keeps its quote id out of /daily history and /daily status until the reveal', async (t) => {
  const library = loadLibrary();
  const db = openDatabase(':memory:');
  t.after(() => db.close());
  const store = new SqliteDailyStore(db);
  const quizzes = new SqliteQuizStore(db);
  const app = createApp({ library, daily: new DailyService(library.corpus, store, { post: async () => ({ messageId: '1' }) }, quizzes) });
  const dispatcher = new Dispatcher(commands, app);
  const guildId = '1180000000000000202';
  const friday = new Date('2026-12-04T09:00:00Z');
  const s = await store.upsertSchedule({ guildId, channelId: '1180000000000000203', time: '09:00', timeZone: 'UTC', roleId: null, thread: false }, friday);
  const quizId = `daily-${s.id}-20261204`;
  const quoteId = library.corpus.quotes[7]?.id ?? '';
  assert.ok(await store.claimPost(s.id, '2026-12-04', quoteId, friday, 'me', null, quizId));
  assert.ok(await store.markSent(s.id, '2026-12-04', '99', friday));
  await quizzes.create({ id: quizId, guildId, channelId: s.channelId, askedBy: 'bot', quoteId, mode: 'speaker', shown: '…', options: ['A', 'B', 'C', 'D'], answer: 0, language: 'en', openedAt: friday, closesAt: new Date('2026-12-05T00:00:00Z') });
  const ask = async (subcommand: 'history' | 'status') => {
    const reply = await dispatcher.command({ ...set(channel(null)), subcommand, options: {}, now: new Date('2026-12-04T12:00:00Z') });
    const embed = reply.payload.embeds?.[0];
    return [embed?.description ?? '', ...(embed?.fields ?? []).map((f) => f.value)].join('\n');
  };
  for (const subcommand of ['history', 'status'] as const) {
    const text = await ask(subcommand);
    assert.doesNotMatch(text, new RegExp(quoteId), `${subcommand} while the quiz is open`);
    assert.match(text, /quiz, answer hidden until it closes/, subcommand);
  }
  assert.ok(await quizzes.claimClose(quizId, new Date('2026-12-05T00:00:00Z')));
  assert.doesNotMatch(await ask('history'), new RegExp(quoteId), 'a quiz being closed is not yet revealed');
  await quizzes.markClosed(quizId);
  assert.match(await ask('history'), new RegExp(`\`2026-12-04\` <#\\d+> ${quoteId} · quiz — sent`));
  assert.match(await ask('status'), new RegExp(`\\(${quoteId}\\)`));
});

test('/daily status and /daily history fit Discord’s limits in every language at their longest: ten channels, long names, reasons and errors', async (t) => {
  const library = loadLibrary();
  const db = openDatabase(':memory:');
  t.after(() => db.close());
  const store = new SqliteDailyStore(db);
  const app = createApp({ library, daily: new DailyService(library.corpus, store, { post: async () => ({ messageId: '1' }) }) });
  const dispatcher = new Dispatcher(commands, app);
  const guildId = '11800000000000000202';
  const now = new Date('2026-03-10T06:00:00Z');
  const themes = [...library.corpus.themes].sort((a, b) => b.label.length - a.label.length);
  const snowflake = (n: number) => String(10n ** 19n * 9n + BigInt(n)); // 20 digits, the longest mentions
  // Channels turned off (settings kept) are listed in the description.
  for (let i = 0; i < 40; i++) {
    const off = await store.upsertSchedule({ guildId, channelId: snowflake(100 + i), time: '09:00', timeZone: 'UTC', roleId: null, thread: false }, now);
    await store.disableSchedule(off.id, now);
  }
  const sixDays = 0b1101111; // no run of days to shorten: each named
  for (let i = 0; i < 10; i++) {
    const s = await store.upsertSchedule(
      { guildId, channelId: snowflake(i), channelName: `${'история-и-память-'.repeat(6)}${i}`.slice(0, 100), time: '23:59', timeZone: 'America/Argentina/Buenos_Aires', roleId: snowflake(50 + i), thread: true, days: sixDays, quizDays: sixDays, language: 'uk' },
      now,
    );
    await store.addSyllabusRange(s.id, themes[0]?.id ?? '', '2026-03-01', '2026-03-31', now);
    await store.addSyllabusRange(s.id, themes[1]?.id ?? '', '2026-04-01', null, now);
    for (const date of ['2026-03-08', '2026-03-09']) {
      assert.ok(await store.claimPost(s.id, date, library.corpus.quotes[i]?.id ?? '', now, 'me', themes[0]?.id ?? null));
      await store.markFailed(s.id, date, `Discord refused the post (400 50035: ${'Invalid Form Body — embeds[0].description: Must be 4096 or fewer in length. '.repeat(8)})`, now, new Date('2026-03-10T07:00:00Z'));
    }
    await store.pauseUntil(s.id, '2026-03-20', 'Весенние каникулы: '.padEnd(200, 'школа закрыта на ремонт, занятия возобновятся после каникул, '), now);
  }
  for (const language of ['en', 'ru', 'uk'] as const) {
    for (const subcommand of ['status', 'history'] as const) {
      const reply = await dispatcher.command({ ...set(channel(null)), guildId, subcommand, options: {}, now, language });
      assert.deepEqual(limitViolations(reply.payload), [], `${language} /daily ${subcommand}`);
      const embed = reply.payload.embeds?.[0];
      if (subcommand === 'status') {
        assert.equal(embed?.fields?.length, 10, `${language}: every channel has its field`);
        for (const [i, field] of (embed?.fields ?? []).entries()) assert.ok(field.value.startsWith(`<#${snowflake(i)}> · `), `${language}: the field of channel ${i} says which it is`);
      } else {
        const lines = (embed?.description ?? '').split('\n');
        assert.equal(lines.length, 15, `${language}: fifteen days`);
        for (const line of lines) assert.match(line, /^`2026-03-0[89]` <#\d{20}> lr-\d{3} \([\w-]+\) — \S+ Discord refused the post \(400 50035: Invalid Form Body .{40,}…$/u, `${language}: each day's line whole, its error shortened`);
      }
    }
  }
});
