/**
 * The real bot on PostgreSQL (DATABASE_URL), against the Discord stand-in:
 * /daily set is saved there, the tick posts once, a second process on the
 * same database (another machine) posts nothing more, and no log line holds
 * the URL's password.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ApplicationCommandOptionType as T, PermissionFlagsBits } from 'discord-api-types/v10';
import pg from 'pg';
import pino from 'pino';
import { startBot } from '../../src/main.js';
import { build } from '../../support/bot.js';
import { startPostgres } from '../../support/postgres.js';

const server = await startPostgres({ after: (fn) => after(fn as Parameters<typeof after>[0]) });
const MANAGER = { id: '1180000000000000201', username: 'teacher' };

test('on PostgreSQL: /daily set is stored there, the day posts once across two processes, and the password is never logged', async (t) => {
  const url = await server.freshDatabase();
  const password = new URL(url).password;
  const { standIn, bot, clock, env, logs } = await build(t, { env: { DATABASE_URL: url }, now: new Date('2026-03-10T06:00:00Z') });
  const set = await (
    await standIn.sendCommand({
      name: 'daily',
      user: MANAGER,
      memberPermissions: PermissionFlagsBits.ManageGuild,
      options: [{ name: 'set', type: T.Subcommand, options: [
        { name: 'channel', type: T.Channel, value: standIn.channelId },
        { name: 'time', type: T.String, value: '08:30' },
        { name: 'timezone', type: T.String, value: 'Europe/Berlin' },
      ] }],
    })
  ).response();
  assert.match(set.message?.embeds[0]?.description ?? '', /every day at \*\*08:30\*\* \(Europe\/Berlin\)/);

  const direct = new pg.Client({ connectionString: url });
  await direct.connect();
  const saved = await direct.query<{ guild_id: string; local_time: string }>('SELECT guild_id, local_time FROM daily_schedules');
  assert.deepEqual(saved.rows, [{ guild_id: standIn.guildId, local_time: '08:30' }], 'saved in PostgreSQL');

  clock.now = new Date('2026-03-10T07:30:00Z'); // 08:30 in Berlin
  // Another process of the bot (another machine) on the same database ticks at the same instant.
  const other = await startBot(env, { log: pino({ level: 'silent' }), clock: () => clock.now, schedule: false });
  try {
    const [mine, theirs] = await Promise.all([bot.scheduler.tick(), other.scheduler.tick()]);
    assert.equal(mine.sent + theirs.sent, 1, 'one of the two posted');
    assert.equal(standIn.channelMessages(standIn.channelId).filter((m) => m.embeds.length > 0).length, 1, 'exactly one post');
    const posts = await direct.query<{ status: string }>('SELECT status FROM daily_posts');
    assert.deepEqual(posts.rows, [{ status: 'sent' }]);
    assert.ok(!JSON.stringify(logs).includes(password), 'no log line holds the password');
  } finally {
    await other.stop();
    await direct.end();
  }
});

test('PostgreSQL stopped mid-run: /quote still answers, /daily says privately that settings are unavailable, nothing crashes', async (t) => {
  const own = await startPostgres(t);
  const { standIn, bot, logs } = await build(t, { env: { DATABASE_URL: await own.freshDatabase() } });
  const daily = (sub: string) =>
    standIn.sendCommand({ name: 'daily', user: MANAGER, memberPermissions: PermissionFlagsBits.ManageGuild, options: [{ name: sub, type: T.Subcommand, options: [] }] });
  assert.match((await (await daily('status')).response()).message?.content ?? '', /not set up here/);

  await own.stop();
  const quote = await (await standIn.sendCommand({ name: 'quote', options: [{ name: 'query', type: T.String, value: 'nep' }] })).response();
  assert.match(quote.message?.embeds[0]?.description ?? '', /\S/, '/quote needs no database');
  const status = await (await daily('status')).response();
  assert.equal(status.ephemeral, true);
  assert.match(status.message?.content ?? '', /^Settings are unavailable right now: the bot cannot reach its database/);
  const tick = await bot.scheduler.tick();
  assert.equal(tick.errors, 1, 'the tick logs the failure and resolves');
  assert.ok(logs.some((l) => l.msg === 'daily: could not decide which posts are due'));
});
