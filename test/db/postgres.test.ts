/**
 * PostgreSQL's schema and migrations (src/db/postgres.ts) against a real
 * server: the same tables and columns as the SQLite file at the same version,
 * migrations applied once when two processes start together, a newer
 * release's database refused untouched, and no password in any message.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { MIGRATIONS, openDatabase } from '../../src/db/database.js';
import { appliedVersions, createPool, migratePostgres, openPostgres, PG_MIGRATIONS, redactUrl } from '../../src/db/postgres.js';
import { openStorage } from '../../src/storage.js';
import { startPostgres } from '../../support/postgres.js';

const server = await startPostgres({ after: (fn) => after(fn as Parameters<typeof after>[0]) });

describe('PostgreSQL migrations', () => {
  it('keep the version numbers of SQLite’s: every SQLite migration has its PostgreSQL twin', () => {
    const latest = MIGRATIONS.at(-1)?.version;
    assert.equal(PG_MIGRATIONS.at(-1)?.version, latest, 'a new SQLite migration needs one in PG_MIGRATIONS with the same number');
  });

  it('make the same tables and columns as SQLite’s at the same version', async (t) => {
    const pool = await openPostgres(await server.freshDatabase());
    t.after(() => pool.end());
    const sqlite = openDatabase(':memory:');
    t.after(() => sqlite.close());
    const sqliteColumns = sqlite
      .prepare<[], { t: string; c: string }>(
        "SELECT m.name AS t, p.name AS c FROM sqlite_schema m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2",
      )
      .all()
      .map((row) => `${row.t}.${row.c}`);
    const pgColumns = (
      await pool.query<{ t: string; c: string }>(
        "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1, 2",
      )
    ).rows.map((row) => `${row.t}.${row.c}`);
    assert.deepEqual(pgColumns.sort(), sqliteColumns.sort());
  });

  it('run once when two processes start together, and a newer release’s database is refused untouched', async (t) => {
    const url = await server.freshDatabase();
    const [a, b] = [createPool(url), createPool(url)];
    t.after(() => Promise.all([a.end(), b.end()]));
    const ran = await Promise.all([migratePostgres(a, PG_MIGRATIONS), migratePostgres(b, PG_MIGRATIONS)]);
    assert.deepEqual(ran.flat(), PG_MIGRATIONS.map((m) => m.version), 'each migration applied by one of them');
    assert.deepEqual(await appliedVersions(a), PG_MIGRATIONS.map((m) => m.version));

    await a.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')");
    await a.query("INSERT INTO quiz_terms (guild_id, starts_on, set_by, updated_at) VALUES ('g', '2026-01-05', 'u', 1)");
    await assert.rejects(openPostgres(url), /schema version 999 is newer than this code knows .*nothing was changed/);
    assert.equal((await a.query('SELECT * FROM quiz_terms')).rowCount, 1);
  });

  it('a failing migration changes nothing: the whole pending set is one transaction', async (t) => {
    const url = await server.freshDatabase();
    const broken = [...PG_MIGRATIONS, { version: 1000, name: 'broken', up: 'CREATE TABLE later (x integer); SELECT no_such_function()' }];
    await assert.rejects(openPostgres(url, { migrations: broken }), /migration 1000 \("broken"\) failed, nothing was changed/);
    const pool = createPool(url);
    t.after(() => pool.end());
    assert.deepEqual(await appliedVersions(pool), []);
    assert.equal((await pool.query("SELECT to_regclass('daily_schedules') AS t")).rows[0]?.t, null);
  });
});

describe('PostgreSQL connections', () => {
  it('never show the password: not in a redacted URL, not in the error of a server that refuses', async () => {
    const secret = 's3cr3t-pässword';
    const url = `postgres://bot:${encodeURIComponent(secret)}@127.0.0.1:1/hv?sslmode=disable`;
    assert.equal(redactUrl(url), 'postgres://bot:***@127.0.0.1:1/hv');
    const error = await openPostgres(url, { connectionTimeoutMs: 2_000 }).then(
      () => assert.fail('connected to nothing'),
      (err: unknown) => err as Error,
    );
    assert.match(error.message, /^db: PostgreSQL at postgres:\/\/bot:\*\*\*@127\.0\.0\.1:1\/hv: /);
    assert.ok(!error.message.includes(secret) && !error.message.includes(encodeURIComponent(secret)));
  });

  it('a connection the server drops is logged, never thrown: the pool reconnects at the next query', async (t) => {
    const url = await server.freshDatabase();
    const warnings: string[] = [];
    const pool = await openPostgres(url, { log: { warn: (_d, m) => warnings.push(m), error: (_d, m) => warnings.push(m) } });
    t.after(() => pool.end());
    await pool.query('SELECT 1');
    // Another session ends this pool's idle connection, as a server restart or a network cut would.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()");
    await admin.end();
    for (let i = 0; i < 100 && warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(warnings, ['db: a PostgreSQL connection was lost; reconnecting at the next query']);
    assert.equal((await pool.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n, 1, 'the next query works');
  });
});

describe('PostgreSQL at start', () => {
  it('unreachable: retried with backoff, each retry logged without the password, then one clear failure', async () => {
    const url = 'postgres://bot:hunter2-secret@127.0.0.1:1/hv';
    const warnings: object[] = [];
    const log = { warn: (details: object) => warnings.push(details), error: () => undefined };
    await assert.rejects(openStorage({ databasePath: ':memory:', databaseUrl: url }, log, [5, 10]), (error: Error) => {
      assert.match(error.message, /^db: PostgreSQL at postgres:\/\/bot:\*\*\*@127\.0\.0\.1:1\/hv: .*ECONNREFUSED/);
      return true;
    });
    assert.deepEqual(warnings.map((w) => (w as { retryInMs: number }).retryInMs), [5, 10], 'two retries, then it gave up');
    assert.ok(!JSON.stringify(warnings).includes('hunter2-secret'));
  });

  it('reachable: the stores of the engine DATABASE_URL names', async (t) => {
    const storage = await openStorage({ databasePath: ':memory:', databaseUrl: await server.freshDatabase() });
    t.after(() => storage.close());
    assert.equal(storage.engine, 'postgres');
    assert.match(storage.where, /^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/hv_\d+$/);
    assert.deepEqual(await storage.daily.listGuildSchedules('g'), []);
  });
});
