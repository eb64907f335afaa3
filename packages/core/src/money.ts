import { InvalidValueError } from './errors.js';
import type { EntityState } from './state.js';

/**
 * Money is carried as integer minor units of an upper-case ISO 4217 code. The number of minor digits comes
 * from the ICU data Node ships (JPY 0, EUR 2, KWD 3), so no table has to be kept in step with ISO.
 */
const digitsCache = new Map<string, number>();

export const normaliseCurrency = (code: string): string => {
  const upper = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper)) throw new InvalidValueError(`"${code}" is not an ISO 4217 currency code`);
  return upper;
};

export const minorDigits = (currency: string): number => {
  const code = normaliseCurrency(currency);
  let digits = digitsCache.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
      .maximumFractionDigits as number;
    digitsCache.set(code, digits);
  }
  return digits;
};

/** Major units as sent by a provider (17707.5 EUR) to exact minor units (1770750). Refuses sub-minor precision. */
export const toMinor = (major: number, currency: string): number => {
  if (!Number.isFinite(major)) throw new InvalidValueError(`amount ${major} is not a finite number`);
  const digits = minorDigits(currency);
  const scaled = major * 10 ** digits;
  const minor = Math.round(scaled);
  // Tolerate binary floating point noise (0.1 + 0.2) but not a real extra digit (12.345 EUR).
  if (Math.abs(scaled - minor) > 1e-6 * Math.max(1, Math.abs(scaled))) {
    throw new InvalidValueError(`amount ${major} has more than ${digits} decimals for ${currency}`);
  }
  if (!Number.isSafeInteger(minor)) throw new InvalidValueError(`amount ${major} ${currency} is too large`);
  return minor;
};

/** Minor units back to major units for reporting, rounded to at most 2 decimals as the contract promises. */
export const toMajor = (minor: number, currency: string): number => {
  const major = minor / 10 ** minorDigits(currency);
  return Math.round(major * 100) / 100;
};

const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * A plain decimal in major units (`"2500.5"`, as HubSpot sends an amount) to minor units with `digits`
 * decimals, rounded **half away from zero** (`2500.5` JPY → 2501, `-0.125` EUR → -13), exactly: the digits of
 * the string are cut and carried as a BigInt, never through a binary float. Undefined when `decimal` is not
 * a plain decimal (digits, an optional fraction after `.`, an optional leading `-`).
 */
export const decimalToMinorUnits = (decimal: string, digits: number): bigint | undefined => {
  const match = PLAIN_DECIMAL.exec(decimal);
  if (!match || !Number.isInteger(digits) || digits < 0) return undefined;
  const [, sign, whole = '0', fraction = ''] = match;
  const kept = fraction.slice(0, digits).padEnd(digits, '0');
  // Half away from zero: the first dropped digit alone decides (5 to 9 rounds the magnitude up).
  const roundUp = (fraction[digits] ?? '0') >= '5';
  const magnitude = BigInt(whole + kept) + (roundUp ? 1n : 0n);
  return sign === '-' ? -magnitude : magnitude;
};

/**
 * A plain decimal in major units to minor units of `currency` (see `decimalToMinorUnits` for the rounding).
 * Null when it is not a plain decimal or when the result is not a safe integer; never throws, since it runs
 * in the aggregator on values the ingest gate accepted before their currency was known.
 */
export const decimalToMinor = (decimal: string, currency: string): number | null => {
  if (!/^[A-Z]{3}$/.test(currency)) return null;
  const minor = decimalToMinorUnits(decimal, minorDigits(currency));
  if (minor === undefined || minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < BigInt(Number.MIN_SAFE_INTEGER))
    return null;
  return Number(minor);
};

/** A deal's money as every metric counts it: minor units of its currency. */
export interface DealMoney {
  minor: number;
  currency: string;
}

/**
 * The one reading of a deal's amount. Snapshot sources (generic, Pipedrive) and states stored before
 * `amountDecimal` existed carry `amount` in minor units. HubSpot carries the amount as sent, a decimal in
 * major units (`amountDecimal`), because its currency may arrive in another delivery: it is scaled here, with
 * the currency the state holds now. When both are set, the newer field wins (a patch that sets one sets the
 * other to null at the same time; the decimal wins a tie). Null without an amount or a currency.
 */
export const dealMoney = (state: Pick<EntityState<'deal'>, 'data' | 'fieldTimes'>): DealMoney | null => {
  const { amount, amountDecimal, currency } = state.data;
  if (currency === null) return null;
  const times = state.fieldTimes ?? {};
  const decimalIsNewer =
    (times.amount ?? Number.NEGATIVE_INFINITY) <= (times.amountDecimal ?? Number.NEGATIVE_INFINITY);
  const minor = typeof amountDecimal === 'string' && decimalIsNewer ? decimalToMinor(amountDecimal, currency) : amount;
  return minor === null ? null : { minor, currency };
};
