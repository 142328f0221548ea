/**
 * IDENTIFY coordination across processes and machines.
 *
 * Discord lets a bot start `max_concurrency` gateway sessions per 5 seconds:
 * shard `id` belongs to bucket `id % max_concurrency`, and an IDENTIFY in a
 * bucket used less than 5 s before is answered with an Invalid Session
 * (opcode 9). discord.js' own throttler (@discordjs/ws' SimpleIdentifyThrottler)
 * remembers the buckets in memory, so it spaces the shards of one process only:
 * two clusters, two machines, or a shard respawned a second after it died would
 * each think the bucket free.
 *
 * The coordinator is plugged into discord.js' hook for that throttler (Client
 * option `ws.buildIdentifyThrottler`) and keeps the buckets in the database
 * every process shares: one row per bucket holding when it was last used
 * (IdentifySlots). Taking a bucket is one atomic statement — it succeeds only
 * if the last use is at least the spacing old — so two processes can never
 * both take it; the loser waits until the bucket frees and tries again.
 *
 * Times are the processes' own clocks (the clock passed in), so machines must
 * keep their clocks in step (NTP); the spacing is 5.5 s rather than 5 s to
 * absorb what NTP leaves. A last use stamped more than a spacing in the future
 * comes from a clock set wrong and is taken over rather than waited for.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Logger } from '../log.js';

/** Discord's window (5 s) and half a second for the difference between machines' clocks. */
export const IDENTIFY_SPACING_MS = 5_500;

export interface Bucket {
  /** `max_concurrency` as Discord announced it: buckets of another concurrency are other rows. */
  readonly concurrency: number;
  /** `shard id % concurrency`. */
  readonly bucket: number;
}

export type SlotAnswer =
  | { readonly taken: true }
  /** Used at `lastAt` by `holder`: free again at `lastAt + spacing`. */
  | { readonly taken: false; readonly lastAt: number; readonly holder: string };

/** Where the buckets' last uses are kept: the database every process of the bot shares. */
export interface IdentifySlots {
  /**
   * Records an IDENTIFY in `bucket` at `at` by `holder`, unless the bucket's last
   * use is less than `spacingMs` before `at` (and not more than `spacingMs` after
   * it): atomically, across every process using the same database.
   */
  take(bucket: Bucket, at: number, holder: string, spacingMs: number): Promise<SlotAnswer>;
}

/** @discordjs/ws' IIdentifyThrottler, the contract of discord.js' `ws.buildIdentifyThrottler`. */
export interface IdentifyThrottler {
  /** Resolves once `shardId` may identify; rejects if `signal` aborts (the shard closed meanwhile). */
  waitForIdentify(shardId: number, signal: AbortSignal): Promise<void>;
}

export interface CoordinatorOptions {
  readonly slots: IdentifySlots;
  /** `session_start_limit.max_concurrency` from GET /gateway/bot. */
  readonly maxConcurrency: number;
  /** Milliseconds since the epoch; every process and machine compares these. */
  readonly clock: () => number;
  /** Waits `ms`, rejecting when `signal` aborts. Default: a timer. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Who identifies, as the rows record it (host:pid). */
  readonly holder: string;
  readonly spacingMs?: number;
  readonly log?: Logger;
}

export class IdentifyCoordinator implements IdentifyThrottler {
  private readonly spacingMs: number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly concurrency: number;
  /** This process's own last IDENTIFY per bucket: the fallback while the database cannot be reached. */
  private readonly localLast = new Map<number, number>();

  constructor(private readonly options: CoordinatorOptions) {
    this.spacingMs = options.spacingMs ?? IDENTIFY_SPACING_MS;
    this.sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
    this.concurrency = Math.max(1, Math.floor(options.maxConcurrency));
  }

  bucketOf(shardId: number): number {
    return shardId % this.concurrency;
  }

  async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
    const { slots, clock, holder, log } = this.options;
    const bucket = { concurrency: this.concurrency, bucket: this.bucketOf(shardId) };
    for (;;) {
      signal.throwIfAborted();
      const now = clock();
      let answer: SlotAnswer;
      try {
        answer = await slots.take(bucket, now, `${holder} shard ${shardId}`, this.spacingMs);
      } catch (err) {
        // The database is unreachable: space this process's own IDENTIFYs as discord.js
        // would, rather than not start; other machines are not seen meanwhile.
        log?.warn({ err, shardId, bucket: bucket.bucket }, 'identify: the database could not be asked; spacing this process’s own IDENTIFYs only');
        await this.waitLocally(bucket.bucket, signal);
        return;
      }
      if (answer.taken) {
        this.localLast.set(bucket.bucket, now);
        log?.debug({ shardId, bucket: bucket.bucket, maxConcurrency: this.concurrency }, 'identify: bucket taken');
        return;
      }
      // take() treats a stamp more than a spacing ahead as a wrong clock, so this is at most two spacings.
      const waitMs = Math.min(2 * this.spacingMs, Math.max(0, answer.lastAt + this.spacingMs - now)) + 25;
      log?.info({ shardId, bucket: bucket.bucket, waitMs, lastBy: answer.holder }, 'identify: waiting for the bucket');
      await this.sleep(waitMs, signal);
    }
  }

  private async waitLocally(bucket: number, signal: AbortSignal): Promise<void> {
    const last = this.localLast.get(bucket);
    const now = this.options.clock();
    if (last !== undefined && now - last < this.spacingMs) await this.sleep(this.spacingMs - (now - last), signal);
    this.localLast.set(bucket, this.options.clock());
  }
}

/** What discord.js hands `ws.buildIdentifyThrottler`: @discordjs/ws' WebSocketManager, as far as it is used here. */
export interface GatewayInfoSource {
  fetchGatewayInformation(): Promise<{ readonly session_start_limit: { readonly max_concurrency: number } }>;
}

/** discord.js' `ws.buildIdentifyThrottler` option: a coordinator for the concurrency Discord announces. */
export function identifyThrottlerBuilder(options: Omit<CoordinatorOptions, 'maxConcurrency'>): (manager: GatewayInfoSource) => Promise<IdentifyCoordinator> {
  return async (manager) => {
    const info = await manager.fetchGatewayInformation();
    return new IdentifyCoordinator({ ...options, maxConcurrency: info.session_start_limit.max_concurrency });
  };
}
