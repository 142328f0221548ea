/**
 * Every bad start is refused with one line saying what is wrong and what to
 * do, and changes nothing: a bad database file, a DISCORD_API_BASE that is not
 * Discord's API, through startBot and through the real entry point run as a
 * person would run it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import pino from 'pino';
import { openDatabase } from '../../src/db/database.js';
import { StartError, startBot } from '../../src/main.js';
import { fetchGatewayInfo } from '../../src/shard/manager.js';
import { TOKEN } from '../../support/bot.js';

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

/** A local HTTP server answering every request with `answer`; its API base (…/api). */
async function server(t: TestContext, answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<string> {
  const s = http.createServer(answer);
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  t.after(() => {
    s.closeAllConnections();
    s.close();
  });
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/api`;
}

/** startBot against `apiBase`: its refusal (one line) and what it logged meanwhile. */
async function apiRefusal(t: TestContext, apiBase: string, timeoutMs?: number): Promise<{ message: string; logs: string[]; ms: number }> {
  const logs: string[] = [];
  const log = pino({ level: 'debug', base: undefined }, { write: (line: string) => void logs.push((JSON.parse(line) as { msg: string }).msg) });
  const started = Date.now();
  let caught: unknown;
  try {
    const bot = await startBot(
      { DISCORD_TOKEN: TOKEN, DISCORD_API_BASE: apiBase, DATABASE_PATH: path.join(tempDir(t), 'bot.db'), LOG_LEVEL: 'debug' },
      { log, ...(timeoutMs !== undefined ? { discordTimeoutMs: timeoutMs } : {}) },
    );
    await bot.stop();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof StartError, `expected a StartError, got ${String(caught)}`);
  assert.doesNotMatch(caught.message, /\n/, 'one line');
  assert.ok(!caught.message.includes(TOKEN), 'no token');
  return { message: caught.message, logs, ms: Date.now() - started };
}

const CHECK = 'Check DISCORD_API_BASE: leave it unset for Discord itself (https://discord.com/api)';

test('DISCORD_API_BASE answering an HTML page (200 or 404): what was tried, where, what to check; no "stopped" line', async (t) => {
  for (const status of [200, 404]) {
    const base = await server(t, (_req, res) => {
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body>Welcome to nginx!</body></html>');
    });
    const { message, logs } = await apiRefusal(t, base);
    assert.equal(message, `${base} does not answer like Discord's API: HTTP ${status} with an HTML page instead of the gateway's address (tried GET ${base}/v10/gateway/bot). ${CHECK}.`);
    assert.deepEqual(logs, [], 'nothing logged besides the one line');
  }
});

test('DISCORD_API_BASE that never answers: said once, within the deadline, not after a minute of retries', async (t) => {
  const silent = net.createServer((socket) => socket.on('error', () => undefined));
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  const sockets: net.Socket[] = [];
  silent.on('connection', (s) => sockets.push(s));
  t.after(() => {
    sockets.forEach((s) => s.destroy());
    silent.close();
  });
  const base = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/api`;
  const { message, logs, ms } = await apiRefusal(t, base, 400);
  assert.equal(message, `Discord's API did not answer within 0.4 s (tried GET ${base}/v10/gateway/bot). ${CHECK}, and that this machine can reach it (network, firewall, proxy).`);
  assert.deepEqual(logs, []);
  assert.ok(ms < 10_000, `${ms} ms`);
});

test('DISCORD_API_BASE refusing connections, answering 503, 429 or JSON of another shape: one line each', async (t) => {
  const closed = net.createServer().listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((done) => closed.close(() => done()));
  const refused = await apiRefusal(t, `http://127.0.0.1:${port}/api`);
  assert.match(refused.message, /^Could not reach Discord's API \(tried GET http:\/\/127\.0\.0\.1:\d+\/api\/v10\/gateway\/bot: connection refused\)\. Check DISCORD_API_BASE/);

  const down = await server(t, (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('upstream connect error');
  });
  assert.match((await apiRefusal(t, down)).message, /^Discord's API answered HTTP 503 with text\/plain that is not JSON \(tried GET .*\): it may be down \(https:\/\/discordstatus\.com\), so try again later\./);

  const limited = await server(t, (_req, res) => {
    res.writeHead(429, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'You are being rate limited.', retry_after: 12.5, global: false }));
  });
  assert.match((await apiRefusal(t, limited)).message, /^Discord's API is rate-limiting this bot for 13 s \(HTTP 429 to GET .*\)\. Wait, then start again/);

  const other = await server(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"hello":"world"}');
  });
  assert.match((await apiRefusal(t, other)).message, /does not answer like Discord's API: HTTP 200 with JSON of another shape instead of the gateway's address/);
});

test('the sharding manager asks the same way, with the same line', async (t) => {
  const base = await server(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html></html>');
  });
  await assert.rejects(fetchGatewayInfo(base, TOKEN), (err: unknown) => err instanceof StartError && err.message.startsWith(`${base} does not answer like Discord's API: HTTP 200 with an HTML page`));
});

test('npm start against an HTML page: exactly one line on the terminal, exit 1', async (t) => {
  const base = await server(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Hello</title>');
  });
  const run = await runEntry(['--import', 'tsx', 'src/main.ts'], { DISCORD_TOKEN: TOKEN, DISCORD_API_BASE: base, DATABASE_PATH: path.join(tempDir(t), 'bot.db'), LOG_LEVEL: 'info' });
  assert.equal(run.code, 1, run.output);
  assert.equal(run.output, `${base} does not answer like Discord's API: HTTP 200 with an HTML page instead of the gateway's address (tried GET ${base}/v10/gateway/bot). ${CHECK}.\n`);
});
