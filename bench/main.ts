/**
 * `npm run bench` — speed and memory of the bot, measured in one run:
 *
 *   1. cold start to the first /quote answer (fresh processes), and RSS then;
 *      and `npm start` to READY through the Discord stand-in, nothing changed
 *      since the build (`start_to_ready_ms`);
 *   2. /quote (parse, search, render) over a fixed mix of 46 requests, on the
 *      bundled corpus and on synthetic corpora of 10,000 and 100,000 quotes;
 *   3. the same requests through bare MiniSearch and FlexSearch, interleaved;
 *   4. the index at 100,000 quotes: saved versus rebuilt, heap per 1,000 quotes;
 *   5. the daily scheduler: real minute ticks over a SQLite file at 100,000
 *      servers (and its hourly full pass), then over an embedded PostgreSQL, the pure decision alone over all of
 *      them, a burst of 10,000 posts under Discord's global rate limit;
 *   6. /quote round trips through discord.js and the local Discord stand-in;
 *   7. the corpus drafter on the bundled essay, against its hand curation (cheap: one run);
 *   8. memory of 16 shards as `npm start` runs them through the stand-in: one process each against 2 clusters.
 *
 * `npm run bench -- --json` prints one JSON object instead of the tables;
 * `--quick` runs fewer repetitions (for trying things, not for the README);
 * `--only scheduler` runs that part alone and prints its figures.
 * Each measurement runs in its own child process (a fresh heap), one after
 * another; progress goes to stderr. Percentiles are nearest-rank over every
 * timed call; see each child for what exactly it times.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, median, round, ROOT_DIR, runChild } from './stats.js';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');
/** The parts that can run alone (`--only NAME`). */
const PARTS = ['scheduler'] as const;
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt === -1 ? undefined : process.argv[onlyAt + 1];
if (onlyAt !== -1 && !PARTS.some((part) => part === only)) {
  console.error(`bench: --only takes one of: ${PARTS.join(', ')} (not ${only ?? 'nothing'})`);
  process.exit(2);
}
const began = performance.now();
const progress = (what: string) => process.stderr.write(`bench: ${what} (${((performance.now() - began) / 1000).toFixed(0)} s)\n`);

interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}
interface QuoteRun {
  corpus: string;
  quotes: number;
  vocabulary: number;
  tokens: number;
  queries: number;
  build_ms: { ours: number; minisearch: number; flexsearch: number };
  ours: Summary;
  minisearch: Summary;
  flexsearch: Summary;
  flexsearch_all: Summary;
  slowest: { ours: { query: string; p50: number; max: number }[]; flexsearch: { query: string; p50: number; max: number }[] };
}
interface ColdStart {
  boot_ms: number;
  import_ms: number;
  create_app_ms: number;
  first_quote_ms: number;
  ready_ms: number;
  rss_mb: number;
}
interface StartToReady {
  runs: number;
  start_to_ready_ms: number;
  start_to_ready_max_ms: number;
  start_to_first_answer_ms: number;
}
interface Startup {
  quotes: number;
  build_ms: number;
  load_ms: number;
  save_ms: number;
  saved_mb: number;
  runs: number;
  mismatches: number;
}
interface Heap {
  quotes: number;
  index_mb: number;
  heap_mb_per_1000_quotes: number;
  with_corpus_mb_per_1000_quotes: number;
}
interface RealTick {
    store: string;
    schedules: number;
    active: number;
    posts: number;
    tick_ms: { p50: number; p99: number; max: number; n: number };
    checked_per_tick: { p50: number; max: number };
    due_per_tick: { p50: number; max: number };
    busiest_tick: { due: number; sent: number; ms: number };
    full_pass_ms: number;
    full_passes: number;
    full_pass_checked: number;
    all_ticks_ms: { p50: number; p99: number; max: number; n: number };
    first_tick_after_upgrade: { ms: number; checked: number; due: number; sent: number };
    seed_ms: number;
}
interface Scheduler {
  servers: number;
  zones: number;
  real_tick: RealTick;
  real_tick_postgres: RealTick;
  posts_indexed: number;
  tick_ms: { p50: number; p99: number; max: number; n: number };
  tick_ms_day_start: number;
  burst: {
    posts: number;
    requests: number;
    sent: number;
    failed: number;
    skipped: number;
    errors: number;
    recorded_sent: number;
    simulated_s: number;
    max_requests_in_any_second: number;
    tick_cpu_ms: number;
  };
}
interface E2e {
  interactions: number;
  p50: number;
  p99: number;
  max: number;
  failures: number;
}

const schedulerArgs = ['100000', '10000', quick ? '20' : '60'];
/** The scheduler's figures in the JSON, SQLite's and PostgreSQL's side by side. */
const schedulerFigures = (scheduler: Scheduler) => {
  const real = scheduler.real_tick;
  const pg = scheduler.real_tick_postgres;
  return {
    tick_ms_100000_servers: real.tick_ms.p50,
    tick_ms_100000_servers_postgres: pg.tick_ms.p50,
    tick_p99_ms_100000_servers: real.tick_ms.p99,
    tick_p99_ms_100000_servers_postgres: pg.tick_ms.p99,
    tick_due_p50_100000_servers: real.due_per_tick.p50,
    tick_due_p50_100000_servers_postgres: pg.due_per_tick.p50,
    tick_busiest_100000_servers: real.busiest_tick,
    tick_busiest_100000_servers_postgres: pg.busiest_tick,
    full_pass_ms_100000_servers: real.full_pass_ms,
    full_pass_ms_100000_servers_postgres: pg.full_pass_ms,
    first_tick_after_upgrade_ms_100000_servers: real.first_tick_after_upgrade.ms,
    first_tick_after_upgrade_ms_100000_servers_postgres: pg.first_tick_after_upgrade.ms,
    seed_ms_100000_servers: real.seed_ms,
    seed_ms_100000_servers_postgres: pg.seed_ms,
    decision_ms_100000_servers: scheduler.tick_ms.p50,
    decision_p99_ms_100000_servers: scheduler.tick_ms.p99,
    decision_ms_day_start_100000_servers: scheduler.tick_ms_day_start,
    burst_10000_posts_s: scheduler.burst.simulated_s,
    burst: scheduler.burst,
  };
};
/** One line per engine for the table: the real ticks over its store. */
const tickLine = (zones: number, real: RealTick) =>
  `p50 ${real.tick_ms.p50} ms, p99 ${real.tick_ms.p99} ms over ${real.tick_ms.n} minute ticks (${real.due_per_tick.p50} posts due in the median tick; the busiest, ${real.busiest_tick.due} posts, ${real.busiest_tick.ms} ms); hourly full pass ${real.full_pass_ms} ms; first tick after the upgrade (storing ${real.first_tick_after_upgrade.checked} hints) ${real.first_tick_after_upgrade.ms} ms; ${zones} zones`;

if (only === 'scheduler') {
  progress('scheduler (SQLite, then PostgreSQL)');
  const scheduler = await runChild<Scheduler>('scheduler-child.ts', schedulerArgs);
  if (json) console.log(JSON.stringify({ ...schedulerFigures(scheduler), scheduler, seconds: round((performance.now() - began) / 1000) }));
  else {
    console.log(`scheduler tick, 100,000 servers, ${scheduler.real_tick.store}: ${tickLine(scheduler.zones, scheduler.real_tick)}`);
    console.log(`scheduler tick, 100,000 servers, ${scheduler.real_tick_postgres.store}: ${tickLine(scheduler.zones, scheduler.real_tick_postgres)}`);
  }
  process.exit(0);
}

// ---- 1. cold start --------------------------------------------------------
progress('cold start');
const coldRuns = quick ? 3 : 7;
const baseline: number[] = [];
const cold: ColdStart[] = [];
await runChild<ColdStart>('cold-start-child.ts', []); // warms the transpile cache; not counted
for (let i = 0; i < coldRuns; i++) {
  baseline.push((await runChild<{ rss_mb: number }>('empty-child.ts', [])).rss_mb);
  cold.push(await runChild<ColdStart>('cold-start-child.ts', []));
}
const coldOf = (k: keyof ColdStart) => round(median(cold.map((c) => c[k])));
// The same start compiled to one JavaScript file on plain node, to see what tsx itself costs. esbuild is
// not a dependency of ours but of tsx's (it is how tsx compiles); without it, this line is skipped.
const compiledRuns: ColdStart[] = [];
try {
  const { build } = await import('esbuild');
  const compiled = path.join(ROOT_DIR, 'node_modules/.cache/hidden-voices-bench/cold-start.mjs');
  await build({ entryPoints: [path.join(BENCH_DIR, 'cold-start-child.ts')], outfile: compiled, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'error' });
  for (let i = 0; i < coldRuns; i++) compiledRuns.push(await runChild<ColdStart>(compiled, [], [], { HV_DATA_DIR: path.join(ROOT_DIR, 'data') }));
  rmSync(path.dirname(compiled), { recursive: true, force: true });
} catch (error) {
  process.stderr.write(`bench: no compiled cold start (${error instanceof Error ? error.message : String(error)})\n`);
}
const compiledOf = (k: keyof ColdStart) => (compiledRuns.length ? round(median(compiledRuns.map((c) => c[k]))) : null);
/** The start that counts: compiled, as `npm start` runs it; under tsx only if the compiled one could not be measured. */
const production = (k: keyof ColdStart): number => compiledOf(k) ?? coldOf(k);

// `npm start` as a service runs it: spawn to READY through the stand-in, after one (untimed) build.
progress('npm start to READY');
const started = await runChild<StartToReady>('start-child.ts', [quick ? '3' : '5']);

// ---- 2, 3. /quote, ours and the peers --------------------------------------
const quotePlans: [string, number, number, number][] = quick
  ? [
      ['bundled', 40, 1, 4],
      ['10000', 8, 2, 4],
      ['100000', 4, 4, 4],
    ]
  : [
      ['bundled', 150, 1, 3],
      ['10000', 30, 1, 3],
      ['100000', 20, 4, 5],
    ];
// A Map, not an object: "10000" and "100000" would otherwise be listed before "bundled".
const quote = new Map<string, QuoteRun>();
for (const [size, rounds, msEvery, flexAllEvery] of quotePlans) {
  progress(`/quote on ${size}`);
  quote.set(size, await runChild<QuoteRun>('quote-child.ts', [size, String(rounds), String(msEvery), String(flexAllEvery)]));
}

// ---- 4. the index at 100,000 quotes ----------------------------------------
progress('saved index versus rebuilt, 100,000 quotes');
const startup = await runChild<Startup>('index-child.ts', ['startup', '100000', quick ? '1' : '3'], ['--expose-gc']);
progress('heap, 100,000 quotes');
const heap = await runChild<Heap>('index-child.ts', ['heap', '100000'], ['--expose-gc']);

// ---- 5. the scheduler --------------------------------------------------------
progress('scheduler (SQLite, then PostgreSQL)');
const scheduler = await runChild<Scheduler>('scheduler-child.ts', schedulerArgs);

// ---- 6. end to end -----------------------------------------------------------
progress('end to end through discord.js');
const e2e = await runChild<E2e>('e2e-child.ts', [quick ? '100' : '300']);

// ---- 7. the drafter --------------------------------------------------------------
progress('drafter on the bundled essay');
interface DraftRun {
  curated: number;
  proposed: number;
  excluded: number;
  passes_check: boolean;
  draft_parts_recall: number;
  draft_note_accuracy: number;
  draft_speaker_accuracy: number;
  draft_precision: number;
  draft_ms: number;
}
const drafted = await runChild<DraftRun>('draft-child.ts', []);

// ---- 8. shards: processes against clusters ---------------------------------------
progress('16 shards: one process each, then 2 clusters');
interface ShardsLayout {
  processes: number;
  rss_mb: number;
  rss_mb_per_process_max: number;
  ready_ms: number;
}
const shards = await runChild<{ processes: ShardsLayout; clusters: ShardsLayout; rss_mb_16_shards_processes: number; rss_mb_16_shards_2_clusters: number }>('shards-child.ts', []);

// ---- results -------------------------------------------------------------------
const sizes = [...quote.keys()];
const run = (size: string) => quote.get(size) as QuoteRun;
const per = (f: (r: QuoteRun) => number) => Object.fromEntries(sizes.map((s) => [s, f(run(s))]));
const big = run('100000');
const bundled = run('bundled');
const rssBaseline = round(median(baseline));
const real = scheduler.real_tick;
const realPg = scheduler.real_tick_postgres;

interface Target {
  readonly what: string;
  readonly value: string;
  readonly target: string;
  readonly met: boolean;
}
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const targets: Target[] = [
  { what: '/quote p99, bundled corpus', value: `${bundled.ours.p99} ms`, target: '< 1 ms', met: bundled.ours.p99 < 1 },
  // `npm start` runs compiled JavaScript on plain node (tsx is for development): that is the start that counts.
  { what: 'cold start to first answer, compiled as npm start runs it (median)', value: `${production('ready_ms')} ms`, target: '< 1000 ms', met: production('ready_ms') < 1000 },
  { what: 'npm start to READY, nothing changed since the build (median)', value: `${started.start_to_ready_ms} ms`, target: '< 5000 ms', met: started.start_to_ready_ms < 5000 },
  { what: 'RSS after cold start, compiled as npm start runs it (median)', value: `${production('rss_mb')} MB`, target: '< 100 MB', met: production('rss_mb') < 100 },
  { what: '/quote p99 at 100,000 quotes vs FlexSearch', value: `${big.ours.p99} vs ${big.flexsearch.p99} ms`, target: '≤ FlexSearch', met: big.ours.p99 <= big.flexsearch.p99 },
  { what: 'saved index start vs rebuild, 100,000', value: `${startup.load_ms} vs ${startup.build_ms} ms (×${round(startup.build_ms / startup.load_ms, 2)})`, target: '≥ 3× faster', met: startup.build_ms >= 3 * startup.load_ms && startup.mismatches === 0 },
  { what: 'index heap per 1,000 quotes', value: `${heap.heap_mb_per_1000_quotes} MB`, target: '≤ 3 MB', met: heap.heap_mb_per_1000_quotes <= 3 },
  { what: 'one scheduler tick, 100,000 servers (median)', value: `${real.tick_ms.p50} ms (p99 ${real.tick_ms.p99}; hourly full pass ${real.full_pass_ms})`, target: '< 10 ms', met: real.tick_ms.p50 < 10 },
  { what: 'one scheduler tick, 100,000 servers, PostgreSQL (median)', value: `${realPg.tick_ms.p50} ms (p99 ${realPg.tick_ms.p99}; hourly full pass ${realPg.full_pass_ms})`, target: '< 50 ms', met: realPg.tick_ms.p50 < 50 },
  { what: 'draft of the essay: curated quotes with identical parts and note', value: `${pct(drafted.draft_note_accuracy)} (parts ${pct(drafted.draft_parts_recall)})`, target: '≥ 95 %', met: drafted.draft_note_accuracy >= 0.95 && drafted.passes_check },
  { what: 'draft of the essay: identical speaker', value: pct(drafted.draft_speaker_accuracy), target: '≥ 80 %', met: drafted.draft_speaker_accuracy >= 0.8 },
  { what: 'draft of the essay: proposals that are curated voices', value: pct(drafted.draft_precision), target: '≥ 90 %', met: drafted.draft_precision >= 0.9 },
  {
    what: 'memory of 16 shards: 2 clusters against one process each',
    value: `${shards.rss_mb_16_shards_2_clusters} vs ${shards.rss_mb_16_shards_processes} MB`,
    target: '< half',
    met: shards.rss_mb_16_shards_2_clusters < shards.rss_mb_16_shards_processes / 2,
  },
  { what: '10,000 posts in one minute, none failed', value: `${scheduler.burst.sent} sent, ${scheduler.burst.failed} failed in ${scheduler.burst.simulated_s} s`, target: 'spread, 0 failed', met: scheduler.burst.failed === 0 && scheduler.burst.sent === scheduler.burst.posts && scheduler.burst.max_requests_in_any_second <= 50 },
];

const result = {
  quote_p50_ms: per((r) => r.ours.p50),
  quote_p99_ms: per((r) => r.ours.p99),
  minisearch_default_p50_ms: per((r) => r.minisearch.p50),
  minisearch_default_p99_ms: per((r) => r.minisearch.p99),
  flexsearch_p50_ms: per((r) => r.flexsearch.p50),
  flexsearch_p99_ms: per((r) => r.flexsearch.p99),
  flexsearch_all_results_p99_ms: per((r) => r.flexsearch_all.p99),
  samples: per((r) => r.ours.n),
  cold_start_ms: production('ready_ms'),
  rss_mb: production('rss_mb'),
  start_to_ready_ms: started.start_to_ready_ms,
  start_to_ready_max_ms: started.start_to_ready_max_ms,
  start_to_first_answer_ms: started.start_to_first_answer_ms,
  cold_start_tsx_ms: coldOf('ready_ms'),
  cold_start_tsx_parts_ms: { boot: coldOf('boot_ms'), imports: coldOf('import_ms'), create_app: coldOf('create_app_ms'), first_quote: coldOf('first_quote_ms') },
  rss_tsx_mb: coldOf('rss_mb'),
  rss_node_tsx_baseline_mb: rssBaseline,
  index_load_ms_100000: startup.load_ms,
  index_build_ms_100000: startup.build_ms,
  index_save_ms_100000: startup.save_ms,
  index_saved_mb_100000: startup.saved_mb,
  heap_mb_per_1000_quotes: heap.heap_mb_per_1000_quotes,
  heap_mb_per_1000_quotes_with_corpus: heap.with_corpus_mb_per_1000_quotes,
  ...schedulerFigures(scheduler),
  e2e_p50_ms: e2e.p50,
  e2e_p99_ms: e2e.p99,
  e2e_interactions: e2e.interactions,
  rss_mb_16_shards_processes: shards.rss_mb_16_shards_processes,
  rss_mb_16_shards_2_clusters: shards.rss_mb_16_shards_2_clusters,
  shards,
  vocabulary: per((r) => r.vocabulary),
  draft_parts_recall: drafted.draft_parts_recall,
  draft_note_accuracy: drafted.draft_note_accuracy,
  draft_speaker_accuracy: drafted.draft_speaker_accuracy,
  draft_precision: drafted.draft_precision,
  draft: drafted,
  targets: targets.map((t) => ({ ...t })),
  seconds: round((performance.now() - began) / 1000),
};

if (json) {
  console.log(JSON.stringify(result));
} else {
  const table = (head: string[], rows: (string | number)[][]) => {
    const cells = [head, ...rows].map((r) => r.map(String));
    const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
    const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
    return [line(cells[0] as string[]), `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
  };
  const ratio = (a: number, b: number) => `${round(a / b, 2)}×`;
  const out: string[] = [];
  out.push(`/quote — parse, search, render — over ${bundled.queries} requests (ms; ratios: peer ÷ ours, above 1 means ours is faster)\n`);
  out.push(
    table(
      ['corpus', 'quotes', 'ours p50', 'ours p99', 'MiniSearch p50', 'MiniSearch p99', 'FlexSearch p50', 'FlexSearch p99', 'MiniSearch ÷ ours p99', 'FlexSearch ÷ ours p99', 'samples (ours/MS)'],
      sizes.map((s) => {
        const r = run(s);
        return [s, r.quotes, r.ours.p50, r.ours.p99, r.minisearch.p50, r.minisearch.p99, r.flexsearch.p50, r.flexsearch.p99, ratio(r.minisearch.p99, r.ours.p99), ratio(r.flexsearch.p99, r.ours.p99), `${r.ours.n}/${r.minisearch.n}`];
      }),
    ),
  );
  out.push(`\nFlexSearch returns its first 100 results (its default); asked for every result, as /quote needs for "1 of N" and paging, its p99 is ${sizes.map((s) => `${run(s).flexsearch_all.p99} ms (${s})`).join(', ')}.`);
  out.push(`Slowest requests at 100,000 (p50 ms), ours: ${big.slowest.ours.map((q) => `${q.query} ${q.p50}`).join('; ')}; FlexSearch: ${big.slowest.flexsearch.map((q) => `${q.query} ${q.p50}`).join('; ')}.`);
  out.push(`Synthetic vocabulary: ${sizes.map((s) => `${run(s).vocabulary} words in ${run(s).tokens} tokens (${s})`).join(', ')}.\n`);
  out.push(
    table(
      ['measure', 'value'],
      [
        ['cold start, compiled on plain node as npm start runs it', compiledRuns.length ? `${compiledOf('ready_ms')} ms, RSS ${compiledOf('rss_mb')} MB` : 'not measured (no esbuild)'],
        ['npm start to READY through the stand-in, nothing changed since the build, median of ' + started.runs, `${started.start_to_ready_ms} ms (slowest ${started.start_to_ready_max_ms}; first /quote answered at ${started.start_to_first_answer_ms} ms)`],
        ['cold start under tsx (development), median of ' + coldRuns, `${coldOf('ready_ms')} ms (node+tsx boot ${coldOf('boot_ms')}, imports ${coldOf('import_ms')}, createApp ${coldOf('create_app_ms')}, first answer ${coldOf('first_quote_ms')})`],
        ['RSS then', `${coldOf('rss_mb')} MB (an empty script under node --import tsx: ${rssBaseline} MB)`],
        ['index at 100,000 quotes: rebuild / load saved (median of ' + startup.runs + ')', `${startup.build_ms} / ${startup.load_ms} ms; saving ${startup.save_ms} ms, ${startup.saved_mb} MB; answers identical: ${startup.mismatches === 0 ? 'yes' : `no (${startup.mismatches})`}`],
        ['index heap at 100,000 quotes', `${heap.index_mb} MB = ${heap.heap_mb_per_1000_quotes} MB per 1,000 quotes (with the quotes themselves: ${heap.with_corpus_mb_per_1000_quotes})`],
        ['scheduler tick, 100,000 servers (SQLite file)', tickLine(scheduler.zones, real)],
        ['scheduler tick, 100,000 servers (PostgreSQL, embedded, fsync on)', tickLine(scheduler.zones, realPg)],
        ['scheduler decision alone (pure dueSchedules over all 100,000, as every tick made it before the check hints)', `p50 ${scheduler.tick_ms.p50} ms, p99 ${scheduler.tick_ms.p99} ms over ${scheduler.tick_ms.n} minute ticks; first tick of a local day ${scheduler.tick_ms_day_start} ms`],
        ['10,000 posts due in one minute, 50 requests/s', `${scheduler.burst.sent} sent, ${scheduler.burst.failed} failed, ${scheduler.burst.requests} requests over ${scheduler.burst.simulated_s} s simulated (at most ${scheduler.burst.max_requests_in_any_second} in any second); the tick's own work ${scheduler.burst.tick_cpu_ms} ms`],
        [
          '16 shards through the stand-in, compiled as npm start runs them: every process of the bot',
          `one process each: ${shards.processes.rss_mb} MB in ${shards.processes.processes} processes (largest ${shards.processes.rss_mb_per_process_max} MB); 2 clusters: ${shards.clusters.rss_mb} MB in ${shards.clusters.processes} (largest ${shards.clusters.rss_mb_per_process_max} MB)`,
        ],
        ['/quote round trip through discord.js and the stand-in', `p50 ${e2e.p50} ms, p99 ${e2e.p99} ms over ${e2e.interactions} interactions (${e2e.failures} without a reply)`],
      ],
    ),
  );
  out.push('');
  out.push(table(['target', 'measured', 'target', 'met'], targets.map((t) => [t.what, t.value, t.target, t.met ? 'met' : 'NOT MET'])));
  out.push(`\n${round((performance.now() - began) / 1000)} s on ${(await import('node:os')).cpus().length} cores, Node ${process.version}.`);
  console.log(out.join('\n'));
}
