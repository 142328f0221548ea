/**
 * Discord's documented message limits, and a check that names every breach.
 * Tests run every quote of the corpus through it; the edges run every reply
 * through it too, so a breach is a logged bug, never a rejected message.
 */
import type { APIEmbed, APIEmbedField } from 'discord-api-types/v10';
import { truncate } from '../text/truncate.js';
import type { MessagePayload } from './payload.js';

export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  autocompleteChoices: 25,
  choiceName: 100,
  choiceValue: 100,
  threadName: 100,
} as const;

export function embedLength(e: APIEmbed): number {
  return (
    (e.title?.length ?? 0) +
    (e.description?.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.author?.name.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

export function limitViolations(payload: MessagePayload): string[] {
  const out: string[] = [];
  const over = (what: string, len: number, max: number) => {
    if (len > max) out.push(`${what} is ${len} characters (limit ${max})`);
  };
  over('content', payload.content?.length ?? 0, LIMITS.content);
  const embeds = payload.embeds ?? [];
  if (embeds.length > LIMITS.embeds) out.push(`${embeds.length} embeds (limit ${LIMITS.embeds})`);
  let total = 0;
  embeds.forEach((e, i) => {
    over(`embed ${i} title`, e.title?.length ?? 0, LIMITS.title);
    over(`embed ${i} description`, e.description?.length ?? 0, LIMITS.description);
    over(`embed ${i} footer`, e.footer?.text.length ?? 0, LIMITS.footerText);
    over(`embed ${i} author`, e.author?.name.length ?? 0, LIMITS.authorName);
    if ((e.fields?.length ?? 0) > LIMITS.fields) out.push(`embed ${i} has ${e.fields?.length} fields (limit ${LIMITS.fields})`);
    e.fields?.forEach((f, j) => {
      over(`embed ${i} field ${j} name`, f.name.length, LIMITS.fieldName);
      over(`embed ${i} field ${j} value`, f.value.length, LIMITS.fieldValue);
      if (f.name.length === 0 || f.value.length === 0) out.push(`embed ${i} field ${j} is empty`);
    });
    total += embedLength(e);
  });
  over('embeds in total', total, LIMITS.embedTotal);
  const rows = payload.components ?? [];
  if (rows.length > LIMITS.actionRows) out.push(`${rows.length} action rows (limit ${LIMITS.actionRows})`);
  rows.forEach((row, i) => {
    if (row.components.length > LIMITS.buttonsPerRow) out.push(`row ${i} has ${row.components.length} components (limit ${LIMITS.buttonsPerRow})`);
    for (const c of row.components) {
      if ('label' in c && c.label) over(`button "${c.label.slice(0, 20)}" label`, c.label.length, LIMITS.buttonLabel);
      if ('custom_id' in c) over(`custom id "${c.custom_id.slice(0, 30)}…"`, c.custom_id.length, LIMITS.customId);
    }
  });
  return out;
}

/**
 * Shares `budget` between items of the given sizes: an item within its fair
 * share keeps all it wants, and what it leaves over goes to the larger ones.
 */
function share(sizes: readonly number[], budget: number): number[] {
  const order = sizes.map((size, i) => ({ i, size })).sort((a, b) => a.size - b.size);
  const allotted = new Array<number>(sizes.length).fill(0);
  let left = Math.max(0, budget);
  order.forEach(({ i, size }, k) => {
    const given = Math.min(size, Math.floor(left / (order.length - k)));
    allotted[i] = given;
    left -= given;
  });
  return allotted;
}

/** Lines within `max` characters (newlines included): the longest are cut first, each keeps its start. */
export function fitLines(lines: readonly string[], max: number): string {
  const text = lines.join('\n');
  if (text.length <= max) return text;
  const allotted = share(lines.map((line) => line.length), max - (lines.length - 1));
  return lines.map((line, i) => truncate(line, Math.max(1, allotted[i] ?? 0))).join('\n');
}

/**
 * Fields that together stay within `budget` characters (names and values, as
 * the embed total counts them): each first within its own limits; then, if
 * they are still too long together, a field within its fair share keeps all
 * of it and what it leaves over goes to the longer ones. A field cut keeps
 * every line, its longest lines shortened first (`truncate`): ten channels
 * all stay readable, none pushed out.
 */
export function fitFields(fields: readonly APIEmbedField[], budget: number): APIEmbedField[] {
  const capped = fields.map((f) => ({ ...f, name: truncate(f.name, LIMITS.fieldName), value: fitLines(f.value.split('\n'), LIMITS.fieldValue) }));
  const size = (f: APIEmbedField) => f.name.length + f.value.length;
  if (capped.reduce((n, f) => n + size(f), 0) <= budget) return capped;
  const allotted = share(capped.map(size), budget);
  return capped.map((f, i) => {
    const given = allotted[i] ?? 0;
    if (size(f) <= given) return f;
    // The name (the channel's, also mentioned in the value) keeps at most a fifth of the field.
    const name = truncate(f.name, Math.max(1, Math.min(f.name.length, Math.floor(given / 5))));
    return { ...f, name, value: fitLines(f.value.split('\n'), Math.max(1, given - name.length)) };
  });
}
