/**
 * Child process: the index at scale.
 *
 *   node --import tsx bench/index-child.ts startup <N> <runs>
 *     rebuilding the index versus loading it saved (QuoteSearch#save / QuoteSearch.load,
 *     MiniSearch's toJSON / loadJSON inside), interleaved, and a check that both answer alike;
 *   node --expose-gc --import tsx bench/index-child.ts heap <N>
 *     heap after a full GC with the index, minus before it (the corpus already loaded).
 *
 * Prints one JSON line.
 */
import { QuoteSearch } from '../src/search/engine.js';
import { benchCorpus } from './engines.js';
import { QUERY_MIX } from './queries.js';
import { collectGarbage, median, round } from './stats.js';

const [mode = 'startup', size = '100000', runsArg = '3'] = process.argv.slice(2);
const heapUsed = () => {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

if (mode === 'heap') {
  const start = heapUsed();
  const bench = benchCorpus(size);
  const before = heapUsed();
  const search = new QuoteSearch(bench.corpus, { context: bench.context });
  const after = heapUsed();
  const perThousand = (bytes: number) => round(bytes / 1e6 / (bench.corpus.quotes.length / 1000));
  console.log(
    JSON.stringify({
      quotes: bench.corpus.quotes.length,
      index_mb: round((after - before) / 1e6),
      heap_mb_per_1000_quotes: perThousand(after - before),
      with_corpus_mb_per_1000_quotes: perThousand(after - start),
      check: search.search('lenin').hits.length,
    }),
  );
} else {
  const bench = benchCorpus(size);
  const runs = Number(runsArg);
  const build: number[] = [];
  const load: number[] = [];
  let saved = '';
  let saveMs = 0;
  let built: QuoteSearch | undefined;
  let loaded: QuoteSearch | undefined;
  for (let r = 0; r < runs; r++) {
    built = undefined;
    collectGarbage();
    let t = performance.now();
    built = new QuoteSearch(bench.corpus, { context: bench.context });
    build.push(performance.now() - t);
    if (r === 0) {
      t = performance.now();
      saved = built.save();
      saveMs = performance.now() - t;
    }
    loaded = undefined;
    collectGarbage();
    t = performance.now();
    loaded = QuoteSearch.load(bench.corpus, saved, { context: bench.context });
    load.push(performance.now() - t);
  }
  // The saved index must answer exactly as the rebuilt one.
  const answer = (s: QuoteSearch | undefined, query: string) => JSON.stringify(s?.search(query).hits.slice(0, 50).map((h) => [h.quote.id, h.score]));
  const mismatches = QUERY_MIX.filter((q) => answer(built, q.options.query ?? '') !== answer(loaded, q.options.query ?? '')).length;
  console.log(
    JSON.stringify({
      quotes: bench.corpus.quotes.length,
      build_ms: round(median(build)),
      load_ms: round(median(load)),
      save_ms: round(saveMs),
      saved_mb: round(Buffer.byteLength(saved) / 1e6),
      runs,
      builds: build.map((x) => round(x)),
      loads: load.map((x) => round(x)),
      mismatches,
    }),
  );
}
