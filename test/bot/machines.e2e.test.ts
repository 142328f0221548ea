/**
 * Two "machines" end to end: two `npm start` process trees with disjoint shard
 * ranges out of one total (SHARD_COUNT=4, SHARD_IDS=0-1 in two cluster
 * processes, 2-3 in one cluster process of two shards), one shared embedded
 * PostgreSQL (the same DATABASE_URL, no DATABASE_PATH: what a deployment on
 * several machines shares; one machine on SQLite is shards.e2e's), against one
 * Discord stand-in that routes each server to shard `(guild_id >> 22) % 4`
 * and, as Discord does, refuses an IDENTIFY in a bucket used within 5 s
 * (max_concurrency 2: shards 0 and 2 share bucket 0, 1 and 3 bucket 1, so the
 * two machines contend for both buckets at start).
 *
 * Each machine answers only its own servers; every daily post goes out once;
 * one machine killed with SIGKILL while Discord holds its answer to a post
 * (accepted, not yet known to the bot), then restarted: that day's message is
 * not doubled (the retry carries the same nonce) and no day is lost, as the
 * post records read through the PostgreSQL store show.
 *
 * The restart follows the kill at once, while the other machine's servers are
 * being checked: the only wait left is the documented stale-claim policy (a
 * claim with no outcome is taken over once it is a minute old).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import pg from 'pg';
import { DEFAULT_POLICY, type PostRecord } from '../../src/daily/due.js';
import { DailyScheduler } from '../../src/daily/scheduler.js';
import { openStorage } from '../../src/storage.js';
import { BOT_ID, TOKEN } from '../../support/bot.js';
import { guildIdForShard, shardForGuild, snowflake, StandIn } from '../../support/discord/index.js';
import { startPostgres } from '../../support/postgres.js';
import { startBotProcess, waitFor, type BotProcess } from '../../support/processes.js';

const server = await startPostgres({ after: (fn) => after(fn as Parameters<typeof after>[0]) });

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
  const databaseUrl = await server.freshDatabase();
  const began = Date.now();
  const phase = (what: string) => t.diagnostic(`${what} at ${((Date.now() - began) / 1000).toFixed(1)} s`);

  // Every server's voice of the day, set two days ago for 06:00 where it is now about noon: due at start.
  const storage = await openStorage({ databasePath: '', databaseUrl });
  t.after(() => storage.close());
  const timeZone = zoneAtNoon(new Date());
  for (const g of guilds) await storage.daily.upsertSchedule({ guildId: g.id, channelId: g.channel, time: '06:00', timeZone, roleId: null, thread: false }, new Date(Date.now() - 2 * 86_400_000));
  const records = (): Promise<PostRecord[][]> => Promise.all(guilds.map((g) => storage.daily.history(g.id)));
  const posts = (channel: string) => standIn.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channel}/messages`);
  const [g0, g1, g2, g3] = guilds as [(typeof guilds)[0], (typeof guilds)[0], (typeof guilds)[0], (typeof guilds)[0]];

  // Machine two's post in server 2 is accepted by Discord, but the answer is held: the bot is mid-post.
  const release = standIn.holdResponses(new RegExp(`^POST /channels/${g2.channel}/messages$`));

  const env = { DISCORD_API_BASE: standIn.apiBase, DATABASE_URL: databaseUrl, SHARD_COUNT: String(TOTAL) };
  const one = startBotProcess(t, { ...env, SHARD_IDS: '0-1', CLUSTERS: '2' });
  const two = startBotProcess(t, { ...env, SHARD_IDS: '2-3', CLUSTERS: '1' });
  const ready = (run: BotProcess) => run.lines().some((l) => l.msg === 'sharding: every shard is ready');
  await waitFor('machine one ready', one, () => ready(one), 120_000);
  await waitFor('machine two ready', two, () => ready(two), 120_000);
  phase('both machines ready');
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
  // The buckets were taken in the shared PostgreSQL (not in each machine's memory): both are there, at max_concurrency 2.
  const slots = new pg.Client({ connectionString: databaseUrl });
  await slots.connect();
  try {
    const rows = await slots.query<{ max_concurrency: number; bucket: number }>('SELECT max_concurrency, bucket FROM identify_slots ORDER BY bucket');
    assert.deepEqual(rows.rows.map((r) => [Number(r.max_concurrency), Number(r.bucket)]), [[2, 0], [2, 1]]);
  } finally {
    await slots.end();
  }

  // Machine two is mid-post in server 2 (Discord has the message); machine one posted its own two days.
  await waitFor('machine two’s held post in server 2', two, () => posts(g2.channel).some((r) => r.held && r.status === 200));
  // Each probe is a database round trip: every half second is enough.
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
  phase('machine two killed');
  release();

  // Machine two dead: machine one still answers its own servers.
  for (const g of [g0, g1]) {
    const r = await (await standIn.sendCommand({ guildId: g.id, name: 'quote', options: [{ name: 'query', type: S, value: 'nep' }] })).response();
    assert.match(r.message?.embeds[0]?.description ?? '', /\S/, `server ${g.shard} answered`);
  }
  const answered = (run: BotProcess) => run.lines().filter((l) => l.msg === 'interaction').map((l) => l.guild);
  assert.deepEqual(await waitFor('machine one’s interaction lines', one, () => answered(one).length === 2 && answered(one)), [g0.id, g1.id]);

  // Restarted once the dead machine's claim is stale by the documented policy (a claim with no outcome is taken
  // over once it is a minute old): the restart's catch-up tick at start settles the day, instead of a minute tick
  // up to a minute later. It identifies within the spacing, answers its servers, and posts with the same nonce.
  const claimedAt = (await records())[2]?.[0]?.claimedAt.getTime() ?? 0;
  await waitFor('the claim to turn stale', one, () => Date.now() >= claimedAt + DEFAULT_POLICY.staleClaimMinutes * 60_000, 120_000, 200);
  const again = startBotProcess(t, { ...env, SHARD_IDS: '2-3', CLUSTERS: '1' });
  await waitFor('machine two restarted', again, () => ready(again), 120_000);
  phase('machine two ready again');
  for (const g of [g2, g3]) {
    const r = await (await standIn.sendCommand({ guildId: g.id, name: 'quote', options: [{ name: 'query', type: S, value: 'nep' }] })).response();
    assert.match(r.message?.embeds[0]?.description ?? '', /\S/, `server ${g.shard} answered`);
  }
  assert.deepEqual(await waitFor('restarted machine two’s interaction lines', again, () => answered(again).length === 2 && answered(again)), [g2.id, g3.id]);
  assert.ok(!one.lines().some((l) => l.msg === 'interaction' && (l.guild === g2.id || l.guild === g3.id)), 'machine one never answered machine two’s servers');
  assertSpacedPerBucket(standIn);

  // The stale claim is taken over (at the restart's catch-up tick, or a minute tick if one comes first), with the same nonce.
  await waitFor('every day recorded as sent', again, async () => (await records()).every((h) => h.length === 1 && h[0]?.status === 'sent'), 150_000, 500);
  phase('every day sent');
  // The bot's own posts (a /quote reply goes through the interaction callback): one message per server, however many sends.
  const posted = (channel: string) => new Set(posts(channel).filter((r) => r.status === 200).map((r) => (r.response as { id: string }).id));
  for (const g of guilds) assert.equal(posted(g.channel).size, 1, `server ${g.shard}: one message`);
  const sends2 = posts(g2.channel);
  assert.ok(sends2.length >= 2, 'server 2’s post was sent again after the restart');
  assert.equal(new Set(sends2.map((r) => (r.body as { nonce?: string }).nonce)).size, 1, 'with the same nonce');
  const day2 = (await records())[2]?.[0];
  assert.equal(day2?.messageId, [...posted(g2.channel)][0], 'the day records the message Discord kept');
  assert.equal(day2?.staleReclaims, 1, 'taken over once, as a stale claim');

  for (const run of [one, again]) {
    run.child.kill('SIGTERM');
    assert.deepEqual(await run.exit, { code: 0, signal: null }, run.output().slice(-2000));
    assert.ok(!run.output().includes(TOKEN), 'the token never appears in output');
  }
});

/**
 * Issue 14: "a server moving to another machine when the ranges change is
 * neither posted twice nor skipped". Through the real schedulers and the
 * PostgreSQL store with an injected clock (an end-to-end form would wait for
 * real days): machine one runs shards 0-1 and machine two 2-3 of 4 until
 * 09:01 on day one, when shard 1 moves to machine two (SHARD_IDS 0 and 1-3,
 * both machines restarted; machine one had died at 09:00 mid-post, so its
 * claim is a minute old and still inside Discord's nonce window: the
 * documented takeover, not an abandoned day). Each machine schedules only the servers its shards
 * receive, as the bot's guild cache does: `(guild_id >> 22) % 4` in its range.
 * Discord is modelled only as far as the post needs: a message per nonce, the
 * same one back for a retry with that nonce (enforce_nonce).
 */
test('a server whose shard moves to the other machine when the ranges change is neither posted twice nor skipped', async (t) => {
  const databaseUrl = await server.freshDatabase();
  const clock = { now: new Date('2026-06-01T08:59:00Z') };
  const servers = {
    /** Shard 1, 09:00: posted by machine one before the move; machine two must not post it again that day. */
    early: guildIdForShard(1, TOTAL),
    /** Shard 1, 09:00: machine one dies mid-post (Discord has the message); machine two settles the day after the move. */
    dying: guildIdForShard(1, TOTAL),
    /** Shard 1, 15:00: due after the move, machine two's now. */
    late: guildIdForShard(1, TOTAL),
    /** Shard 0, 09:00: stays with machine one. */
    stays: guildIdForShard(0, TOTAL),
    /** Shard 2, 09:00: stays with machine two. */
    other: guildIdForShard(2, TOTAL),
  };
  const setup = await openStorage({ databasePath: '', databaseUrl });
  t.after(() => setup.close());
  for (const [name, guildId] of Object.entries(servers)) {
    await setup.daily.upsertSchedule(
      { guildId, channelId: snowflake(), time: name === 'late' ? '15:00' : '09:00', timeZone: 'UTC', roleId: null, thread: false },
      new Date('2026-05-31T00:00:00Z'),
    );
  }
  const nameOf = new Map(Object.entries(servers).map(([name, id]) => [id, name]));

  const discord = new Map<string, string>();
  const sends: Array<{ machine: string; server: string; localDate: string; nonce: string | undefined; messageId: string }> = [];
  /** Machine one's process, killed mid-post: its delivery of `dying` never comes back. */
  const neverAnswered = new Promise<never>(() => {});
  const machine = async (name: string, shards: readonly number[], dies = false): Promise<DailyScheduler> => {
    const storage = await openStorage({ databasePath: '', databaseUrl });
    t.after(() => storage.close());
    return new DailyScheduler({
      store: storage.daily,
      clock: () => clock.now,
      claimer: name,
      log: { info: () => {}, warn: () => {}, error: () => {} },
      guildFilter: (guildId) => shards.includes(shardForGuild(guildId, TOTAL)),
      pickQuote: async () => ({ quoteId: 'lr-001', theme: null }),
      deliver: async (job) => {
        const key = job.nonce ?? `${job.scheduleId}:${job.localDate}:${sends.length}`;
        const messageId = discord.get(key) ?? snowflake();
        discord.set(key, messageId);
        const server = nameOf.get(job.guildId) ?? job.guildId;
        sends.push({ machine: name, server, localDate: job.localDate, nonce: job.nonce, messageId });
        if (dies && server === 'dying') return neverAnswered;
        return { messageId };
      },
    });
  };
  const history = async (server: keyof typeof servers) => (await setup.daily.history(servers[server])).map((p) => [p.localDate, p.status, p.claimedBy]);

  // Day one, before the move.
  const one = await machine('one', [0, 1], true);
  const two = await machine('two', [2, 3]);
  assert.equal((await one.tick()).sent + (await two.tick()).sent, 0, 'nothing due before 09:00');
  clock.now = new Date('2026-06-01T09:00:00Z');
  const oneDying = one.tick(); // never settles: the process dies with the delivery in flight
  void oneDying;
  assert.equal((await two.tick()).sent, 1, 'machine two posts its own server');
  await waitFor('machine one’s 09:00 posts', null, async () => (await history('early'))[0]?.[1] === 'sent' && (await history('stays'))[0]?.[1] === 'sent' && sends.some((s) => s.server === 'dying'), 10_000, 10);
  assert.deepEqual((await history('dying'))[0], ['2026-06-01', 'claimed', 'one'], 'machine one died holding the claim');

  // 09:01: the ranges change, shard 1 moves to machine two; both machines start again with their new range.
  clock.now = new Date('2026-06-01T09:01:00Z');
  const oneAgain = await machine('one-again', [0]);
  const twoAgain = await machine('two-again', [1, 2, 3]);
  const [a, b] = [await oneAgain.tick(), await twoAgain.tick()];
  assert.equal(a.sent, 0, 'machine one posts nothing again, and no longer owns shard 1');
  assert.equal(b.sent, 1, 'machine two settles the day machine one left mid-post, and only that');
  for (const at of ['2026-06-01T09:02:00Z', '2026-06-01T09:30:00Z', '2026-06-01T14:59:00Z', '2026-06-01T15:00:00Z', '2026-06-01T15:01:00Z', '2026-06-01T23:59:00Z']) {
    clock.now = new Date(at);
    await oneAgain.tick();
    await twoAgain.tick();
  }
  // Day two: every server once, by the machine whose range holds it now.
  for (const at of ['2026-06-02T08:59:00Z', '2026-06-02T09:00:00Z', '2026-06-02T09:01:00Z', '2026-06-02T15:00:00Z', '2026-06-02T15:01:00Z']) {
    clock.now = new Date(at);
    await oneAgain.tick();
    await twoAgain.tick();
  }

  // Every day of every server recorded sent once, by the machine that held its shard then.
  assert.deepEqual(await history('early'), [['2026-06-02', 'sent', 'two-again'], ['2026-06-01', 'sent', 'one']]);
  assert.deepEqual(await history('dying'), [['2026-06-02', 'sent', 'two-again'], ['2026-06-01', 'sent', 'two-again']]);
  assert.deepEqual(await history('late'), [['2026-06-02', 'sent', 'two-again'], ['2026-06-01', 'sent', 'two-again']]);
  assert.deepEqual(await history('stays'), [['2026-06-02', 'sent', 'one-again'], ['2026-06-01', 'sent', 'one']]);
  assert.deepEqual(await history('other'), [['2026-06-02', 'sent', 'two-again'], ['2026-06-01', 'sent', 'two']]);
  // One message per server and day in the channel: the takeover's retry carried the dead machine's nonce.
  for (const name of Object.keys(servers)) {
    for (const localDate of ['2026-06-01', '2026-06-02']) {
      const messages = new Set(sends.filter((s) => s.server === name && s.localDate === localDate).map((s) => s.messageId));
      assert.equal(messages.size, 1, `${name} on ${localDate}: one message`);
    }
  }
  assert.deepEqual(
    sends.filter((s) => s.server === 'dying' && s.localDate === '2026-06-01').map((s) => [s.machine, s.nonce]),
    [['one', sends.find((s) => s.server === 'dying')?.nonce], ['two-again', sends.find((s) => s.server === 'dying')?.nonce]],
    'sent by machine one, then again by machine two with the same nonce',
  );
  const dyingDay = await setup.daily.getPost((await setup.daily.history(servers.dying))[1]?.scheduleId ?? 0, '2026-06-01');
  assert.equal(dyingDay?.messageId, sends.find((s) => s.server === 'dying')?.messageId, 'the day records the message Discord kept');
});
