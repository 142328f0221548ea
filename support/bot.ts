/**
 * `build(t)`: the real bot (startBot: real config, corpus, SQLite file,
 * discord.js client) connected to a fresh local Discord stand-in. Everything
 * is torn down in `t.after`, the client before the stand-in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import pino from 'pino';
import type { Command } from '../src/interactions/types.js';
import { startBot, type Bot } from '../src/main.js';
import { settled } from './clients.js';
import { StandIn, type StandInOptions } from './discord/index.js';

export const BOT_ID = '1180000000000000001';
/** Shaped like a real bot token; its first segment encodes the application id, as Discord's do. */
export const TOKEN = `${Buffer.from(BOT_ID).toString('base64url')}.GhJkLm.${'x'.repeat(27)}`;

export interface Built {
  readonly bot: Bot;
  readonly standIn: StandIn;
  readonly env: Record<string, string>;
  readonly dir: string;
  /** Lines the bot logged (JSON objects). */
  readonly logs: Record<string, unknown>[];
  /** The test's clock: set `clock.now` to move time. */
  readonly clock: { now: Date };
}

export interface BuildOptions {
  readonly standIn?: StandInOptions;
  readonly now?: Date;
  readonly commands?: readonly Command[];
  readonly deferAfterMs?: number;
  /** DATA_DIR: the corpus folder (default: the bundled data/). */
  readonly dataDir?: string;
  /** More settings, e.g. DATABASE_URL (PostgreSQL instead of the SQLite file). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function build(t: TestContext, o: BuildOptions = {}): Promise<Built> {
  const standIn = await StandIn.start({ token: TOKEN, botUser: { id: BOT_ID, username: 'Hidden Voices' }, ...o.standIn });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-bot-'));
  const env = { DISCORD_TOKEN: TOKEN, DISCORD_API_BASE: standIn.apiBase, DATABASE_PATH: path.join(dir, 'bot.db'), LOG_LEVEL: 'debug', LOG_FORMAT: 'json', ...(o.dataDir ? { DATA_DIR: o.dataDir } : {}), ...o.env };
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug', base: undefined }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const clock = { now: o.now ?? new Date('2026-03-10T12:00:00Z') };
  let bot: Bot;
  try {
    bot = await startBot(env, {
      log,
      clock: () => clock.now,
      schedule: false,
      ...(o.commands ? { commands: o.commands } : {}),
      ...(o.deferAfterMs !== undefined ? { deferAfterMs: o.deferAfterMs } : {}),
    });
  } catch (err) {
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  t.after(async () => {
    await settled(bot.client);
    await bot.stop();
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { bot, standIn, env, dir, logs, clock };
}
