/**
 * Time zones and calendar dates for the daily post. The arithmetic is
 * Temporal's (`temporal-polyfill`, the TC39 API Node will ship): local wall
 * clocks, days added, DST gaps and repeated hours. What stays here is what is
 * ours: the zone names we offer and accept, the strict `HH:MM`, autocomplete.
 *
 * Vocabulary:
 * - an *instant* is a `Date` (a point on the UTC time line);
 * - a *local date* is `YYYY-MM-DD` and a *local time* is `HH:MM`, both as read
 *   on a wall clock in some zone.
 *
 * Everything here is pure: the clock is always a parameter.
 */
import { Temporal } from 'temporal-polyfill';

const NS_PER_MINUTE = 60_000_000_000;

/** `HH:MM` on a 24-hour clock, both fields zero-padded. */
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface LocalTime {
  readonly hour: number;
  readonly minute: number;
}

export interface LocalParts {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  readonly day: number;
  /** 0–23 */
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** local = UTC + offset, e.g. +345 in Asia/Kathmandu, -150 in St. John's summer. */
  readonly offsetMinutes: number;
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

// ---------------------------------------------------------------------------
// Zone names

/**
 * ICU (and so Node 20) still lists some zones under their old names. Users type
 * the names they know today, so the list we offer uses the current IANA
 * spelling; Intl accepts both, and both describe the same clock.
 */
const CURRENT_NAMES: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

const validity = new Map<string, boolean>();

/**
 * True for a zone name Intl knows (`Europe/Berlin`, `UTC`, links such as
 * `US/Eastern`). Offset strings (`+05:30`) are refused even where a newer
 * runtime would accept them: a fixed offset has no DST and is not what a
 * server means by "our time zone".
 */
export function isValidTimeZone(name: string): boolean {
  const known = validity.get(name);
  if (known !== undefined) return known;
  let ok = name.length > 0 && !/^[+-]/.test(name);
  if (ok) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
    } catch {
      ok = false;
    }
  }
  // Bounded: a user typing garbage must not grow the cache forever.
  if (validity.size < 5_000) validity.set(name, ok);
  return ok;
}

let zoneList: readonly string[] | undefined;

/** Every zone we offer, sorted, current IANA spelling, `UTC` included. */
export function listTimeZones(): readonly string[] {
  if (zoneList) return zoneList;
  const names = new Set<string>(['UTC']);
  for (const name of Intl.supportedValuesOf('timeZone')) {
    const current = CURRENT_NAMES[name];
    names.add(current !== undefined && isValidTimeZone(current) ? current : name);
  }
  zoneList = Object.freeze([...names].sort());
  return zoneList;
}

/**
 * The spelling to store for what a user typed: `europe/berlin` becomes
 * `Europe/Berlin`, `Asia/Calcutta` becomes `Asia/Kolkata`; a valid name outside
 * the list (a link such as `US/Eastern`) becomes the zone ICU resolves it to.
 */
export function normalizeTimeZone(input: string): ParseResult<string> {
  const name = input.trim();
  const folded = name.toLowerCase();
  const listed = listTimeZones().find((zone) => zone.toLowerCase() === folded);
  if (listed !== undefined) return { ok: true, value: listed };
  const legacy = Object.keys(CURRENT_NAMES).find((old) => old.toLowerCase() === folded);
  if (legacy !== undefined) return normalizeTimeZone(CURRENT_NAMES[legacy] ?? legacy);
  if (isValidTimeZone(name)) {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    return { ok: true, value: CURRENT_NAMES[resolved] ?? resolved };
  }
  return {
    ok: false,
    error: `daily: unknown time zone "${name}"; use an IANA name such as Europe/Berlin, America/St_Johns or UTC`,
  };
}

/**
 * Autocomplete: zones whose name contains every word typed, matching spaces
 * with underscores ("new york" finds America/New_York). Prefix matches of the
 * city come first.
 */
export function searchTimeZones(query: string, limit = 25): string[] {
  const words = query.toLowerCase().replace(/_/g, ' ').split(/[\s/]+/).filter(Boolean);
  const matches = listTimeZones().filter((zone) => {
    const haystack = zone.toLowerCase().replace(/_/g, ' ');
    return words.every((word) => haystack.includes(word));
  });
  const first = words[0];
  if (first !== undefined) {
    const city = (zone: string): string => (zone.split('/').pop() ?? zone).toLowerCase().replace(/_/g, ' ');
    const rank = (zone: string): number => (city(zone).startsWith(first) ? 0 : 1);
    matches.sort((a, b) => rank(a) - rank(b));
  }
  return matches.slice(0, limit);
}

// ---------------------------------------------------------------------------
// Local time and date strings

/** Parses a strict `HH:MM` (00:00–23:59). The error says how to fix the input. */
export function parseLocalTime(input: string): ParseResult<LocalTime> {
  const text = input.trim();
  const match = TIME_PATTERN.exec(text);
  if (match) return { ok: true, value: { hour: Number(match[1]), minute: Number(match[2]) } };
  const loose = /^(\d{1,2})[:.h](\d{2})$/.exec(text);
  const hint =
    loose && Number(loose[1]) < 24 && Number(loose[2]) < 60
      ? ` (did you mean ${pad2(Number(loose[1]))}:${loose[2]}?)`
      : loose && Number(loose[1]) === 24 && Number(loose[2]) === 0
        ? ' (midnight is 00:00)'
        : '';
  return {
    ok: false,
    error: `daily: time "${text}" must be HH:MM on a 24-hour clock, from 00:00 to 23:59, e.g. 09:00 or 21:30${hint}`,
  };
}

/** Like `parseLocalTime` for input already validated; throws otherwise. */
export function toLocalTime(time: string | LocalTime): LocalTime {
  if (typeof time !== 'string') return time;
  const parsed = parseLocalTime(time);
  if (!parsed.ok) throw new RangeError(parsed.error);
  return parsed.value;
}

export function formatLocalTime(time: LocalTime): string {
  return `${pad2(time.hour)}:${pad2(time.minute)}`;
}

/** Parses a `YYYY-MM-DD` that names a real calendar day; throws otherwise. */
export function parseLocalDate(date: string): { year: number; month: number; day: number } {
  const { year, month, day } = plainDate(date);
  return { year, month, day };
}

/** `date` plus `days` calendar days (negative goes back). */
export function addDays(date: string, days: number): string {
  return plainDate(date).add({ days }).toString();
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return plainDate(from).until(plainDate(to), { largestUnit: 'days' }).days;
}

/** Strictly `YYYY-MM-DD` (Temporal alone would also take `20261129` or a time) and a real day. */
function plainDate(date: string): Temporal.PlainDate {
  if (DATE_PATTERN.test(date)) {
    try {
      return Temporal.PlainDate.from(date, { overflow: 'reject' });
    } catch {
      // Falls through to the error below: February 30th, month 13.
    }
  }
  throw new RangeError(`daily: "${date}" is not a calendar date (YYYY-MM-DD)`);
}

// ---------------------------------------------------------------------------
// Instants and zones

/** The zone's wall clock at `instant`; a `daily:` RangeError for an unknown zone or an invalid instant. */
function zoned(instant: Date, zone: string): Temporal.ZonedDateTime {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('daily: invalid instant');
  if (!isValidTimeZone(zone)) throw new RangeError(`daily: unknown time zone "${zone}"`);
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
}

/** The wall clock in `zone` at `instant`, with the zone's UTC offset then. */
export function localParts(instant: Date, zone: string): LocalParts {
  const z = zoned(instant, zone);
  return { year: z.year, month: z.month, day: z.day, hour: z.hour, minute: z.minute, second: z.second, offsetMinutes: Math.round(z.offsetNanoseconds / NS_PER_MINUTE) };
}

/** The calendar date (`YYYY-MM-DD`) on a wall clock in `zone` at `instant`. */
export function localDate(instant: Date, zone: string): string {
  return zoned(instant, zone).toPlainDate().toString();
}

/** Offset of `zone` from UTC at `instant`, in minutes (local = UTC + offset). */
export function offsetMinutes(instant: Date, zone: string): number {
  return Math.round(zoned(instant, zone).offsetNanoseconds / NS_PER_MINUTE);
}

/** `UTC+05:45`, `UTC-03:30`, `UTC+00:00`. */
export function formatUtcOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** A local date in a zone, as the instants it spans. */
export interface LocalDay {
  readonly date: string;
  /** The date's first instant: its 00:00, or the end of a clock change over midnight. */
  readonly start: Date;
  /** The next date's first instant (23, 24 or 25 hours later, as the zone's clock goes). */
  readonly end: Date;
  /**
   * The day starts at 00:00 and the zone keeps one UTC offset from `start` to
   * `end`, both included (no clock change within it or at its end, as
   * Temporal's transitions say): then each wall time of the day occurs once,
   * its minutes after `start`.
   */
  readonly steady: boolean;
}

/** The span of local date `date` in `zone` (throws a `daily:` RangeError for an unknown zone or a bad date). */
export function localDay(date: string, zone: string): LocalDay {
  if (!isValidTimeZone(zone)) throw new RangeError(`daily: unknown time zone "${zone}"`);
  const day = plainDate(date);
  const start = day.toZonedDateTime(zone);
  const end = day.add({ days: 1 }).toZonedDateTime(zone);
  const change = nextOffsetChange(new Date(start.epochMilliseconds), zone);
  const midnight = start.hour === 0 && start.minute === 0 && start.second === 0;
  return {
    date,
    start: new Date(start.epochMilliseconds),
    end: new Date(end.epochMilliseconds),
    // A change at `end` itself is a jump over the day's last hour (America/Nuuk, 23:00 -> 00:00): not steady.
    steady: midnight && (change === null || change.getTime() > end.epochMilliseconds),
  };
}

/** Per zone, the last transition asked for: `next` is the first offset change after every instant in [after, next). */
const knownChanges = new Map<string, { readonly after: number; readonly next: number | null }>();

/**
 * The first instant after `instant` at which `zone` changes its UTC offset,
 * or null when it never does again (Temporal's `getTimeZoneTransition`).
 * Remembered per zone until that instant: the search is slow, the answer
 * holds for months, and a day's decision asks it of every zone.
 */
export function nextOffsetChange(instant: Date, zone: string): Date | null {
  const ms = instant.getTime();
  const known = knownChanges.get(zone);
  if (known !== undefined && known.after <= ms && (known.next === null || ms < known.next)) {
    return known.next === null ? null : new Date(known.next);
  }
  const change = zoned(instant, zone).getTimeZoneTransition('next');
  const next = change === null ? null : change.epochMilliseconds;
  if (knownChanges.size > 5_000) knownChanges.clear();
  knownChanges.set(zone, { after: ms, next });
  return next === null ? null : new Date(next);
}

/** ISO weekday of a `YYYY-MM-DD` date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  return plainDate(date).dayOfWeek;
}

/**
 * The instant a post set for `time` in `zone` is due on local day `date`.
 *
 * DST rules:
 * - the time occurs once: that instant;
 * - it occurs twice (clocks go back): the FIRST occurrence, so a server gets
 *   its post at the earlier of the two and, being one local date, only once;
 * - it does not occur (clocks jump forward over it): the first minute that
 *   exists after it, which is the instant of the jump (Berlin 02:30 on the
 *   spring-forward Sunday is due at 03:00 CEST). Temporal's own choice for a
 *   gap ('compatible') would move it by the gap's length (03:30): we take the
 *   earlier reading, which lies before the jump, and then the jump itself.
 */
export function scheduledInstant(date: string, time: string | LocalTime, zone: string): Date {
  const { hour, minute } = toLocalTime(time);
  if (!isValidTimeZone(zone)) throw new RangeError(`daily: unknown time zone "${zone}"`);
  const wall = plainDate(date).toPlainDateTime({ hour, minute });
  const first = wall.toZonedDateTime(zone, { disambiguation: 'earlier' });
  if (Temporal.PlainDateTime.compare(first.toPlainDateTime(), wall) === 0) return new Date(first.epochMilliseconds);
  const jump = first.getTimeZoneTransition('next');
  if (!jump) throw new RangeError(`daily: ${date} ${formatLocalTime({ hour, minute })} does not exist in ${zone}, and no clock change follows it`);
  return new Date(jump.epochMilliseconds);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
