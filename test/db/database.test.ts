import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DatabaseFileError, MIGRATIONS, migrate, openDatabase, schemaVersion } from '../../src/db/database.js';
import type { Migration } from '../../src/db/database.js';

const INSERT_TEST_POST =
  "INSERT INTO daily_test_posts (guild_id, channel_id, quote_id, requested_by, created_at) VALUES (?, 'c', 'q', 'u', 1)";
const DATABASE_MODULE = fileURLToPath(new URL('../../src/db/database.ts', import.meta.url));

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-db-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Runs `body` (TypeScript, with `openDatabase` in scope) in a separate Node
 * process. Resolves with its stdout once `until` appears in it, or when it exits.
 */
function runChild(
  dir: string,
  body: string,
  until?: string,
): Promise<{ stdout: string; code: number | null; kill: () => Promise<void> }> {
  const file = path.join(dir, `child-${Math.random().toString(36).slice(2)}.ts`);
  fs.writeFileSync(file, `import { openDatabase } from ${JSON.stringify(DATABASE_MODULE)};\n${body}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const kill = (): Promise<void> => {
      child.kill('SIGKILL');
      return exited;
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (until !== undefined && stdout.includes(until)) resolve({ stdout, code: null, kill });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) reject(new Error(`child exited ${code}: ${stderr}`));
      else resolve({ stdout, code, kill });
    });
  });
}

describe('openDatabase', () => {
  it('creates the folder and file, with WAL, FULL sync, foreign keys, busy timeout and the schema', (t) => {
    const file = path.join(tempDir(t), 'nested', 'deeper', 'bot.db');
    const db = openDatabase(file, { busyTimeoutMs: 1234 });
    t.after(() => db.close());
    assert.ok(fs.existsSync(file));
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('busy_timeout', { simple: true }), 1234);
    assert.equal(schemaVersion(db), MIGRATIONS.length);
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => row.name);
    assert.deepEqual(tables, ['daily_posts', 'daily_schedules', 'daily_syllabus', 'daily_test_posts', 'identify_slots', 'quiz_answers', 'quiz_terms', 'quizzes']);
  });

  it('reopens an existing file without reapplying migrations, keeping its data', (t) => {
    const file = path.join(tempDir(t), 'bot.db');
    const first = openDatabase(file);
    first.prepare(INSERT_TEST_POST).run('g');
    first.close();
    const second = openDatabase(file);
    t.after(() => second.close());
    assert.equal(schemaVersion(second), MIGRATIONS.length);
    assert.deepEqual(second.prepare('SELECT count(*) AS n FROM daily_test_posts').get(), { n: 1 });
  });

  it('enforces foreign keys', (t) => {
    const db = openDatabase(path.join(tempDir(t), 'bot.db'));
    t.after(() => db.close());
    const orphan = db.prepare(
      `INSERT INTO daily_posts (schedule_id, guild_id, local_date, quote_id, channel_id, status, claimed_by, claimed_at,
                                updated_at)
       VALUES (42, 'nobody', '2026-01-01', 'q', 'c', 'claimed', 'x', 0, 0)`,
    );
    assert.throws(() => orphan.run(), /FOREIGN KEY constraint failed/);
  });
});

/** The file's bytes and the files beside it: what "left untouched" means. */
function snapshot(file: string): { bytes: string; beside: string[] } {
  const dir = path.dirname(file);
  return {
    bytes: fs.readFileSync(file).toString('base64'),
    beside: fs.readdirSync(dir).filter((name) => name.startsWith(path.basename(file))).sort(),
  };
}

/** A database of ours with rows in it, checkpointed into the main file, closed. */
function filledDatabase(file: string): void {
  const db = openDatabase(file);
  const insert = db.prepare(INSERT_TEST_POST);
  db.transaction(() => {
    for (let i = 0; i < 400; i++) insert.run(`guild-${i}-${'x'.repeat(60)}`);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

function refusal(file: string, problem: DatabaseFileError['problem']): DatabaseFileError {
  let caught: unknown;
  try {
    openDatabase(file).close();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DatabaseFileError, `expected a DatabaseFileError, got ${String(caught)}`);
  assert.equal(caught.problem, problem, caught.message);
  assert.doesNotMatch(caught.message, /\n/, 'one line');
  return caught;
}

describe('openDatabase refuses a file it cannot own, before changing anything', () => {
  for (const [label, at, fill] of [
    ['pages overwritten with garbage', 3, 0x5a],
    ['pages zeroed near the end', -3, 0x00],
  ] as const) {
    it(`a damaged file (${label}): names the file and says to restore the backup`, (t) => {
      const file = path.join(tempDir(t), 'bot.db');
      filledDatabase(file);
      const pages = fs.statSync(file).size / 4096;
      assert.ok(pages > 10, `${pages} pages`);
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.alloc(4096 * 2, fill), 0, 4096 * 2, 4096 * (at > 0 ? at : pages + at));
      fs.closeSync(fd);
      const before = snapshot(file);
      const err = refusal(file, 'damaged');
      assert.ok(err.message.startsWith(`The database file ${file} is damaged (`), err.message);
      assert.match(err.message, /restore it from your latest backup/);
      assert.deepEqual(snapshot(file), before, 'untouched');
    });
  }

  it('a file with tables that are not ours: untouched (no WAL switch, no migration)', (t) => {
    const file = path.join(tempDir(t), 'shop.db');
    const other = new Database(file);
    other.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'ann'); CREATE TABLE orders (id INTEGER)");
    other.close();
    const before = snapshot(file);
    const err = refusal(file, 'foreign');
    assert.equal(
      err.message,
      `The file ${file} holds tables that are not this bot's (orders, users), so it is not this bot's database and was left untouched: set DATABASE_PATH to the bot's own file, or to a new path for a fresh one.`,
    );
    assert.deepEqual(snapshot(file), before);
    assert.deepEqual(before.beside, ['shop.db'], 'no -wal or -shm was made');
  });

  it('our tables plus a stranger, or ours with one missing, are not ours either', (t) => {
    const dir = tempDir(t);
    const extra = path.join(dir, 'extra.db');
    const a = openDatabase(extra);
    a.exec('CREATE TABLE notes (id INTEGER)');
    a.close();
    assert.match(refusal(extra, 'foreign').message, /holds tables that are not this bot's \(notes\)/);
    const missing = path.join(dir, 'missing.db');
    const b = openDatabase(missing);
    b.exec('DROP TABLE daily_test_posts');
    b.close();
    assert.match(refusal(missing, 'foreign').message, new RegExp(`lacks tables this bot's schema version ${MIGRATIONS.length} has \\(daily_test_posts\\)`));
  });

  it('a file that is not SQLite at all: untouched', (t) => {
    const file = path.join(tempDir(t), 'notes.db');
    fs.writeFileSync(file, 'a shopping list, not a database\n'.repeat(100));
    const before = snapshot(file);
    assert.match(refusal(file, 'not-sqlite').message, /^The file .*notes\.db is not an SQLite database/);
    assert.deepEqual(snapshot(file), before);
  });

  it('a folder where the file should be, and a file where a folder should be', (t) => {
    const dir = tempDir(t);
    assert.match(refusal(dir, 'not-a-file').message, /^DATABASE_PATH .* is not a file/);
    const plain = path.join(dir, 'plain');
    fs.writeFileSync(plain, '');
    assert.equal(
      refusal(path.join(plain, 'deeper', 'bot.db'), 'folder').message,
      `The database folder ${plain} is not a folder, so the database file ${path.join(plain, 'deeper', 'bot.db')} cannot be kept there: set DATABASE_PATH to a file in a folder this user can write.`,
    );
  });

  it('a folder that cannot be made (/proc/hv, where recursive mkdir never returns): refused at once', { skip: !fs.existsSync('/proc/self') }, () => {
    const err = refusal('/proc/hv/x.db', 'folder');
    assert.match(err.message, /^The database folder \/proc\/hv could not be created \(.+\), so the database file \/proc\/hv\/x\.db cannot be kept there/);
  });

  it('a read-only file: refused before any write, untouched', async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, 'bot.db');
    filledDatabase(file);
    fs.chmodSync(file, 0o444);
    fs.chmodSync(dir, 0o755);
    const before = snapshot(file);
    // Root may write anything: the check runs as an ordinary user, as a service does.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const script = `import { openDatabase } from ${JSON.stringify(DATABASE_MODULE)};
try { openDatabase(${JSON.stringify(file)}); console.log('opened'); } catch (e) { console.log(JSON.stringify({ name: e.name, problem: e.problem, message: e.message })); }`;
    const run = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { ...asUser, stdio: ['ignore', 'pipe', 'pipe'], cwd: process.cwd(), env: { ...process.env, HOME: dir } });
    let out = '';
    let errOut = '';
    run.stdout.on('data', (d: Buffer) => (out += d.toString()));
    run.stderr.on('data', (d: Buffer) => (errOut += d.toString()));
    await new Promise((resolve) => run.once('exit', resolve));
    const result = JSON.parse(out.trim() || 'null') as { name: string; problem: string; message: string } | null;
    assert.ok(result, `no answer from the child: ${errOut}`);
    assert.equal(result.name, 'DatabaseFileError');
    assert.equal(result.problem, 'read-only');
    assert.equal(
      result.message,
      `The database file ${file} is read-only for this user, so no schedule or post could be saved: make it writable by the user running the bot (or set DATABASE_PATH to a writable file). It was left untouched.`,
    );
    assert.deepEqual(snapshot(file), before);
  });

  it('a fresh path still opens, folders made level by level', (t) => {
    const file = path.join(tempDir(t), 'a', 'b', 'c', 'bot.db');
    openDatabase(file).close();
    assert.ok(fs.statSync(file).isFile());
  });
});

describe('migrate', () => {
  const extra: Migration[] = [
    { version: 1, name: 'one', up: 'CREATE TABLE one (id INTEGER PRIMARY KEY)' },
    { version: 2, name: 'two', up: (db) => db.exec('CREATE TABLE two (id INTEGER PRIMARY KEY); INSERT INTO two VALUES (2)') },
  ];

  it('applies migrations in order, each once', (t) => {
    const file = path.join(tempDir(t), 'm.db');
    const db = openDatabase(file, { migrations: extra.slice(0, 1) });
    t.after(() => db.close());
    assert.equal(schemaVersion(db), 1);
    migrate(db, extra);
    assert.equal(schemaVersion(db), 2);
    migrate(db, extra); // nothing left to do
    assert.deepEqual(db.prepare('SELECT id FROM two').all(), [{ id: 2 }]);
  });

  it('rolls a failing migration back entirely and names it', (t) => {
    const db = openDatabase(path.join(tempDir(t), 'm.db'), { migrations: extra });
    t.after(() => db.close());
    const broken: Migration[] = [
      ...extra,
      { version: 3, name: 'half done', up: 'CREATE TABLE three (id INTEGER); INSERT INTO missing VALUES (1);' },
    ];
    assert.throws(() => migrate(db, broken), /^Error: db: migration 3 \("half done"\) failed, nothing was changed: no such table: missing/);
    assert.equal(schemaVersion(db), 2);
    assert.deepEqual(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'three'").get(), { n: 0 });
  });

  it('refuses misnumbered migrations and a database newer than the code', (t) => {
    const file = path.join(tempDir(t), 'm.db');
    const db = openDatabase(file, { migrations: extra });
    t.after(() => db.close());
    const gap: Migration[] = [{ version: 2, name: 'gap', up: '' }];
    assert.throws(() => migrate(db, gap), /^Error: db: migration "gap" has version 2, expected 1/);
    assert.throws(() => migrate(db, extra.slice(0, 1)), /^Error: db: database schema version 2 is newer than this code/);
    assert.throws(() => openDatabase(file, { migrations: extra.slice(0, 1) }), /db: database schema version 2/);
  });
});

describe('across processes', () => {
  it('several processes opening a fresh file at once migrate it exactly once', async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, 'shared.db');
    const body = `
      const db = openDatabase(${JSON.stringify(file)});
      console.log(db.pragma('user_version', { simple: true }));
      db.close();`;
    const results = await Promise.all([1, 2, 3, 4].map(() => runChild(dir, body)));
    for (const result of results) assert.equal(result.stdout.trim(), String(MIGRATIONS.length));
  });

  it('kill -9 right after a commit loses nothing that was acknowledged', async (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, 'crash.db');
    const body = `
      const db = openDatabase(${JSON.stringify(file)});
      const insert = db.prepare(${JSON.stringify(INSERT_TEST_POST)});
      for (let i = 0; i < 20; i++) insert.run('g' + i);
      console.log('ack');
      setInterval(() => {}, 1000); // hold the connection open until killed
    `;
    const child = await runChild(dir, body, 'ack');
    await child.kill();
    // The WAL still holds the commits; the next opener recovers them.
    const db = openDatabase(file);
    t.after(() => db.close());
    assert.deepEqual(db.prepare('SELECT count(*) AS n FROM daily_test_posts').get(), { n: 20 });
  });
});

describe('migration 2: check hints', () => {
  it('adds next_check_at (NULL: look now) to the schedules of a version 1 file, with its index', (t) => {
    const file = path.join(tempDir(t), 'v1.db');
    const v1 = openDatabase(file, { migrations: MIGRATIONS.slice(0, 1) });
    v1.prepare(
      `INSERT INTO daily_schedules (guild_id, channel_id, local_time, time_zone, effective_from, created_at, updated_at)
       VALUES ('g1', 'c1', '09:00', 'UTC', 0, 0, 0)`,
    ).run();
    v1.close();
    const db = openDatabase(file, { migrations: MIGRATIONS.slice(0, 2) });
    t.after(() => db.close());
    assert.equal(schemaVersion(db), 2);
    assert.deepEqual(db.prepare('SELECT guild_id, next_check_at FROM daily_schedules').all(), [
      { guild_id: 'g1', next_check_at: null },
    ]);
    const indexes = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'daily_schedules' AND sql IS NOT NULL",
      )
      .all()
      .map((row) => row.name);
    assert.deepEqual(indexes, ['daily_schedules_by_next_check']);
    const plan = db
      .prepare<[], { detail: string }>(
        "EXPLAIN QUERY PLAN SELECT guild_id FROM daily_schedules WHERE state = 'active' AND next_check_at <= 5",
      )
      .all()
      .map((row) => row.detail)
      .join(' ');
    assert.match(plan, /COVERING INDEX daily_schedules_by_next_check \(state=\? AND next_check_at<\?\)/);
  });
});

describe('migration 3: quiz', () => {
  it('upgrades a version 2 file in place: its schedules kept, the quiz tables added', (t) => {
    const file = path.join(tempDir(t), 'v2.db');
    const v2 = openDatabase(file, { migrations: MIGRATIONS.slice(0, 2) });
    v2.prepare(
      `INSERT INTO daily_schedules (guild_id, channel_id, local_time, time_zone, effective_from, created_at, updated_at)
       VALUES ('g1', 'c1', '09:00', 'UTC', 0, 0, 0)`,
    ).run();
    v2.close();
    const db = openDatabase(file, { migrations: MIGRATIONS.slice(0, 3) });
    t.after(() => db.close());
    assert.equal(schemaVersion(db), 3);
    assert.deepEqual(db.prepare('SELECT guild_id, local_time FROM daily_schedules').all(), [{ guild_id: 'g1', local_time: '09:00' }]);
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'quiz%' ORDER BY name").all();
    assert.deepEqual(
      tables.map((r) => r.name),
      ['quiz_answers', 'quiz_terms', 'quizzes'],
    );
    // The key that makes an answer count once.
    db.prepare(`INSERT INTO quizzes (id, guild_id, channel_id, asked_by, quote_id, mode, shown, options, answer, opened_at, closes_at) VALUES ('q', 'g1', 'c1', 'u', 'lr-001', 'speaker', 'x', '["a","b","c","d"]', 0, 0, 1)`).run();
    const answer = db.prepare(`INSERT INTO quiz_answers (quiz_id, user_id, guild_id, choice, correct, answered_at) VALUES ('q', 'u1', 'g1', ?, 0, 0) ON CONFLICT DO NOTHING`);
    assert.equal(answer.run(1).changes, 1);
    assert.equal(answer.run(2).changes, 0);
  });
});
