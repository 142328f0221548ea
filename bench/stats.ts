/** Small statistics and process helpers for the benchmark. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function summarize(samples: readonly number[]): Summary {
  return { n: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), max: Math.max(...samples) };
}

/** Rounds to a few significant digits, for JSON and tables. */
export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const scale = 10 ** Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(x))));
  return Math.round(x * scale) / scale;
}

/** A full garbage collection, when the process has one to offer (`--expose-gc`). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

/** A minor (young generation) collection, when the process allows it (`--expose-gc`). */
export function collectYoung(): void {
  const gc = (globalThis as { gc?: (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void }).gc;
  if (gc) gc({ type: 'minor', execution: 'sync' });
}

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT_DIR = path.resolve(BENCH_DIR, '..');

/**
 * Runs `bench/<script>` in a fresh Node process (`node [flags] --import tsx`)
 * and returns the JSON object it prints on its last line of output.
 */
export function runChild<T>(script: string, args: readonly string[], flags: readonly string[] = [], env: Record<string, string> = {}): Promise<T> {
  // A compiled `.mjs` runs on plain node; a `.ts` under tsx, as `npm start` runs the bot.
  const runner = script.endsWith('.mjs') ? [script] : ['--import', 'tsx', path.join(BENCH_DIR, script)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, ...runner, ...args], {
      cwd: ROOT_DIR,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`bench/${script} ${args.join(' ')} exited with ${code}:\n${err || out}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`bench/${script} printed no JSON:\n${out}\n${err}`));
      }
    });
  });
}
