/**
 * Child process: memory of 16 shards, one process each against 2 clusters of
 * 8, as `npm start` runs them (compiled, on plain node), against the local
 * Discord stand-in (16 servers, one per shard; max_concurrency 4, so both
 * layouts wait for IDENTIFY buckets alike). First one build, not measured.
 * Each layout: start, wait for every shard to be ready, answer one /quote in
 * every server (so each process has searched and rendered), let it settle,
 * then sum the resident memory (VmRSS) of every process of the bot — the
 * manager and its shard or cluster processes — and stop it with SIGTERM.
 * Prints one JSON line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { guildIdForShard, StandIn } from '../support/discord/index.js';
import { round, ROOT_DIR } from './stats.js';

const SHARDS = 16;
const BOT_ID = '1180000000000000001';
const TOKEN = `${Buffer.from(BOT_ID).toString('base64url')}.GhJkLm.${'x'.repeat(27)}`;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const built = spawnSync(NPM, ['run', '-s', 'build'], { cwd: ROOT_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
if (built.status !== 0) throw new Error('shards bench: npm run build failed');

const guilds = [...Array(SHARDS).keys()].map((shard) => ({ id: guildIdForShard(shard, SHARDS), name: `Study ${shard}` }));
const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-shards-bench-'));

/** Every process whose process group is `group` (the bot's: it was started as a group leader). */
function processesOf(group: number): { pid: number; rssKb: number }[] {
  const out: { pid: number; rssKb: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) in parentheses: state ppid pgrp …
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== group) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      if (rss) out.push({ pid: Number(entry), rssKb: Number(rss[1]) });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

interface Layout {
  processes: number;
  rss_mb: number;
  rss_mb_per_process_max: number;
  ready_ms: number;
}

async function measure(name: string, env: Record<string, string>): Promise<Layout> {
  // max_concurrency 4: processes start 4 at a time, 5.5 s apart (16 at once overran discord.js' 30 s ready wait on 2 cores).
  const standIn = await StandIn.start({ token: TOKEN, botUser: { id: BOT_ID }, recommendedShards: SHARDS, maxConcurrency: 4, guilds });
  const began = performance.now();
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: ROOT_DIR,
    env: {
      ...process.env,
      DISCORD_TOKEN: TOKEN,
      DISCORD_API_BASE: standIn.apiBase,
      DATABASE_PATH: path.join(dir, `${name}.db`),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let err = '';
  let out = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    for (;;) {
      if (out.includes('"sharding: every shard is ready"')) break;
      if (child.exitCode !== null) throw new Error(`shards bench (${name}): the bot exited before every shard was ready:\n${err}${out.slice(-2000)}`);
      if (performance.now() - began > 300_000) throw new Error(`shards bench (${name}): not ready in 300 s`);
      await sleep(100);
    }
    const ready = performance.now() - began;
    for (const g of guilds) {
      const response = await (await standIn.sendCommand({ guildId: g.id, name: 'quote', options: [{ name: 'query', type: ApplicationCommandOptionType.String, value: 'nep' }] })).response();
      if (!response.message) throw new Error(`shards bench (${name}): no answer in ${g.name}`);
    }
    await sleep(2000);
    const processes = processesOf(child.pid as number);
    return {
      processes: processes.length,
      rss_mb: round(processes.reduce((sum, p) => sum + p.rssKb, 0) / 1024),
      rss_mb_per_process_max: round(Math.max(...processes.map((p) => p.rssKb)) / 1024),
      ready_ms: round(ready),
    };
  } finally {
    try {
      process.kill(-(child.pid as number), 'SIGTERM');
    } catch {
      // Already gone.
    }
    await exited;
    await standIn.close();
  }
}

try {
  const processes = await measure('processes', { SHARDS: String(SHARDS) });
  const clusters = await measure('clusters', { SHARDS: String(SHARDS), CLUSTERS: '2' });
  console.log(
    JSON.stringify({
      shards: SHARDS,
      processes,
      clusters,
      rss_mb_16_shards_processes: processes.rss_mb,
      rss_mb_16_shards_2_clusters: clusters.rss_mb,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
