import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureError } from './errors.js';

export const hmac = (algorithm: 'sha256' | 'sha1', key: string, data: Buffer | string, encoding: 'hex' | 'base64') =>
  createHmac(algorithm, key).update(data).digest(encoding);

/**
 * Constant-time string equality. Both sides are hashed first so that inputs of different lengths still
 * compare in constant time (timingSafeEqual needs equal lengths).
 */
export const safeEqual = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

export const requireHeader = (headers: Readonly<Record<string, string | undefined>>, name: string): string => {
  const value = headers[name.toLowerCase()];
  if (!value) throw new SignatureError(`missing ${name} header`);
  return value;
};

/** For schemes that sign the raw body alone: `expected` is what the header must equal. */
export const verifyEqual = (received: string, expected: string, header: string): void => {
  if (!safeEqual(received.trim(), expected)) throw new SignatureError(`${header} does not match the body`);
};
