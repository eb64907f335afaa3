import { createHash, randomBytes } from 'node:crypto';
import { safeEqual } from '@flash/connectors';
import type { User } from '@flash/core';
import { type ApiTokens, accessOf, authorizerScope, type Scope } from './bearer.js';
import { TOKENS, USERS } from './documents.js';
import { type HttpEvent, header } from './http.js';

/** A personal token as stored: only the SHA-256 of its secret, never the token itself. */
export interface StoredToken {
  userId: string;
  secretSha256: string;
  companyFigures: boolean;
  label: string | null;
  createdAt: string;
}

/** `ffp_<token id>_<secret>`: the id finds the stored hash, the secret is compared with it. */
const PERSONAL = /^ffp_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A new personal token: shown once to whoever issues it; only `stored` is kept. */
export const newPersonalToken = (
  userId: string,
  grant: { companyFigures: boolean; label: string | null },
  now: Date,
): { tokenId: string; token: string; stored: StoredToken } => {
  const tokenId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return {
    tokenId,
    token: `ffp_${tokenId}_${secret}`,
    stored: { userId, secretSha256: sha256(secret), ...grant, createdAt: now.toISOString() },
  };
};

/** Reads documents by id: the document store's one call the scope needs. */
export interface ScopeDocuments {
  getDocuments(kind: string, ids: readonly string[]): Promise<Map<string, unknown>>;
}

/**
 * The scope an `Authorization` header grants, or undefined for none (a 401 or 403). The API token is compared
 * in constant time (bearerAllows); a personal token by its id, then the SHA-256 of its secret in constant
 * time, and only while its user exists (deleting a user revokes their tokens). Without an API token configured
 * (locally only) a request without a personal token speaks for the admin, as the open local API always has.
 */
export const resolveScope = async (
  authorization: string | undefined,
  tokens: ApiTokens,
  documents: ScopeDocuments,
): Promise<Scope | undefined> => {
  const access = accessOf(authorization, tokens);
  if (access === 'full') return { kind: 'admin' };
  if (access === 'read') return { kind: 'read' };
  const personal = PERSONAL.exec(authorization?.startsWith('Bearer ') ? authorization.slice(7) : '');
  if (!personal) return tokens.full === undefined ? { kind: 'admin' } : undefined;
  const [, tokenId = '', secret = ''] = personal;
  const stored = (await documents.getDocuments(TOKENS, [tokenId])).get(tokenId) as StoredToken | undefined;
  if (!stored || !safeEqual(sha256(secret), stored.secretSha256)) return undefined;
  const user = (await documents.getDocuments(USERS, [stored.userId])).get(stored.userId) as User | undefined;
  if (!user) return undefined;
  return {
    kind: 'personal',
    userId: stored.userId,
    ownerIds: user.ownerIds ?? [stored.userId],
    companyFigures: stored.companyFigures,
  };
};

/**
 * The scope of a request that reached a function: on AWS what the authorizer put in its context (a client
 * cannot set it); locally, where no authorizer stands in front, resolved here from the header.
 */
export const scopeOf = async (
  event: HttpEvent,
  tokens: ApiTokens,
  documents: ScopeDocuments,
): Promise<Scope | undefined> =>
  authorizerScope(event) ?? resolveScope(header(event, 'authorization'), tokens, documents);
