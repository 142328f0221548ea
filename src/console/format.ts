/** Prints a message payload as a person would read it in Discord. */
import type { APIEmbed } from 'discord-api-types/v10';
import { EPHEMERAL, type MessagePayload } from '../message/payload.js';

export interface Style {
  bold(s: string): string;
  italic(s: string): string;
  dim(s: string): string;
}

export const plain: Style = { bold: (s) => s, italic: (s) => s, dim: (s) => s };
export const ansi: Style = { bold: (s) => `\x1b[1m${s}\x1b[22m`, italic: (s) => `\x1b[3m${s}\x1b[23m`, dim: (s) => `\x1b[2m${s}\x1b[22m` };

/** Markdown as Discord shows it: escapes resolved, bold/italic styled, zero-width defusers dropped. */
function markdown(text: string, style: Style): string {
  return text
    .replace(/\*\*((?:\\.|[^*])+)\*\*/g, (_m, inner: string) => style.bold(inner))
    .replace(/(?<![\\*])\*((?:\\.|[^*\n])+)\*(?!\*)/g, (_m, inner: string) => style.italic(inner))
    .replace(/\\([\\*_~`|[\]>#-])/g, '$1')
    .replace(/\u200b/g, '');
}

function embed(e: APIEmbed, style: Style): string[] {
  const out: string[] = [];
  const bar = style.dim('│');
  if (e.author) out.push(`${bar} ${style.dim(e.author.name)}`);
  if (e.title) out.push(`${bar} ${style.bold(e.title)}`);
  if (e.description) for (const line of markdown(e.description, style).split('\n')) out.push(`${bar} ${line}`);
  for (const f of e.fields ?? []) {
    out.push(`${bar} ${style.bold(f.name)}: ${markdown(f.value, style).replace(/\n/g, `\n${bar}   `)}`);
  }
  if (e.footer) out.push(`${bar} ${style.dim(e.footer.text.replace(/\u200b/g, ''))}`);
  return out;
}

export interface ButtonView {
  readonly label: string;
  readonly customId: string;
  readonly disabled: boolean;
  /** What to type in the console to press it. */
  readonly word: string;
}

/** Words a label opens with that tell no button from another ("A student", "The NKVD"). */
const ARTICLES: ReadonlySet<string> = new Set(['a', 'an', 'the']);

/** A label's words as a person types them: letters and digits, hyphenated words whole ("35-year-old"), lowercase. */
function labelWords(label: string): string[] {
  const words = label.toLowerCase().match(/[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu) ?? [];
  const meaningful = words.filter((w) => !ARTICLES.has(w));
  return meaningful.length > 0 ? meaningful : words;
}

/**
 * The buttons of a message and the word that presses each: the first word of its label (articles skipped) that no
 * other button's label has ("A young Ukrainian mechanic" beside "A young Ukrainian student": mechanic), else as
 * many of its first words as tell it apart. Every word is different, so each button can be pressed; labels alike
 * to the last word are told apart by their position.
 */
export function buttonsOf(payload: MessagePayload): ButtonView[] {
  const found: { label: string; customId: string; disabled: boolean; words: string[] }[] = [];
  for (const row of payload.components ?? []) {
    for (const c of row.components) {
      if (!('custom_id' in c) || !('label' in c) || !c.label) continue;
      found.push({ label: c.label, customId: c.custom_id, disabled: Boolean(c.disabled), words: labelWords(c.label) });
    }
  }
  const words = found.map((b, i) => {
    const own = b.words.find((w) => found.every((other, j) => j === i || !other.words.includes(w)));
    if (own !== undefined) return own;
    for (let length = 2; length <= b.words.length; length++) {
      const start = b.words.slice(0, length).join(' ');
      if (found.every((other, j) => j === i || other.words.slice(0, length).join(' ') !== start)) return start;
    }
    return `${b.words.join(' ') || 'button'} ${i + 1}`;
  });
  return found.map((b, i) => ({ label: b.label, customId: b.customId, disabled: b.disabled, word: words[i] ?? '' }));
}

export function formatPayload(payload: MessagePayload, style: Style = plain): string {
  const lines: string[] = [];
  if ((payload.flags ?? 0) & EPHEMERAL) lines.push(style.dim('(only you can see this)'));
  if (payload.content) lines.push(markdown(payload.content, style));
  for (const e of payload.embeds ?? []) lines.push(...embed(e, style));
  const buttons = buttonsOf(payload);
  if (buttons.length) {
    lines.push(buttons.map((b) => (b.disabled ? style.dim(`[${b.label}]`) : `[${b.label}]`)).join(' '));
    const usable = buttons.filter((b) => !b.disabled).map((b) => style.bold(b.word));
    if (usable.length) lines.push(style.dim(`press a button by typing: ${usable.join(', ')}`));
  }
  return lines.join('\n');
}
