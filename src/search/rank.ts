/**
 * Ordering search results: best score first, ties by document number (which
 * the engine assigns in quote-id order, so ties break by quote id).
 *
 * A comparator sort of tens of thousands of results costs tens of
 * milliseconds. This is a stable radix sort on the high 32 bits of each
 * score's IEEE-754 form (for non-negative doubles, bit order is numeric
 * order), in two 16-bit passes; the rare runs whose high bits agree but whose
 * scores differ are then put in order by an insertion pass. Small inputs use
 * a comparator sort.
 */

/** Index of the high 32-bit word of a float64 viewed as two Uint32s (platform byte order). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

const SMALL = 512;
/** Radix histogram, allocated on the first large sort. */
let counts: Uint32Array | undefined;

/** Working arrays for `sortByScore`, kept between calls (no allocation per search). */
export class SortScratch {
  values = new Float64Array(0);
  keys = new Uint32Array(0);
  order = new Int32Array(0);
  next = new Int32Array(0);

  reserve(count: number): void {
    if (this.order.length >= count) return;
    const size = Math.max(count, this.order.length * 2);
    this.values = new Float64Array(size);
    this.keys = new Uint32Array(size);
    this.order = new Int32Array(size);
    this.next = new Int32Array(size);
  }
}

const shared = new SortScratch();

/**
 * Sorts `docs[0..count)` in place by `score[doc]` descending, then doc
 * ascending. Scores must be non-negative and not NaN; `docs[0..count)` must be
 * in ascending order on entry when `count` exceeds a few hundred.
 */
export function sortByScore(docs: Int32Array, count: number, score: Float64Array, scratch: SortScratch = shared): void {
  if (count < 2) return;
  if (count <= SMALL) {
    const items = Array.from(docs.subarray(0, count));
    items.sort((a, b) => (score[b] as number) - (score[a] as number) || a - b);
    docs.set(items);
    return;
  }
  scratch.reserve(count);
  counts ??= new Uint32Array(65536);
  const { values, keys } = scratch;
  for (let i = 0; i < count; i++) values[i] = score[docs[i] as number] as number;
  const halves = new Uint32Array(values.buffer, 0, 2 * count);
  // Inverted, so that ascending key order is descending score.
  for (let i = 0; i < count; i++) keys[i] = ~(halves[2 * i + HI] as number) >>> 0;
  let order = scratch.order;
  for (let i = 0; i < count; i++) order[i] = i;
  let next = scratch.next;
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < count; i++) {
      const b = ((keys[i] as number) >>> shift) & 0xffff;
      counts[b] = (counts[b] as number) + 1;
    }
    // A half every key shares (the exponent, often) orders nothing: skip the pass.
    if (counts[((keys[0] as number) >>> shift) & 0xffff] === count) continue;
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = counts[b] as number;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < count; i++) {
      const item = order[i] as number;
      const b = ((keys[item] as number) >>> shift) & 0xffff;
      const at = counts[b] as number;
      counts[b] = at + 1;
      next[at] = item;
    }
    const swap = order;
    order = next;
    next = swap;
  }
  // Equal high bits leave runs in doc order; an insertion pass orders the few whose scores still differ.
  for (let i = 1; i < count; i++) {
    const item = order[i] as number;
    const key = keys[item] as number;
    const value = values[item] as number;
    let j = i - 1;
    while (j >= 0 && keys[order[j] as number] === key && (values[order[j] as number] as number) < value) {
      order[j + 1] = order[j] as number;
      j--;
    }
    order[j + 1] = item;
  }
  // `next` is free now: gather the documents there, then copy back.
  for (let i = 0; i < count; i++) next[i] = docs[order[i] as number] as number;
  docs.set(next.subarray(0, count));
}

/** A fixed-size set of document numbers, one bit each. */
export class BitSet {
  readonly words: Uint32Array;

  constructor(size: number, words?: Uint32Array) {
    this.words = words ?? new Uint32Array((size + 31) >>> 5);
  }

  add(doc: number): void {
    this.words[doc >>> 5] = ((this.words[doc >>> 5] as number) | (1 << (doc & 31))) >>> 0;
  }

  has(doc: number): boolean {
    return (((this.words[doc >>> 5] as number) >>> (doc & 31)) & 1) === 1;
  }
}
