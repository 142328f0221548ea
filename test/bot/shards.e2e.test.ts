/**
 * Sharding end to end: the real `npm start` entry as a process tree (the
 * sharding manager and one child process per shard) against the local Discord
 * stand-in, which routes each guild to the shard `(guild_id >> 22) % shards`.
 * The daily post's schedules are written into the SQLite file before start, at
 * a time already past today, so the catch-up tick at each start is what posts.
 */
import assert from 'node:assert/strict';
import fs, { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { SqliteDailyStore } from '../../src/daily/sqlite-store.js';
import { openDatabase } from '../../src/db/database.js';
import { shardExecArgv, spawnBatches } from '../../src/shard/manager.js';
import { shardConfigEnv, shardRole } from '../../src/shard/role.js';
import { guildIdForShard, snowflake, StandIn } from '../../support/discord/index.js';
import { BOT_ID, TOKEN } from '../../support/bot.js';
import { startBotProcess as start, waitFor, type BotProcess as Run } from '../../support/processes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const S = ApplicationCommandOptionType.String;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Two guilds, one per shard of two, each with a known channel. */
function twoGuilds() {
  const guilds = [
    { id: guildIdForShard(0, 2), channel: snowflake() },
    { id: guildIdForShard(1, 2), channel: snowflake() },
  ] as const;
  return {
    guilds,
    spec: guilds.map((g, i) => ({ id: g.id, name: `Study ${i}`, channels: [{ id: g.channel, name: 'general' }] })),
  };
}

/** A UTC-offset zone where it is now about noon, so 06:00 has passed today and the date holds for hours. */
function zoneAtNoon(now: Date): string {
  const offset = 12 - now.getUTCHours();
  return offset === 0 ? 'UTC' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

function shardPids(run: Run): Map<number, number[]> {
  const pids = new Map<number, number[]>();
  for (const l of run.lines()) {
    if (l.msg === 'sharding: shard process started') pids.set(l.shardId as number, [...(pids.get(l.shardId as number) ?? []), l.pid as number]);
  }
  return pids;
}

function quote(standIn: StandIn, guildId: string) {
  return standIn.sendCommand({ guildId, name: 'quote', options: [{ name: 'query', type: S, value: 'nep' }] });
}

async function stopAndCheck(run: Run, pids: number[]): Promise<void> {
  run.child.kill('SIGTERM');
  const { code, signal } = await run.exit;
  assert.equal(signal, null, run.output().slice(-2000));
  assert.equal(code, 0, run.output().slice(-2000));
  for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} is gone`);
  assert.ok(!run.output().includes(TOKEN), 'the token never appears in output');
}

// One run of the manager covers SHARDS=auto and a number alike: it always asks /gateway/bot (for the identify
// concurrency), and a number only replaces the count recommended there.
test('SHARDS=auto: asks /gateway/bot on DISCORD_API_BASE, runs the 2 shard processes it recommends, each answers and posts for its own guild; a dead shard is respawned; SIGHUP reloads data/ in every shard, checked first; SHARDS=1 the same day posts nothing twice', async (t) => {
  const { guilds, spec } = twoGuilds();
  const [a, b] = guilds;
  const standIn = await StandIn.start({ token: TOKEN, botUser: { id: BOT_ID }, recommendedShards: 2, guilds: spec });
  t.after(() => standIn.close());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-shards-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = path.join(dir, 'bot.db');

  // Schedules set two days ago for 06:00 in a zone where it is now about noon: today's post is due at start.
  const db = openDatabase(databasePath);
  const store = new SqliteDailyStore(db);
  const timeZone = zoneAtNoon(new Date());
  const setAt = new Date(Date.now() - 2 * 86_400_000);
  for (const g of guilds) await store.upsertSchedule({ guildId: g.id, channelId: g.channel, time: '06:00', timeZone, roleId: null, thread: false }, setAt);
  db.close();

  // A copy of data/, for the reload below.
  const dataDir = path.join(dir, 'data');
  fs.cpSync(path.join(ROOT, 'data'), dataDir, { recursive: true });
  const env = { DISCORD_API_BASE: standIn.apiBase, DATABASE_PATH: databasePath, DATA_DIR: dataDir };
  const run = start(t, { ...env, SHARDS: 'auto' });
  await waitFor('both shards ready', run, () => {
    const ready = run.lines().filter((l) => l.msg === 'ready').map((l) => l.shardId);
    return ready.includes(0) && ready.includes(1);
  });
  const plan = run.lines().find((l) => l.msg === 'sharding: 2 shard(s), one process each');
  assert.equal(plan?.setting, 'auto');
  assert.equal(plan?.recommended, 2);
  // The manager's own GET /gateway/bot came first, before any shard existed.
  const firstGatewayBot = standIn.requests.find((r) => r.path === '/gateway/bot');
  assert.ok(firstGatewayBot?.authOk);
  assert.ok((firstGatewayBot?.at ?? Infinity) < (standIn.identifies[0]?.at ?? 0));
  assert.deepEqual(
    standIn.identifies.map((i) => [i.shard, i.outcome]).sort(),
    [
      [[0, 2], 'ready'],
      [[1, 2], 'ready'],
    ],
  );
  const pids = shardPids(run);
  assert.equal(pids.get(0)?.length, 1);
  assert.equal(pids.get(1)?.length, 1);

  // Each guild's /quote is answered, by the shard that owns the guild.
  for (const [shardId, g] of guilds.entries()) {
    const r = await (await quote(standIn, g.id)).response();
    assert.match(r.message?.embeds[0]?.description ?? '', /\S/, `guild of shard ${shardId} answered`);
    const line = await waitFor('the interaction log line', run, () => run.lines().find((l) => l.msg === 'interaction' && l.guild === g.id));
    assert.equal(line.shardId, shardId);
    assert.equal(line.outcome, 'ok');
  }

  // The catch-up tick of each shard posted its own guild's voice of the day, once.
  // Daily posts are the bot's own channel messages (a /quote reply goes through the interaction callback).
  const posts = (channel: string) => standIn.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channel}/messages` && r.status === 200);
  await waitFor('a post in each guild', run, () => posts(a.channel).length === 1 && posts(b.channel).length === 1);
  const read = async () => {
    const check = openDatabase(databasePath);
    try {
      const s = new SqliteDailyStore(check);
      return await Promise.all(guilds.map((g) => s.history(g.id)));
    } finally {
      check.close();
    }
  };
  const [historyA, historyB] = await read();
  assert.equal(historyA?.length, 1);
  assert.equal(historyB?.length, 1);
  assert.equal(historyA?.[0]?.status, 'sent');
  assert.equal(historyB?.[0]?.status, 'sent');
  // Claimed by the process of the guild's own shard (the claimer is host:pid:random).
  assert.equal(historyA?.[0]?.claimedBy.split(':')[1], String(pids.get(0)?.[0]));
  assert.equal(historyB?.[0]?.claimedBy.split(':')[1], String(pids.get(1)?.[0]));

  // Shard 1 dies: the manager respawns it, it identifies again and answers; its catch-up tick posts nothing more.
  const firstPid = pids.get(1)?.[0] ?? assert.fail('no pid for shard 1');
  process.kill(firstPid, 'SIGKILL');
  await waitFor('shard 1 respawned and ready', run, () => run.lines().filter((l) => l.msg === 'ready' && l.shardId === 1).length === 2);
  assert.ok(run.lines().some((l) => l.msg === 'sharding: shard died; respawning it' && l.shardId === 1 && l.signal === 'SIGKILL'));
  const respawnedPid = shardPids(run).get(1)?.[1] ?? assert.fail('no pid for the respawned shard 1');
  assert.notEqual(respawnedPid, firstPid);
  assert.deepEqual(
    standIn.identifies.filter((i) => i.shard[0] === 1).map((i) => [i.shard, i.outcome]),
    [
      [[1, 2], 'ready'],
      [[1, 2], 'ready'],
    ],
  );
  assert.match((await (await quote(standIn, b.id)).response()).message?.embeds[0]?.description ?? '', /\S/);
  assert.equal(posts(b.channel).length, 1, 'the respawned shard does not post the day again');

  // SIGHUP to the manager (as systemctl reload sends it): a work with a broken quote is refused there, once, and
  // reaches no shard; fixed, it is forwarded and every shard serves it (the respawned one too).
  const work = path.join(dataDir, 'sources', 'reading-group');
  fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'second-source'), work, { recursive: true });
  const quotesFile = path.join(work, 'quotes.json');
  const good = fs.readFileSync(quotesFile, 'utf8');
  fs.writeFileSync(quotesFile, good.replace('keep your strength for the winter', 'keep your strength for the spring'));
  run.child.kill('SIGHUP');
  await waitFor('the manager refusing the reload', run, () => run.lines().some((l) => String(l.msg).startsWith('reload: the new corpus failed the check')));
  const problems = run.lines().filter((l) => l.msg === 'reload: corpus problem');
  assert.ok(problems.length >= 1 && problems.every((l) => l.role === 'shard-manager'), JSON.stringify(problems));
  assert.ok(!run.lines().some((l) => l.msg === 'reload: checking the corpus'), 'no shard was asked to reload');
  const samovar = (guildId: string) =>
    standIn.sendCommand({ guildId, name: 'quote', options: [{ name: 'query', type: S, value: 'samovar' }, { name: 'work', type: S, value: 'reading-group' }] });
  fs.writeFileSync(quotesFile, good);
  run.child.kill('SIGHUP');
  await waitFor('every shard serving the new corpus', run, () => {
    const reloaded = run.lines().filter((l) => l.msg === 'reload: serving the new corpus').map((l) => l.shardId);
    return reloaded.includes(0) && reloaded.includes(1);
  });
  for (const g of guilds) assert.match((await (await samovar(g.id)).response()).message?.embeds[0]?.footer?.text ?? '', /^rg-001 /);

  // SIGTERM: forwarded to the shards; every process exits, the manager with 0.
  await stopAndCheck(run, [run.child.pid, pids.get(0)?.[0], respawnedPid].filter((p): p is number => p !== undefined));
  assert.ok(run.lines().some((l) => l.msg === 'sharding: stopped' && l.exitCode === 0));

  // The same database, the same day, one shard (a single process): both guilds are its own now, nothing is posted twice.
  const single = start(t, { ...env, SHARDS: '1' });
  await waitFor('the single process ready', single, () => single.lines().some((l) => l.msg === 'ready'));
  assert.deepEqual(standIn.identifies.at(-1)?.shard, [0, 1]);
  assert.ok(!single.lines().some((l) => String(l.msg).startsWith('sharding:')), 'no manager for SHARDS=1');
  // Answered after the start's catch-up tick has run: by then a second post would be out.
  for (const g of guilds) assert.match((await (await quote(standIn, g.id)).response()).message?.embeds[0]?.description ?? '', /\S/);
  await new Promise((r) => setTimeout(r, 1000)); // room for a (wrong) second post still in flight to land
  assert.equal(posts(a.channel).length, 1);
  assert.equal(posts(b.channel).length, 1);
  assert.deepEqual(
    (await read()).map((h) => h.map((p) => [p.status, p.claimedBy])),
    [historyA, historyB].map((h) => h?.map((p) => [p.status, p.claimedBy])),
  );
  await stopAndCheck(single, [single.child.pid].filter((p): p is number => p !== undefined));
});

test('the manager checks config, token and Discord first, with the single process’s messages and exit codes', async (t) => {
  const standIn = await StandIn.start({ token: TOKEN, botUser: { id: BOT_ID }, recommendedShards: 2 });
  t.after(() => standIn.close());
  const refused = `${Buffer.from(BOT_ID).toString('base64url')}.AbCdEf.${'y'.repeat(27)}`;
  const runs = {
    badShards: start(t, { SHARDS: '0', DATABASE_PATH: ':memory:' }),
    malformed: start(t, { SHARDS: '2', DISCORD_TOKEN: 'not-a-token', DATABASE_PATH: ':memory:' }),
    refused: start(t, { SHARDS: 'auto', DISCORD_TOKEN: refused, DISCORD_API_BASE: standIn.apiBase, DATABASE_PATH: ':memory:' }),
  };
  const [badShards, malformed, refusedRun] = await Promise.all([runs.badShards.exit, runs.malformed.exit, runs.refused.exit]);
  assert.equal(badShards.code, 2);
  assert.match(runs.badShards.output(), /config: invalid environment — SHARDS: must be a positive number or "auto"/);
  assert.equal(malformed.code, 1);
  assert.match(runs.malformed.output(), /DISCORD_TOKEN does not look like a Discord bot token/);
  assert.equal(refusedRun.code, 1);
  assert.match(runs.refused.output(), /Discord refused DISCORD_TOKEN/);
  assert.ok(!runs.refused.output().includes(refused) && !runs.refused.output().includes('yyyy'), 'no token in output');
  for (const run of Object.values(runs)) {
    assert.doesNotMatch(run.output(), /shard process started/, 'no shard spawned');
    assert.doesNotMatch(run.output(), /\n\s+at /, 'no stack trace');
  }
  assert.equal(standIn.identifies.length, 0);
});

test('roles, start batches and shard flags (pure parts of src/shard)', () => {
  assert.equal(shardRole({}), 'single');
  assert.equal(shardRole({ SHARDS: '1' }), 'single');
  assert.equal(shardRole({ SHARDS: '2' }), 'manager');
  assert.equal(shardRole({ SHARDS: 'auto' }), 'manager');
  assert.equal(shardRole({ SHARDS: '0' }), 'manager', 'an invalid value reaches the manager, which reports it');
  assert.equal(shardRole({ SHARDING_MANAGER: 'true', SHARDS: '0' }, true), 'shard');
  assert.equal(shardRole({ SHARDING_MANAGER: 'true', SHARDS: '3' }, false), 'manager', 'a shard has an IPC channel to its manager');
  assert.deepEqual(shardConfigEnv({ SHARDS: '0', SHARD_COUNT: '2', DISCORD_TOKEN: 'x' }), { DISCORD_TOKEN: 'x' });
  // Shards `id % max_concurrency` share an IDENTIFY bucket: one of each per batch.
  assert.deepEqual(spawnBatches([0, 1, 2, 3, 4], 2), [[0, 1], [2, 3], [4]]);
  assert.deepEqual(spawnBatches([0, 1, 2], 16), [[0, 1, 2]]);
  assert.deepEqual(shardExecArgv('/x/src/main.ts', ['--import', 'tsx', '--inspect=9229']), ['--import', 'tsx']);
  assert.deepEqual(shardExecArgv('/x/src/main.ts', []).slice(0, 1), ['--import']);
  assert.match(shardExecArgv('/x/src/main.ts', []).at(1) ?? '', /tsx/);
});
