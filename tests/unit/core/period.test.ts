import { addMonths, currentMonth, InvalidValueError, monthOf, parseMonth } from '@flash/core';
import { describe, expect, it } from 'vitest';

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
});
