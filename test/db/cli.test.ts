/**
 * `npm run db -- migrate | status | copy`: an SQLite install moved to a real
 * PostgreSQL (started by this test) keeps every schedule, syllabus range, post
 * record, failure, test post, quiz, answer and term — read back through the
 * PostgreSQL stores, not only counted — and a second copy changes nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PgDailyStore } from '../../src/daily/pg-store.js';
import { SqliteDailyStore } from '../../src/daily/sqlite-store.js';
import { runDbCommand } from '../../src/db/cli.js';
import { openDatabase } from '../../src/db/database.js';
import { openPostgres } from '../../src/db/postgres.js';
import { PgQuizStore } from '../../src/quiz/pg-store.js';
import { SqliteQuizStore } from '../../src/quiz/sqlite-store.js';
import { startPostgres } from '../../support/postgres.js';

const at = (text: string) => new Date(text);

async function run(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDbCommand(argv, env, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** An install as the bot leaves it after a few weeks: two schedules, a syllabus, posts sent and failed, a quiz answered. */
async function seed(file: string): Promise<void> {
  const db = openDatabase(file);
  try {
    const daily = new SqliteDailyStore(db);
    const quiz = new SqliteQuizStore(db);
    const now = at('2026-09-01T08:00:00Z');
    const seminar = await daily.upsertSchedule({ guildId: '100000000000000001', channelId: '200000000000000001', time: '09:00', timeZone: 'Europe/Kyiv', roleId: null, thread: false, days: 31, language: 'uk' }, now);
    const second = await daily.upsertSchedule({ guildId: '100000000000000001', channelId: '200000000000000002', time: '18:30', timeZone: 'America/Los_Angeles', roleId: '300000000000000001', thread: true }, now);
    await daily.addSyllabusRange(seminar.id, 'collectivization', '2026-09-07', '2026-09-18', now);
    assert.ok(await daily.claimPost(seminar.id, '2026-09-07', 'lr-003', at('2026-09-07T06:00:00Z'), 'machine-a', 'collectivization'));
    assert.ok(await daily.markSent(seminar.id, '2026-09-07', '400000000000000001', at('2026-09-07T06:00:01Z')));
    assert.ok(await daily.claimPost(second.id, '2026-09-07', 'lr-044', at('2026-09-08T01:30:00Z'), 'machine-b'));
    await daily.markFailed(second.id, '2026-09-07', 'Missing Access', at('2026-09-08T01:30:01Z'), at('2026-09-08T02:30:00Z'));
    await daily.recordTestPost({ guildId: '100000000000000001', channelId: '200000000000000001', quoteId: 'lr-010', requestedBy: '500000000000000001', messageId: '400000000000000009', error: null }, now);
    await quiz.create({ id: 'q-1', guildId: '100000000000000001', channelId: '200000000000000001', askedBy: '500000000000000001', quoteId: 'lr-003', mode: 'speaker', shown: 'words', options: ['a', 'b', 'c', 'd'], answer: 2, openedAt: now, closesAt: at('2026-09-01T08:10:00Z'), language: 'en' } as Parameters<typeof quiz.create>[0]);
    await quiz.answer('q-1', '500000000000000002', 2, at('2026-09-01T08:01:00Z'));
    await quiz.answer('q-1', '500000000000000003', 1, at('2026-09-01T08:02:00Z'));
    await quiz.setTerm('100000000000000001', '2026-09-01', '500000000000000001', now);
  } finally {
    db.close();
  }
}

test('copy moves an SQLite install to PostgreSQL whole, verified, and a second copy changes nothing', async (t) => {
  const server = await startPostgres(t);
  const url = await server.freshDatabase();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-db-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'bot.db');
  await seed(file);
  const env = { DATABASE_PATH: file, DATABASE_URL: url };

  const first = await run(['copy', '--from', file], env);
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /daily_schedules\s+2 in the file,\s+2 added,\s+2 in PostgreSQL/);
  assert.match(first.out, /quiz_answers\s+2 in the file,\s+2 added/);
  assert.match(first.out, /verified: every one of the file's \d+ rows is in PostgreSQL/);
  assert.ok(!first.out.includes('hidden-voices-test'), 'the password never printed');

  const again = await run(['copy', '--from', file, '--to', url], {});
  assert.equal(again.code, 0, again.err);
  assert.doesNotMatch(again.out, /\s[1-9]\d* added/, 'the second copy adds nothing');

  // Read back through the PostgreSQL stores: what the bot will see.
  const pool = await openPostgres(url);
  t.after(() => pool.end());
  const sqliteDb = openDatabase(file);
  t.after(() => sqliteDb.close());
  const [pgDaily, sqDaily] = [new PgDailyStore(pool), new SqliteDailyStore(sqliteDb)];
  const guild = '100000000000000001';
  assert.deepEqual(await pgDaily.listGuildSchedules(guild), await sqDaily.listGuildSchedules(guild));
  assert.deepEqual(await pgDaily.history(guild), await sqDaily.history(guild));
  assert.deepEqual(await pgDaily.listTestPosts(guild), await sqDaily.listTestPosts(guild));
  const [seminar] = await pgDaily.listGuildSchedules(guild);
  assert.ok(seminar);
  assert.deepEqual(await pgDaily.listSyllabus(seminar.id), await sqDaily.listSyllabus(seminar.id));
  const [pgQuiz, sqQuiz] = [new PgQuizStore(pool), new SqliteQuizStore(sqliteDb)];
  assert.deepEqual(await pgQuiz.get('q-1'), await sqQuiz.get('q-1'));
  assert.deepEqual(await pgQuiz.tally('q-1'), await sqQuiz.tally('q-1'));
  assert.equal(await pgQuiz.termStart(guild), '2026-09-01');
  // New rows continue after the copied ids instead of colliding with them.
  const third = await pgDaily.upsertSchedule({ guildId: guild, channelId: '200000000000000003', time: '07:00', timeZone: 'UTC', roleId: null, thread: false }, at('2026-09-10T00:00:00Z'));
  assert.ok(third.id > Math.max(...(await sqDaily.listGuildSchedules(guild)).map((s) => s.id)));

  const status = await run(['status'], env);
  assert.equal(status.code, 0, status.err);
  assert.match(status.out, /PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
  assert.match(status.out, /nothing pending/);
  assert.match(status.out, /daily_schedules\s+3 rows/);
});

test('migrate and status on SQLite; copy refuses a missing file and a non-PostgreSQL target, changing nothing', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hv-db-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'bot.db');
  const env = { DATABASE_PATH: file };
  assert.match((await run(['status'], env)).out, /no file yet/);
  const migrated = await run(['migrate'], env);
  assert.equal(migrated.code, 0, migrated.err);
  assert.match(migrated.out, /migrated from version 0 to \d+/);
  assert.match((await run(['migrate'], env)).out, /nothing to apply/);
  assert.match((await run(['status'], env)).out, /nothing pending/);

  const missing = await run(['copy', '--from', path.join(dir, 'nope.db'), '--to', 'postgres://u:secret@127.0.0.1:1/x'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no SQLite file at .*nope\.db/);
  const notPg = await run(['copy', '--to', 'mysql://u:secret@host/x'], env);
  assert.equal(notPg.code, 2);
  assert.ok(!notPg.err.includes('secret'), notPg.err);
  assert.equal((await run(['frobnicate'], env)).code, 2);
});
