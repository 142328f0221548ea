/** Making text safe and faithful in a Discord message. */
import { truncate } from '../text/truncate.js';

/**
 * Escapes Markdown so text shows exactly as written: corpus words and user
 * queries alike. (discord.js has escapeMarkdown, but the core stays free of it.)
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\*_~`|[\]]/g, (ch) => `\\${ch}`)
    .replace(/^([>#-])/gm, '\\$1')
    .replace(/(https?):\/\//g, '$1:\u200b//');
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
