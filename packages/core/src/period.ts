import { InvalidValueError } from './errors.js';

/** A calendar month, "YYYY-MM". */
export type Month = string;
/** A calendar year, "YYYY". */
export type Year = string;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const LOCAL_DATE = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch (cause) {
      throw new InvalidValueError(`"${timeZone}" is not an IANA time zone`, { cause });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

/** Throws unless the zone is one the runtime knows; call once at start-up so a typo fails early. */
export const assertTimeZone = (timeZone: string): void => {
  formatterFor(timeZone);
};

/** The local calendar date ("YYYY-MM-DD") of an instant in a zone; the runtime's tz data handles DST. */
export const localDateOf = (instant: Date, timeZone: string): string => {
  if (Number.isNaN(instant.getTime())) throw new InvalidValueError('invalid instant');
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
};

/**
 * The month a timestamp belongs to. A plain date ("2026-11-03") is already a local date in the metrics zone
 * (contract 3a); anything with a time is an instant and is placed by its local date in `timeZone`.
 */
export const monthOf = (timestamp: string, timeZone: string): Month => {
  if (LOCAL_DATE.test(timestamp)) return timestamp.slice(0, 7);
  const instant = new Date(timestamp);
  if (Number.isNaN(instant.getTime())) throw new InvalidValueError(`"${timestamp}" is not a date or timestamp`);
  return localDateOf(instant, timeZone).slice(0, 7);
};

export const yearOfMonth = (month: Month): Year => month.slice(0, 4);

export const parseMonth = (value: string): Month => {
  if (!MONTH.test(value)) throw new InvalidValueError(`period "${value}" is not a month in the form YYYY-MM`);
  return value;
};

export const addMonths = (month: Month, delta: number): Month => {
  const match = MONTH.exec(month);
  if (!match) throw new InvalidValueError(`"${month}" is not a month in the form YYYY-MM`);
  const index = Number(match[1]) * 12 + (Number(match[2]) - 1) + delta;
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
};

export const currentMonth = (now: Date, timeZone: string): Month => localDateOf(now, timeZone).slice(0, 7);

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
/** How far `timeZone`'s wall clock is ahead of UTC at an instant, in ms. */
const zoneOffsetMs = (ms: number, timeZone: string): number => {
  let formatter = offsetFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetFormatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(new Date(ms)).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(
    parts.year ?? 0,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour,
    parts.minute,
    parts.second,
  );
  return wall - Math.floor(ms / 1000) * 1000;
};

/**
 * The instant (epoch ms) a timestamp stands for: a date-time as written, a plain date ("2026-12-03", a
 * local date in the metrics zone, contract 3a) as the start of that day in `timeZone`.
 */
export const instantOf = (timestamp: string, timeZone: string): number => {
  if (!LOCAL_DATE.test(timestamp)) {
    const ms = Date.parse(timestamp);
    if (Number.isNaN(ms)) throw new InvalidValueError(`"${timestamp}" is not a date or timestamp`);
    return ms;
  }
  const wallMidnight = Date.parse(`${timestamp}T00:00:00Z`);
  // Two passes find the offset in force at that local midnight, also on a day the clocks change.
  const first = wallMidnight - zoneOffsetMs(wallMidnight, timeZone);
  return wallMidnight - zoneOffsetMs(first, timeZone);
};
