/**
 * `npm run db -- migrate | status | copy [--from FILE] [--to URL]`
 *
 * - migrate: brings the configured database (DATABASE_URL, else the SQLite
 *   file at DATABASE_PATH) to this release's schema, as the bot does at start.
 * - status: which database, its schema version against this release's, what
 *   is pending, and the rows per table; changes nothing.
 * - copy: moves an SQLite install to PostgreSQL (src/db/copy.ts), verified by
 *   counts; copying twice changes nothing.
 *
 * A URL is only ever printed with its password masked.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import dotenv from 'dotenv';
import { parseConfig } from '../config.js';
import { copySqliteToPostgres } from './copy.js';
import { MIGRATIONS, openDatabase, schemaVersion } from './database.js';
import { appliedVersions, createPool, isPostgresUrl, openPostgres, PG_MIGRATIONS, redactSecret, redactUrl, type PgPool } from './postgres.js';

const USAGE = 'usage: npm run db -- migrate | status | copy [--from FILE] [--to postgres://…]';

type Print = (line: string) => void;

export async function runDbCommand(argv: readonly string[], env: Record<string, string | undefined>, out: Print, err: Print): Promise<number> {
  const [command, ...rest] = argv;
  const config = parseConfig(env);
  const url = config.databaseUrl;
  try {
    if (command === 'migrate') return url ? await migratePg(url, out) : migrateSqlite(config.databasePath, out);
    if (command === 'status') return url ? await statusPg(url, out) : statusSqlite(config.databasePath, out);
    if (command === 'copy') {
      const from = option(rest, '--from') ?? config.databasePath;
      const to = option(rest, '--to') ?? url;
      if (!to || !isPostgresUrl(to)) {
        err(`db copy: say where to: --to postgres://… (or set DATABASE_URL)${to ? `; ${redactUrl(to)} is not a PostgreSQL URL` : ''}`);
        return 2;
      }
      return await copy(path.resolve(from), to, out, err);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    err(url ? redactSecret(message, url) : message);
    return 1;
  }
  err(USAGE);
  return 2;
}

function option(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function migratePg(url: string, out: Print): Promise<number> {
  const before = await withPool(url, (pool) => appliedVersions(pool));
  const pool = await openPostgres(url);
  try {
    const after = await appliedVersions(pool);
    const ran = after.filter((v) => !before.includes(v));
    out(`PostgreSQL at ${redactUrl(url)}: ${ran.length > 0 ? `applied ${ran.join(', ')}; ` : 'nothing to apply; '}schema version ${Math.max(0, ...after)}`);
  } finally {
    await pool.end();
  }
  return 0;
}

function migrateSqlite(file: string, out: Print): number {
  const before = existsSync(file) ? readVersion(file) : 0;
  const db = openDatabase(file);
  try {
    const after = schemaVersion(db);
    out(`SQLite ${file}: ${after > before ? `migrated from version ${before} to ${after}` : `nothing to apply; schema version ${after}`}`);
  } finally {
    db.close();
  }
  return 0;
}

async function statusPg(url: string, out: Print): Promise<number> {
  return withPool(url, async (pool) => {
    const applied = await appliedVersions(pool);
    const pending = PG_MIGRATIONS.filter((m) => !applied.includes(m.version));
    out(`PostgreSQL at ${redactUrl(url)}`);
    out(`  schema version ${Math.max(0, ...applied)} (this release: ${Math.max(...PG_MIGRATIONS.map((m) => m.version))})`);
    out(pending.length > 0 ? `  pending: ${pending.map((m) => `${m.version} (${m.name})`).join(', ')} — run npm run db -- migrate` : '  nothing pending');
    if (applied.length > 0) {
      const tables = await pool.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
      );
      for (const { name } of tables.rows) {
        const n = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`);
        out(`  ${name.padEnd(24)} ${String(n.rows[0]?.n ?? 0).padStart(8)} rows`);
      }
    }
    return 0;
  });
}

function statusSqlite(file: string, out: Print): number {
  if (!existsSync(file)) {
    out(`SQLite ${file}: no file yet (the bot or npm run db -- migrate creates it)`);
    return 0;
  }
  // Read-only: status never changes the file, not even to migrate it.
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const version = schemaVersion(db);
    out(`SQLite ${file}`);
    out(`  schema version ${version} (this release: ${MIGRATIONS.length})`);
    const pending = MIGRATIONS.slice(version);
    out(pending.length > 0 ? `  pending: ${pending.map((m) => `${m.version} (${m.name})`).join(', ')} — run npm run db -- migrate` : '  nothing pending');
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    for (const { name } of tables) {
      const n = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get()?.n ?? 0;
      out(`  ${name.padEnd(24)} ${String(n).padStart(8)} rows`);
    }
  } finally {
    db.close();
  }
  return 0;
}

async function copy(from: string, to: string, out: Print, err: Print): Promise<number> {
  if (!existsSync(from)) {
    err(`db copy: no SQLite file at ${from} (--from FILE, or DATABASE_PATH); nothing was copied`);
    return 1;
  }
  const before = readVersion(from);
  // The file is brought to this release's schema first (in place, in one transaction, as the bot would at start).
  const sqlite = openDatabase(from);
  try {
    if (schemaVersion(sqlite) > before) out(`SQLite ${from}: migrated from version ${before} to ${schemaVersion(sqlite)} first`);
    const pool = await openPostgres(to);
    try {
      const report = await copySqliteToPostgres(sqlite, pool);
      if (report.missing.length > 0) {
        err(`db copy: PostgreSQL at ${redactUrl(to)} has no table ${report.missing.join(', ')}: is it this release's schema? nothing was copied`);
        return 1;
      }
      out(`copied ${from} → PostgreSQL at ${redactUrl(to)}`);
      for (const t of report.tables) {
        out(`  ${t.table.padEnd(24)} ${String(t.source).padStart(8)} in the file, ${String(t.added).padStart(8)} added, ${String(t.target).padStart(8)} in PostgreSQL`);
      }
      const total = report.tables.reduce((sum, t) => sum + t.source, 0);
      out(`verified: every one of the file's ${total} rows is in PostgreSQL`);
      return 0;
    } finally {
      await pool.end();
    }
  } finally {
    sqlite.close();
  }
}

function readVersion(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return schemaVersion(db);
  } finally {
    db.close();
  }
}

async function withPool<T>(url: string, work: (pool: PgPool) => Promise<T>): Promise<T> {
  const pool = createPool(url, { max: 1 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

const entry = process.argv[1] ? path.resolve(process.argv[1]) : '';
if (entry.endsWith(path.join('src', 'db', 'cli.ts')) || entry.endsWith(path.join('src', 'db', 'cli.js'))) {
  dotenv.config({ quiet: true });
  process.exitCode = await runDbCommand(
    process.argv.slice(2),
    process.env,
    (line) => console.log(line),
    (line) => console.error(line),
  );
}
