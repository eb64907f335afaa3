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

let canonicalZones: ReadonlySet<string> | undefined;

/**
 * Throws unless the zone is one the runtime knows; call once at start-up so a typo fails early. `UTC` (which
 * every runtime must know) and the names in the runtime's list of zones (about 2 ms to read) pass at once;
 * any other spelling (`US/Eastern`, `Asia/Kolkata`, or a typo) builds its formatter to be sure. Building the
 * first formatter loads ICU's locale data, about 20 ms, which a function that never places a date in the zone
 * (ingest, config) need not pay at start.
 */
export const assertTimeZone = (timeZone: string): void => {
  if (timeZone === 'UTC') return;
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (!canonicalZones.has(timeZone)) formatterFor(timeZone);
};

/** The years `toISOString` writes as four plain digits, the form the zone's formatter gives them too. */
const isFourDigitYear = (year: number) => year >= 1000 && year <= 9999;

/**
 * The local calendar date ("YYYY-MM-DD") of an instant in a zone; the runtime's tz data handles DST. In UTC,
 * the default zone, it is the date of the ISO form, with no formatter (nor ICU's data) needed.
 */
export const localDateOf = (instant: Date, timeZone: string): string => {
  if (Number.isNaN(instant.getTime())) throw new InvalidValueError('invalid instant');
  if (timeZone === 'UTC' && isFourDigitYear(instant.getUTCFullYear())) return instant.toISOString().slice(0, 10);
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
};

/** The local date a timestamp belongs to: a plain date as written, an instant by its local date in `timeZone`. */
export const dayOf = (timestamp: string, timeZone: string): Day => {
  if (LOCAL_DATE.test(timestamp)) return timestamp;
  const instant = new Date(timestamp);
  if (Number.isNaN(instant.getTime())) throw new InvalidValueError(`"${timestamp}" is not a date or timestamp`);
  return localDateOf(instant, timeZone);
};

/**
 * The month a timestamp belongs to. A plain date ("2026-11-03") is already a local date in the metrics zone
 * (contract 3a); anything with a time is an instant and is placed by its local date in `timeZone`.
 */
export const monthOf = (timestamp: string, timeZone: string): Month => monthOfDay(dayOf(timestamp, timeZone));

export const monthOfDay = (day: Day): Month => day.slice(0, 7);

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
  if (timeZone === 'UTC') return 0;
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

/** A local calendar date, "YYYY-MM-DD". */
export type Day = string;
/** What a report covers: a calendar month ("YYYY-MM") or a calendar year ("YYYY"). */
export type Period = Month | Year;

const YEAR = /^\d{4}$/;

export const isYear = (period: Period): period is Year => YEAR.test(period);

/** A period as the API takes it: "YYYY-MM" or "YYYY". */
export const parsePeriod = (value: string): Period => {
  if (YEAR.test(value)) return value;
  if (!MONTH.test(value)) throw new InvalidValueError(`period "${value}" is not a month (YYYY-MM) or a year (YYYY)`);
  return value;
};

/** The first and last month of a period (a month is both). */
export const monthsSpan = (period: Period): { first: Month; last: Month } =>
  isYear(period) ? { first: `${period}-01`, last: `${period}-12` } : { first: period, last: period };

/** The months from `first` to `last` inclusive, in order; empty when `last` is before `first`. */
export const monthRange = (first: Month, last: Month): Month[] => {
  const out: Month[] = [];
  for (let m = first; m <= last; m = addMonths(m, 1)) out.push(m);
  return out;
};

/** How many months `first` to `last` inclusive span (0 or less when `last` is before `first`). */
export const monthCount = (first: Month, last: Month): number =>
  Number(last.slice(0, 4)) * 12 +
  Number(last.slice(5, 7)) -
  (Number(first.slice(0, 4)) * 12 + Number(first.slice(5, 7))) +
  1;

/** The period before: the month before a month, the year before a year. */
export const previousPeriod = (period: Period): Period =>
  isYear(period) ? String(Number(period) - 1).padStart(4, '0') : addMonths(period, -1);

/** The number of days of a month. */
export const daysInMonth = (month: Month): number => {
  const year = Number(month.slice(0, 4));
  const index = Number(month.slice(5, 7));
  return new Date(Date.UTC(year, index, 0)).getUTCDate();
};

export const firstDayOf = (month: Month): Day => `${month}-01`;
export const lastDayOf = (month: Month): Day => `${month}-${String(daysInMonth(month)).padStart(2, '0')}`;

/** Day `day` of a month, or its last day when the month is shorter (31 March → 28 or 29 February). */
export const clampedDay = (month: Month, day: number): Day =>
  `${month}-${String(Math.min(day, daysInMonth(month))).padStart(2, '0')}`;

const dayIndex = (day: Day): number =>
  Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000;

/** The local dates from `first` to `last` inclusive, in order. */
export const dayRange = (first: Day, last: Day): Day[] => {
  const out: Day[] = [];
  for (let i = dayIndex(first); i <= dayIndex(last); i++) out.push(new Date(i * 86_400_000).toISOString().slice(0, 10));
  return out;
};
