import {
  checkCanonicalEvent,
  dealMoney,
  decimalToMinor,
  decimalToMinorUnits,
  type EntityState,
  fields,
  InvalidValueError,
  LIMITS,
  minorDigits,
  normaliseCurrency,
  toMajor,
  toMinor,
} from '@flash/core';
import fc from 'fast-check';
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

/**
 * Reference for decimal rounding, independent of the implementation (which cuts the string): the decimal is
 * the fraction n / 10^f; times 10^digits, rounded half away from zero = sign × floor((2|n|·10^d + 10^f) / (2·10^f)).
 */
const referenceMinor = (decimal: string, digits: number): bigint => {
  const negative = decimal.startsWith('-');
  const [whole = '', fraction = ''] = decimal.replace('-', '').split('.');
  const n = BigInt(whole + fraction);
  const scale = 10n ** BigInt(fraction.length);
  const magnitude = (2n * n * 10n ** BigInt(digits) + scale) / (2n * scale);
  return negative ? -magnitude : magnitude;
};

const digitString = (minLength: number, maxLength: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength, maxLength }).map((d) => d.join(''));

/** Plain decimals as the canonical schema bounds them, biased towards halves and long fractions. */
const plainDecimal = fc
  .tuple(
    fc.boolean(),
    digitString(1, LIMITS.decimalWhole),
    fc.oneof(
      digitString(0, LIMITS.decimalFraction),
      fc.tuple(digitString(0, 3), fc.constantFrom('5', '50', '49', '4999', '51', '500000001')).map(([a, b]) => a + b),
    ),
  )
  .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`)
  .filter((d) => fields().decimal.safeParse(d).success);

describe('decimal amounts', () => {
  it('round to minor units half away from zero, exactly as a BigInt reference does', () => {
    fc.assert(
      fc.property(plainDecimal, fc.integer({ min: 0, max: 4 }), (decimal, digits) => {
        expect(decimalToMinorUnits(decimal, digits)).toBe(referenceMinor(decimal, digits));
      }),
      { numRuns: 2000 },
    );
  });

  it("give the currency's minor units, or null beyond a safe integer, and never throw", () => {
    fc.assert(
      fc.property(plainDecimal, fc.constantFrom('JPY', 'EUR', 'USD', 'KWD', 'BHD', 'XYZ'), (decimal, currency) => {
        const exact = referenceMinor(decimal, minorDigits(currency));
        const safe = exact <= BigInt(Number.MAX_SAFE_INTEGER) && exact >= BigInt(Number.MIN_SAFE_INTEGER);
        expect(decimalToMinor(decimal, currency)).toBe(safe ? Number(exact) : null);
      }),
      { numRuns: 2000 },
    );
  });

  it('hold every amount the schema accepts exactly in a currency without minor digits', () => {
    fc.assert(
      fc.property(plainDecimal, (decimal) => {
        expect(decimalToMinor(decimal, 'JPY')).toBe(Number(referenceMinor(decimal, 0)));
      }),
    );
  });

  it('round the halves and the cases binary floating point gets wrong', () => {
    expect(decimalToMinorUnits('2500.5', 0)).toBe(2501n);
    expect(decimalToMinorUnits('2500.49', 0)).toBe(2500n);
    expect(decimalToMinorUnits('-2500.5', 0)).toBe(-2501n);
    expect(decimalToMinorUnits('-0.4', 0)).toBe(0n);
    expect(decimalToMinorUnits('1.005', 2)).toBe(101n); // 1.005 * 100 is 100.49999999999999 as a float
    expect(decimalToMinorUnits('1.015', 2)).toBe(102n);
    expect(decimalToMinorUnits('0.0005', 3)).toBe(1n);
    expect(decimalToMinorUnits('123456789012345.67', 2)).toBe(12345678901234567n);
    expect(decimalToMinorUnits('12', 3)).toBe(12000n);
    expect(decimalToMinor('12.345', 'EUR')).toBe(1235);
    expect(decimalToMinor('2500.5', 'JPY')).toBe(2501);
    expect(decimalToMinor('123456789012345.67', 'EUR')).toBeNull();
  });

  it('refuse what is not a plain decimal, without throwing', () => {
    for (const value of ['', '1e5', '12.', '.5', '+1', '1,5', ' 1', 'NaN', 'Infinity', '0x10'])
      expect(decimalToMinorUnits(value, 2), value).toBeUndefined();
    expect(decimalToMinor('1e5', 'EUR')).toBeNull();
  });

  it('are bounded by the canonical schema', () => {
    expect(fields().decimal.safeParse('9'.repeat(LIMITS.decimalWhole)).success).toBe(true);
    expect(fields().decimal.safeParse('9'.repeat(LIMITS.decimalWhole + 1)).success).toBe(false);
    expect(fields().decimal.safeParse(`1.${'1'.repeat(LIMITS.decimalFraction + 1)}`).success).toBe(false);
    for (const value of ['+1', '1.', '.5', '1e5', ' 1', '1_000'])
      expect(fields().decimal.safeParse(value).success, value).toBe(false);
  });
});

describe("dealMoney, the one reading of a deal's amount", () => {
  const deal = (
    data: Partial<EntityState<'deal'>['data']>,
    fieldTimes?: Record<string, number>,
  ): Pick<EntityState<'deal'>, 'data' | 'fieldTimes'> => ({
    data: {
      title: null,
      customerId: null,
      ownerId: null,
      status: 'open',
      stage: null,
      amount: null,
      currency: null,
      createdAt: null,
      closedAt: null,
      expectedCloseDate: null,
      source: null,
      lostReason: null,
      ...data,
    },
    ...(fieldTimes ? { fieldTimes } : {}),
  });

  it("reads a snapshot's or a stored state's minor amount as it is", () => {
    expect(dealMoney(deal({ amount: 1770700, currency: 'EUR' }))).toEqual({ minor: 1770700, currency: 'EUR' });
    expect(dealMoney(deal({ amount: 1770700, amountDecimal: null, currency: 'EUR' }))).toEqual({
      minor: 1770700,
      currency: 'EUR',
    });
  });

  it('scales a decimal amount with the currency the state holds', () => {
    const times = { amount: 5, amountDecimal: 5, currency: 1 };
    expect(dealMoney(deal({ amountDecimal: '2500', currency: 'JPY' }, times))).toEqual({
      minor: 2500,
      currency: 'JPY',
    });
    expect(dealMoney(deal({ amountDecimal: '2500', currency: 'KWD' }, times))).toEqual({
      minor: 2500000,
      currency: 'KWD',
    });
  });

  it('takes the newer of a minor and a decimal amount', () => {
    const both = { amount: 100, amountDecimal: '2', currency: 'EUR' };
    expect(dealMoney(deal(both, { amount: 2, amountDecimal: 1 }))?.minor).toBe(100);
    expect(dealMoney(deal(both, { amount: 1, amountDecimal: 2 }))?.minor).toBe(200);
    expect(dealMoney(deal(both, { amount: 1, amountDecimal: 1 }))?.minor).toBe(200);
  });

  it('has no money without an amount or a currency', () => {
    expect(dealMoney(deal({ amountDecimal: '2500' }, { amountDecimal: 1 }))).toBeNull();
    expect(dealMoney(deal({ currency: 'EUR' }))).toBeNull();
    expect(dealMoney(deal({ amountDecimal: null, currency: 'EUR' }, { amount: 1, amountDecimal: 1 }))).toBeNull();
  });

  it('never throws for a deal patch the ingest gate accepts, whatever its currency', () => {
    fc.assert(
      fc.property(plainDecimal, fc.stringMatching(/^[A-Z]{3}$/), (decimal, currency) => {
        const patch = {
          entity: 'deal',
          source: 'hubspot',
          id: '1',
          mode: 'patch',
          at: 1,
          occurredAt: '2026-11-01T00:00:00Z',
          changes: { amount: null, amountDecimal: decimal, currency },
        };
        const { event } = checkCanonicalEvent(patch);
        expect(event).toBeDefined();
        const money = dealMoney(deal({ amountDecimal: decimal, currency }, { amount: 1, amountDecimal: 1 }));
        expect(money === null || Number.isSafeInteger(money.minor)).toBe(true);
      }),
    );
  });
});
