/**
 * Where the bot keeps its state: the SQLite file (DATABASE_PATH, the default)
 * or PostgreSQL when DATABASE_URL names one (several machines, one state). The
 * rest of the program sees only the stores' interfaces.
 */
import { PgDailyStore } from './daily/pg-store.js';
import { SqliteDailyStore } from './daily/sqlite-store.js';
import type { DailyStore } from './daily/store.js';
import { openDatabase } from './db/database.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDatabaseUnreachable, openPostgres, redactUrl, type PgLog, type PgPool } from './db/postgres.js';
import { PgQuizStore } from './quiz/pg-store.js';
import { SqliteQuizStore } from './quiz/sqlite-store.js';
import type { QuizStore } from './quiz/store.js';
import type { IdentifySlots } from './shard/identify.js';
import { PgIdentifySlots } from './shard/pg-store.js';
import { SqliteIdentifySlots } from './shard/sqlite-store.js';

export interface Storage {
  readonly engine: 'sqlite' | 'postgres';
  /** The file, or the server's URL without its password: safe to log. */
  readonly where: string;
  readonly daily: DailyStore;
  readonly quiz: QuizStore;
  readonly identifySlots: IdentifySlots;
  close(): Promise<void>;
}

export interface StorageSettings {
  readonly databasePath: string;
  readonly databaseUrl?: string | undefined;
}

/**
 * Waits between attempts to reach PostgreSQL at start (a server restarting,
 * a machine booting before its database): about 15 s in all, then the start
 * fails with one line.
 */
export const START_RETRY_DELAYS_MS: readonly number[] = [500, 1_000, 2_000, 4_000, 8_000];

/** Opens PostgreSQL, retrying with backoff while it cannot be reached; any other error at once. */
async function reachPostgres(url: string, log: PgLog | undefined, delays: readonly number[]): Promise<PgPool> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await openPostgres(url, log ? { log } : {});
    } catch (error) {
      const delay = delays[attempt];
      if (delay === undefined || !isDatabaseUnreachable((error as { cause?: unknown }).cause ?? error)) throw error;
      log?.warn({ attempt: attempt + 1, retryInMs: delay, where: redactUrl(url) }, 'db: PostgreSQL cannot be reached yet; retrying');
      await sleep(delay);
    }
  }
}

/** Opens and migrates the configured database. Throws what the engine's opener throws (one line each). */
export async function openStorage(settings: StorageSettings, log?: PgLog, retryDelaysMs: readonly number[] = START_RETRY_DELAYS_MS): Promise<Storage> {
  if (settings.databaseUrl) {
    const pool = await reachPostgres(settings.databaseUrl, log, retryDelaysMs);
    return {
      engine: 'postgres',
      where: redactUrl(settings.databaseUrl),
      daily: new PgDailyStore(pool),
      quiz: new PgQuizStore(pool),
      identifySlots: new PgIdentifySlots(pool),
      close: () => pool.end(),
    };
  }
  const db = openDatabase(settings.databasePath);
  return {
    engine: 'sqlite',
    where: settings.databasePath,
    daily: new SqliteDailyStore(db),
    quiz: new SqliteQuizStore(db),
    identifySlots: new SqliteIdentifySlots(db),
    close: async () => {
      db.close();
    },
  };
}
