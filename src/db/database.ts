/**
 * The bot's SQLite database (better-sqlite3: synchronous, one connection per
 * process; several processes — shards, a restart overlapping the old process —
 * may open the same file).
 *
 * Durability choice: WAL with `synchronous = FULL`.
 * - In WAL mode, `NORMAL` already survives a killed process (kill -9, OOM,
 *   crash): a commit has been written to the WAL through the OS before it
 *   returns, and the OS keeps it. It can lose the last commits on a power loss
 *   or kernel crash, because the WAL is only fsynced at checkpoints.
 * - `FULL` fsyncs the WAL at every commit, so an acknowledged write survives a
 *   power loss too. That matters here beyond settings: the claim of a day's post
 *   is committed BEFORE the message goes to Discord, and a claim lost after the
 *   message went out would let the restarted bot post a second time.
 * - The cost is one fsync per commit; this database sees a few commits per
 *   guild per day, so it is negligible.
 *
 * Migrations: an ordered list, each applied once in its own transaction and
 * recorded in `PRAGMA user_version`; append, never edit a shipped migration.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export interface Migration {
  /** 1, 2, 3… in order, without gaps: after it runs, `user_version` is this. */
  readonly version: number;
  readonly name: string;
  readonly up: string | ((db: SqliteDatabase) => void);
}

export interface OpenDatabaseOptions {
  /** Defaults to MIGRATIONS. */
  readonly migrations?: readonly Migration[];
  /** How long a write waits for another connection's write lock. */
  readonly busyTimeoutMs?: number;
}

/** Daily voice: schedules, one post record per guild and local date, test posts. */
const DAILY_TABLES = `
CREATE TABLE daily_schedules (
  guild_id       TEXT PRIMARY KEY,
  channel_id     TEXT NOT NULL,
  local_time     TEXT NOT NULL CHECK (local_time GLOB '[0-2][0-9]:[0-5][0-9]'),
  time_zone      TEXT NOT NULL,
  role_id        TEXT,
  thread         INTEGER NOT NULL DEFAULT 0 CHECK (thread IN (0, 1)),
  state          TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'off')),
  paused_reason  TEXT,
  failed_days    INTEGER NOT NULL DEFAULT 0,
  effective_from INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
) STRICT;

CREATE INDEX daily_schedules_by_state ON daily_schedules (state);

-- The primary key is the guarantee: one row, so one post, per guild and local date,
-- whatever the number of processes, shards or restarts.
CREATE TABLE daily_posts (
  guild_id        TEXT NOT NULL REFERENCES daily_schedules (guild_id),
  local_date      TEXT NOT NULL CHECK (local_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  quote_id        TEXT NOT NULL,
  channel_id      TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 1,
  stale_reclaims  INTEGER NOT NULL DEFAULT 0,
  claimed_by      TEXT NOT NULL,
  claimed_at      INTEGER NOT NULL,
  message_id      TEXT,
  sent_at         INTEGER,
  last_error      TEXT,
  next_attempt_at INTEGER,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (guild_id, local_date)
) STRICT, WITHOUT ROWID;

CREATE INDEX daily_posts_by_date ON daily_posts (local_date);

-- /daily test posts: kept apart so they never count as, or block, the day's post.
CREATE TABLE daily_test_posts (
  id           INTEGER PRIMARY KEY,
  guild_id     TEXT NOT NULL,
  channel_id   TEXT NOT NULL,
  quote_id     TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  message_id   TEXT,
  error        TEXT,
  created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX daily_test_posts_by_guild ON daily_test_posts (guild_id, created_at);
`;

/**
 * The scheduler's check hint: `next_check_at` (epoch ms) is a lower bound,
 * "nothing can be due for this guild before this instant"; NULL means "look
 * now". A tick reads only the active schedules whose hint has come, through
 * the index; `(state, next_check_at, guild_id)` covers that query and makes the
 * old index on `state` alone redundant.
 */
const DAILY_CHECK_HINTS = `
ALTER TABLE daily_schedules ADD COLUMN next_check_at INTEGER;
DROP INDEX daily_schedules_by_state;
CREATE INDEX daily_schedules_by_next_check ON daily_schedules (state, next_check_at, guild_id);
`;

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  { version: 1, name: 'daily voice: schedules, posts, test posts', up: DAILY_TABLES },
  { version: 2, name: 'daily voice: check hints', up: DAILY_CHECK_HINTS },
]);

/**
 * Opens (creating it and its folder if needed) and migrates the database.
 * Close it with `db.close()`.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    // First, so that everything after it waits for a concurrent opener instead of failing.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000))}`);
    const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
    // The concurrency and durability reasoning above assumes WAL; refuse to run without it.
    if (mode !== 'wal' && file !== ':memory:') {
      throw new Error(`db: ${file} cannot use WAL (journal mode is "${mode}")`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, options.migrations ?? MIGRATIONS);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** The schema version recorded in the file. */
export function schemaVersion(db: SqliteDatabase): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/**
 * Applies the migrations newer than the file's version, each in an IMMEDIATE
 * transaction: the version is re-read under the write lock, so two processes
 * starting together apply each migration exactly once.
 */
export function migrate(db: SqliteDatabase, migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`db: migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`);
    }
  });
  const latest = migrations.length;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new Error(
      `db: database schema version ${current} is newer than this code knows (${latest}); upgrade the bot`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    const apply = db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return; // another process got there first
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up(db);
      // PRAGMA takes no bound parameters; version is a checked integer.
      db.pragma(`user_version = ${migration.version}`);
    });
    try {
      apply.immediate();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`db: migration ${migration.version} ("${migration.name}") failed: ${reason}`, { cause: error });
    }
  }
}
