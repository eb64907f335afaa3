import { InvalidValueError, minorDigits, normaliseCurrency, toMajor, toMinor } from '@flash/core';
import { describe, expect, it } from 'vitest';

describe('money', () => {
  it('knows the minor digits of a currency from ISO data', () => {
    expect(minorDigits('EUR')).toBe(2);
    expect(minorDigits('jpy')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
  });

  it('converts major to exact minor units despite binary floating point', () => {
    expect(toMinor(0.1 + 0.2, 'EUR')).toBe(30);
    expect(toMinor(1250, 'EUR')).toBe(125000);
    expect(toMinor(17707.35, 'EUR')).toBe(1770735);
    expect(toMinor(1500, 'JPY')).toBe(1500);
    expect(toMinor(1.234, 'KWD')).toBe(1234);
  });

  it('refuses more decimals than the currency has', () => {
    expect(() => toMinor(12.345, 'EUR')).toThrow(InvalidValueError);
    expect(() => toMinor(10.5, 'JPY')).toThrow(/more than 0 decimals/);
  });

  it('reports major units rounded to two decimals', () => {
    expect(toMajor(123456, 'EUR')).toBe(1234.56);
    expect(toMajor(1234, 'KWD')).toBe(1.23);
    expect(toMajor(-5, 'EUR')).toBe(-0.05);
  });

  it('normalises currency codes and refuses what is not one', () => {
    expect(normaliseCurrency(' usd ')).toBe('USD');
    expect(() => normaliseCurrency('euro')).toThrow(InvalidValueError);
  });
});
