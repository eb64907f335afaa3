import { InvalidValueError } from './errors.js';

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
