/**
 * `npm start`: the bot. Validates config and corpus, opens the database,
 * logs in, answers interactions, runs the daily scheduler, shuts down cleanly.
 * With SHARDS above 1 or "auto" (or SHARD_COUNT, SHARD_IDS or CLUSTERS set) it
 * becomes the sharding manager (src/shard/), whose children run this same
 * file, one per shard or one per cluster of shards.
 */
import { once } from 'node:events';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Events, type Client } from 'discord.js';
import dotenv from 'dotenv';
import { commands } from '../commands/index.js';
import { AppHolder, createApp, loadLibrary, type App, type Library } from './app.js';
import { answerInteractions, createClient } from './bot/client.js';
import { DiscordPoster } from './bot/poster.js';
import { quizEditor } from './bot/quiz-editor.js';
import { ConfigError, parseConfig, tokenAdvice, tokenProblem, type Config } from './config.js';
import { CorpusError, formatProblem } from './corpus/load.js';
import { DailyScheduler } from './daily/scheduler.js';
import { DailyService } from './daily/service.js';
import { DatabaseFileError } from './db/database.js';
import { redactSecret } from './db/postgres.js';
import { checkDiscord } from './discord-check.js';
import { Dispatcher } from './interactions/dispatch.js';
import type { Command } from './interactions/types.js';
import { createLogger, type Logger } from './log.js';
import { shardStart, stopWhenManagerGone } from './shard/child.js';
import { identifyThrottlerBuilder } from './shard/identify.js';
import { runShardManager } from './shard/manager.js';
import { StartError } from './start-error.js';
import { shardRole } from './shard/role.js';
import { isMain } from './paths.js';
import { QuizCloser } from './quiz/closer.js';
import { QuizService } from './quiz/service.js';
import { closedQuizMessage } from './render/quiz.js';
import { Reloader, type ReloadOutcome } from './reload.js';
import { openStorage, type Storage } from './storage.js';

export interface Bot {
  readonly config: Config;
  /** The app being served now; a reload replaces it whole. */
  readonly app: App;
  readonly client: Client;
  readonly scheduler: DailyScheduler;
  /** Closes quizzes when their time is up, from the database (so across restarts). */
  readonly quizCloser: QuizCloser;
  /** Reads DATA_DIR again (SIGHUP): served only if it passes the start's check, else logged and ignored. */
  reload(): Promise<ReloadOutcome>;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly clock?: () => Date;
  readonly log?: Logger;
  /** Extra discord.js client options, e.g. a shard list for tests. */
  readonly shards?: number[];
  readonly shardCount?: number;
  readonly deferAfterMs?: number;
  /** Start the minute-by-minute scheduler and the quiz closer (tests drive ticks themselves). */
  readonly schedule?: boolean;
  /** How long the check of DISCORD_API_BASE may take; default 10 s. */
  readonly discordTimeoutMs?: number;
  /** The commands to serve; default: commands/index.ts. */
  readonly commands?: readonly Command[];
}

export { StartError };

/** What must be right before connecting — config, token shape, corpus — or a StartError saying what is not. */
export function checkStart(env: Record<string, string | undefined>): { config: Config; token: string; library: Library } {
  let config: Config;
  try {
    config = parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new StartError(err.message, 2);
    throw err;
  }
  const problem = tokenProblem(config.token);
  if (problem) throw new StartError(tokenAdvice(problem));
  const token = config.token as string;

  let library: Library;
  try {
    library = loadLibrary(config.dataDir);
  } catch (err) {
    if (err instanceof CorpusError) {
      throw new StartError(`The corpus is invalid, so the bot will not start (${err.problems.length} problem(s)):\n${err.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    }
    throw err;
  }
  return { config, token, library };
}

/** The database (DATABASE_URL's PostgreSQL, else the file at DATABASE_PATH), opened and migrated, or a StartError: one line, no password. */
async function openStorageOrRefuse(config: Config, log?: Logger): Promise<Storage> {
  try {
    return await openStorage(config, log);
  } catch (err) {
    if (err instanceof DatabaseFileError) throw new StartError(err.message);
    const reason = err instanceof Error ? err.message : String(err);
    if (config.databaseUrl) throw new StartError(`Could not open the PostgreSQL database (DATABASE_URL): ${redactSecret(reason, config.databaseUrl)}`);
    throw new StartError(`Could not open the database at ${config.databasePath} (DATABASE_PATH): ${reason}`);
  }
}

export async function startBot(env: Record<string, string | undefined>, options: StartOptions = {}): Promise<Bot> {
  const { config, token, library } = checkStart(env);
  const log = options.log ?? createLogger(config);
  const clock = options.clock ?? (() => new Date());

  const storage = await openStorageOrRefuse(config, log);
  try {
    // What discord.js would report badly (an HTML page, a server that never answers) is one clear line here.
    await checkDiscord(config.apiBase, token, options.discordTimeoutMs !== undefined ? { timeoutMs: options.discordTimeoutMs } : {});
  } catch (err) {
    await storage.close();
    throw err;
  }
  const store = storage.daily;
  const client = createClient({
    apiBase: config.apiBase,
    log,
    ...(options.shards ? { shards: options.shards } : {}),
    ...(options.shardCount ? { shardCount: options.shardCount } : {}),
    // IDENTIFYs spaced per Discord bucket across every process sharing the database. Discord's
    // 5-second window is real time, whatever clock the schedules are given (tests fake that one).
    buildIdentifyThrottler: identifyThrottlerBuilder({
      slots: storage.identifySlots,
      clock: () => Date.now(),
      holder: `${os.hostname()}:${process.pid}`,
      log,
    }),
  });
  // Removed from a server: its schedules pause, with the reason; nothing is deleted, and /daily resume restarts them.
  client.on(Events.GuildDelete, (guild) => {
    store.pauseGuild(guild.id, 'the bot was removed from this server', clock()).then(
      (paused) => {
        if (paused.length > 0) log.info({ guild: guild.id, schedules: paused }, 'daily: paused, the bot left the server');
      },
      (err: unknown) => log.error({ err, guild: guild.id }, 'daily: could not pause the schedules of a server the bot left'),
    );
  });
  // A deleted channel pauses only its own schedule; the server's other channels keep posting.
  client.on(Events.ChannelDelete, (channel) => {
    store.pauseChannel(channel.id, 'the channel was deleted', clock()).then(
      (paused) => {
        if (paused.length > 0) log.info({ channel: channel.id, schedules: paused }, 'daily: paused, its channel was deleted');
      },
      (err: unknown) => log.error({ err, channel: channel.id }, 'daily: could not pause the schedule of a deleted channel'),
    );
  });
  const quizStore = storage.quiz;
  // Everything built on a corpus is built together, once per corpus: a reload swaps all of it at once.
  const assemble = (lib: Library): App => {
    const poster = new DiscordPoster(client, lib.corpus, log);
    return createApp({ library: lib, daily: new DailyService(lib.corpus, store, poster, quizStore), quiz: new QuizService(lib.corpus, quizStore) });
  };
  const holder = new AppHolder(assemble(library));
  const served = () => {
    const { daily } = holder.current;
    if (!daily) throw new Error('the bot app has no daily service');
    return daily;
  };
  const reloader = new Reloader({ dataDir: config.dataDir, log, install: (lib) => holder.replace(assemble(lib)) });
  const quizCloser = new QuizCloser({
    store: quizStore,
    clock,
    edit: quizEditor(client),
    render: (quiz, tally) => closedQuizMessage(holder.current.corpus, quiz, tally),
    log,
  });
  answerInteractions(client, {
    dispatcher: new Dispatcher(options.commands ?? commands, holder),
    log,
    clock,
    ...(options.deferAfterMs !== undefined ? { deferAfterMs: options.deferAfterMs } : {}),
  });
  const scheduler = new DailyScheduler({
    store,
    clock,
    deliver: (job) => served().deliver(job),
    pickQuote: (schedule, date) => served().pickPost(schedule, date),
    log,
    // Each process (shard) posts only for the servers it is connected to.
    guildFilter: (guildId) => client.guilds.cache.has(guildId),
  });

  const release = async () => {
    await scheduler.stop();
    await quizCloser.stop();
    await client.destroy();
    await storage.close();
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await release();
    log.info({}, 'stopped');
  };

  try {
    // Together: an error before READY rejects both, and neither is left unhandled.
    await Promise.all([client.login(token), once(client, Events.ClientReady)]);
  } catch (err) {
    // A start that failed is said in one line by the caller: no "stopped" line for a bot that never ran.
    stopped = true;
    await release().catch(() => undefined);
    const code = (err as { code?: unknown; status?: unknown }).code;
    if (code === 'TokenInvalid' || (err as { status?: unknown }).status === 401) throw new StartError(tokenAdvice('refused'));
    throw new StartError(`Could not connect to Discord at ${config.apiBase}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (options.schedule !== false) {
    scheduler.start();
    quizCloser.start();
  }
  return {
    config,
    get app() {
      return holder.current;
    },
    client,
    scheduler,
    quizCloser,
    reload: () => reloader.reload(),
    stop,
  };
}

/** LOG_LEVEL and LOG_FORMAT for the process's own lines, before (or without) a valid config. */
function logSettings(env: Record<string, string | undefined>): Pick<Config, 'logLevel' | 'logFormat'> {
  try {
    return parseConfig(env);
  } catch {
    return { logLevel: 'info', logFormat: 'auto' };
  }
}

export interface HangupHandler {
  /** From now on SIGHUP reloads this bot's data; a SIGHUP that came while it was starting reloads now. */
  attach(bot: Pick<Bot, 'reload'>): void;
  /** Removes the handler (SIGHUP then does what it did before). */
  detach(): void;
}

/**
 * SIGHUP reloads DATA_DIR (`systemctl reload`, `kill -HUP`). Installed before
 * the bot starts, so a SIGHUP during the start neither kills the process (its
 * default) nor is lost: the files it announces are read once the bot runs.
 */
export function reloadOnHangup(log: Pick<Logger, 'info'>): HangupHandler {
  let bot: Pick<Bot, 'reload'> | null = null;
  let pending = false;
  const onHangup = () => {
    log.info({ signal: 'SIGHUP' }, 'reload requested');
    if (bot) void bot.reload();
    else pending = true;
  };
  process.on('SIGHUP', onHangup);
  return {
    attach(started) {
      bot = started;
      if (pending) {
        pending = false;
        void started.reload();
      }
    },
    detach() {
      process.off('SIGHUP', onHangup);
    },
  };
}

/** The process entry: `npm start`. */
export async function runFromCommandLine(): Promise<void> {
  dotenv.config({ quiet: true });
  let bot: Bot;
  // SHARDS above 1 or "auto": this process becomes the sharding manager (src/shard/).
  const role = shardRole(process.env);
  const shard = role === 'shard' ? shardStart(process.env) : undefined;
  const early = shard?.log ?? createLogger(logSettings(process.env));
  process.on('unhandledRejection', (err) => early.error({ err }, 'unhandled rejection (the bot keeps running)'));
  // The manager installs its own SIGHUP handler (it checks, then forwards to every shard).
  const hangup = role === 'manager' ? null : reloadOnHangup(early);
  try {
    if (role === 'manager') {
      const { config, token } = checkStart(process.env);
      // Checked (and migrated) once here, so a bad file is one line, not one per shard.
      await (await openStorageOrRefuse(config)).close();
      // Spawns one process per shard (or per cluster), each running this file; handles signals until they have exited.
      await runShardManager({ config, token, entry: fileURLToPath(import.meta.url) });
      return;
    }
    bot = shard
      ? await startBot(shard.env, shard.log ? { log: shard.log } : {})
      : // One process is shard 0 of 1, whatever SHARDS=1 says: discord.js' Client would read it as a shard id.
        await startBot(process.env, { shards: [0], shardCount: 1 });
    hangup?.attach(bot);
  } catch (err) {
    if (err instanceof StartError) {
      console.error(err.message);
      process.exit(err.exitCode);
    }
    throw err;
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    early.info({ signal }, 'shutting down');
    bot.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        early.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  if (shard) {
    // The manager forwards signals and a terminal's Ctrl+C reaches shards too: stop once, whatever arrives.
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    stopWhenManagerGone(shutdown);
  } else {
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  }
}

if (isMain(import.meta.url)) await runFromCommandLine();
