/**
 * Button state lives in the custom id, so buttons keep working after a
 * restart and on any shard. The formats, all under Discord's 100 characters:
 *   quote:page:<index>:<theme>|<kind>|<note>|<speaker>|<work>|<query>
 *   without a work, the field and its separator are left out (as before works: same ids, same room for the query)
 *   quote:cite:<quote id>
 *   quote:context:<quote id>
 */
import type { Filters } from '../search/query.js';
import { LIMITS } from '../message/limits.js';

export interface PageState {
  readonly index: number;
  readonly query: string;
  readonly filters: Filters;
}

export type QuoteButton = { action: 'page'; state: PageState } | { action: 'cite' | 'context'; quoteId: string };

export const QUOTE_PREFIX = 'quote:';

/** The custom id for a page, or null when the search is too long to carry (no paging then). */
export function pageId(state: PageState): string | null {
  const f = state.filters;
  const clean = (s: string | undefined) => (s ?? '').replace(/\|/g, ' ');
  const id = `${QUOTE_PREFIX}page:${state.index}:${clean(f.theme)}|${clean(f.kind)}|${f.note ?? ''}|${clean(f.speaker)}|${f.work ? `${clean(f.work)}|` : ''}${clean(state.query)}`;
  return id.length <= LIMITS.customId ? id : null;
}

export function quoteActionId(action: 'cite' | 'context', quoteId: string): string {
  return `${QUOTE_PREFIX}${action}:${quoteId}`;
}

export function parseQuoteButton(customId: string): QuoteButton | null {
  if (!customId.startsWith(QUOTE_PREFIX)) return null;
  const rest = customId.slice(QUOTE_PREFIX.length);
  const m = /^(cite|context):([a-z0-9-]+)$/.exec(rest);
  if (m) return { action: m[1] as 'cite' | 'context', quoteId: m[2] as string };
  // The query cannot hold '|' (pageId replaces it), so five separators mean a work field, four an older button.
  const p = /^page:(\d{1,6}):([^|]*)\|([^|]*)\|(\d*)\|([^|]*)\|([^|]*)\|(.*)$/s.exec(rest) ?? /^page:(\d{1,6}):([^|]*)\|([^|]*)\|(\d*)\|([^|]*)\|()(.*)$/s.exec(rest);
  if (!p) return null;
  const [, index, theme, kind, note, speaker, work, query] = p;
  const filters: Filters = {
    ...(theme ? { theme } : {}),
    ...(kind ? { kind } : {}),
    ...(note ? { note: Number(note) } : {}),
    ...(speaker ? { speaker } : {}),
    ...(work ? { work } : {}),
  };
  return { action: 'page', state: { index: Number(index), query: query ?? '', filters } };
}

/**
 * Quiz buttons carry the quiz's id; its state is in the database:
 *   quiz:answer:<quiz id>:<0-3>
 *   quiz:reveal:<quiz id>
 */
export const QUIZ_PREFIX = 'quiz:';

export type QuizButton = { action: 'answer'; quizId: string; choice: number } | { action: 'reveal'; quizId: string };

export function quizAnswerId(quizId: string, choice: number): string {
  return `${QUIZ_PREFIX}answer:${quizId}:${choice}`;
}

export function quizRevealId(quizId: string): string {
  return `${QUIZ_PREFIX}reveal:${quizId}`;
}

export function parseQuizButton(customId: string): QuizButton | null {
  const answer = /^quiz:answer:([A-Za-z0-9-]{1,64}):([0-3])$/.exec(customId);
  if (answer) return { action: 'answer', quizId: answer[1] as string, choice: Number(answer[2]) };
  const reveal = /^quiz:reveal:([A-Za-z0-9-]{1,64})$/.exec(customId);
  return reveal ? { action: 'reveal', quizId: reveal[1] as string } : null;
}
