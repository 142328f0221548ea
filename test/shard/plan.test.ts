/** SHARDS, SHARD_COUNT, SHARD_IDS and CLUSTERS read together (src/shard/plan.ts), from the environment as at start. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config.js';
import { formatShardIds, planShards, shardSettings, splitClusters } from '../../src/shard/plan.js';
import { shardConfigEnv, shardOfEnv, shardRole } from '../../src/shard/role.js';

const plan = (env: Record<string, string>, recommended = 3) => planShards(shardSettings(parseConfig(env)), recommended);

function refusal(env: Record<string, string>, recommended = 3): string {
  try {
    plan(env, recommended);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.doesNotMatch(err.message, /\n/, 'one line');
    return err.message;
  }
  return assert.fail('accepted');
}

test('one process per shard, clusters, and one machine’s range out of a total', () => {
  assert.deepEqual(plan({ SHARDS: '4' }), { total: 4, ids: [0, 1, 2, 3], mode: 'processes', processes: [[0], [1], [2], [3]] });
  assert.deepEqual(plan({ SHARDS: 'auto' }, 2).processes, [[0], [1]]);
  assert.deepEqual(plan({ SHARDS: '16', CLUSTERS: '2' }).processes, [
    [0, 1, 2, 3, 4, 5, 6, 7],
    [8, 9, 10, 11, 12, 13, 14, 15],
  ]);
  assert.deepEqual(plan({ SHARD_COUNT: '16', SHARD_IDS: '8-15' }), {
    total: 16,
    ids: [8, 9, 10, 11, 12, 13, 14, 15],
    mode: 'processes',
    processes: [[8], [9], [10], [11], [12], [13], [14], [15]],
  });
  assert.deepEqual(plan({ SHARD_COUNT: '16', SHARD_IDS: '8-15', CLUSTERS: '1' }).processes, [[8, 9, 10, 11, 12, 13, 14, 15]]);
  assert.deepEqual(plan({ SHARDS: '16', SHARD_COUNT: '16', SHARD_IDS: ' 0, 2, 4-5 ', CLUSTERS: '3' }).processes, [[0, 2], [4], [5]]);
  assert.deepEqual(plan({ SHARDS: '8', SHARD_IDS: '6-7' }).ids, [6, 7], 'SHARDS gives the total too');
  assert.deepEqual(plan({ SHARDS: 'auto', CLUSTERS: '2' }, 5).processes, [[0, 1, 2], [3, 4]]);
});

test('bad settings: one line naming the setting and what to do, before anything connects', () => {
  assert.match(refusal({ SHARD_COUNT: '16', SHARD_IDS: '0-7,5-9' }), /SHARD_IDS: shard 5 is listed twice \(0-7,5-9\): ranges must not overlap/);
  assert.match(refusal({ SHARD_COUNT: '16', SHARD_IDS: '8-16' }), /SHARD_IDS: shard 16 is out of range: with a total of 16 \(SHARD_COUNT\) shards are numbered 0–15/);
  assert.match(refusal({ SHARD_COUNT: '16', SHARD_IDS: '7-0' }), /SHARD_IDS: 7-0 runs backwards/);
  assert.match(refusal({ SHARD_IDS: '0-7' }), /SHARD_IDS=0-7 needs SHARD_COUNT, the total of shards across every machine/);
  assert.match(refusal({ SHARDS: 'auto', SHARD_IDS: '0-7' }), /SHARD_IDS needs a fixed total/);
  assert.match(refusal({ SHARDS: '8', SHARD_COUNT: '16' }), /SHARDS=8 and SHARD_COUNT=16 disagree/);
  assert.match(refusal({ SHARDS: '2', CLUSTERS: '3' }), /CLUSTERS=3 is more than the 2 shard\(s\) this machine runs: each cluster process needs at least one shard/);
  assert.match(refusal({ SHARD_COUNT: '16', SHARD_IDS: '0-1', CLUSTERS: '3' }), /CLUSTERS=3 is more than the 2 shard\(s\) this machine runs \(SHARD_IDS=0-1\)/);
  assert.match(refusal({ SHARDS: 'auto', CLUSTERS: '4' }, 2), /CLUSTERS=4 is more than the 2 shard\(s\) Discord recommends/);
  for (const message of [refusal({ SHARD_IDS: '0-7' }), refusal({ SHARDS: '2', CLUSTERS: '3' })]) assert.match(message, /^config: invalid environment — .* \(see \.env\.example\)$/);
  // Shapes are checked with every other variable.
  assert.throws(() => parseConfig({ SHARD_IDS: 'zero', CLUSTERS: '0', SHARD_COUNT: '-1' }), (err: unknown) => {
    const m = (err as Error).message;
    return /SHARD_IDS: must list shard ids and ranges/.test(m) && /CLUSTERS: must be a positive number/.test(m) && /SHARD_COUNT: must be a positive number/.test(m);
  });
});

test('which part a process plays; what a cluster process reads', () => {
  assert.equal(shardRole({}), 'single');
  assert.equal(shardRole({ SHARDS: '1', SHARD_IDS: ' ' }), 'single');
  assert.equal(shardRole({ SHARD_COUNT: '16', SHARD_IDS: '0-7' }), 'manager');
  assert.equal(shardRole({ CLUSTERS: '2' }), 'manager', 'even alone: the manager says what is missing');
  assert.equal(shardRole({ SHARDING_MANAGER: 'true', SHARDS: '[0,1]', CLUSTERS: '2' }, true), 'shard');
  assert.deepEqual(shardOfEnv({ SHARDS: '[8,9,10]', SHARD_COUNT: '16', CLUSTER: '1' }), { ids: [8, 9, 10], count: 16, cluster: 1 });
  assert.deepEqual(shardOfEnv({ SHARDS: '3', SHARD_COUNT: '4' }), { ids: [3], count: 4, cluster: undefined });
  assert.deepEqual(shardConfigEnv({ SHARDS: '[0]', SHARD_COUNT: '2', SHARD_IDS: '0', CLUSTERS: '1', CLUSTER: '0', LOG_LEVEL: 'info' }), { LOG_LEVEL: 'info' });
  assert.deepEqual(splitClusters([0, 1, 2, 3, 4, 5, 6], 3), [[0, 1, 2], [3, 4], [5, 6]]);
  assert.equal(formatShardIds([0, 1, 2, 5, 7, 8]), '0-2,5,7-8');
});
