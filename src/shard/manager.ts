/**
 * `npm start` with SHARDS above 1 or "auto": the sharding manager. It connects
 * to no gateway itself; it asks Discord (on the configured API base) how many
 * shards to run, then spawns one child process per shard with discord.js'
 * ShardingManager (`mode: 'process'`), each running the ordinary bot entry
 * (src/main.ts). discord.js passes SHARDS (the shard's id) and SHARD_COUNT
 * through the environment and the child's Client picks them up.
 *
 * What the manager adds to discord.js:
 * - "auto" honours DISCORD_API_BASE: discord.js' own `fetchRecommendedShardCount`
 *   always asks https://discord.com/api, so the manager fetches `/gateway/bot`
 *   itself on `DISCORD_API_BASE` (src/discord-check.ts) and passes the
 *   number on. The same request checks the token before any child is spawned,
 *   with the single-process bot's message when Discord refuses it.
 * - Shards start in batches of Discord's `max_concurrency`, 5.5 s apart (the
 *   IDENTIFY rate limit), instead of discord.js' fixed 5.5 s between every shard.
 * - Signals: SIGINT/SIGTERM are forwarded to every shard; the manager exits 0
 *   once they have all exited (1 if one had to be killed after `stopTimeoutMs`).
 *   SIGHUP (reload `data/`) is checked here first, so a broken corpus is logged
 *   once, problem by problem, and reaches no shard; a good one is forwarded to
 *   every shard, each of which checks it again and swaps it in.
 * - A dead shard is respawned by discord.js (`respawn: true`); a shard dying
 *   over and over (a crash loop would burn Discord's 1,000 IDENTIFYs a day) stops
 *   the manager with exit 1 instead, for systemd's restart policy to take over.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ShardingManager, type Shard } from 'discord.js';
import type { Config } from '../config.js';
import { formatProblem, loadCorpus } from '../corpus/load.js';
import { checkDiscord, type GatewayInfo } from '../discord-check.js';
import { createLogger, type Logger } from '../log.js';
import { StartError } from '../start-error.js';


export type { GatewayInfo };

/**
 * `GET /gateway/bot` on `apiBase` (not on discord.com, as discord.js'
 * `fetchRecommendedShardCount` would). A refused token, an unreachable API or
 * a server that is not Discord's becomes a StartError with the single-process
 * bot's wording (src/discord-check.ts).
 */
export async function fetchGatewayInfo(apiBase: string, token: string): Promise<GatewayInfo> {
  return checkDiscord(apiBase, token);
}

/** Shard ids in start order, grouped so that each group uses each rate-limit bucket at most once. */
export function spawnBatches(shardIds: readonly number[], maxConcurrency: number): number[][] {
  const size = Math.max(1, maxConcurrency);
  const batches: number[][] = [];
  for (let i = 0; i < shardIds.length; i += size) batches.push(shardIds.slice(i, i + size));
  return batches;
}

/**
 * How a shard is started: the manager's own Node flags (the tsx loader under
 * `npm start`), without inspector flags (two processes cannot share a port),
 * plus tsx when the manager was started without it and the entry is TypeScript.
 */
export function shardExecArgv(entry: string, execArgv: readonly string[] = process.execArgv): string[] {
  const flags = execArgv.filter((flag) => !/^--inspect/.test(flag));
  if (!entry.endsWith('.ts') || flags.some((flag) => flag.includes('tsx'))) return flags;
  return [...flags, '--import', import.meta.resolve('tsx')];
}

export interface ShardManagerOptions {
  readonly config: Config;
  readonly token: string;
  /** The bot entry each shard runs (src/main.ts). */
  readonly entry: string;
  readonly log?: Logger;
  readonly execArgv?: readonly string[];
  /** Wait for each shard of a batch to be ready. Default 30 s, as discord.js. */
  readonly readyTimeoutMs?: number;
  /** Between batches of `max_concurrency` shards. Default 5.5 s, as discord.js. */
  readonly batchDelayMs?: number;
  /** After forwarding a signal, how long shards get to exit before SIGKILL. Default 15 s. */
  readonly stopTimeoutMs?: number;
  /** Deaths of one shard within `crashWindowMs` that stop the manager. Default 5 in 10 min. */
  readonly crashLimit?: number;
  readonly crashWindowMs?: number;
  /** Handle SIGINT/SIGTERM, and SIGHUP as a reload (default true). */
  readonly handleSignals?: boolean;
  /** How the manager leaves once stopped by a signal. Default process.exit. */
  readonly exit?: (code: number) => void;
}

export interface RunningShards {
  readonly manager: ShardingManager;
  readonly total: number;
  /** Forwards `signal` to every shard, waits for them; resolves to the exit code (0, or 1 if one was killed). */
  stop(signal?: NodeJS.Signals): Promise<number>;
  /** Checks DATA_DIR; if it passes, tells every shard to reload it (SIGHUP). The number of shards told. */
  reload(): number;
}

/**
 * Spawns every shard and resolves once all are ready; from then on the shards
 * run until a signal (or `stop`). Rejects with a StartError, after
 * stopping the shards already spawned, when Discord refuses the token or a
 * shard fails to become ready.
 */
export async function runShardManager(options: ShardManagerOptions): Promise<RunningShards> {
  const { config, token } = options;
  const log = options.log ?? createLogger(config).child({ role: 'shard-manager' });
  const exit = options.exit ?? ((code: number) => process.exit(code));

  const gateway = await fetchGatewayInfo(config.apiBase, token);
  const total = config.shards === 'auto' ? gateway.shards : config.shards;
  const shardIds = [...Array(total).keys()];
  log.info(
    { shards: total, setting: config.shards, recommended: gateway.shards, maxConcurrency: gateway.maxConcurrency },
    `sharding: ${total} shard(s), one process each`,
  );
  if (total < gateway.shards) {
    log.warn({ shards: total, recommended: gateway.shards }, 'sharding: fewer shards than Discord recommends');
  }

  const manager = new ShardingManager(options.entry, {
    totalShards: total,
    shardList: shardIds,
    mode: 'process',
    respawn: true,
    token,
    execArgv: shardExecArgv(options.entry, options.execArgv),
  });

  let stopping: Promise<number> | undefined;
  const crashLimit = options.crashLimit ?? 5;
  const crashWindowMs = options.crashWindowMs ?? 10 * 60_000;
  const deaths = new Map<number, number[]>();

  const stop = (signal: NodeJS.Signals = 'SIGTERM'): Promise<number> => {
    stopping ??= stopShards(manager, signal, options.stopTimeoutMs ?? 15_000, log);
    return stopping;
  };
  const shutdown = (signal: NodeJS.Signals, code = 0): void => {
    if (stopping) return;
    log.info({ signal }, 'sharding: stopping the shards');
    void stop(signal).then((forced) => {
      log.info({ exitCode: code || forced }, 'sharding: stopped');
      exit(code || forced);
    });
  };

  manager.on('shardCreate', (shard: Shard) => {
    const id = shard.id;
    shard.on('spawn', (child) => log.info({ shardId: id, pid: (child as ChildProcess).pid }, 'sharding: shard process started'));
    shard.on('ready', () => log.info({ shardId: id }, 'sharding: shard ready'));
    // A shard closing its gateway while stopping reports a disconnect or reconnect too: not news then.
    shard.on('disconnect', () => (stopping ? undefined : log.warn({ shardId: id }, 'sharding: shard disconnected')));
    shard.on('reconnecting', () => (stopping ? undefined : log.info({ shardId: id }, 'sharding: shard reconnecting')));
    shard.on('resume', () => log.info({ shardId: id }, 'sharding: shard resumed'));
    // A respawn that fails (the new process died before ready) is reported here, not thrown.
    shard.on('error', (err) => log.error({ shardId: id, err }, 'sharding: shard error'));
    shard.on('death', (child) => {
      const proc = child as ChildProcess;
      const how = { shardId: id, pid: proc.pid, exitCode: proc.exitCode, signal: proc.signalCode };
      if (stopping) {
        log.info(how, 'sharding: shard exited');
        return;
      }
      const now = Date.now();
      const recent = [...(deaths.get(id) ?? []), now].filter((at) => now - at < crashWindowMs);
      deaths.set(id, recent);
      if (recent.length >= crashLimit) {
        log.error({ ...how, deaths: recent.length, withinMs: crashWindowMs }, 'sharding: shard keeps dying; stopping every shard');
        manager.respawn = false;
        shutdown('SIGTERM', 1);
        return;
      }
      log.warn(how, manager.respawn ? 'sharding: shard died; respawning it' : 'sharding: shard died');
    });
  });

  const reload = (): number => {
    if (stopping) return 0;
    const checked = loadCorpus(config.dataDir);
    if (!checked.ok) {
      for (const problem of checked.problems) {
        log.error({ file: problem.file, id: problem.id, reason: problem.reason, problem: formatProblem(problem) }, 'reload: corpus problem');
      }
      log.error({ dataDir: config.dataDir, problems: checked.problems.length }, 'reload: the new corpus failed the check; the shards keep serving the previous one');
      return 0;
    }
    const live = liveShardProcesses(manager);
    for (const proc of live) proc.kill('SIGHUP');
    log.info({ dataDir: config.dataDir, shards: live.length, quotes: checked.corpus.quotes.length }, 'reload: the corpus passed the check; every shard reloads it');
    return live.length;
  };

  if (options.handleSignals !== false) {
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGHUP', () => {
      log.info({ signal: 'SIGHUP' }, 'reload requested');
      reload();
    });
  }

  const batches = spawnBatches(shardIds, gateway.maxConcurrency);
  for (const [index, batch] of batches.entries()) {
    if (stopping) break;
    try {
      await Promise.all(batch.map((id) => manager.createShard(id).spawn(options.readyTimeoutMs ?? 30_000)));
    } catch (err) {
      if (stopping) break;
      const reason = err instanceof Error ? err.message : String(err);
      log.error({ err }, 'sharding: a shard did not start; stopping the others');
      await stop('SIGTERM');
      throw new StartError(`A shard did not start (${reason}); its own lines above say why.`);
    }
    if (index < batches.length - 1) await sleepUnlessStopping(options.batchDelayMs ?? 5_500, () => stopping !== undefined);
  }
  if (!stopping) log.info({ shards: total }, 'sharding: every shard is ready');
  return { manager, total, stop, reload };
}

/** Forwards `signal` to every live shard process and waits for all to exit; SIGKILL after `timeoutMs`. */
async function stopShards(manager: ShardingManager, signal: NodeJS.Signals, timeoutMs: number, log: Logger): Promise<number> {
  manager.respawn = false;
  const live = liveShardProcesses(manager);
  for (const proc of live) proc.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([Promise.all(live.map(exited)), timedOut]);
  clearTimeout(timer);
  if (outcome !== 'timeout') return 0;
  const stuck = live.filter((proc) => proc.exitCode === null && proc.signalCode === null);
  log.error({ pids: stuck.map((proc) => proc.pid), timeoutMs }, 'sharding: shards did not exit in time; killing them');
  for (const proc of stuck) proc.kill('SIGKILL');
  await Promise.all(stuck.map(exited));
  return 1;
}

function liveShardProcesses(manager: ShardingManager): ChildProcess[] {
  return [...manager.shards.values()]
    .map((shard) => shard.process)
    .filter((proc): proc is ChildProcess => proc !== null && proc.exitCode === null && proc.signalCode === null);
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return once(proc, 'exit').then(() => undefined);
}

/** Sleeps `ms`, waking early (checked every 100 ms) once `stopped()` is true. */
async function sleepUnlessStopping(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped() && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
  }
}
