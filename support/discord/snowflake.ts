/** Discord ids (snowflakes) and the guild → shard routing rule. */

const DISCORD_EPOCH = 1420070400000n;
let snowflakeIncrement = 0n;

/**
 * A fresh Discord-style id (19 digits). discord.js' REST router only treats
 * 17–19 digit path segments as ids, so test ids must look real.
 */
export function snowflake(timestampMs: number = Date.now()): string {
  snowflakeIncrement = (snowflakeIncrement + 1n) & 0xfffn;
  return (((BigInt(timestampMs) - DISCORD_EPOCH) << 22n) | snowflakeIncrement).toString();
}

/** The shard Discord routes a guild to: `(guild_id >> 22) % shard_count`. */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** A guild id that lands on `shardId` out of `shardCount` shards. */
export function guildIdForShard(shardId: number, shardCount: number): string {
  const now = BigInt(Date.now()) - DISCORD_EPOCH;
  const offset = (BigInt(shardId) - (now % BigInt(shardCount)) + BigInt(shardCount)) % BigInt(shardCount);
  return snowflake(Number(now + offset + DISCORD_EPOCH));
}
