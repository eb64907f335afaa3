import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureError } from './errors.js';

/** What a signature covers: the raw body alone, or parts concatenated without separators. */
export type SignedParts = Buffer | string | readonly (Buffer | string)[];

const partsOf = (data: SignedParts): readonly (Buffer | string)[] =>
  typeof data === 'string' || Buffer.isBuffer(data) ? [data] : data;

export const hmac = (algorithm: 'sha256' | 'sha1', key: string, data: SignedParts, encoding: 'hex' | 'base64') => {
  const mac = createHmac(algorithm, key);
  for (const part of partsOf(data)) mac.update(part);
  return mac.digest(encoding);
};

/** A plain SHA-256 digest, for legacy schemes that hash the secret together with the body (no HMAC). */
export const sha256 = (data: SignedParts, encoding: 'hex' | 'base64') => {
  const hash = createHash('sha256');
  for (const part of partsOf(data)) hash.update(part);
  return hash.digest(encoding);
};

/**
 * Constant-time string equality. Both sides are hashed first so that inputs of different lengths still
 * compare in constant time (timingSafeEqual needs equal lengths).
 */
export const safeEqual = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Standard base64 (RFC 4648 section 4) decoded strictly: only the alphabet, padded to a multiple of four, and
 * canonical (encoding the bytes again gives the same text, so no stray bits in the last character). Node's
 * `Buffer.from(text, 'base64')` skips anything else silently (`dTpw!!!` decodes as `dTpw`); this returns
 * undefined instead.
 */
export const strictBase64 = (text: string): Buffer | undefined => {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
};

/** The bytes as text if they are well-formed UTF-8, else undefined (never replacement characters). */
export const strictUtf8 = (bytes: Buffer): string | undefined => {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
};

export const requireHeader = (headers: Readonly<Record<string, string | undefined>>, name: string): string => {
  const value = headers[name.toLowerCase()];
  if (!value) throw new SignatureError(`missing ${name} header`);
  return value;
};

/** For schemes that sign the raw body alone: `expected` is what the header must equal. */
export const verifyEqual = (received: string, expected: string, header: string): void => {
  if (!safeEqual(received.trim(), expected)) throw new SignatureError(`${header} does not match the body`);
};

/**
 * The scheme Typeform, Delighted and our generic source share: a header `sha256=<HMAC-SHA256 of the raw body>`,
 * hex or base64, with no timestamp.
 */
export const bodyHmacVerifier =
  (header: string, encoding: 'hex' | 'base64') =>
  (request: { headers: Readonly<Record<string, string | undefined>>; body: Buffer }, secret: string): void => {
    const received = requireHeader(request.headers, header);
    verifyEqual(received, `sha256=${hmac('sha256', secret, request.body, encoding)}`, header);
  };

/** A signed timestamp header as epoch milliseconds; `unitMs` is 1000 for seconds. */
export const timestampHeader = (value: string, unitMs: number, header: string): number => {
  if (!/^\d{1,15}$/.test(value.trim())) throw new SignatureError(`${header} is not an epoch timestamp`);
  return Number(value.trim()) * unitMs;
};

/** Replay window: refuses a signed timestamp further than `toleranceMs` from `now`, in either direction. */
export const assertFresh = (timestampMs: number, now: Date, toleranceMs: number, header: string): void => {
  const skewMs = now.getTime() - timestampMs;
  if (Math.abs(skewMs) > toleranceMs) {
    const when = skewMs > 0 ? 'old' : 'in the future';
    throw new SignatureError(
      `${header} is ${Math.round(Math.abs(skewMs) / 1000)} s ${when}; the limit is ${toleranceMs / 1000} s`,
    );
  }
};
