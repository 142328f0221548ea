/**
 * Moving an install from its SQLite file to PostgreSQL (`npm run db -- copy`):
 * every row of every table the two schemas share, in one PostgreSQL
 * transaction, each row inserted `ON CONFLICT DO NOTHING` so that a second
 * copy (or a copy into a database the bot already wrote) adds nothing twice
 * and overwrites nothing. Then verified by counts: every table must hold at
 * least the file's rows, and every row of the file must be found by its key.
 *
 * The two schemas have the same tables and columns (src/db/postgres.ts keeps
 * them together); values need no conversion: both store flags as 0/1 and
 * times as epoch milliseconds.
 */
import type { SqliteDatabase } from './database.js';
import { transaction, type PgClient, type PgPool } from './postgres.js';

export interface TableCopy {
  readonly table: string;
  /** Rows in the SQLite file. */
  readonly source: number;
  /** Rows this copy added (the others were there already). */
  readonly added: number;
  /** Rows in PostgreSQL after the copy. */
  readonly target: number;
}

export interface CopyReport {
  readonly tables: readonly TableCopy[];
  /** Tables of the file that PostgreSQL lacks (a schema mismatch: nothing is copied then). */
  readonly missing: readonly string[];
}

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters for any table here. */
const BATCH = 500;

export async function copySqliteToPostgres(sqlite: SqliteDatabase, pool: PgPool): Promise<CopyReport> {
  const sourceTables = sqlite
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()
    .map((row) => row.name);
  return transaction(pool, async (client) => {
    const targetTables = await tablesInDependencyOrder(client);
    const missing = sourceTables.filter((table) => !targetTables.includes(table));
    if (missing.length > 0) return { tables: [], missing };
    const tables: TableCopy[] = [];
    for (const table of targetTables.filter((t) => sourceTables.includes(t))) {
      tables.push(await copyTable(sqlite, client, table));
    }
    return { tables, missing };
  });
}

async function copyTable(sqlite: SqliteDatabase, client: PgClient, table: string): Promise<TableCopy> {
  const columns = sqlite
    .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table.replaceAll("'", "''")}')`)
    .all()
    .map((row) => row.name);
  const keys = await primaryKey(client, table);
  const rows = sqlite.prepare(`SELECT * FROM ${quote(table)}`).raw(true).all() as unknown[][];
  let added = 0;
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const params: unknown[] = [];
    const tuples = batch.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(', ')})`);
    const result = await client.query(
      `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`,
      params,
    );
    added += result.rowCount ?? 0;
  }
  // Rows copied with their own ids: the identity sequence must continue after the largest.
  const identity = await client.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'",
    [table],
  );
  for (const { column_name: column } of identity.rows) {
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST((SELECT max(${quote(column)}) FROM ${quote(table)}), 1), (SELECT max(${quote(column)}) FROM ${quote(table)}) IS NOT NULL)`,
      [table, column],
    );
  }
  const target = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quote(table)}`)).rows[0]?.n ?? 0);
  await verifyKeys(sqlite, client, table, keys, rows.length);
  return { table, source: rows.length, added, target };
}

/** Every key of the file's rows is in PostgreSQL: counted in PostgreSQL against the keys sent. */
async function verifyKeys(sqlite: SqliteDatabase, client: PgClient, table: string, keys: readonly string[], expected: number): Promise<void> {
  if (keys.length === 0 || expected === 0) return;
  const keyRows = sqlite.prepare(`SELECT ${keys.map(quote).join(', ')} FROM ${quote(table)}`).raw(true).all() as unknown[][];
  let found = 0;
  for (let start = 0; start < keyRows.length; start += BATCH) {
    const batch = keyRows.slice(start, start + BATCH);
    const params: unknown[] = [];
    const tuples = batch.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(', ')})`);
    // Compared as text: the file's integers and PostgreSQL's BIGINT print the same.
    const left = keys.map((k) => `${quote(table)}.${quote(k)}::text`).join(', ');
    const right = keys.map((_, i) => `k.c${i}::text`).join(', ');
    const result = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${quote(table)} JOIN (VALUES ${tuples.join(', ')}) AS k(${keys.map((_, i) => `c${i}`).join(', ')}) ON (${left}) = (${right})`,
      params,
    );
    found += Number(result.rows[0]?.n ?? 0);
  }
  if (found !== expected) throw new Error(`db copy: ${table}: ${expected} rows in the file, ${found} of them found in PostgreSQL after the copy; nothing was committed`);
}

async function primaryKey(client: PgClient, table: string): Promise<string[]> {
  const result = await client.query<{ attname: string }>(
    `SELECT a.attname FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = to_regclass($1) AND i.indisprimary
      ORDER BY array_position(i.indkey, a.attnum)`,
    [table],
  );
  return result.rows.map((row) => row.attname);
}

/**
 * The schema's tables, each after the tables it references (so that a
 * foreign key always finds its row). `schema_migrations` is PostgreSQL's own
 * bookkeeping, not data to copy.
 */
async function tablesInDependencyOrder(client: PgClient): Promise<string[]> {
  const tables = (
    await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name",
    )
  ).rows.map((row) => row.name);
  const edges = (
    await client.query<{ child: string; parent: string }>(
      `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
         FROM pg_constraint c
        WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`,
    )
  ).rows;
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (table: string): void => {
    if (ordered.includes(table) || visiting.has(table)) return;
    visiting.add(table);
    for (const edge of edges) if (edge.child === table && edge.parent !== table) visit(edge.parent);
    ordered.push(table);
  };
  tables.forEach(visit);
  return ordered;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
