import { metricContextFromEnv } from '@flash/app';
import {
  addMonths,
  assertTimeZone,
  currentMonth,
  InvalidValueError,
  instantOf,
  localDateOf,
  monthOf,
  parseMonth,
} from '@flash/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** ICU's own calendar date of an instant in a zone: the reference the UTC shortcut must agree with. */
const icuDateOf = (instant: Date, timeZone: string) => {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(instant)
    .filter((p) => p.type !== 'literal');
  return parts.map((p) => p.value).join('-');
};

describe('periods', () => {
  describe('monthOf an instant in a time zone', () => {
    it('moves 23:30 UTC on the last day of October into November in Europe/Oslo (CET, UTC+1)', () => {
      expect(monthOf('2026-10-31T23:30:00Z', 'Europe/Oslo')).toBe('2026-11');
      expect(monthOf('2026-10-31T23:30:00Z', 'UTC')).toBe('2026-10');
    });

    it('uses summer time (UTC+2) at the end of March in Europe/Oslo, the day DST starts', () => {
      // DST starts 2026-03-29; on 31 March local midnight is 22:00 UTC.
      expect(monthOf('2026-03-31T21:59:59Z', 'Europe/Oslo')).toBe('2026-03');
      expect(monthOf('2026-03-31T22:00:00Z', 'Europe/Oslo')).toBe('2026-04');
    });

    it('uses winter time right after DST ends in Europe/Oslo', () => {
      // DST ends 2026-10-25, so on 31 October local midnight is 23:00 UTC, not 22:00.
      expect(monthOf('2026-10-31T22:30:00Z', 'Europe/Oslo')).toBe('2026-10');
      expect(monthOf('2026-10-31T23:00:00Z', 'Europe/Oslo')).toBe('2026-11');
    });

    it('places instants west of UTC in the previous month', () => {
      expect(monthOf('2026-12-01T03:00:00Z', 'America/New_York')).toBe('2026-11');
      expect(monthOf('2027-01-01T04:59:59Z', 'America/New_York')).toBe('2026-12');
    });

    it('honours explicit offsets in the timestamp', () => {
      expect(monthOf('2026-11-30T23:30:00-05:00', 'UTC')).toBe('2026-12');
    });

    it('takes a plain date as a local date in the metrics zone', () => {
      expect(monthOf('2026-11-30', 'Pacific/Kiritimati')).toBe('2026-11');
      expect(monthOf('2026-12-01', 'America/Los_Angeles')).toBe('2026-12');
    });

    it('refuses what is not a date', () => {
      expect(() => monthOf('next tuesday', 'UTC')).toThrow(InvalidValueError);
    });
  });

  it('knows the current month in the zone, not in UTC', () => {
    expect(currentMonth(new Date('2026-11-30T23:30:00Z'), 'Europe/Oslo')).toBe('2026-12');
  });

  it('adds and subtracts months across years', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-11', 2)).toBe('2027-01');
    expect(addMonths('2026-11', -23)).toBe('2024-12');
  });

  it('accepts YYYY-MM periods only', () => {
    expect(parseMonth('2026-11')).toBe('2026-11');
    for (const bad of ['2026-13', '2026-1', '26-11', '2026-11-01', '']) {
      expect(() => parseMonth(bad)).toThrow(/YYYY-MM/);
    }
  });

  describe('in UTC, the default zone, without a formatter', () => {
    it("gives ICU's date for any instant, from year 1 to 275760", () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.date({
              min: new Date('0001-01-01T00:00:00Z'),
              max: new Date('9999-12-31T23:59:59.999Z'),
              noInvalidDate: true,
            }),
            fc.date({ min: new Date('0001-01-01T00:00:00Z'), noInvalidDate: true }),
          ),
          (instant) => {
            expect(localDateOf(instant, 'UTC')).toBe(icuDateOf(instant, 'UTC'));
          },
        ),
        { numRuns: 2000 },
      );
    });

    it('starts a plain date at midnight UTC', () => {
      expect(instantOf('2026-03-29', 'UTC')).toBe(Date.parse('2026-03-29T00:00:00Z'));
      expect(instantOf('2026-03-29', 'Europe/Oslo')).toBe(Date.parse('2026-03-28T23:00:00Z'));
    });
  });

  describe('a time zone checked at start', () => {
    it('accepts UTC, canonical names and the aliases the runtime knows', () => {
      for (const zone of ['UTC', 'Europe/Oslo', 'America/New_York', 'US/Eastern', 'Asia/Kolkata', 'Etc/UTC'])
        expect(() => assertTimeZone(zone)).not.toThrow();
    });

    it('refuses a zone the runtime does not know, naming it', () => {
      for (const zone of ['Europe/Olso', 'Mars/Olympus', 'UTC+1', ''])
        expect(() => assertTimeZone(zone)).toThrow(new InvalidValueError(`"${zone}" is not an IANA time zone`));
    });

    it('stops a function reading a wrong METRICS_TIMEZONE at start-up', () => {
      expect(() => metricContextFromEnv({ METRICS_TIMEZONE: 'Europe/Olso' })).toThrow(/"Europe\/Olso" is not an IANA/);
      expect(metricContextFromEnv({}).timeZone).toBe('UTC');
    });
  });
});
