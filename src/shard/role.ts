/**
 * Which part a `npm start` process plays:
 * - `single`: SHARDS=1 (the default): one process, one gateway connection, every server;
 * - `manager`: SHARDS is a number above 1 or "auto", or SHARD_COUNT, SHARD_IDS or
 *   CLUSTERS is set: this process spawns the shard processes (src/shard/manager.ts)
 *   and connects to nothing itself;
 * - `shard`: a child spawned by the manager, running one shard or a cluster of
 *   several. discord.js' ShardingManager sets SHARDING_MANAGER, and SHARDS and
 *   SHARD_COUNT to this process's shard id (a JSON list of ids for a cluster) and
 *   the total; discord.js' Client reads those two from the environment by itself.
 */

export type ShardRole = 'single' | 'manager' | 'shard';

type Env = Record<string, string | undefined>;

export function shardRole(env: Env, hasParentChannel = typeof process.send === 'function'): ShardRole {
  if (env.SHARDING_MANAGER === 'true' && hasParentChannel) return 'shard';
  const set = (name: string) => (env[name]?.trim() ?? '') !== '';
  const shards = env.SHARDS?.trim();
  // Anything else than 1 goes to the manager, which validates the config (an
  // invalid SHARDS gets the same message and exit code as in a single process).
  const single = (shards === undefined || shards === '' || shards === '1') && !set('SHARD_COUNT') && !set('SHARD_IDS') && !set('CLUSTERS');
  return single ? 'single' : 'manager';
}

/**
 * The environment a shard validates as its config. In a shard SHARDS holds the
 * shard's own id (0 included) or its cluster's ids, not the operator's setting;
 * the manager has already validated that, SHARD_IDS and CLUSTERS: they are left
 * for discord.js' Client (SHARDS, SHARD_COUNT) and the manager alone.
 */
export function shardConfigEnv(env: Env): Env {
  const { SHARDS: _id, SHARD_COUNT: _count, SHARD_IDS: _ids, CLUSTERS: _clusters, CLUSTER: _cluster, ...rest } = env;
  return rest;
}

export interface ShardOfProcess {
  /** The shards this process runs: one, or a cluster's. */
  readonly ids: readonly number[];
  readonly count: number;
  /** The cluster's number on its machine (CLUSTER, set by the manager); undefined for one process per shard. */
  readonly cluster: number | undefined;
}

/** This process's shard ids and the total, as the manager passed them (SHARDS is `3` or `[0,1,2]`). */
export function shardOfEnv(env: Env): ShardOfProcess {
  const parsed: unknown = JSON.parse(env.SHARDS ?? 'null');
  const ids = (Array.isArray(parsed) ? parsed : [parsed]).map(Number);
  return { ids, count: Number(env.SHARD_COUNT), cluster: env.CLUSTER === undefined ? undefined : Number(env.CLUSTER) };
}
