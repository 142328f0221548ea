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
