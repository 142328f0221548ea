/**
 * The voice of the day as the commands and the bot see it: which quote a
 * server's date gets, and the schedule settings, over the store. Discord
 * stays outside: posting goes through the `Poster` an edge provides.
 */
import type { Corpus, Quote } from '../corpus/types.js';
import type { Poster } from './ports.js';
import type { DailyStore } from './store.js';
import { createRotation, type Rotation } from './rotation.js';
import { localDate } from './time.js';

export class DailyService {
  readonly rotation: Rotation;

  constructor(
    readonly corpus: Corpus,
    readonly store: DailyStore,
    readonly poster: Poster,
  ) {
    this.rotation = createRotation(corpus.quotes.map((q) => q.id));
  }

  /** The rotation's pick for a local date (before anything is recorded). */
  pick(date: string): string {
    return this.rotation.voiceOf(date);
  }

  /**
   * The voice of the day for a server at an instant, in its own zone (UTC
   * when it has no schedule). A day already posted keeps its recorded quote,
   * even if the corpus has grown since.
   */
  voiceFor(guildId: string | null, now: Date): { quote: Quote; localDate: string; timeZone: string } {
    const schedule = guildId ? this.store.getSchedule(guildId) : null;
    const timeZone = schedule?.timeZone ?? 'UTC';
    const date = localDate(now, timeZone);
    const recorded = guildId ? this.store.getPost(guildId, date)?.quoteId : undefined;
    const id = recorded && this.corpus.byId.has(recorded) ? recorded : this.pick(date);
    const quote = this.corpus.byId.get(id);
    if (!quote) throw new Error(`daily: the rotation picked ${id}, which is not in the corpus`);
    return { quote, localDate: date, timeZone };
  }
}
