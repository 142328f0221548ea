/** The voice-of-the-day post and its discussion thread. */
import { roleMention } from '@discordjs/formatters';
import { ButtonStyle, ComponentType } from 'discord-api-types/v10';
import { Temporal } from 'temporal-polyfill';
import type { Corpus, Quote } from '../corpus/types.js';
import { quoteActionId } from '../interactions/custom-id.js';
import type { MessagePayload } from '../message/payload.js';
import { LIMITS } from '../message/limits.js';
import { truncate } from '../text/truncate.js';
import { quoteEmbed } from './messages.js';

/** "Sunday, 29 November 2026" for a YYYY-MM-DD local date: a calendar date, so no zone is involved. */
export function longLocalDate(localDate: string): string {
  return Temporal.PlainDate.from(localDate).toLocaleString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

export interface DailyPostOptions {
  readonly localDate: string;
  /** Mention this role (and only it). */
  readonly roleId?: string | null;
  /** A test post, labelled as such. */
  readonly test?: boolean;
}

export function dailyPostMessage(corpus: Corpus, q: Quote, o: DailyPostOptions): MessagePayload {
  const embed = quoteEmbed(corpus, q);
  const role = o.roleId ?? null;
  return {
    ...(role ? { content: roleMention(role) } : {}),
    embeds: [{ ...embed, title: truncate(`Voice of the day — ${longLocalDate(o.localDate)}${o.test ? ' (test post)' : ''}`, LIMITS.title) }],
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          { type: ComponentType.Button, style: ButtonStyle.Primary, label: 'Cite', custom_id: quoteActionId('cite', q.id) },
          { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Context', custom_id: quoteActionId('context', q.id) },
        ],
      },
    ],
    // Only the role a server admin chose may be pinged; nothing else, ever.
    allowed_mentions: role ? { parse: [], roles: [role] } : { parse: [] },
  };
}

/** Thread name: the date and the quote's first theme, within Discord's 100 characters. */
export function threadName(corpus: Corpus, q: Quote, localDate: string): string {
  const theme = corpus.themes.find((t) => t.id === q.themes[0]);
  return truncate(`${localDate} · ${theme?.label ?? 'Voice of the day'}`, LIMITS.threadName);
}

/** The one question that opens the discussion, drawn from the quote's first theme. */
export function threadOpener(corpus: Corpus, q: Quote): MessagePayload {
  const theme = corpus.themes.find((t) => t.id === q.themes[0]);
  const question = theme?.question ?? 'What does this voice tell us about its time?';
  return { content: truncate(`**To discuss:** ${question}`, LIMITS.content), allowed_mentions: { parse: [] } };
}
