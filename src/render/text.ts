/** Making text safe and faithful in a Discord message. */
import { escapeMarkdown as escapeFormatting } from '@discordjs/formatters';
import { truncate } from '../text/truncate.js';

/**
 * Escapes Markdown so text shows exactly as written: corpus words and user
 * queries alike. @discordjs/formatters escapes emphasis, code, spoilers,
 * backslashes, headings, lists and masked links; it leaves three things
 * Discord still renders, escaped here: a block quote ("> ", ">>> ") and
 * subtext ("-# ") at a line's start, and a bare URL, which would become a
 * link (a zero-width space after its colon keeps it text).
 */
export function escapeMarkdown(text: string): string {
  // Each emphasis escaper is a costly look-behind regex run on every line of
  // every reply; one whose marker character is absent can change nothing.
  const emphasis = text.includes('*') || text.includes('_');
  // The URL is broken first: @discordjs/formatters leaves a link's underscores alone, which would turn
  // `https://x.org/_a_` into italics once the zero-width space has stopped it being a link.
  const unlinked = text.replace(/(https?):\/\//g, '$1:\u200b//');
  return escapeFormatting(unlinked, {
    escape: true,
    heading: true,
    bulletedList: true,
    numberedList: true,
    maskedLink: true,
    italic: emphasis,
    bold: text.includes('*'),
    underline: text.includes('_'),
    strikethrough: text.includes('~'),
    spoiler: text.includes('|'),
    codeBlock: text.includes('`'),
    inlineCode: text.includes('`'),
  }).replace(/^(>|-#)/gm, '\\$1');
}

/**
 * Defuses anything that could look like a mention even where Markdown is not
 * parsed (footers, button labels): `@everyone`, `<@123>`, `<#1>`, `<@&1>`.
 * allowed_mentions already prevents pings; this keeps them from rendering.
 */
export function defuseMentions(text: string): string {
  return text.replace(/@/g, '@\u200b').replace(/<(?=[@#])/g, '<\u200b');
}

/** A user's query, shown back to them in Markdown: one line, escaped, defused, clipped. */
export function showUserText(text: string, max = 100): string {
  return escapeMarkdown(plainUserText(text, max));
}

/** A user's query for places Discord shows without Markdown (footers, labels): one line, defused, clipped. */
export function plainUserText(text: string, max = 100): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return defuseMentions(truncate(oneLine, max, { atWord: false }));
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
