/**
 * Child process: `npm start` as a service manager runs it, timed from spawn
 * to READY, against the local Discord stand-in (REST and gateway on
 * loopback). First one build, not timed (as after a deploy); then each run
 * spawns `npm start` with nothing changed since that build, waits for the
 * bot's "ready" log line (discord.js has handled the gateway's READY and the
 * server list), answers one /quote through the stand-in to show it is really
 * serving, and stops it with SIGTERM. Prints one JSON line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { StandIn } from '../support/discord/index.js';
import { median, round, ROOT_DIR } from './stats.js';

const RUNS = Number(process.argv[2] ?? 5);
const BOT_ID = '1180000000000000001';
const TOKEN = `${Buffer.from(BOT_ID).toString('base64url')}.GhJkLm.${'x'.repeat(27)}`;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const built = spawnSync(NPM, ['run', '-s', 'build'], { cwd: ROOT_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
if (built.status !== 0) throw new Error('start bench: npm run build failed');

const standIn = await StandIn.start({ token: TOKEN, botUser: { id: BOT_ID, username: 'Hidden Voices' } });
const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-start-'));

interface Run {
  ready_ms: number;
  first_answer_ms: number;
}

async function once(i: number): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DISCORD_TOKEN: TOKEN,
    DISCORD_API_BASE: standIn.apiBase,
    DATABASE_PATH: path.join(dir, `bot-${i}.db`),
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    SHARDS: '1',
  };
  delete env.DISCORD_GUILD_ID;
  const began = performance.now();
  // Its own process group, as systemd gives a service its own cgroup: the stop reaches npm and the bot under it.
  const child = spawn(NPM, ['start'], { cwd: ROOT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let err = '';
  let stopped = false;
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  if (process.env.HV_BENCH_DEBUG) child.stdout.on('data', (d: Buffer) => process.stderr.write(`start: ${d}`));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const ready = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const msg = (JSON.parse(line) as { msg?: string }).msg;
          if (msg === 'ready') resolve(performance.now() - began);
          if (msg === 'stopped') stopped = true;
        } catch {
          // npm's own banner lines are not JSON.
        }
      }
    });
    void exited.then((code) => reject(new Error(`npm start exited (${code}) before READY:\n${err}`)));
  });
  if (process.env.HV_BENCH_DEBUG) process.stderr.write(`ready after ${ready} ms\n`);
  const handle = await standIn.sendCommand({ name: 'quote', options: [{ name: 'query', type: ApplicationCommandOptionType.String, value: 'nep' }] });
  const response = await handle.response();
  const answered = performance.now() - began;
  if (!response.message) throw new Error('start bench: the started bot did not answer /quote');
  process.kill(-(child.pid as number), 'SIGTERM');
  await exited;
  if (!stopped) throw new Error(`start bench: the bot did not log "stopped" on SIGTERM:\n${err}`);
  return { ready_ms: ready, first_answer_ms: answered };
}

const runs: Run[] = [];
try {
  for (let i = 0; i < RUNS; i++) runs.push(await once(i));
} finally {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  JSON.stringify({
    runs: runs.length,
    start_to_ready_ms: round(median(runs.map((r) => r.ready_ms))),
    start_to_ready_max_ms: round(Math.max(...runs.map((r) => r.ready_ms))),
    start_to_first_answer_ms: round(median(runs.map((r) => r.first_answer_ms))),
  }),
);
