/**
 * Which shards this machine runs, and in how many processes: SHARDS,
 * SHARD_COUNT, SHARD_IDS and CLUSTERS read together, checked at start with
 * one line per mistake (exit 2, like every config error), before anything
 * connects.
 *
 * - `SHARDS=16`: all 16 shards here, one process each (discord.js'
 *   ShardingManager, as before).
 * - `SHARDS=16 CLUSTERS=2`: all 16 here, in 2 processes of 8 shards each
 *   (one discord.js Client per process runs several gateway connections,
 *   with one corpus and one search index between them).
 * - `SHARD_COUNT=16 SHARD_IDS=0-7` on one machine, `8-15` on the other: each
 *   runs its own range out of one total. Every machine must be given the same
 *   total: Discord routes a server to `(guild_id >> 22) % total`.
 *
 * Pure: no environment, no Discord, no clock.
 */
import { ConfigError, type Config } from '../config.js';

export interface ShardSettings {
  /** The total across every machine, or Discord's recommendation (known only after GET /gateway/bot). */
  readonly total: number | 'auto';
  /** This machine's shards, ascending; undefined: all of the total. */
  readonly ids: readonly number[] | undefined;
  /** Processes to run them in, several shards each; undefined: one process per shard. */
  readonly clusters: number | undefined;
}

export interface ShardPlan {
  readonly total: number;
  /** This machine's shards, ascending. */
  readonly ids: readonly number[];
  /** 'clusters': several shards per process; 'processes': one process per shard. */
  readonly mode: 'processes' | 'clusters';
  /** One entry per process, its shards (ascending, contiguous runs of `ids`). */
  readonly processes: readonly (readonly number[])[];
}

function invalid(detail: string): ConfigError {
  return new ConfigError(`invalid environment — ${detail} (see .env.example)`);
}

/** The settings as far as they can be checked without asking Discord: a ConfigError names the first mistake. */
export function shardSettings(config: Pick<Config, 'shards' | 'shardsSet' | 'shardCount' | 'shardIds' | 'clusters'>): ShardSettings {
  if (config.shardCount !== undefined && config.shardsSet && config.shards !== config.shardCount) {
    throw invalid(`SHARDS=${config.shards} and SHARD_COUNT=${config.shardCount} disagree: set SHARD_COUNT alone (the total across every machine) with SHARD_IDS, or SHARDS alone`);
  }
  const total = config.shardCount ?? config.shards;
  let ids: number[] | undefined;
  if (config.shardIds !== undefined) {
    if (total === 'auto') {
      throw invalid('SHARD_IDS needs a fixed total, the same on every machine: set SHARD_COUNT to a number instead of SHARDS=auto (Discord’s recommendation can change between two machines’ starts)');
    }
    if (config.shardCount === undefined && !config.shardsSet) {
      throw invalid(`SHARD_IDS=${config.shardIds} needs SHARD_COUNT, the total of shards across every machine (such as SHARD_COUNT=16 with SHARD_IDS=0-7 here and 8-15 on the other)`);
    }
    ids = parseShardIds(config.shardIds, total);
  }
  if (config.clusters !== undefined && total !== 'auto') {
    const local = ids?.length ?? total;
    if (config.clusters > local) {
      throw invalid(`CLUSTERS=${config.clusters} is more than the ${local} shard(s) this machine runs${ids ? ` (SHARD_IDS=${config.shardIds})` : ''}: each cluster process needs at least one shard`);
    }
  }
  return { total, ids, clusters: config.clusters };
}

/** SHARD_IDS (`0-7`, `0,2,4-6`) as ascending ids within `total`, or a ConfigError naming the offending part. */
export function parseShardIds(text: string, total: number): number[] {
  const seen = new Set<number>();
  for (const part of text.split(',')) {
    const [from, to = from] = part.split('-').map(Number) as [number, number?];
    if (to < from) throw invalid(`SHARD_IDS: ${part} runs backwards (write ${to}-${from})`);
    if (to >= total) {
      throw invalid(`SHARD_IDS: shard ${to} is out of range: with a total of ${total} (SHARD_COUNT) shards are numbered 0–${total - 1}`);
    }
    for (let id = from; id <= to; id += 1) {
      if (seen.has(id)) throw invalid(`SHARD_IDS: shard ${id} is listed twice (${text}): ranges must not overlap`);
      seen.add(id);
    }
  }
  return [...seen].sort((a, b) => a - b);
}

/** The plan once the total is known (`recommended`: Discord's count, for SHARDS=auto). */
export function planShards(settings: ShardSettings, recommended: number): ShardPlan {
  const total = settings.total === 'auto' ? recommended : settings.total;
  const ids = settings.ids ?? [...Array(total).keys()];
  if (settings.clusters === undefined) return { total, ids, mode: 'processes', processes: ids.map((id) => [id]) };
  if (settings.clusters > ids.length) {
    // Only reachable with SHARDS=auto: the static check covered a fixed total.
    throw invalid(`CLUSTERS=${settings.clusters} is more than the ${ids.length} shard(s) Discord recommends (SHARDS=auto): each cluster process needs at least one shard`);
  }
  return { total, ids, mode: 'clusters', processes: splitClusters(ids, settings.clusters) };
}

/** `ids` in `clusters` contiguous groups whose sizes differ by at most one, the larger first. */
export function splitClusters(ids: readonly number[], clusters: number): number[][] {
  const base = Math.floor(ids.length / clusters);
  const extra = ids.length % clusters;
  const groups: number[][] = [];
  let at = 0;
  for (let i = 0; i < clusters; i += 1) {
    const size = base + (i < extra ? 1 : 0);
    groups.push(ids.slice(at, at + size));
    at += size;
  }
  return groups;
}

/** Ids as ranges, for log lines: [0,1,2,5] → "0-2,5". */
export function formatShardIds(ids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === (ids[j] as number) + 1) j += 1;
    parts.push(i === j ? String(ids[i]) : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
