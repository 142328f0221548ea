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
