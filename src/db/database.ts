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
 * Migrations: an ordered list, each applied once and recorded in
 * `PRAGMA user_version`, the pending ones together in one transaction; append,
 * never edit a shipped migration.
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

/**
 * The quiz: one row per quiz post, one per (quiz, user) answer. The answers'
 * primary key is the guarantee that a double click, or two shards, count once:
 * answers are INSERT … ON CONFLICT DO NOTHING. A quiz's close is claimed by an
 * UPDATE that re-checks its state, so one process edits the post.
 */
const QUIZ_TABLES = `
CREATE TABLE quizzes (
  id           TEXT PRIMARY KEY,
  guild_id     TEXT NOT NULL,
  channel_id   TEXT NOT NULL,
  message_id   TEXT,
  asked_by     TEXT NOT NULL,
  quote_id     TEXT NOT NULL,
  mode         TEXT NOT NULL CHECK (mode IN ('speaker', 'source')),
  shown        TEXT NOT NULL,
  options      TEXT NOT NULL CHECK (json_valid(options) AND json_array_length(options) = 4),
  answer       INTEGER NOT NULL CHECK (answer BETWEEN 0 AND 3),
  opened_at    INTEGER NOT NULL,
  closes_at    INTEGER NOT NULL,
  state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closing', 'closed', 'gone')),
  closed_at    INTEGER,
  attempts     INTEGER NOT NULL DEFAULT 0,
  retry_at     INTEGER,
  last_error   TEXT
) STRICT;

CREATE INDEX quizzes_to_close ON quizzes (state, closes_at);

CREATE TABLE quiz_answers (
  quiz_id     TEXT NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
  user_id     TEXT NOT NULL,
  guild_id    TEXT NOT NULL,
  choice      INTEGER NOT NULL CHECK (choice BETWEEN 0 AND 3),
  correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
  answered_at INTEGER NOT NULL,
  PRIMARY KEY (quiz_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX quiz_answers_by_guild ON quiz_answers (guild_id, answered_at);
CREATE INDEX quiz_answers_by_user ON quiz_answers (user_id);

-- "This term": the local date a server's term began, set by its managers.
CREATE TABLE quiz_terms (
  guild_id   TEXT PRIMARY KEY,
  starts_on  TEXT NOT NULL CHECK (starts_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  set_by     TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
`;

/**
 * Classroom schedules: several per server (one per channel), keyed by an id;
 * teaching days (`days`, a bitmask, Monday = 1 … Sunday = 64); a holiday pause
 * (`paused_until`, the local date posting resumes); a syllabus of themes per
 * schedule. The claim becomes (schedule, local date).
 *
 * SQLite cannot change a primary key in place, so both tables are rebuilt and
 * every row copied, inside this migration's one transaction: the posts first
 * (nothing may still reference the old schedules when they are dropped), each
 * old post attached to the one schedule its server had, so a day posted under
 * the old (server, date) key stays posted under the new one. A claim left
 * without outcome by the old release gets no `nonce_since`: its message, if it
 * went out, carried no nonce, so it is never retried blindly (see due.ts).
 * The rename keeps the posts' foreign key pointing at the renamed table.
 */
const CLASSROOM_SCHEDULES = `
CREATE TABLE daily_schedules_v3 (
  id             INTEGER PRIMARY KEY,
  guild_id       TEXT NOT NULL,
  channel_id     TEXT NOT NULL,
  -- As the channel was named at the last /daily set: a label for buttons, never an address.
  channel_name   TEXT,
  local_time     TEXT NOT NULL CHECK (local_time GLOB '[0-2][0-9]:[0-5][0-9]'),
  time_zone      TEXT NOT NULL,
  days           INTEGER NOT NULL DEFAULT 127 CHECK (days BETWEEN 1 AND 127),
  role_id        TEXT,
  thread         INTEGER NOT NULL DEFAULT 0 CHECK (thread IN (0, 1)),
  state          TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'off')),
  paused_reason  TEXT,
  paused_until   TEXT CHECK (paused_until IS NULL OR paused_until GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  failed_days    INTEGER NOT NULL DEFAULT 0,
  effective_from INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  next_check_at  INTEGER,
  UNIQUE (guild_id, channel_id)
) STRICT;

INSERT INTO daily_schedules_v3 (guild_id, channel_id, local_time, time_zone, days, role_id, thread, state,
                                paused_reason, paused_until, failed_days, effective_from, created_at, updated_at,
                                next_check_at)
SELECT guild_id, channel_id, local_time, time_zone, 127, role_id, thread, state,
       paused_reason, NULL, failed_days, effective_from, created_at, updated_at, NULL
FROM daily_schedules ORDER BY created_at, guild_id;

CREATE TABLE daily_posts_v3 (
  schedule_id     INTEGER NOT NULL REFERENCES daily_schedules_v3 (id),
  guild_id        TEXT NOT NULL,
  local_date      TEXT NOT NULL CHECK (local_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  quote_id        TEXT NOT NULL,
  theme           TEXT,
  channel_id      TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 1,
  stale_reclaims  INTEGER NOT NULL DEFAULT 0,
  claimed_by      TEXT NOT NULL,
  claimed_at      INTEGER NOT NULL,
  nonce_since     INTEGER,
  message_id      TEXT,
  sent_at         INTEGER,
  last_error      TEXT,
  next_attempt_at INTEGER,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (schedule_id, local_date)
) STRICT, WITHOUT ROWID;

INSERT INTO daily_posts_v3 (schedule_id, guild_id, local_date, quote_id, theme, channel_id, status, attempts,
                            stale_reclaims, claimed_by, claimed_at, nonce_since, message_id, sent_at, last_error,
                            next_attempt_at, updated_at)
SELECT s.id, p.guild_id, p.local_date, p.quote_id, NULL, p.channel_id, p.status, p.attempts,
       p.stale_reclaims, p.claimed_by, p.claimed_at, NULL, p.message_id, p.sent_at, p.last_error,
       p.next_attempt_at, p.updated_at
FROM daily_posts p JOIN daily_schedules_v3 s ON s.guild_id = p.guild_id;

DROP TABLE daily_posts;
DROP TABLE daily_schedules;
ALTER TABLE daily_schedules_v3 RENAME TO daily_schedules;
ALTER TABLE daily_posts_v3 RENAME TO daily_posts;

CREATE INDEX daily_schedules_by_next_check ON daily_schedules (state, next_check_at, id);
CREATE INDEX daily_schedules_by_guild ON daily_schedules (guild_id, state);
CREATE INDEX daily_posts_by_date ON daily_posts (local_date);
CREATE INDEX daily_posts_by_guild ON daily_posts (guild_id, local_date);

-- A term's plan: from from_date (to to_date, or until the next range starts) the schedule's voices
-- come from this theme. Rows are never rewritten; /daily syllabus clear deletes a schedule's plan.
CREATE TABLE daily_syllabus (
  id          INTEGER PRIMARY KEY,
  schedule_id INTEGER NOT NULL REFERENCES daily_schedules (id),
  theme       TEXT NOT NULL,
  from_date   TEXT NOT NULL CHECK (from_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  to_date     TEXT CHECK (to_date IS NULL OR (to_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]' AND to_date >= from_date)),
  created_at  INTEGER NOT NULL,
  UNIQUE (schedule_id, from_date)
) STRICT;
`;

/**
 * The language of a schedule's posts (its frame, headings, buttons and
 * discussion prompt; the quotations stay as the source prints them), chosen
 * with `/daily set … language`. Existing schedules keep posting in English.
 */
const DAILY_LANGUAGE = `
ALTER TABLE daily_schedules ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ru', 'uk'));
`;

/**
 * The voice of the day as a quiz on chosen days: `quiz_days` (a bitmask like
 * `days`, 0 = never) on the schedule, and on each post the id of the quiz it
 * carried, decided at the claim and kept: a retry or a takeover posts the same
 * kind of post (the same quiz, whose id is derived from the schedule and date)
 * whatever the settings become later. Existing schedules get no quiz days.
 */
const DAILY_QUIZ_DAYS = `
ALTER TABLE daily_schedules ADD COLUMN quiz_days INTEGER NOT NULL DEFAULT 0 CHECK (quiz_days BETWEEN 0 AND 127);
ALTER TABLE daily_posts ADD COLUMN quiz_id TEXT;
`;

/**
 * The language of a quiz's post (its frame, buttons and closing line; the
 * quotation and the speakers' descriptions stay as printed): the asker's, so
 * that the closer, which runs with no one's interaction, closes it in the same.
 */
const QUIZ_LANGUAGE = `
ALTER TABLE quizzes ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ru', 'uk'));
`;

/**
 * IDENTIFY coordination (src/shard/identify.ts): per rate-limit bucket of
 * Discord's gateway, when a shard of this bot last identified and which
 * process did, so that shard processes started together (clusters, a
 * respawn, another machine) never identify in the same bucket within 5 s.
 * Coordination state only: losing it costs at most one refused IDENTIFY.
 */
const IDENTIFY_SLOTS = `
CREATE TABLE identify_slots (
  max_concurrency INTEGER NOT NULL CHECK (max_concurrency >= 1),
  bucket          INTEGER NOT NULL CHECK (bucket >= 0 AND bucket < max_concurrency),
  identified_at   INTEGER NOT NULL,
  holder          TEXT NOT NULL,
  PRIMARY KEY (max_concurrency, bucket)
) STRICT, WITHOUT ROWID;
`;

/** Shipped migrations: append, never edit (a test builds the previous release's database from these). */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  { version: 1, name: 'daily voice: schedules, posts, test posts', up: DAILY_TABLES },
  { version: 2, name: 'daily voice: check hints', up: DAILY_CHECK_HINTS },
  { version: 3, name: 'quiz: quizzes, answers, terms', up: QUIZ_TABLES },
  { version: 4, name: 'daily voice: classroom schedules, syllabus, claims per schedule', up: CLASSROOM_SCHEDULES },
  { version: 5, name: 'daily voice: the language of a schedule\'s posts', up: DAILY_LANGUAGE },
  { version: 6, name: 'daily voice: quiz days', up: DAILY_QUIZ_DAYS },
  { version: 7, name: 'quiz: the language of its post', up: QUIZ_LANGUAGE },
  { version: 8, name: 'shards: IDENTIFY slots per rate-limit bucket', up: IDENTIFY_SLOTS },
]);

/**
 * Why a database file cannot be used, in one line for the person starting the
 * bot: which file, what is wrong, what to do. Thrown before anything in the
 * file has been changed.
 */
export class DatabaseFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly problem: 'folder' | 'not-a-file' | 'read-only' | 'not-sqlite' | 'damaged' | 'foreign',
  ) {
    super(message);
    this.name = 'DatabaseFileError';
  }
}

/**
 * Opens (creating it and its folder if needed) and migrates the database.
 * Close it with `db.close()`.
 *
 * Before changing anything (the WAL switch, a migration) it refuses, with a
 * DatabaseFileError, a file that cannot be ours to write: a folder it cannot
 * create, a file it may not write, a damaged file (`PRAGMA quick_check`), or a
 * file whose tables are not the ones our migrations make (another program's).
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const onDisk = file !== ':memory:';
  const where = onDisk ? path.resolve(file) : file;
  if (onDisk) prepareLocation(where);
  let db: SqliteDatabase;
  try {
    db = new Database(where);
  } catch (error) {
    throw fileError(where, error) ?? error;
  }
  try {
    // First, so that everything after it waits for a concurrent opener instead of failing.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000))}`);
    const migrations = options.migrations ?? MIGRATIONS;
    // Before anything reads or writes more (the journal mode is in the file's header): a newer release's file stays untouched.
    refuseNewer(db, migrations.length);
    if (onDisk) checkFile(db, where, migrations);
    const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
    // The concurrency and durability reasoning above assumes WAL; refuse to run without it.
    if (mode !== 'wal' && onDisk) {
      throw new Error(`db: ${file} cannot use WAL (journal mode is "${mode}")`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
  } catch (error) {
    db.close();
    throw (onDisk ? fileError(where, error) : null) ?? error;
  }
  return db;
}

const RESTORE = 'Stop every process using it and restore it from your latest backup (or move it aside to start again with no daily schedules)';

/**
 * Creates the file's missing folders one level at a time. Node's recursive
 * mkdirSync never returns on some paths (under /proc it loops forever), and a
 * level-by-level walk also names the folder that could not be made.
 */
function prepareLocation(file: string): void {
  const missing: string[] = [];
  let dir = path.dirname(file);
  while (!fs.existsSync(dir)) {
    missing.unshift(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const folderProblem = (folder: string, reason: string) =>
    new DatabaseFileError(
      `The database folder ${folder} ${reason}, so the database file ${file} cannot be kept there: set DATABASE_PATH to a file in a folder this user can write.`,
      file,
      'folder',
    );
  if (!fs.statSync(dir).isDirectory()) throw folderProblem(dir, 'is not a folder');
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && fs.statSync(folder).isDirectory()) continue; // another process made it
      throw folderProblem(folder, `could not be created (${describeErrno(error)})`);
    }
  }
  const folder = path.dirname(file);
  if (fs.existsSync(file)) {
    if (!fs.statSync(file).isFile()) {
      throw new DatabaseFileError(`DATABASE_PATH ${file} is not a file: set DATABASE_PATH to the bot's database file (it is created if missing).`, file, 'not-a-file');
    }
    if (!writable(file)) {
      throw new DatabaseFileError(
        `The database file ${file} is read-only for this user, so no schedule or post could be saved: make it writable by the user running the bot (or set DATABASE_PATH to a writable file). It was left untouched.`,
        file,
        'read-only',
      );
    }
  }
  // SQLite writes its -wal and -shm files (and, while creating, the file itself) beside the database.
  if (!writable(folder)) {
    throw new DatabaseFileError(
      `The database folder ${folder} is read-only for this user, and SQLite must write the database and its -wal and -shm files there: make the folder writable by the user running the bot (or set DATABASE_PATH elsewhere).`,
      file,
      'read-only',
    );
  }
}

function writable(target: string): boolean {
  try {
    fs.accessSync(target, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function describeErrno(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const text: Record<string, string> = {
    ENOENT: 'the system says no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOTDIR: 'a part of the path is a file, not a folder',
    ENOSPC: 'no space left on the device',
  };
  return (e.code && text[e.code]) ?? e.message;
}

/**
 * Read-only checks, in one read transaction (a consistent view while another
 * process may be migrating): the file is an SQLite database, undamaged, and
 * holds exactly the tables our migrations make at its recorded version.
 */
function checkFile(db: SqliteDatabase, file: string, migrations: readonly Migration[]): void {
  db.transaction(() => {
    const problems = db.pragma('quick_check(3)', { simple: false }) as { quick_check: string }[];
    // Its report is several lines ("*** in database main ***", then one per problem): the first two, on one line.
    const damage = problems
      .flatMap((row) => row.quick_check.split('\n'))
      .map((text) => text.trim())
      .filter((text) => text !== 'ok' && text !== '' && !text.startsWith('***'))
      .slice(0, 2);
    if (damage.length > 0) {
      throw new DatabaseFileError(`The database file ${file} is damaged (SQLite's check: ${damage.join('; ')}). ${RESTORE}.`, file, 'damaged');
    }
    const version = schemaVersion(db);
    if (version > migrations.length) return; // migrate() says the code is too old, naming both versions
    const tables = tableNames(db);
    const expected = tablesAt(migrations, version);
    const foreign = tables.filter((name) => !expected.includes(name));
    const absent = expected.filter((name) => !tables.includes(name));
    if (foreign.length > 0 || absent.length > 0) {
      const what = [
        foreign.length > 0 ? `holds tables that are not this bot's (${foreign.join(', ')})` : '',
        absent.length > 0 ? `lacks tables this bot's schema version ${version} has (${absent.join(', ')})` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      throw new DatabaseFileError(
        `The file ${file} ${what}, so it is not this bot's database and was left untouched: set DATABASE_PATH to the bot's own file, or to a new path for a fresh one.`,
        file,
        'foreign',
      );
    }
  })();
}

const tablesCache = new WeakMap<readonly Migration[], Map<number, string[]>>();

/** The tables a file at `version` holds: the migrations up to it, replayed on an empty in-memory database. */
function tablesAt(migrations: readonly Migration[], version: number): string[] {
  const known = tablesCache.get(migrations) ?? new Map<number, string[]>();
  tablesCache.set(migrations, known);
  const cached = known.get(version);
  if (cached) return cached;
  const scratch = new Database(':memory:');
  try {
    for (const migration of migrations.slice(0, version)) {
      if (typeof migration.up === 'string') scratch.exec(migration.up);
      else migration.up(scratch);
    }
    const names = tableNames(scratch);
    known.set(version, names);
    return names;
  } finally {
    scratch.close();
  }
}

/** The file's own tables (SQLite's internal sqlite_* ones left out), by name. */
function tableNames(db: SqliteDatabase): string[] {
  return db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' ORDER BY name")
    .all()
    .map((row) => row.name);
}

/** SQLite's own refusals of a file, as the one line a person needs; null for anything else. */
function fileError(file: string, error: unknown): DatabaseFileError | null {
  if (error instanceof DatabaseFileError) return error;
  const code = (error as { code?: unknown }).code;
  const reason = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB') {
    return new DatabaseFileError(`The file ${file} is not an SQLite database (${reason}), so it was left untouched: set DATABASE_PATH to the bot's own database file, or to a new path for a fresh one.`, file, 'not-sqlite');
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT')) {
    return new DatabaseFileError(`The database file ${file} is damaged (${reason}). ${RESTORE}.`, file, 'damaged');
  }
  if (typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM')) {
    return new DatabaseFileError(`The database file ${file} cannot be written (${reason}): make it and its folder writable by the user running the bot (or set DATABASE_PATH to a writable file).`, file, 'read-only');
  }
  return null;
}

/** The schema version recorded in the file. */
export function schemaVersion(db: SqliteDatabase): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** A file written by a newer release: its rows may mean what this code cannot know; touch nothing. */
function refuseNewer(db: SqliteDatabase, latest: number): void {
  const current = schemaVersion(db);
  if (current > latest) {
    throw new Error(
      `db: database schema version ${current} is newer than this code knows (${latest}): it was written by a newer release of the bot; run that release (or newer), nothing was changed`,
    );
  }
}

/**
 * Applies the migrations newer than the file's version, all of them in ONE
 * IMMEDIATE transaction: an upgrade either happens whole or leaves the file
 * exactly as it was (a failure halfway through a multi-step upgrade must not
 * leave a schema no release knows). The version is re-read under the write
 * lock, so two processes starting together apply each migration exactly once.
 * Foreign keys are checked at the commit (`defer_foreign_keys`), so a
 * migration may rebuild tables in any order.
 */
export function migrate(db: SqliteDatabase, migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`db: migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`);
    }
  });
  const latest = migrations.length;
  refuseNewer(db, latest);
  if (schemaVersion(db) === latest) return;
  let running: Migration | undefined;
  const apply = db.transaction(() => {
    const current = schemaVersion(db); // under the write lock: another process may have got there first
    refuseNewer(db, latest);
    db.pragma('defer_foreign_keys = ON');
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      running = migration;
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up(db);
      // PRAGMA takes no bound parameters; version is a checked integer.
      db.pragma(`user_version = ${migration.version}`);
    }
    running = undefined;
    const broken = db.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0) throw new Error(`${broken.length} row(s) break a foreign key`);
  });
  try {
    apply.immediate();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const which = running ? `migration ${running.version} ("${running.name}")` : `migration to version ${latest}`;
    throw new Error(`db: ${which} failed, nothing was changed: ${reason}`, { cause: error });
  }
}
