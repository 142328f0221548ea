/**
 * The shard side: a child process the manager spawned, running the ordinary
 * bot (startBot) for one shard or a cluster of several. discord.js' Client
 * takes its shard ids and the total from SHARDS and SHARD_COUNT in the
 * environment; the daily scheduler then only sees this process's servers (its
 * guildFilter is the client's guild cache), and claims in the shared database
 * keep posts single.
 */
import { parseConfig } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { shardConfigEnv, shardOfEnv, type ShardOfProcess } from './role.js';

type Env = Record<string, string | undefined>;

export interface ShardStart {
  /** The environment to validate as config (without the shard id in SHARDS). */
  readonly env: Env;
  /** A logger whose lines carry `shardId` (a cluster's: `cluster` and `shardIds`); absent when the config is invalid (startBot then says why). */
  readonly log: Logger | undefined;
  readonly shard: ShardOfProcess;
}

export function shardStart(env: Env): ShardStart {
  const configEnv = shardConfigEnv(env);
  const shard = shardOfEnv(env);
  let log: Logger | undefined;
  try {
    const fields = shard.cluster === undefined ? { shardId: shard.ids[0] } : { cluster: shard.cluster, shardIds: shard.ids };
    log = createLogger(parseConfig(configEnv)).child(fields);
  } catch {
    log = undefined;
  }
  return { env: configEnv, log, shard };
}

/**
 * Stop when the manager is gone (its IPC channel closed: it crashed or was
 * killed), so no shard outlives it and keeps a gateway session nobody manages.
 */
export function stopWhenManagerGone(stop: (reason: string) => void): void {
  process.once('disconnect', () => stop('manager gone'));
}
