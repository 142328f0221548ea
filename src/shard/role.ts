/**
 * Which part a `npm start` process plays:
 * - `single`: SHARDS=1 (the default): one process, one gateway connection, every server;
 * - `manager`: SHARDS is a number above 1 or "auto": this process spawns one child
 *   process per shard (src/shard/manager.ts) and connects to nothing itself;
 * - `shard`: a child spawned by the manager. discord.js' ShardingManager sets
 *   SHARDING_MANAGER, and sets SHARDS and SHARD_COUNT to this shard's id and the
 *   total; discord.js' Client reads those two from the environment by itself.
 */

export type ShardRole = 'single' | 'manager' | 'shard';

type Env = Record<string, string | undefined>;

export function shardRole(env: Env, hasParentChannel = typeof process.send === 'function'): ShardRole {
  if (env.SHARDING_MANAGER === 'true' && hasParentChannel) return 'shard';
  const shards = env.SHARDS?.trim();
  // Anything else than 1 goes to the manager, which validates the config (an
  // invalid SHARDS gets the same message and exit code as in a single process).
  return shards === undefined || shards === '' || shards === '1' ? 'single' : 'manager';
}

/**
 * The environment a shard validates as its config. In a shard SHARDS holds the
 * shard's own id (0 included), not the operator's setting, which the manager
 * has already validated: it is left for discord.js' Client alone.
 */
export function shardConfigEnv(env: Env): Env {
  const { SHARDS: _id, SHARD_COUNT: _count, ...rest } = env;
  return rest;
}

/** This shard's id and the total, as the manager passed them. */
export function shardOfEnv(env: Env): { readonly id: number; readonly count: number } {
  return { id: Number(env.SHARDS), count: Number(env.SHARD_COUNT) };
}
