/**
 * Two "machines" end to end: two `npm start` process trees with disjoint shard
 * ranges out of one total (SHARD_COUNT=4, SHARD_IDS=0-1 in two cluster
 * processes, 2-3 in one cluster process of two shards), one shared database, against one
 * Discord stand-in that routes each server to shard `(guild_id >> 22) % 4`
 * and, as Discord does, refuses an IDENTIFY in a bucket used within 5 s
 * (max_concurrency 2: shards 0 and 2 share bucket 0, 1 and 3 bucket 1, so the
 * two machines contend for both buckets at start).
 *
 * Each machine answers only its own servers; every daily post goes out once;
 * one machine killed with SIGKILL while Discord holds its answer to a post
 * (accepted, not yet known to the bot), then restarted: that day's message is
 * not doubled (the retry carries the same nonce) and no day is lost.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import type { PostRecord } from '../../src/daily/due.js';
import { SqliteDailyStore } from '../../src/daily/sqlite-store.js';
import { openDatabase } from '../../src/db/database.js';
import { BOT_ID, TOKEN } from '../../support/bot.js';
import { guildIdForShard, snowflake, StandIn } from '../../support/discord/index.js';
import { startBotProcess, waitFor, type BotProcess } from '../../support/processes.js';

const S = ApplicationCommandOptionType.String;
const TOTAL = 4;

/** A UTC-offset zone where it is now about noon, so 06:00 has passed today and the date holds for hours. */
function zoneAtNoon(now: Date): string {
  const offset = 12 - now.getUTCHours();
  return offset === 0 ? 'UTC' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

/** Discord's window is 5 s; the stand-in's clock and the bots' agree here, so the spacing must show whole. */
function assertSpacedPerBucket(standIn: StandIn): void {
  assert.deepEqual(
    standIn.identifies.filter((i) => i.outcome !== 'ready').map((i) => [i.shard, i.outcome]),
    [],
    'no IDENTIFY refused: none came too early',
  );
  for (const [bucket, times] of standIn.identifyTimesByBucket()) {
    for (let i = 1; i < times.length; i += 1) {
      const gap = (times[i] as number) - (times[i - 1] as number);
      assert.ok(gap >= 5000, `bucket ${bucket}: sessions ${gap} ms apart`);
    }
  }
}

test('two machines, shards 0-1 (2 clusters) and 2-3 (1 cluster) of 4: each answers its own servers, IDENTIFYs spaced per bucket, each day posted once; one killed mid-post and restarted doubles and loses nothing', async (t) => {
  const guilds = [...Array(TOTAL).keys()].map((shard) => ({ shard, id: guildIdForShard(shard, TOTAL), channel: snowflake() }));
  const standIn = await StandIn.start({
    token: TOKEN,
    botUser: { id: BOT_ID },
    recommendedShards: TOTAL,
    maxConcurrency: 2,
    enforceIdentifyConcurrency: true,
    guilds: guilds.map((g) => ({ id: g.id, name: `Study ${g.shard}`, channels: [{ id: g.channel, name: 'general' }] })),
  });
  t.after(() => standIn.close());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-machines-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = path.join(dir, 'bot.db');

  // Every server's voice of the day, set two days ago for 06:00 where it is now about noon: due at start.
  const db = openDatabase(databasePath);
  const store = new SqliteDailyStore(db);
  const timeZone = zoneAtNoon(new Date());
  for (const g of guilds) await store.upsertSchedule({ guildId: g.id, channelId: g.channel, time: '06:00', timeZone, roleId: null, thread: false }, new Date(Date.now() - 2 * 86_400_000));
  db.close();
  const records = async (): Promise<PostRecord[][]> => {
    const check = openDatabase(databasePath);
    try {
      const s = new SqliteDailyStore(check);
      return await Promise.all(guilds.map((g) => s.history(g.id)));
    } finally {
      check.close();
    }
  };
  const posts = (channel: string) => standIn.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channel}/messages`);
  const [g0, g1, g2, g3] = guilds as [(typeof guilds)[0], (typeof guilds)[0], (typeof guilds)[0], (typeof guilds)[0]];

  // Machine two's post in server 2 is accepted by Discord, but the answer is held: the bot is mid-post.
  const release = standIn.holdResponses(new RegExp(`^POST /channels/${g2.channel}/messages$`));

  const env = { DISCORD_API_BASE: standIn.apiBase, DATABASE_PATH: databasePath, SHARD_COUNT: String(TOTAL) };
  const one = startBotProcess(t, { ...env, SHARD_IDS: '0-1', CLUSTERS: '2' });
  const two = startBotProcess(t, { ...env, SHARD_IDS: '2-3', CLUSTERS: '1' });
  const ready = (run: BotProcess) => run.lines().some((l) => l.msg === 'sharding: every shard is ready');
  await waitFor('machine one ready', one, () => ready(one), 120_000);
  await waitFor('machine two ready', two, () => ready(two), 120_000);
  assert.deepEqual(
    standIn.identifies.map((i) => i.shard[0]).sort(),
    [0, 1, 2, 3],
    'each shard identified once, by its own machine',
  );
  assertSpacedPerBucket(standIn);
  const processes = (run: BotProcess) => run.lines().filter((l) => l.msg === 'sharding: shard process started').map((l) => l.shardIds);
  assert.deepEqual(processes(one), [[0], [1]], 'machine one: two cluster processes');
  assert.deepEqual(processes(two), [[2, 3]], 'machine two: one process with both shards');
  // Whether the machines met in a bucket depends on how fast each started; when they did, one waited, told by the database.
  const waits = [...one.lines(), ...two.lines()].filter((l) => l.msg === 'identify: waiting for the bucket');
  t.diagnostic(`IDENTIFY waits at start: ${waits.length}`);

  // Machine two is mid-post in server 2 (Discord has the message); machine one posted its own two days.
  await waitFor('machine two’s held post in server 2', two, () => posts(g2.channel).some((r) => r.held && r.status === 200));
  // Each probe opens the database: every half second is enough.
  await waitFor(
    'machine one’s posts',
    one,
    async () => {
      const now = await records();
      return now[0]?.[0]?.status === 'sent' && now[1]?.[0]?.status === 'sent';
    },
    60_000,
    500,
  );
  assert.equal((await records())[2]?.[0]?.status, 'claimed', 'server 2’s day is claimed with no outcome yet');
  // discord.js gives up on a request after 15 s: the machine dies well before.
  two.killHard();
  assert.equal((await two.exit).signal, 'SIGKILL');
  release();

  // Machine one answers its servers only: server 2 and 3 are nobody's now, and their commands go unanswered.
  for (const g of [g0, g1]) {
    const r = await (await standIn.sendCommand({ guildId: g.id, name: 'quote', options: [{ name: 'query', type: S, value: 'nep' }] })).response();
    assert.match(r.message?.embeds[0]?.description ?? '', /\S/, `server ${g.shard} answered`);
  }
  const answered = (run: BotProcess) => run.lines().filter((l) => l.msg === 'interaction').map((l) => l.guild);
  assert.deepEqual(await waitFor('machine one’s interaction lines', one, () => answered(one).length === 2 && answered(one)), [g0.id, g1.id]);

  // Restarted: it identifies within the spacing, answers its servers, and settles the day left mid-post.
  const again = startBotProcess(t, { ...env, SHARD_IDS: '2-3', CLUSTERS: '1' });
  await waitFor('machine two restarted', again, () => ready(again), 120_000);
  for (const g of [g2, g3]) {
    const r = await (await standIn.sendCommand({ guildId: g.id, name: 'quote', options: [{ name: 'query', type: S, value: 'nep' }] })).response();
    assert.match(r.message?.embeds[0]?.description ?? '', /\S/, `server ${g.shard} answered`);
  }
  assert.deepEqual(await waitFor('restarted machine two’s interaction lines', again, () => answered(again).length === 2 && answered(again)), [g2.id, g3.id]);
  assert.ok(!one.lines().some((l) => l.msg === 'interaction' && (l.guild === g2.id || l.guild === g3.id)), 'machine one never answered machine two’s servers');
  assertSpacedPerBucket(standIn);

  // A claim with no outcome is taken over once it is a minute old (the next tick after), with the same nonce.
  await waitFor('every day recorded as sent', again, async () => (await records()).every((h) => h.length === 1 && h[0]?.status === 'sent'), 150_000, 500);
  // The bot's own posts (a /quote reply goes through the interaction callback): one message per server, however many sends.
  const posted = (channel: string) => new Set(posts(channel).filter((r) => r.status === 200).map((r) => (r.response as { id: string }).id));
  for (const g of guilds) assert.equal(posted(g.channel).size, 1, `server ${g.shard}: one message`);
  const sends2 = posts(g2.channel);
  assert.ok(sends2.length >= 2, 'server 2’s post was sent again after the restart');
  assert.equal(new Set(sends2.map((r) => (r.body as { nonce?: string }).nonce)).size, 1, 'with the same nonce');
  assert.equal((await records())[2]?.[0]?.messageId, [...posted(g2.channel)][0], 'the day records the message Discord kept');

  for (const run of [one, again]) {
    run.child.kill('SIGTERM');
    assert.deepEqual(await run.exit, { code: 0, signal: null }, run.output().slice(-2000));
    assert.ok(!run.output().includes(TOKEN), 'the token never appears in output');
  }
});
