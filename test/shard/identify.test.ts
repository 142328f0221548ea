/**
 * IDENTIFY coordination through the database, with a fake clock: two
 * coordinators on two connections to one SQLite file stand for two processes
 * (or machines); their sleeps advance the fake clock instead of waiting.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { openDatabase } from '../../src/db/database.js';
import { IDENTIFY_SPACING_MS, IdentifyCoordinator, identifyThrottlerBuilder, type IdentifySlots } from '../../src/shard/identify.js';
import { SqliteIdentifySlots } from '../../src/shard/sqlite-store.js';

const T0 = Date.parse('2026-03-10T12:00:00Z');

/** A fake clock shared by every coordinator of a test; sleeping advances it. */
function fakeTime() {
  const time = { now: T0, sleeps: [] as number[] };
  return {
    time,
    clock: () => time.now,
    sleep: async (ms: number, signal: AbortSignal) => {
      signal.throwIfAborted();
      time.sleeps.push(ms);
      time.now += ms;
    },
  };
}

/** Two connections to one file: what two processes (or two machines on one database) share. */
function twoConnections(t: TestContext) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-identify-'));
  const file = path.join(dir, 'bot.db');
  const a = openDatabase(file);
  const b = openDatabase(file);
  t.after(() => {
    a.close();
    b.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { a: new SqliteIdentifySlots(a), b: new SqliteIdentifySlots(b), db: a };
}

const never = new AbortController().signal;

describe('IdentifyCoordinator', () => {
  it('spaces IDENTIFYs of one bucket across two processes by the spacing, and lets other buckets go at once', async (t) => {
    const { a, b } = twoConnections(t);
    const { time, clock, sleep } = fakeTime();
    const granted: { who: string; shard: number; at: number }[] = [];
    const machine = (who: string, slots: IdentifySlots) => {
      const coordinator = new IdentifyCoordinator({ slots, maxConcurrency: 2, clock, sleep, holder: who });
      return async (shard: number) => {
        await coordinator.waitForIdentify(shard, never);
        granted.push({ who, shard, at: time.now });
      };
    };
    const one = machine('one', a);
    const two = machine('two', b);
    // Machine one runs shards 0 and 1, machine two 2 and 3: buckets 0 and 1 on each.
    await one(0);
    await one(1);
    time.now += 1000;
    await two(2); // bucket 0, used 1 s ago: waits for the rest of the spacing
    await two(3); // bucket 1: its last use is now older than the spacing
    assert.deepEqual(
      granted.map((g) => [g.who, g.shard, g.at - T0]),
      [
        ['one', 0, 0],
        ['one', 1, 0],
        ['two', 2, IDENTIFY_SPACING_MS + 25],
        ['two', 3, IDENTIFY_SPACING_MS + 25],
      ],
    );
    assert.deepEqual(time.sleeps, [IDENTIFY_SPACING_MS - 1000 + 25]);
    // Each bucket's uses are at least the spacing apart, whoever made them.
    for (const bucket of [0, 1]) {
      const times = granted.filter((g) => g.shard % 2 === bucket).map((g) => g.at);
      for (let i = 1; i < times.length; i += 1) assert.ok((times[i] as number) - (times[i - 1] as number) >= IDENTIFY_SPACING_MS);
    }
  });

  it('a respawned process waits for the bucket its predecessor used a moment ago', async (t) => {
    const { a, b } = twoConnections(t);
    const { time, clock, sleep } = fakeTime();
    await new IdentifyCoordinator({ slots: a, maxConcurrency: 1, clock, sleep, holder: 'first' }).waitForIdentify(5, never);
    time.now += 2000;
    const log: Record<string, unknown>[] = [];
    const logger = { info: (o: Record<string, unknown>) => log.push(o), debug: () => undefined, warn: () => undefined };
    await new IdentifyCoordinator({ slots: b, maxConcurrency: 1, clock, sleep, holder: 'second', log: logger as never }).waitForIdentify(5, never);
    assert.equal(time.now - T0, IDENTIFY_SPACING_MS + 25);
    assert.equal(log[0]?.lastBy, 'first shard 5', 'the wait names who used the bucket');
    assert.equal(log[0]?.bucket, 0);
  });

  it('waits as long as it must and no longer when several wait for one bucket', async (t) => {
    const { a, b } = twoConnections(t);
    const { time, clock, sleep } = fakeTime();
    const coordinators = [a, b, a].map((slots, i) => new IdentifyCoordinator({ slots, maxConcurrency: 1, clock, sleep, holder: `p${i}` }));
    const at: number[] = [];
    for (const [i, c] of coordinators.entries()) {
      await c.waitForIdentify(i, never);
      at.push(time.now - T0);
    }
    assert.deepEqual(at, [0, IDENTIFY_SPACING_MS + 25, 2 * (IDENTIFY_SPACING_MS + 25)]);
  });

  it('buckets of another max_concurrency are other rows', async (t) => {
    const { a } = twoConnections(t);
    const { time, clock, sleep } = fakeTime();
    await new IdentifyCoordinator({ slots: a, maxConcurrency: 1, clock, sleep, holder: 'x' }).waitForIdentify(0, never);
    await new IdentifyCoordinator({ slots: a, maxConcurrency: 16, clock, sleep, holder: 'y' }).waitForIdentify(0, never);
    assert.equal(time.now, T0);
  });

  it('a last use stamped far in the future (a clock set wrong) is taken over, not waited for', async (t) => {
    const { a, b } = twoConnections(t);
    const { time, clock, sleep } = fakeTime();
    const ahead = () => time.now + 3_600_000;
    await new IdentifyCoordinator({ slots: a, maxConcurrency: 1, clock: ahead, sleep, holder: 'wrong clock' }).waitForIdentify(0, never);
    await new IdentifyCoordinator({ slots: b, maxConcurrency: 1, clock, sleep, holder: 'right clock' }).waitForIdentify(0, never);
    assert.equal(time.now, T0);
    // A little ahead (within a spacing: NTP's leftovers) is waited for.
    time.now += 10_000;
    const slightly = () => time.now + 2000;
    await new IdentifyCoordinator({ slots: a, maxConcurrency: 1, clock: slightly, sleep, holder: 'fast' }).waitForIdentify(0, never);
    const before = time.now;
    await new IdentifyCoordinator({ slots: b, maxConcurrency: 1, clock, sleep, holder: 'slow' }).waitForIdentify(0, never);
    assert.equal(time.now - before, 2000 + IDENTIFY_SPACING_MS + 25);
  });

  it('an aborted wait rejects and uses no bucket', async (t) => {
    const { a, b } = twoConnections(t);
    const { time, clock } = fakeTime();
    await new IdentifyCoordinator({ slots: a, maxConcurrency: 1, clock, holder: 'p', sleep: async () => undefined }).waitForIdentify(0, never);
    const controller = new AbortController();
    const waiting = new IdentifyCoordinator({
      slots: b,
      maxConcurrency: 1,
      clock,
      holder: 'q',
      sleep: async (_ms, signal) => {
        controller.abort();
        signal.throwIfAborted();
      },
    }).waitForIdentify(0, controller.signal);
    await assert.rejects(waiting, { name: 'AbortError' });
    time.now += IDENTIFY_SPACING_MS;
    const answer = await b.take({ concurrency: 1, bucket: 0 }, time.now, 'r', IDENTIFY_SPACING_MS);
    assert.deepEqual(answer, { taken: true }, 'the bucket was last used by p, not by the aborted q');
  });

  it('without its database it still spaces this process’s own IDENTIFYs, and says so', async () => {
    const { time, clock, sleep } = fakeTime();
    const broken: IdentifySlots = { take: () => Promise.reject(new Error('SQLITE_BUSY: database is locked')) };
    const warnings: unknown[] = [];
    const log = { warn: (o: unknown, m: string) => warnings.push([o, m]), info: () => undefined, debug: () => undefined };
    const c = new IdentifyCoordinator({ slots: broken, maxConcurrency: 2, clock, sleep, holder: 'p', log: log as never });
    await c.waitForIdentify(0, never);
    await c.waitForIdentify(1, never);
    assert.equal(time.now, T0, 'two buckets: no wait');
    await c.waitForIdentify(2, never);
    assert.equal(time.now - T0, IDENTIFY_SPACING_MS, 'bucket 0 again: one spacing');
    assert.equal(warnings.length, 3);
  });

  it('is built for the max_concurrency GET /gateway/bot announces, as discord.js asks', async (t) => {
    const { a } = twoConnections(t);
    const { clock, sleep } = fakeTime();
    const build = identifyThrottlerBuilder({ slots: a, clock, sleep, holder: 'p' });
    const coordinator = await build({ fetchGatewayInformation: async () => ({ session_start_limit: { max_concurrency: 4 } }) });
    assert.equal(coordinator.bucketOf(6), 2);
  });
});
