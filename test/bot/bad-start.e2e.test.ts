/**
 * Every bad start is refused with one line saying what is wrong and what to
 * do, and changes nothing: the database checks through startBot, and the real
 * entry point run as a person would run it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/db/database.js';
import { StartError, startBot } from '../../src/main.js';
import { TOKEN } from '../support/bot.js';

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-start-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The refusal startBot gives, checked to be a StartError of one line. */
async function refusal(env: Record<string, string>): Promise<string> {
  let caught: unknown;
  try {
    const bot = await startBot({ DISCORD_TOKEN: TOKEN, DISCORD_API_BASE: 'http://127.0.0.1:9/api', LOG_LEVEL: 'silent', ...env });
    await bot.stop();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof StartError, `expected a StartError, got ${String(caught)}`);
  assert.doesNotMatch(caught.message, /\n/, 'one line');
  return caught.message;
}

/** Runs an entry as `npm start` would (no test runner around it); resolves with everything it printed. */
export function runEntry(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const childEnv: Record<string, string | undefined> = { ...process.env, LOG_FORMAT: 'json', ...env };
  delete childEnv.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    }),
  );
}

test('database: damaged, not ours, not SQLite — one line each, the file unchanged', async (t) => {
  const dir = tempDir(t);
  const damaged = path.join(dir, 'damaged.db');
  const db = openDatabase(damaged);
  const insert = db.prepare("INSERT INTO daily_test_posts (guild_id, channel_id, quote_id, requested_by, created_at) VALUES (?, 'c', 'q', 'u', 1)");
  db.transaction(() => {
    for (let i = 0; i < 400; i++) insert.run(`guild-${i}-${'x'.repeat(60)}`);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const fd = fs.openSync(damaged, 'r+');
  fs.writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, 3 * 4096);
  fs.closeSync(fd);

  const foreign = path.join(dir, 'shop.db');
  const other = new Database(foreign);
  other.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)');
  other.close();

  const text = path.join(dir, 'notes.db');
  fs.writeFileSync(text, 'not a database\n'.repeat(200));

  const cases = [
    [damaged, /^The database file .*damaged\.db is damaged \(.+\)\. Stop every process using it and restore it from your latest backup/],
    [foreign, /^The file .*shop\.db holds tables that are not this bot's \(users\), so it is not this bot's database and was left untouched/],
    [text, /^The file .*notes\.db is not an SQLite database/],
  ] as const;
  for (const [file, expected] of cases) {
    const before = fs.readFileSync(file);
    assert.match(await refusal({ DATABASE_PATH: file }), expected);
    assert.deepEqual(fs.readFileSync(file), before, `${file} unchanged`);
    assert.ok(!fs.existsSync(`${file}-wal`), `no -wal beside ${file}`);
  }
});

test('DATABASE_PATH=/proc/hv/x.db: the real entry says so in one line and exits 1, without hanging', { skip: !fs.existsSync('/proc/self') }, async () => {
  const run = await runEntry(['--import', 'tsx', 'src/main.ts'], { DISCORD_TOKEN: TOKEN, DISCORD_API_BASE: 'http://127.0.0.1:9/api', DATABASE_PATH: '/proc/hv/x.db' });
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, /^The database folder \/proc\/hv could not be created \(.+\), so the database file \/proc\/hv\/x\.db cannot be kept there: set DATABASE_PATH to a file in a folder this user can write\.\n$/);
});
