/**
 * Everything a command handler may use, built once at start, whole. Handlers
 * get it passed in; nothing in the core reaches for globals, the clock or
 * randomness.
 */
import path from 'node:path';
import { layoutSources, narrationOf, type SourceLayout } from './corpus/context.js';
import { loadCorpusOrThrow } from './corpus/load.js';
import type { Corpus } from './corpus/types.js';
import type { DailyService } from './daily/service.js';
import { ROOT } from './paths.js';
import type { QuizService } from './quiz/service.js';
import { QuoteSearch } from './search/engine.js';

export const DEFAULT_DATA_DIR = path.join(ROOT, 'data');

/** The corpus, checked, with what is derived from it: its index and its sources' layouts. */
export interface Library {
  readonly corpus: Corpus;
  readonly search: QuoteSearch;
  readonly layouts: ReadonlyMap<string, SourceLayout>;
}

export interface App extends Library {
  /** Uniform in [0, 1): injected so "a random quote" is testable. */
  readonly random: () => number;
  /** Present where schedules are stored (bot, console); `/voice` and `/daily` need it. */
  readonly daily: DailyService | null;
  /** Present where quizzes are stored (bot, console); `/quiz` needs it. */
  readonly quiz: QuizService | null;
}

/** Loads and validates the corpus (throwing CorpusError with every problem) and builds the index. */
export function loadLibrary(dataDir: string = DEFAULT_DATA_DIR): Library {
  return libraryOf(loadCorpusOrThrow(dataDir));
}

/** What is derived from a checked corpus: its index and its sources' layouts. */
export function libraryOf(corpus: Corpus): Library {
  // One layout of the sources serves both the index (narration) and the Context button.
  const layouts = layoutSources(corpus);
  return { corpus, search: new QuoteSearch(corpus, { context: narrationOf(layouts) }), layouts };
}

/**
 * The App being served, replaced whole when `data/` is reloaded (SIGHUP). A
 * request reads `current` once and answers from that snapshot, so it never
 * mixes an old corpus with a new index, daily service or quiz.
 */
export class AppHolder {
  #current: App;

  constructor(app: App) {
    this.#current = app;
  }

  get current(): App {
    return this.#current;
  }

  replace(app: App): void {
    this.#current = app;
  }
}

export interface AppOptions {
  /** An already loaded library (the bot checks the corpus before it connects); else loaded from `dataDir`. */
  readonly library?: Library;
  readonly dataDir?: string;
  readonly random?: () => number;
  /** The voice of the day over a store, built by the edge on this library's corpus. */
  readonly daily?: DailyService;
  readonly quiz?: QuizService;
}

export function createApp(options: AppOptions = {}): App {
  const library = options.library ?? loadLibrary(options.dataDir);
  return { ...library, random: options.random ?? Math.random, daily: options.daily ?? null, quiz: options.quiz ?? null };
}
