/**
 * The real `npm start` entry as a process tree for end-to-end tests: the
 * process in a group of its own (killed whole in t.after, so nothing outlives
 * the test), its output kept, its JSON log lines readable.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TOKEN } from './bot.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type Line = Record<string, unknown>;

export interface BotProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** The JSON log lines so far. */
  lines(): Line[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to the whole process group: the machine dies, manager and shards at once. */
  killHard(): void;
}

/** `src/main.ts` under tsx, with the test token and JSON logs, and `env` over the test's own environment. */
export function startBotProcess(t: TestContext, env: Record<string, string>): BotProcess {
  const { SHARDS: _s, SHARD_COUNT: _c, SHARD_IDS: _i, CLUSTERS: _k, SHARDING_MANAGER: _m, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...inherited, DISCORD_TOKEN: TOKEN, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exit = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const killHard = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  t.after(killHard);
  return {
    child,
    exit,
    killHard,
    output: () => output,
    lines: () =>
      output.split('\n').flatMap((l) => {
        if (!l.startsWith('{')) return [];
        try {
          return [JSON.parse(l) as Line];
        } catch {
          return [];
        }
      }),
  };
}

/** Polls `probe` every `intervalMs` until it gives something truthy; fails with the process's last output after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  run: BotProcess | null,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 60_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}\n${run?.output().slice(-3000) ?? ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
