/**
 * Upgrading in place: a database written by the previous release (schema 2:
 * one schedule per server, posts keyed by (server, date)) — built with that
 * release's own migrations, filled as it filled it — is migrated at start to
 * classroom schedules with every row kept, in one transaction; a day posted
 * under the old key is never posted again; a file from a newer release is
 * refused with one line and left untouched.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { dueSchedules } from '../../src/daily/due.js';
import { SqliteDailyStore } from '../../src/daily/sqlite-store.js';
import { MIGRATIONS, openDatabase, schemaVersion } from '../../src/db/database.js';
import type { Migration, SqliteDatabase } from '../../src/db/database.js';

/** The release before classroom schedules shipped migrations 1 to 3; these are them, unedited. */
const PREVIOUS_RELEASE = MIGRATIONS.slice(0, 3);
/** The last release before the quiz and classroom schedules landed together: migrations 1 and 2. */
const RELEASES: readonly (readonly [string, readonly Migration[]])[] = [
  ['migrations 1–2 (the release before the quiz)', MIGRATIONS.slice(0, 2)],
  ['migrations 1–3 (with the quiz)', PREVIOUS_RELEASE],
];
const T = Date.parse('2026-06-01T00:00:00Z');

function tempFile(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-upgrade-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'bot.db');
}

/** What the previous release wrote: schedules in every state, posts of every outcome, test posts, hints. */
function previousReleaseDatabase(file: string, migrations: readonly Migration[] = PREVIOUS_RELEASE): void {
  const db = openDatabase(file, { migrations });
  const schedule = db.prepare(`
    INSERT INTO daily_schedules (guild_id, channel_id, local_time, time_zone, role_id, thread, state, paused_reason,
                                 failed_days, effective_from, created_at, updated_at, next_check_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const post = db.prepare(`
    INSERT INTO daily_posts (guild_id, local_date, quote_id, channel_id, status, attempts, stale_reclaims, claimed_by,
                             claimed_at, message_id, sent_at, last_error, next_attempt_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const testPost = db.prepare(`
    INSERT INTO daily_test_posts (guild_id, channel_id, quote_id, requested_by, message_id, error, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    schedule.run('gA', 'cA', '09:00', 'UTC', 'rA', 1, 'active', null, 0, T, T, T + 1, T + 9 * 3_600_000);
    schedule.run('gB', 'cB', '07:30', 'Europe/Berlin', null, 0, 'paused', 'daily: paused after 3 days in a row', 3, T, T, T + 2, null);
    schedule.run('gC', 'cC', '18:00', 'America/Los_Angeles', null, 0, 'off', null, 0, T, T, T + 3, null);
    // gA: sent, failed with a retry planned, and a claim left by a crash (sent without a nonce).
    post.run('gA', '2026-06-01', 'lr-001', 'cA', 'sent', 1, 0, 'old', T + 9 * 3_600_000, 'm1', T + 9 * 3_600_000 + 500, null, null, T + 9 * 3_600_000 + 500);
    post.run('gA', '2026-06-02', 'lr-002', 'cA', 'failed', 2, 0, 'old', T + 33 * 3_600_000, null, null, 'Discord answered 503', T + 33 * 3_600_000 + 120_000, T + 33 * 3_600_000);
    post.run('gA', '2026-06-03', 'lr-003', 'cA', 'claimed', 1, 0, 'old', T + 57 * 3_600_000, null, null, null, null, T + 57 * 3_600_000);
    // gB: three days failed for good, then paused.
    for (const day of ['2026-05-29', '2026-05-30', '2026-05-31']) {
      post.run('gB', day, 'lr-010', 'cB', 'failed', 5, 0, 'old', T - 86_400_000, null, null, 'Missing Access', null, T - 86_400_000);
    }
    // gC: posted before it was turned off.
    post.run('gC', '2026-05-20', 'lr-020', 'cC', 'sent', 1, 0, 'old', T - 12 * 86_400_000, 'm20', T - 12 * 86_400_000, null, null, T - 12 * 86_400_000);
    testPost.run('gA', 'cA', 'lr-030', 'u1', 'm30', null, T + 5);
    testPost.run('gB', 'cB', 'lr-031', 'u2', null, 'Missing Access', T + 6);
  })();
  db.close();
}

function rows(db: SqliteDatabase, sql: string): Record<string, unknown>[] {
  return db.prepare<[], Record<string, unknown>>(sql).all();
}

describe('upgrading a database of the previous release', () => {
  for (const [release, migrations] of RELEASES) it(`from ${release}: keeps every schedule, post, failure, paused state and test post, and attaches each post to its server’s schedule`, async (t) => {
    const file = tempFile(t);
    previousReleaseDatabase(file, migrations);
    const old = openDatabase(file, { migrations });
    assert.equal(schemaVersion(old), migrations.length);
    const schedulesBefore = rows(old, 'SELECT * FROM daily_schedules ORDER BY guild_id');
    const postsBefore = rows(old, 'SELECT * FROM daily_posts ORDER BY guild_id, local_date');
    const testsBefore = rows(old, 'SELECT * FROM daily_test_posts ORDER BY id');
    old.close();

    const db = openDatabase(file);
    t.after(() => db.close());
    assert.equal(schemaVersion(db), MIGRATIONS.length);
    const schedulesAfter = rows(db, 'SELECT * FROM daily_schedules ORDER BY guild_id');
    assert.equal(schedulesAfter.length, schedulesBefore.length);
    const idOf = new Map(schedulesAfter.map((row) => [row.guild_id, row.id]));
    assert.equal(new Set(idOf.values()).size, 3, 'one schedule id per server');
    schedulesBefore.forEach((before, i) => {
      const after = schedulesAfter[i] ?? {};
      for (const [column, value] of Object.entries(before)) {
        if (column === 'next_check_at') continue; // recomputed: the key changed
        assert.deepEqual(after[column], value, `${String(before.guild_id)}.${column}`);
      }
      assert.equal(after.days, 127, 'every day, as before');
      assert.equal(after.paused_until, null);
      assert.equal(after.next_check_at, null, 'look now');
    });

    const postsAfter = rows(db, 'SELECT * FROM daily_posts ORDER BY guild_id, local_date');
    assert.equal(postsAfter.length, postsBefore.length);
    postsBefore.forEach((before, i) => {
      const after = postsAfter[i] ?? {};
      for (const [column, value] of Object.entries(before)) assert.deepEqual(after[column], value, `${String(before.guild_id)} ${String(before.local_date)}.${column}`);
      assert.equal(after.schedule_id, idOf.get(before.guild_id));
      assert.equal(after.nonce_since, null, 'sent by a release without nonces');
      assert.equal(after.theme, null);
    });
    assert.deepEqual(rows(db, 'SELECT * FROM daily_test_posts ORDER BY id'), testsBefore);
    assert.deepEqual(rows(db, 'PRAGMA foreign_key_check'), []);
    assert.deepEqual(rows(db, 'SELECT * FROM daily_syllabus'), []);

    // Through the store: the states, reasons and streaks as the previous release left them.
    const store = new SqliteDailyStore(db);
    const gB = (await store.listGuildSchedules('gB'))[0];
    assert.equal(gB?.state, 'paused');
    assert.equal(gB?.pausedReason, 'daily: paused after 3 days in a row');
    assert.equal(gB?.failedDays, 3);
    assert.equal((await store.listGuildSchedules('gC'))[0]?.state, 'off');
    assert.deepEqual((await store.history('gA')).map((p) => `${p.localDate} ${p.status}`), ['2026-06-03 claimed', '2026-06-02 failed', '2026-06-01 sent']);
  });

  it('from migrations 1–4 (classroom schedules): every schedule, post, syllabus row and quiz kept, each schedule and quiz in English', async (t) => {
    const file = tempFile(t);
    previousReleaseDatabase(file);
    const v4 = openDatabase(file, { migrations: MIGRATIONS.slice(0, 4) });
    v4.prepare("UPDATE daily_schedules SET days = 31, paused_until = '2026-07-01', channel_name = 'class-a' WHERE guild_id = 'gA'").run();
    v4.prepare("INSERT INTO daily_syllabus (schedule_id, theme, from_date, to_date, created_at) SELECT id, 'nep', '2026-06-01', NULL, 1 FROM daily_schedules WHERE guild_id = 'gA'").run();
    v4.prepare(`INSERT INTO quizzes (id, guild_id, channel_id, asked_by, quote_id, mode, shown, options, answer, opened_at, closes_at)
                VALUES ('qz', 'gA', 'cA', 'u1', 'lr-002', 'speaker', 'words', '["a","b","c","d"]', 1, 1, 2)`).run();
    const dump = (db: SqliteDatabase) => ({
      schedules: rows(db, 'SELECT * FROM daily_schedules ORDER BY id'),
      quizzes: rows(db, 'SELECT * FROM quizzes ORDER BY id'),
      others: JSON.stringify([rows(db, 'SELECT * FROM daily_posts ORDER BY schedule_id, local_date'), rows(db, 'SELECT * FROM daily_test_posts ORDER BY id'), rows(db, 'SELECT * FROM daily_syllabus ORDER BY id')]),
    });
    const before = dump(v4);
    v4.close();
    const db = openDatabase(file);
    t.after(() => db.close());
    const after = dump(db);
    // Later migrations add columns with their defaults: no quiz days, no quiz on any post (migration 6).
    assert.equal(after.others.replace(/,"quiz_id":null/g, ''), before.others);
    assert.deepEqual(after.schedules, before.schedules.map((row) => ({ ...row, language: 'en', quiz_days: 0 })));
    assert.deepEqual(after.quizzes, before.quizzes.map((row) => ({ ...row, language: 'en' })), 'every quiz in English (migration 7)');
    assert.deepEqual((await new SqliteDailyStore(db).listGuildSchedules('gA')).map((s) => [s.language, s.days, s.pausedUntil]), [['en', 31, '2026-07-01']]);
    assert.throws(() => db.prepare("UPDATE daily_schedules SET language = 'de'").run(), /CHECK constraint failed/);
  });

  it('a day posted under the old (server, date) key is never posted again; a crashed old claim is not retried blindly', async (t) => {
    const file = tempFile(t);
    previousReleaseDatabase(file);
    const db = openDatabase(file);
    t.after(() => db.close());
    const store = new SqliteDailyStore(db);
    const gA = (await store.listGuildSchedules('gA'))[0];
    assert.ok(gA);
    assert.equal(await store.claimPost(gA.id, '2026-06-01', 'lr-099', new Date('2026-06-01T12:00:00Z'), 'new'), false);
    assert.equal((await store.getPost(gA.id, '2026-06-01'))?.quoteId, 'lr-001', 'what was posted stays recorded');
    const decide = async (iso: string) => {
      const now = new Date(iso);
      return dueSchedules(await store.listActiveSchedules(), await store.listPostsBetween('2026-05-30', '2026-06-04'), now).map((a) => `${a.schedule.guildId}:${a.kind}`);
    };
    assert.deepEqual(await decide('2026-06-01T12:00:00Z'), [], 'sent on the 1st: nothing to do');
    assert.deepEqual(await decide('2026-06-02T09:05:00Z'), ['gA:retry'], 'the planned retry still comes');
    assert.deepEqual(await decide('2026-06-03T09:30:00Z'), ['gA:abandon'], 'no nonce went with the old attempt: recorded as failed, not resent');
    assert.equal(await store.reclaimStale(gA.id, '2026-06-03', new Date('2026-06-03T09:01:00Z'), 'new'), null);
  });

  it('happens in one transaction: a failure anywhere leaves the file exactly as the previous release wrote it', async (t) => {
    const file = tempFile(t);
    previousReleaseDatabase(file);
    const before = openDatabase(file, { migrations: PREVIOUS_RELEASE });
    const dump = (db: SqliteDatabase) => JSON.stringify([rows(db, 'SELECT * FROM daily_schedules'), rows(db, 'SELECT * FROM daily_posts'), rows(db, 'SELECT * FROM daily_test_posts'), rows(db, "SELECT name FROM sqlite_schema ORDER BY name")]);
    const expected = dump(before);
    before.close();
    const last = MIGRATIONS[MIGRATIONS.length - 1] as Migration;
    const failing: Migration[] = [
      ...MIGRATIONS.slice(0, -1),
      {
        ...last,
        up: (db) => {
          if (typeof last.up === 'string') db.exec(last.up);
          else last.up(db);
          throw new Error('disk full');
        },
      },
    ];
    assert.throws(() => openDatabase(file, { migrations: failing }), /failed, nothing was changed: disk full/);
    const after = openDatabase(file, { migrations: PREVIOUS_RELEASE });
    t.after(() => after.close());
    assert.equal(schemaVersion(after), 3);
    assert.equal(dump(after), expected);
  });

  it('from migrations 1–5 (the posts’ language): every schedule, syllabus range and post kept; no quiz days, no quiz on any post', async (t) => {
    const file = tempFile(t);
    const v4 = openDatabase(file, { migrations: MIGRATIONS.slice(0, 5) });
    v4.exec(`
      INSERT INTO daily_schedules (id, guild_id, channel_id, channel_name, local_time, time_zone, days, role_id, thread, language,
                                   state, paused_reason, paused_until, failed_days, effective_from, created_at, updated_at)
      VALUES (1, 'gA', 'cA', 'seminar-a', '09:00', 'Pacific/Kiritimati', 31, 'rA', 1, 'uk', 'active', 'winter break', '2027-01-04', 0, ${T}, ${T}, ${T}),
             (2, 'gA', 'cB', NULL, '18:30', 'America/Los_Angeles', 21, NULL, 0, 'en', 'off', NULL, NULL, 2, ${T}, ${T}, ${T});
      INSERT INTO daily_posts (schedule_id, guild_id, local_date, quote_id, theme, channel_id, status, attempts, stale_reclaims,
                               claimed_by, claimed_at, nonce_since, message_id, sent_at, updated_at)
      VALUES (1, 'gA', '2026-06-01', 'lr-001', 'collectivization', 'cA', 'sent', 1, 0, 'old', ${T}, ${T}, 'm1', ${T}, ${T}),
             (2, 'gA', '2026-06-01', 'lr-002', NULL, 'cB', 'claimed', 1, 0, 'old', ${T}, ${T}, NULL, NULL, ${T});
      INSERT INTO daily_syllabus (schedule_id, theme, from_date, to_date, created_at) VALUES (1, 'collectivization', '2026-06-01', '2026-06-12', ${T});
    `);
    const before = (db: SqliteDatabase) => ['daily_schedules ORDER BY id', 'daily_posts ORDER BY schedule_id, local_date', 'daily_syllabus ORDER BY id'].map((table) => rows(db, `SELECT * FROM ${table}`));
    const expected = before(v4);
    v4.close();

    const db = openDatabase(file);
    t.after(() => db.close());
    assert.equal(schemaVersion(db), MIGRATIONS.length);
    const after = before(db);
    expected.forEach((tableRows, i) => {
      assert.equal(after[i]?.length, tableRows.length);
      tableRows.forEach((row, j) => {
        for (const [column, value] of Object.entries(row)) assert.deepEqual(after[i]?.[j]?.[column], value, column);
      });
    });
    const store = new SqliteDailyStore(db);
    assert.deepEqual((await store.listGuildSchedules('gA')).map((s) => [s.id, s.days, s.quizDays, s.pausedUntil]), [[1, 31, 0, '2027-01-04'], [2, 21, 0, null]]);
    assert.deepEqual((await store.history('gA')).map((p) => [p.scheduleId, p.status, p.quizId]), [[1, 'sent', null], [2, 'claimed', null]]);
  });

  it('a database from a newer release is refused with one clear line, and not touched', async (t) => {
    const file = tempFile(t);
    const db = openDatabase(file);
    db.prepare("INSERT INTO daily_test_posts (guild_id, channel_id, quote_id, requested_by, created_at) VALUES ('g', 'c', 'q', 'u', 1)").run();
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    const bytes = fs.readFileSync(file);
    let message = '';
    assert.throws(() => openDatabase(file), (error: Error) => {
      message = error.message;
      return true;
    });
    assert.match(message, new RegExp(`^db: database schema version ${MIGRATIONS.length + 1} is newer than this code knows \\(${MIGRATIONS.length}\\)`));
    assert.match(message, /nothing was changed$/);
    assert.doesNotMatch(message, /\n/, 'one line');
    assert.ok(fs.readFileSync(file).equals(bytes), 'the file is byte for byte as it was');
  });
});
