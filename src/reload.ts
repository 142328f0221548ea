/**
 * SIGHUP: read `data/` again without stopping the bot. The new corpus goes
 * through the same check as at start; a corpus that fails it is never served
 * (the old one stays, and each problem is logged on its own line); one that
 * passes is built whole (index and layouts too) and only then handed over in
 * one assignment, so a request sees either the old library or the new one.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { libraryOf, type Library } from './app.js';
import { CorpusError, formatProblem, loadCorpusOrThrow } from './corpus/load.js';
import type { Logger } from './log.js';

export type ReloadOutcome =
  | { readonly ok: true; readonly works: number; readonly quotes: number }
  | { readonly ok: false; readonly problems: number };

export interface ReloaderOptions {
  readonly dataDir: string;
  readonly log: Pick<Logger, 'info' | 'error'>;
  /** Serves the new library from now on (swaps the app holder). */
  readonly install: (library: Library) => void;
}

/** The corpus of `dataDir` checked as at start, then its index, yielding in between so waiting interactions are answered. */
async function loadLibraryYielding(dataDir: string): Promise<Library> {
  const corpus = loadCorpusOrThrow(dataDir);
  await yieldToEventLoop();
  return libraryOf(corpus);
}

export class Reloader {
  private running: Promise<ReloadOutcome> | null = null;
  private queued: Promise<ReloadOutcome> | null = null;

  constructor(private readonly o: ReloaderOptions) {}

  /**
   * Reloads once; a call while a reload runs is folded into one more reload
   * after it (the files may have changed again meanwhile). Never rejects.
   */
  reload(): Promise<ReloadOutcome> {
    if (this.running) {
      // However many signals arrive meanwhile, one more reload reads the files as they then are.
      this.queued ??= this.running.then(() => {
        this.queued = null;
        return this.reload();
      });
      return this.queued;
    }
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<ReloadOutcome> {
    const { dataDir, log } = this.o;
    log.info({ dataDir }, 'reload: checking the corpus');
    let library: Library;
    try {
      library = await loadLibraryYielding(dataDir);
    } catch (err) {
      if (err instanceof CorpusError) {
        for (const problem of err.problems) {
          log.error({ file: problem.file, id: problem.id, reason: problem.reason, problem: formatProblem(problem) }, 'reload: corpus problem');
        }
        log.error({ dataDir, problems: err.problems.length }, 'reload: the new corpus failed the check; still serving the previous one');
        return { ok: false, problems: err.problems.length };
      }
      log.error({ dataDir, err }, 'reload: could not read the corpus; still serving the previous one');
      return { ok: false, problems: 1 };
    }
    this.o.install(library);
    const outcome = { ok: true as const, works: library.corpus.sources.length, quotes: library.corpus.quotes.length };
    log.info({ dataDir, works: outcome.works, quotes: outcome.quotes, sources: library.corpus.sources.map((s) => s.id) }, 'reload: serving the new corpus');
    return outcome;
  }
}
