/**
 * Teaching days: which weekdays a schedule posts on, as a bitmask
 * (Monday = 1, Tuesday = 2, … Sunday = 64; every day = 127, Monday–Friday = 31),
 * and how a server manager types them: `every day`, `weekdays`, `weekends`, or
 * a list of days (`Mon, Wed, Fri`, `tue thu`, `monday-friday`).
 *
 * The weekday is that of the schedule's LOCAL date: a Monday post in
 * Pacific/Kiritimati goes out on Sunday by UTC's calendar.
 */
import type { ParseResult } from './time.js';
import { isoWeekday } from './time.js';

export const EVERY_DAY = 127;
export const WEEKDAYS = 31;
export const WEEKENDS = 96;

const NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const LONG = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

/** Does a schedule with these days post on this local date? */
export function postsOn(days: number, date: string): boolean {
  return (days & (1 << (isoWeekday(date) - 1))) !== 0;
}

/** `every day`, `weekdays`, `weekends`, or `Mon, Wed, Fri`. */
export function formatDays(days: number): string {
  if (days === EVERY_DAY) return 'every day';
  if (days === WEEKDAYS) return 'weekdays (Mon–Fri)';
  if (days === WEEKENDS) return 'weekends (Sat, Sun)';
  return NAMES.filter((_, i) => (days & (1 << i)) !== 0).join(', ');
}

/**
 * The day names of the bot's other languages, Monday first: Russian and
 * Ukrainian abbreviations as calendars print them, and the first three letters
 * of each full name, which every case form keeps (`среду`, `пятницам`, `п'ятниця`).
 */
const CYRILLIC_ABBREVIATIONS: readonly (readonly string[])[] = [['пн'], ['вт'], ['ср'], ['чт'], ['пт'], ['сб'], ['вс', 'нд']];
const CYRILLIC_STEMS: readonly (readonly string[])[] = [['пон'], ['вто', 'вів'], ['сре', 'сер'], ['чет'], ['пят', "п'я"], ['суб'], ['вос', 'нед']];

/** 0 = Monday … 6 = Sunday for a day name or its start (`mo`, `tue`, `thurs`, `weds`, `fridays`, `пн`, `среда`, `п'ятниця`); -1 otherwise. */
function dayIndex(word: string): number {
  let w = word.toLowerCase().replace(/\.$/, '').replace(/[’ʼ]/g, "'");
  if (/\p{Script=Cyrillic}/u.test(w)) {
    const abbreviated = CYRILLIC_ABBREVIATIONS.findIndex((names) => names.includes(w));
    if (abbreviated >= 0) return abbreviated;
    return w.length >= 3 ? CYRILLIC_STEMS.findIndex((stems) => stems.some((stem) => w.startsWith(stem))) : -1;
  }
  if (w === 'weds') w = 'wed';
  if (w.length > 3 && w.endsWith('s')) w = w.slice(0, -1);
  // Two letters at least: "t" and "s" would be ambiguous.
  if (w.length < 2) return -1;
  return LONG.findIndex((name) => name.startsWith(w));
}

/**
 * What a manager typed as days. Empty means every day. Ranges (`mon-fri`)
 * wrap (`fri-mon` is Fri, Sat, Sun, Mon). The error says what was not understood.
 */
export function parseDays(input: string): ParseResult<number> {
  // What formatDays wrote reads back: "weekdays (Mon–Fri)"; and what the replies write as a sentence's part,
  // "on Mon, Wed" / "по пн, ср" / "у пн, ср" (/daily set's confirmation).
  const text = input.trim().toLowerCase().replace(/\s*\(.*\)$/, '').replace(/^(on|по|в|у)\s+/, '');
  // English, and what a Russian or Ukrainian manager types (and the bot writes back in those languages).
  if (text === '' || /^(every ?day|daily|all|all days|7 days|каждый день|ежедневно|все дни|щодня|кожен день|кожного дня|усі дні|всі дні)$/.test(text)) return { ok: true, value: EVERY_DAY };
  if (/^(week ?days|mon(day)?\s*[-–]\s*fri(day)?|school ?days|monday to friday|(по )?будн(и|ям|ие дни)|(у )?будні( дні)?)$/.test(text)) {
    return { ok: true, value: WEEKDAYS };
  }
  if (/^(week ?ends?|(по )?выходн(ые|ым)|(у )?вихідні)$/.test(text)) return { ok: true, value: WEEKENDS };
  let mask = 0;
  const joiners = new Set(['and', 'и', 'і', 'й', 'та']);
  for (const part of text.split(/[\s,;/+&]+|\band\b/).filter((p) => p && !joiners.has(p))) {
    const range = /^([\p{L}.'’]+)\s*[-–]\s*([\p{L}.'’]+)$/u.exec(part);
    if (range) {
      const from = dayIndex(range[1] ?? '');
      const to = dayIndex(range[2] ?? '');
      if (from < 0 || to < 0) return { ok: false, error: notUnderstood(part) };
      for (let i = from; ; i = (i + 1) % 7) {
        mask |= 1 << i;
        if (i === to) break;
      }
      continue;
    }
    const index = dayIndex(part);
    if (index < 0) return { ok: false, error: notUnderstood(part) };
    mask |= 1 << index;
  }
  if (mask === 0) return { ok: false, error: notUnderstood(input) };
  return { ok: true, value: mask };
}

function notUnderstood(part: string): string {
  return `daily: days: “${part.trim().slice(0, 30)}” is not a day; use \`every day\`, \`weekdays\`, or days such as \`Mon, Wed, Fri\``;
}

/** "none" (and its synonyms): no quiz days. */
const NO_DAYS = /^(none|no|never|off|no days|0)$/;

/**
 * What a manager typed as quiz days (`/daily set quiz`): days as for `days`,
 * or `none` (0). Empty is not a choice here: the option is left out instead.
 */
export function parseQuizDays(input: string): ParseResult<number> {
  if (NO_DAYS.test(input.trim().toLowerCase())) return { ok: true, value: 0 };
  if (input.trim() === '') return { ok: false, error: notUnderstood(input) };
  return parseDays(input);
}

/** Autocomplete for the `quiz` option: `none`, then the days as for `days`. */
export function suggestQuizDays(typed: string, limit = 25): { name: string; value: string }[] {
  const none = 'none'.startsWith(typed.trim().toLowerCase()) ? [{ name: 'none', value: 'none' }] : [];
  return [...none, ...suggestDays(typed, limit)].slice(0, limit);
}

/**
 * Autocomplete for the `days` option: the common choices, then the typed
 * list completed with the next day names (`Mon, We` offers `Mon, Wed`).
 */
export function suggestDays(typed: string, limit = 25): { name: string; value: string }[] {
  const text = typed.trim();
  const fixed = ['every day', 'weekdays', 'Mon, Wed, Fri', 'Tue, Thu', 'weekends'];
  const out: string[] = [];
  const folded = text.toLowerCase();
  for (const choice of fixed) if (choice.toLowerCase().startsWith(folded) || folded === '') out.push(choice);
  if (text !== '') {
    const parts = text.split(/\s*,\s*|\s+/).filter(Boolean);
    const last = parts.pop() ?? '';
    const head = parts.map((p) => {
      const i = dayIndex(p);
      return i >= 0 ? NAMES[i] : p;
    });
    const lastIndex = dayIndex(last);
    const candidates = NAMES.filter((name, i) => !head.includes(name) && (last === '' || name.toLowerCase().startsWith(last.toLowerCase()) || i === lastIndex));
    for (const name of candidates) out.push([...head, name].join(', '));
    const parsed = parseDays(text);
    if (parsed.ok) out.unshift(formatDays(parsed.value));
  }
  return [...new Set(out)].slice(0, limit).map((name) => ({ name: name.slice(0, 100), value: name.slice(0, 100) }));
}
