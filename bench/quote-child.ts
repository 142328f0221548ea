/**
 * Child process: /quote latency on one corpus, ours against bare MiniSearch
 * and FlexSearch, interleaved query by query in a shuffled order each round.
 * Before each timed call the young generation is collected (outside the
 * timing), so that a call pays for its own garbage, not for its neighbour's:
 * the libraries share one heap here, as they never would in the bot.
 *
 *   node --expose-gc --import tsx bench/quote-child.ts <bundled|N> <rounds> <minisearchEvery> <flexAllEvery>
 *
 * Prints one JSON line.
 */
import { QuoteSearch } from '../src/search/engine.js';
import { appFor, bareMiniSearch, benchCorpus, flexSearch, ourQuote, type Runner } from './engines.js';
import { QUERY_MIX, type BenchQuery } from './queries.js';
import { collectGarbage, collectYoung, round, summarize } from './stats.js';
import { prng } from '../support/synthetic.js';

const [size = 'bundled', roundsArg = '50', msEveryArg = '1', flexAllEveryArg = '5'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const msEvery = Number(msEveryArg);
const flexAllEvery = Number(flexAllEveryArg);
const WARMUP = 2;

const bench = benchCorpus(size);
const { corpus } = bench;
const time = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const value = f();
  return [value, performance.now() - t];
};
collectGarbage();
const [search, oursBuild] = time(() => new QuoteSearch(corpus, { context: bench.context }));
const [minisearch, msBuild] = time(() => bareMiniSearch(corpus));
const [flex, flexBuild] = time(() => flexSearch(corpus));
const engines: Record<string, Runner> = {
  ours: ourQuote(appFor(corpus, search)),
  minisearch,
  flexsearch: flex.run(100),
  flexsearch_all: flex.run(corpus.quotes.length),
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(engines).map((k) => [k, []]));
const perQuery: Record<string, Map<string, number[]>> = Object.fromEntries(Object.keys(engines).map((k) => [k, new Map()]));
const label = (q: BenchQuery) => [q.options.query ?? '', q.options.theme && `theme:${q.options.theme}`, q.options.speaker && `speaker:${q.options.speaker}`, q.options.source && `source:${q.options.source}`, q.options.note !== undefined && `note:${q.options.note}`].filter(Boolean).join(' ') || '(no query)';

const random = prng(7);
for (let r = 0; r < WARMUP + rounds; r++) {
  const active = Object.keys(engines).filter((e) => (e === 'minisearch' ? r % msEvery === 0 : e === 'flexsearch_all' ? r % flexAllEvery === 0 : true));
  const order = [...QUERY_MIX];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as BenchQuery, order[i] as BenchQuery];
  }
  order.forEach((q, qi) => {
    for (let k = 0; k < active.length; k++) {
      const name = active[(k + qi + r) % active.length] as string;
      // The young generation emptied first: each call pays for its own garbage, not for the previous call's.
      collectYoung();
      const [, ms] = time(() => (engines[name] as Runner)(q.options));
      if (r < WARMUP) continue;
      (samples[name] as number[]).push(ms);
      const per = perQuery[name] as Map<string, number[]>;
      per.set(label(q), [...(per.get(label(q)) ?? []), ms]);
    }
  });
}

const slowest = (name: string) =>
  [...(perQuery[name] as Map<string, number[]>)]
    .map(([q, s]) => ({ query: q, p50: round(summarize(s).p50), max: round(summarize(s).max) }))
    .sort((a, b) => b.p50 - a.p50)
    .slice(0, 5);
const out = {
  corpus: bench.label,
  quotes: corpus.quotes.length,
  vocabulary: bench.vocabulary,
  tokens: bench.tokens,
  queries: QUERY_MIX.length,
  build_ms: { ours: round(oursBuild), minisearch: round(msBuild), flexsearch: round(flexBuild) },
  ...Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, Object.fromEntries(Object.entries(summarize(s)).map(([m, v]) => [m, round(v)]))])),
  slowest: { ours: slowest('ours'), flexsearch: slowest('flexsearch') },
};
console.log(JSON.stringify(out));
