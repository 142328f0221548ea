/**
 * Child process: /quote round trips through the real bot — discord.js client,
 * gateway and REST over loopback — against the local Discord stand-in
 * (support/discord/): from the INTERACTION_CREATE the
 * stand-in dispatches to the reply it receives. Sequential, the query mix in
 * turn. Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import pino from 'pino';
import { startBot } from '../src/main.js';
import { StandIn, type CommandOptionInput } from '../support/discord/index.js';
import { QUERY_MIX } from './queries.js';
import { round, summarize } from './stats.js';

const ROUNDS = Number(process.argv[2] ?? 300);
const WARMUP = 30;
const BOT_ID = '1180000000000000001';
const TOKEN = `${Buffer.from(BOT_ID).toString('base64url')}.GhJkLm.${'x'.repeat(27)}`;

const S = ApplicationCommandOptionType.String;
const optionsOf = (i: number): CommandOptionInput[] => {
  const o = (QUERY_MIX[i % QUERY_MIX.length] as (typeof QUERY_MIX)[number]).options;
  const out: CommandOptionInput[] = [];
  if (o.query) out.push({ name: 'query', type: S, value: o.query });
  if (o.theme) out.push({ name: 'theme', type: S, value: o.theme });
  if (o.speaker) out.push({ name: 'speaker', type: S, value: o.speaker });
  if (o.source) out.push({ name: 'source', type: S, value: o.source });
  if (o.note !== undefined) out.push({ name: 'note', type: ApplicationCommandOptionType.Integer, value: o.note });
  return out;
};

const standIn = await StandIn.start({ token: TOKEN, botUser: { id: BOT_ID, username: 'Hidden Voices' } });
const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-bench-'));
const env = { DISCORD_TOKEN: TOKEN, DISCORD_API_BASE: standIn.apiBase, DATABASE_PATH: path.join(dir, 'bot.db'), LOG_LEVEL: 'warn', LOG_FORMAT: 'json' };
const bot = await startBot(env, { log: pino({ level: 'warn' }, pino.destination({ dest: 2, sync: true })), schedule: false });
const samples: number[] = [];
let failures = 0;
try {
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const t = performance.now();
    const handle = await standIn.sendCommand({ name: 'quote', options: optionsOf(i) });
    const response = await handle.response();
    const ms = performance.now() - t;
    if (!response.message) failures++;
    if (i >= WARMUP) samples.push(ms);
  }
} finally {
  await bot.stop();
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
}
const s = summarize(samples);
console.log(JSON.stringify({ interactions: s.n, p50: round(s.p50), p99: round(s.p99), max: round(s.max), failures }));
