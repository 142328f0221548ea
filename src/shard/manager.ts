/**
 * `npm start` with SHARDS above 1 or "auto", or SHARD_COUNT, SHARD_IDS or
 * CLUSTERS set: the sharding manager. It connects to no gateway itself; it
 * asks Discord (on the configured API base) how many shards to run, then
 * spawns the shard processes with discord.js' ShardingManager
 * (`mode: 'process'`), each running the ordinary bot entry (src/main.ts):
 * - one process per shard (the default): discord.js passes SHARDS (the
 *   shard's id) and SHARD_COUNT through the environment and the child's Client
 *   picks them up;
 * - CLUSTERS: one process per cluster of shards. Each of the manager's
 *   "shards" is then a cluster, whose environment carries SHARDS as the JSON
 *   list of its shard ids (discord.js' Client parses SHARDS as JSON and runs
 *   one gateway connection per id, in one process) and CLUSTER, its number.
 * This machine's shards are all of the total, or SHARD_IDS (src/shard/plan.ts).
 *
 * What the manager adds to discord.js:
 * - "auto" honours DISCORD_API_BASE: discord.js' own `fetchRecommendedShardCount`
 *   always asks https://discord.com/api, so the manager fetches `/gateway/bot`
 *   itself on `DISCORD_API_BASE` (src/discord-check.ts) and passes the
 *   number on. The same request checks the token before any child is spawned,
 *   with the single-process bot's message when Discord refuses it.
 * - One process per shard: shards start in batches of Discord's
 *   `max_concurrency`, 5.5 s apart (the IDENTIFY rate limit), instead of
 *   discord.js' fixed 5.5 s between every shard. Clusters all start at once:
 *   their IDENTIFYs are spaced per bucket through the database
 *   (src/shard/identify.ts), which also covers other machines and respawns.
 * - Signals: SIGINT/SIGTERM are forwarded to every process; the manager exits 0
 *   once they have all exited (1 if one had to be killed after `stopTimeoutMs`).
 *   SIGHUP (reload `data/`) is checked here first, so a broken corpus is logged
 *   once, problem by problem, and reaches no shard; a good one is forwarded to
 *   every shard process that is ready (one still starting gets it once ready:
 *   before its handler is installed the signal would kill it), each of which
 *   checks it again and swaps it in.
 * - A dead process is respawned by discord.js (`respawn: true`); one dying
 *   over and over (a crash loop would burn Discord's 1,000 IDENTIFYs a day) stops
 *   the manager with exit 1 instead, for systemd's restart policy to take over.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ShardingManager, type Shard } from 'discord.js';
import { ConfigError, type Config } from '../config.js';
import { formatProblem, loadCorpus } from '../corpus/load.js';
import { checkDiscord, type GatewayInfo } from '../discord-check.js';
import { createLogger, type Logger } from '../log.js';
import { StartError } from '../start-error.js';
import { HangupRelay } from './hangup.js';
import { IDENTIFY_SPACING_MS } from './identify.js';
import { formatShardIds, planShards, shardSettings, type ShardPlan } from './plan.js';


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
  /** Wait for each shard of a batch to be ready. Default 30 s, as discord.js; a cluster gets 5.5 s more per IDENTIFY that may queue before its last. */
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
  readonly plan: ShardPlan;
  /** Forwards `signal` to every shard, waits for them; resolves to the exit code (0, or 1 if one was killed). */
  stop(signal?: NodeJS.Signals): Promise<number>;
  /** Checks DATA_DIR; if it passes, tells every shard to reload it (SIGHUP; one still starting once it is ready). The number of shards told or to be told. */
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

  const settings = toStartError(() => shardSettings(config));
  const gateway = await fetchGatewayInfo(config.apiBase, token);
  const plan = toStartError(() => planShards(settings, gateway.shards));
  const { total } = plan;
  const local = plan.ids.length === total ? `${total} shard(s)` : `shards ${formatShardIds(plan.ids)} of ${total}`;
  const how = plan.mode === 'clusters' ? `in ${plan.processes.length} cluster process(es)` : 'one process each';
  log.info(
    {
      shards: total,
      shardIds: formatShardIds(plan.ids),
      clusters: plan.mode === 'clusters' ? plan.processes.map(formatShardIds) : undefined,
      setting: config.shardCount ?? config.shards,
      recommended: gateway.shards,
      maxConcurrency: gateway.maxConcurrency,
    },
    `sharding: ${local}, ${how}`,
  );
  if (total < gateway.shards) {
    log.warn({ shards: total, recommended: gateway.shards }, 'sharding: fewer shards than Discord recommends');
  }

  // One process per shard: the manager's shard ids are the shards. Clusters: they are the clusters' numbers.
  const processIds = plan.mode === 'clusters' ? [...plan.processes.keys()] : [...plan.ids];
  const manager = new ShardingManager(options.entry, {
    totalShards: total,
    shardList: processIds,
    mode: 'process',
    respawn: true,
    token,
    execArgv: shardExecArgv(options.entry, options.execArgv),
  });
  const label = (id: number) => (plan.mode === 'clusters' ? { cluster: id, shardIds: plan.processes[id] } : { shardId: id });

  let stopping: Promise<number> | undefined;
  const crashLimit = options.crashLimit ?? 5;
  const crashWindowMs = options.crashWindowMs ?? 10 * 60_000;
  const deaths = new Map<number, number[]>();
  // SIGHUP only to processes whose handler is installed: one still starting would die of it (src/shard/hangup.ts).
  const hangups = new HangupRelay<Shard>();

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
    if (plan.mode === 'clusters') {
      // The cluster's shards, replacing discord.js' single id (the Client parses SHARDS as JSON); kept for respawns.
      Object.assign(shard.env as Record<string, unknown>, { SHARDS: JSON.stringify(plan.processes[id]), CLUSTER: String(id) });
    }
    // discord.js reports 'ready' per gateway shard of the process: a cluster is ready when all of its shards are.
    let readyShards = 0;
    const size = plan.mode === 'clusters' ? (plan.processes[id]?.length ?? 1) : 1;
    shard.on('spawn', (child) => {
      readyShards = 0;
      hangups.spawned(shard);
      log.info({ ...label(id), pid: (child as ChildProcess).pid }, 'sharding: shard process started');
    });
    shard.on('ready', () => {
      readyShards += 1;
      hangups.readied(shard);
      if (plan.mode !== 'clusters') log.info(label(id), 'sharding: shard ready');
      else if (readyShards === size) log.info(label(id), 'sharding: cluster ready');
      else if (readyShards < size) log.debug({ ...label(id), readyShards }, 'sharding: a shard of the cluster is ready');
    });
    // A shard closing its gateway while stopping reports a disconnect or reconnect too: not news then.
    shard.on('disconnect', () => (stopping ? undefined : log.warn(label(id), 'sharding: shard disconnected')));
    shard.on('reconnecting', () => (stopping ? undefined : log.info(label(id), 'sharding: shard reconnecting')));
    shard.on('resume', () => log.info(label(id), 'sharding: shard resumed'));
    // A respawn that fails (the new process died before ready) is reported here, not thrown.
    shard.on('error', (err) => log.error({ ...label(id), err }, 'sharding: shard error'));
    shard.on('death', (child) => {
      hangups.died(shard);
      const proc = child as ChildProcess;
      const how = { ...label(id), pid: proc.pid, exitCode: proc.exitCode, signal: proc.signalCode };
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
    const { told, waiting } = hangups.reload(manager.shards.values());
    log.info({ dataDir: config.dataDir, shards: told, starting: waiting, quotes: checked.corpus.quotes.length }, 'reload: the corpus passed the check; every shard reloads it');
    return told + waiting;
  };

  if (options.handleSignals !== false) {
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGHUP', () => {
      log.info({ signal: 'SIGHUP' }, 'reload requested');
      reload();
    });
  }

  // Clusters: all at once, the database spacing their IDENTIFYs. A cluster is ready when its last shard is,
  // after every IDENTIFY that may queue before it in its buckets (this machine's and others').
  const batches = plan.mode === 'clusters' ? [processIds] : spawnBatches(processIds, gateway.maxConcurrency);
  const readyTimeoutMs =
    (options.readyTimeoutMs ?? 30_000) + (plan.mode === 'clusters' ? IDENTIFY_SPACING_MS * Math.ceil(total / gateway.maxConcurrency) : 0);
  for (const [index, batch] of batches.entries()) {
    if (stopping) break;
    try {
      await Promise.all(
        batch.map((id) => {
          const shard = manager.createShard(id);
          return plan.mode === 'clusters' ? spawnCluster(shard, plan.processes[id]?.length ?? 1, readyTimeoutMs) : shard.spawn(readyTimeoutMs);
        }),
      );
    } catch (err) {
      if (stopping) break;
      const reason = err instanceof Error ? err.message : String(err);
      log.error({ err }, 'sharding: a shard did not start; stopping the others');
      await stop('SIGTERM');
      throw new StartError(`A shard did not start (${reason}); its own lines above say why.`);
    }
    if (index < batches.length - 1) await sleepUnlessStopping(options.batchDelayMs ?? 5_500, () => stopping !== undefined);
  }
  if (!stopping) log.info({ shards: total, shardIds: formatShardIds(plan.ids) }, 'sharding: every shard is ready');
  return { manager, total, plan, stop, reload };
}

/**
 * Spawns a cluster's process and resolves once `size` shards of it are ready
 * (discord.js' own spawn() resolves at the first); rejects if the process dies
 * first or `timeoutMs` passes, as spawn() does for one shard.
 */
async function spawnCluster(shard: Shard, size: number, timeoutMs: number): Promise<void> {
  let ready = 0;
  let settle: { resolve: () => void; reject: (err: Error) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const onReady = () => {
    ready += 1;
    if (ready >= size) settle?.resolve();
  };
  const onDeath = () => settle?.reject(new Error(`the process of cluster ${shard.id} died before its shards were ready`));
  const timer = setTimeout(() => settle?.reject(new Error(`its shards were not all ready within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  shard.on('ready', onReady);
  shard.on('death', onDeath);
  try {
    await shard.spawn(Infinity);
    await done;
  } finally {
    clearTimeout(timer);
    shard.off('ready', onReady);
    shard.off('death', onDeath);
  }
}

/** A mistake in the shard settings as the start's one line, exit 2 like every config error. */
function toStartError<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof ConfigError) throw new StartError(err.message, 2);
    throw err;
  }
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
