/**
 * The storage engines the store suites run against, every case on each: the
 * SQLite file (the default) and PostgreSQL (started by the test file itself,
 * support/postgres.ts). A suite loops over `STORE_ENGINES` and asks the engine
 * for a fresh, migrated database per test:
 *
 *   for (const engine of STORE_ENGINES) describe(engine.name, () => {
 *     it('…', async (t) => { const db = await engine.fresh(t); await db.daily.upsertSchedule(…); });
 *   });
 *
 * One PostgreSQL server per test file, started at its first use and stopped
 * when the file's tests are over; a new database per test.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import type { TestContext } from 'node:test';
import { PgDailyStore } from '../src/daily/pg-store.js';
import { SqliteDailyStore } from '../src/daily/sqlite-store.js';
import type { DailyStore } from '../src/daily/store.js';
import { openDatabase } from '../src/db/database.js';
import { openPostgres } from '../src/db/postgres.js';
import { ROOT } from '../src/paths.js';
import { PgQuizStore } from '../src/quiz/pg-store.js';
import { SqliteQuizStore } from '../src/quiz/sqlite-store.js';
import type { QuizStore } from '../src/quiz/store.js';
import { startPostgres, type TestPostgres } from './postgres.js';

export interface Stores {
  readonly daily: DailyStore;
  readonly quiz: QuizStore;
}

export interface StoreFixture extends Stores {
  /** The same database through another connection (pool): what another process sees and does. */
  connect(): Promise<Stores>;
  /** Runs SQL on the database directly (seeding many rows at once). */
  exec(sql: string): Promise<void>;
  /** Runs SQL through another connection and returns once it is committed, blocking this process meanwhile. */
  execElsewhereSync(sql: string): void;
  /** Where the database is: a file path or a postgres:// URL. */
  readonly location: string;
}

export interface StoreEngine {
  readonly name: 'sqlite' | 'postgres';
  fresh(t: Pick<TestContext, 'after'>): Promise<StoreFixture>;
}

const sqlite: StoreEngine = {
  name: 'sqlite',
  async fresh(t) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-stores-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'bot.db');
    const open = () => {
      const db = openDatabase(file);
      t.after(() => db.close());
      return db;
    };
    const db = open();
    const raw = open();
    return {
      daily: new SqliteDailyStore(db),
      quiz: new SqliteQuizStore(db),
      location: file,
      async connect() {
        const other = open();
        return { daily: new SqliteDailyStore(other), quiz: new SqliteQuizStore(other) };
      },
      async exec(sql) {
        db.exec(sql);
      },
      execElsewhereSync(sql) {
        raw.exec(sql);
      },
    };
  },
};

let server: Promise<TestPostgres> | undefined;
/** Registered when this module is first imported (at a test file's top level): after the file's last test. */
const stopping: (() => unknown)[] = [];
after(async () => {
  for (const stop of stopping.splice(0).reverse()) await stop();
});

const postgres: StoreEngine = {
  name: 'postgres',
  async fresh(t) {
    // One server for the whole test file, stopped after its last test.
    server ??= startPostgres({ after: (fn) => void stopping.push(fn as () => unknown) });
    const url = await (await server).freshDatabase();
    const open = async () => {
      const pool = await openPostgres(url, { max: 4 });
      t.after(() => pool.end());
      return pool;
    };
    const pool = await open();
    return {
      daily: new PgDailyStore(pool),
      quiz: new PgQuizStore(pool),
      location: url,
      async connect() {
        const other = await open();
        return { daily: new PgDailyStore(other), quiz: new PgQuizStore(other) };
      },
      async exec(sql) {
        await pool.query(sql);
      },
      execElsewhereSync(sql) {
        // Another process's write, made while this one waits (inside a read in progress, say).
        const script = `import pg from 'pg';
const client = new pg.Client({ connectionString: process.env.HV_URL });
await client.connect();
await client.query(process.env.HV_SQL);
await client.end();`;
        const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
          cwd: ROOT,
          env: { ...process.env, HV_URL: url, HV_SQL: sql },
          encoding: 'utf8',
        });
        if (result.status !== 0) throw new Error(`support/stores: SQL elsewhere failed: ${result.stderr}`);
      },
    };
  },
};

export const STORE_ENGINES: readonly StoreEngine[] = [sqlite, postgres];
