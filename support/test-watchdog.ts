/**
 * Loaded into every test file's process (`node --import ./support/test-watchdog.ts
 * --test`, see package.json) so that a test that hangs, or a file that leaves
 * something running, fails fast and says what, instead of holding the run until
 * a CI time limit kills it with nothing reported:
 *
 * - a test stuck for STALL_MS (3 min) (no test started or finished meanwhile) is named,
 *   with what the process still has open, and the file fails. node:test's own
 *   `--test-timeout` only bounds a whole file on Node 20, without a test name;
 * - once a file's last test has finished its process must exit: a client,
 *   server, socket or timer a test forgot to stop keeps it alive. After
 *   GRACE_MS the file fails, naming what is still alive.
 *
 * With HV_LEAK_TRACE=1 the stack that created each surviving resource is
 * printed too (tracking costs speed, hence opt-in).
 */
import { createHook } from 'node:async_hooks';
import { after, afterEach, beforeEach, type SuiteContext, type TestContext } from 'node:test';

// A test may legitimately sit for a while: one compiles the whole project with tsc (minutes on a loaded 2-core machine).
const STALL_MS = Number(process.env.HV_TEST_STALL_MS ?? 180_000);
const GRACE_MS = 10_000;
/** The async resources that keep a process alive. */
const HANDLES = new Set(['Timeout', 'Immediate', 'TCPWRAP', 'TCPSERVERWRAP', 'PIPEWRAP', 'PIPESERVERWRAP', 'PROCESSWRAP', 'UDPWRAP', 'SIGNALWRAP', 'FSEVENTWRAP', 'STATWATCHER']);
const file = process.argv[1] ?? '';

// Only in a test file's own process: processes a test spawns inherit the
// runner's flags and environment (the bot's shard processes do) and must not
// become tests.
if (process.env.NODE_TEST_CONTEXT && /\.test\.[cm]?[jt]s$/.test(file)) {
  const origins = new Map<number, string>();
  if (process.env.HV_LEAK_TRACE === '1') {
    createHook({
      init(id, type) {
        if (!HANDLES.has(type)) return;
        const frames = (new Error().stack ?? '').split('\n').slice(2).filter((l) => !l.includes('node:internal/async_hooks'));
        // The watchdog's own timers are not leaks.
        if (!frames.some((l) => l.includes('test-watchdog'))) origins.set(id, [type, ...frames.slice(0, 10)].join('\n'));
      },
      destroy(id) {
        origins.delete(id);
      },
    }).enable();
  }

  const fail = (problem: string): never => {
    const alive = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    const lines = [
      `${file}: ${problem}`,
      `Still open: ${alive.join(', ') || 'nothing'}.`,
      'Every test must stop what it starts (t.after: clients, servers, schedulers, timers).',
      ...(origins.size ? ['Created at:', ...origins.values()] : ['Run this file again with HV_LEAK_TRACE=1 to see where each was created.']),
    ];
    process.stderr.write(`${lines.join('\n')}\n`);
    process.exit(1);
  };

  const running = new Map<TestContext | SuiteContext, { readonly name: string; readonly start: number }>();
  let progressAt = Date.now();
  beforeEach((t) => {
    running.set(t, { name: t.name, start: Date.now() });
    progressAt = Date.now();
  });
  afterEach((t) => {
    running.delete(t);
    progressAt = Date.now();
  });
  setInterval(() => {
    if (running.size === 0 || Date.now() - progressAt < STALL_MS) return;
    const path = [...running.values()].map((r) => `"${r.name}" (${Math.round((Date.now() - r.start) / 1000)} s)`).join(' > ');
    fail(`test ${path} has made no progress for ${STALL_MS / 1000} s.`);
  }, 1000).unref();

  after(() => {
    setTimeout(() => fail(`the process did not exit ${GRACE_MS / 1000} s after its last test.`), GRACE_MS).unref();
  });
}
