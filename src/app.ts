/**
 * Everything a command handler may use, built once at start. Handlers get it
 * passed in; nothing in the core reaches for globals, the clock or randomness.
 */
import path from 'node:path';
import { layoutSources, narrationOf, type SourceLayout } from './corpus/context.js';
import { loadCorpusOrThrow } from './corpus/load.js';
import type { Corpus } from './corpus/types.js';
import type { DailyService } from './daily/service.js';
import { ROOT } from './paths.js';
import { QuoteSearch } from './search/engine.js';

export const DEFAULT_DATA_DIR = path.join(ROOT, 'data');

export interface App {
  readonly corpus: Corpus;
  readonly search: QuoteSearch;
  readonly layouts: ReadonlyMap<string, SourceLayout>;
  /** Uniform in [0, 1): injected so "a random quote" is testable. */
  readonly random: () => number;
  /** Present where schedules are stored (bot, console); `/voice` and `/daily` need it. */
  daily: DailyService | null;
}

export interface AppOptions {
  readonly dataDir?: string;
  readonly random?: () => number;
}

/** Loads and validates the corpus (throwing CorpusError with every problem) and builds the index. */
export function createApp(options: AppOptions = {}): App {
  const corpus = loadCorpusOrThrow(options.dataDir ?? DEFAULT_DATA_DIR);
  // One layout of the sources serves both the index (narration) and the Context button.
  const layouts = layoutSources(corpus);
  return {
    corpus,
    search: new QuoteSearch(corpus, { context: narrationOf(layouts) }),
    layouts,
    random: options.random ?? Math.random,
    daily: null,
  };
}
