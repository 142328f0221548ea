/**
 * The IDENTIFY buckets in PostgreSQL (table identify_slots), for machines
 * sharing one database: taking a bucket is one upsert whose WHERE re-checks the
 * last use, atomic across every process and machine (see ./sqlite-store.ts).
 */
import type { PgPool } from '../db/postgres.js';
import { transaction } from '../db/postgres.js';
import type { Bucket, IdentifySlots, SlotAnswer } from './identify.js';

const TAKE = `
  INSERT INTO identify_slots (max_concurrency, bucket, identified_at, holder) VALUES ($1, $2, $3, $4)
  ON CONFLICT (max_concurrency, bucket) DO UPDATE SET identified_at = excluded.identified_at, holder = excluded.holder
    WHERE identify_slots.identified_at <= excluded.identified_at - $5::bigint
       OR identify_slots.identified_at > excluded.identified_at + $5::bigint
  RETURNING identified_at, holder`;
const READ = 'SELECT identified_at, holder FROM identify_slots WHERE max_concurrency = $1 AND bucket = $2';

export class PgIdentifySlots implements IdentifySlots {
  constructor(private readonly pool: PgPool) {}

  async take(bucket: Bucket, at: number, holder: string, spacingMs: number): Promise<SlotAnswer> {
    // One transaction: the answer "taken by X at T" is the row that refused this take.
    return transaction(this.pool, async (client): Promise<SlotAnswer> => {
      const taken = await client.query(TAKE, [bucket.concurrency, bucket.bucket, at, holder, spacingMs]);
      if ((taken.rowCount ?? 0) > 0) return { taken: true };
      const row = (await client.query<{ identified_at: number; holder: string }>(READ, [bucket.concurrency, bucket.bucket])).rows[0];
      return row ? { taken: false, lastAt: row.identified_at, holder: row.holder } : { taken: false, lastAt: at, holder: 'unknown' };
    });
  }
}
