/** The voice-of-the-day post and its discussion thread, in the schedule's language. */
import { roleMention } from '@discordjs/formatters';
import { ComponentType } from 'discord-api-types/v10';
import { Temporal } from 'temporal-polyfill';
import type { Corpus, Quote } from '../corpus/types.js';
import { hasKey, t, type Language } from '../i18n/index.js';
import type { MessagePayload } from '../message/payload.js';
import { LIMITS } from '../message/limits.js';
import { truncate } from '../text/truncate.js';
import { quoteButtons, quoteEmbed } from './messages.js';

/** The locale dates are written in: English as in Britain (day before month), Russian, Ukrainian. */
export function dateLocale(language: Language): string {
  return language === 'en' ? 'en-GB' : language;
}

/**
 * "Sunday, 29 November 2026", "воскресенье, 29 ноября 2026 г.", "неділя, 29 листопада 2026 р."
 * for a YYYY-MM-DD local date: a calendar date, so no zone is involved.
 */
export function longLocalDate(localDate: string, language: Language = 'en'): string {
  return Temporal.PlainDate.from(localDate).toLocaleString(dateLocale(language), { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

/**
 * A date inside a sentence, after "until" or "from": English keeps the
 * weekday ("until Sunday, 20 December 2026"); Russian and Ukrainian put the
 * date in the genitive a preposition needs and leave the weekday out, which
 * would stay in the nominative ("до 20 декабря 2026 г.", "з 10 січня 2027 р.").
 */
export function sentenceDate(localDate: string, language: Language = 'en'): string {
  if (language === 'en') return longLocalDate(localDate, language);
  return Temporal.PlainDate.from(localDate).toLocaleString(dateLocale(language), { day: 'numeric', month: 'long', year: 'numeric' });
}

export interface DailyPostOptions {
  readonly localDate: string;
  /** Mention this role (and only it). */
  readonly roleId?: string | null;
  /** A test post, labelled as such. */
  readonly test?: boolean;
  /** The language of the post's own words; the quotation stays as printed. Default English. */
  readonly language?: Language;
}

export function dailyPostMessage(corpus: Corpus, q: Quote, o: DailyPostOptions): MessagePayload {
  const language = o.language ?? 'en';
  const embed = quoteEmbed(corpus, q, undefined, language);
  const role = o.roleId ?? null;
  const title = t(language, o.test ? 'daily.post.titleTest' : 'daily.post.title', { date: longLocalDate(o.localDate, language) });
  return {
    ...(role ? { content: roleMention(role) } : {}),
    embeds: [{ ...embed, title: truncate(title, LIMITS.title) }],
    // The same custom ids in every language: a press answers in the presser's own.
    components: [{ type: ComponentType.ActionRow, components: quoteButtons(q, language) }],
    // Only the role a server admin chose may be pinged; nothing else, ever.
    allowed_mentions: role ? { parse: [], roles: [role] } : { parse: [] },
  };
}

/** Thread name: the date and the quote's first theme, within Discord's 100 characters. */
export function threadName(corpus: Corpus, q: Quote, localDate: string, language: Language = 'en'): string {
  const theme = corpus.themes.find((th) => th.id === q.themes[0]);
  return truncate(`${localDate} · ${theme?.label ?? t(language, 'daily.post.voiceOfTheDay')}`, LIMITS.threadName);
}

/**
 * The one question that opens the discussion, drawn from the quote's first
 * theme: the bot's translation of the theme's question where it has one, else
 * the corpus's own (a theme added to `data/themes.json` since).
 */
export function threadOpener(corpus: Corpus, q: Quote, language: Language = 'en'): MessagePayload {
  const theme = corpus.themes.find((th) => th.id === q.themes[0]);
  const key = `questions.${theme?.id ?? ''}`;
  const question = theme && language !== 'en' && hasKey(language, key) ? t(language, key) : (theme?.question ?? t(language, 'daily.post.defaultQuestion'));
  return { content: truncate(t(language, 'daily.post.discuss', { question }), LIMITS.content), allowed_mentions: { parse: [] } };
}
