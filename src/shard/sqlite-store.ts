/**
 * The IDENTIFY buckets in the SQLite file (table identify_slots): every shard
 * process of one machine opens the same file, and taking a bucket is one
 * upsert under SQLite's write lock, so it is atomic across processes.
 */
import type { SqliteDatabase } from '../db/database.js';
import type { Bucket, IdentifySlots, SlotAnswer } from './identify.js';

interface TakeParams {
  readonly concurrency: number;
  readonly bucket: number;
  readonly at: number;
  readonly holder: string;
  readonly spacing: number;
}

interface SlotRow {
  readonly identified_at: number;
  readonly holder: string;
}

export class SqliteIdentifySlots implements IdentifySlots {
  private readonly takeStatement;
  private readonly readStatement;
  private readonly takeOrRead;

  constructor(db: SqliteDatabase) {
    // Inserted when the bucket was never used; otherwise updated only when its last use is
    // a spacing old (or stamped more than a spacing ahead: a clock set wrong). RETURNING says which.
    this.takeStatement = db.prepare<[TakeParams], SlotRow>(`
      INSERT INTO identify_slots (max_concurrency, bucket, identified_at, holder) VALUES (@concurrency, @bucket, @at, @holder)
      ON CONFLICT (max_concurrency, bucket) DO UPDATE SET identified_at = excluded.identified_at, holder = excluded.holder
        WHERE identify_slots.identified_at <= excluded.identified_at - @spacing
           OR identify_slots.identified_at > excluded.identified_at + @spacing
      RETURNING identified_at, holder`);
    this.readStatement = db.prepare<[number, number], SlotRow>('SELECT identified_at, holder FROM identify_slots WHERE max_concurrency = ? AND bucket = ?');
    // One transaction: the answer "taken by X at T" is the row that refused this take.
    this.takeOrRead = db.transaction((bucket: Bucket, at: number, holder: string, spacingMs: number): SlotAnswer => {
      if (this.takeStatement.get({ concurrency: bucket.concurrency, bucket: bucket.bucket, at, holder, spacing: spacingMs })) return { taken: true };
      const row = this.readStatement.get(bucket.concurrency, bucket.bucket);
      // The row exists (the insert conflicted); read defensively all the same.
      return row ? { taken: false, lastAt: row.identified_at, holder: row.holder } : { taken: false, lastAt: at, holder: 'unknown' };
    });
  }

  // async: a busy or broken file rejects (the coordinator falls back) rather than throwing into discord.js.
  async take(bucket: Bucket, at: number, holder: string, spacingMs: number): Promise<SlotAnswer> {
    return this.takeOrRead.immediate(bucket, at, holder, spacingMs);
  }
}
