import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS, migrate, openDatabase, schemaVersion } from '../../src/db/database.js';
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
    assert.deepEqual(tables, ['daily_posts', 'daily_schedules', 'daily_test_posts']);
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
      `INSERT INTO daily_posts (guild_id, local_date, quote_id, channel_id, status, claimed_by, claimed_at, updated_at)
       VALUES ('nobody', '2026-01-01', 'q', 'c', 'claimed', 'x', 0, 0)`,
    );
    assert.throws(() => orphan.run(), /FOREIGN KEY constraint failed/);
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
    assert.throws(() => migrate(db, broken), /^Error: db: migration 3 \("half done"\) failed: no such table: missing/);
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
    const db = openDatabase(file);
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
