/**
 * Which quote is "the voice" of a local date.
 *
 * Deterministic and the same for every server: a date picks the same quote
 * whichever guild asks, on whichever process, so two shards agree without
 * talking to each other.
 *
 * Days are counted from ROTATION_EPOCH and grouped into cycles of n days (n =
 * number of distinct quotes). Each cycle walks its own seeded shuffle of the
 * sorted ids, so within a cycle no quote repeats until all n have been shown.
 * The shuffle is Fisher–Yates driven by mulberry32, seeded by a hash of
 * `${seed}:${cycle}`.
 *
 * Changing the corpus (adding or removing a quote) changes n, and with it the
 * picks of future days. That is intended and harmless: a day already POSTED is
 * recorded in the database with its quote id (`daily_posts.quote_id`), so the
 * history of what servers saw never changes, and a retry of a failed day
 * reuses the recorded quote rather than asking the rotation again.
 *
 * The algorithm is a contract: changing the hash, the PRNG or the epoch
 * reshuffles every future day. A test pins known picks.
 */
import { daysBetween } from './time.js';

export const ROTATION_EPOCH = '2024-01-01';
export const DEFAULT_ROTATION_SEED = 'hidden-voices';

/** Days since ROTATION_EPOCH (negative before it). */
export function dayNumber(localDate: string): number {
  return daysBetween(ROTATION_EPOCH, localDate);
}

/** The quote for `localDate`. Throws when there are no quotes. */
export function voiceOfTheDay(quoteIds: readonly string[], localDate: string, seed = DEFAULT_ROTATION_SEED): string {
  return createRotation(quoteIds, seed).voiceOf(localDate);
}

export interface Rotation {
  /** Distinct quotes in the rotation; a cycle lasts this many days. */
  readonly size: number;
  voiceOf(localDate: string): string;
  /** The order in which cycle `cycle` shows every quote. */
  cycleOrder(cycle: number): readonly string[];
}

/**
 * A rotation over a fixed corpus that keeps the last cycle's order, so asking
 * for many dates (or many servers on one date) costs one shuffle per cycle,
 * not one per question.
 */
export function createRotation(quoteIds: readonly string[], seed = DEFAULT_ROTATION_SEED): Rotation {
  // Sorted by code unit, not localeCompare: the order must not depend on the host's locale.
  const ids = [...new Set(quoteIds)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = ids.length;
  if (n === 0) throw new RangeError('rotation: no quotes to choose from');

  const cache = new Map<number, readonly string[]>();
  const cycleOrder = (cycle: number): readonly string[] => {
    let order = cache.get(cycle);
    if (!order) {
      order = orderOfCycle(ids, seed, cycle);
      if (cache.size >= 4) cache.clear();
      cache.set(cycle, order);
    }
    return order;
  };

  return {
    size: n,
    cycleOrder,
    voiceOf(localDate: string): string {
      const day = dayNumber(localDate);
      const cycle = Math.floor(day / n);
      const position = day - cycle * n; // floor modulo: also right before the epoch
      const id = cycleOrder(cycle)[position];
      if (id === undefined) throw new Error(`rotation: no quote at position ${position} of cycle ${cycle}`);
      return id;
    },
  };
}

/**
 * The shuffle of one cycle. With three or more quotes, a cycle never opens
 * with the quote that closed the previous one (the two are swapped within the
 * cycle, so the cycle still holds every quote once): no quote two days running.
 * With two quotes that leaves only alternation, so every cycle uses the same order.
 */
function orderOfCycle(ids: readonly string[], seed: string, cycle: number): readonly string[] {
  const n = ids.length;
  // n = 2: the same order every cycle makes days alternate a, b, a, b.
  if (n <= 2) return ids;
  const order = shuffle(ids, `${seed}:${cycle}`);
  const previousLast = shuffle(ids, `${seed}:${cycle - 1}`)[n - 1];
  if (order[0] === previousLast) swap(order, 0, 1);
  return order;
}

function shuffle(ids: readonly string[], key: string): string[] {
  const order = [...ids];
  const random = mulberry32(hashString(key));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    swap(order, i, j);
  }
  return order;
}

function swap(items: string[], i: number, j: number): void {
  const a = items[i];
  const b = items[j];
  if (a === undefined || b === undefined) return;
  items[i] = b;
  items[j] = a;
}

/** FNV-1a (32-bit) over UTF-16 code units: small, stable, good enough to seed. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
