import type { Logger } from '@aws-lambda-powertools/logger';
import { PayloadError, parseJson, parseWith, safeEqual } from '@flash/connectors';
import { type Profile, profileSchema, type User, userSchema } from '@flash/core';
import type { z } from 'zod';
import { corsHeaders, preflight } from './cors.js';
import { type HttpEvent, type HttpResult, header, json, problem, rawBody } from './http.js';
import type { WriteRouteDoc } from './openapi.js';

/** Where profiles and users are kept; DynamoStore implements it. */
export interface DocumentStore {
  putDocument(kind: string, id: string, document: unknown): Promise<void>;
  getDocuments(kind: string, ids: readonly string[]): Promise<Map<string, unknown>>;
}

export interface ConfigDeps {
  store: DocumentStore;
  logger: Logger;
  apiToken?: string | undefined;
  /** Origins that may call the API from a browser (`*` for any); none by default. */
  corsOrigins?: readonly string[];
}

/** The write routes, for the OpenAPI document. */
export const configRoutes: readonly WriteRouteDoc[] = [
  { path: '/v1/profiles/{id}', summary: 'Create or replace a KPI profile (at most 10 KPIs)', schema: 'Profile' },
  {
    path: '/v1/users/{id}',
    summary: 'Create or replace a user and the profile they are scored against',
    schema: 'User',
  },
];

export const PROFILES = 'profile';
export const USERS = 'user';
/** The longest id of a user, a profile or an owner that the API takes (its keys stay far below DynamoDB's). */
export const MAX_ID_LENGTH = 256;
const ID = new RegExp(`^[A-Za-z0-9._@-]{1,${MAX_ID_LENGTH}}$`);

/**
 * The first number in `value` that the store cannot keep, with where it is: DynamoDB refuses magnitudes under
 * 1e-130 (and from 1e126), and the SDK's marshaller refuses integers past Number.MAX_SAFE_INTEGER (it would
 * lose digits). JSON's `1e308` is a finite number to JavaScript, so the schema lets it through.
 */
const unstorableNumber = (value: unknown, path = ''): string | undefined => {
  if (typeof value === 'number') {
    const magnitude = Math.abs(value);
    return magnitude !== 0 && !(magnitude >= 1e-130 && magnitude <= Number.MAX_SAFE_INTEGER)
      ? `${path}: ${value} is outside the numbers that can be stored (0, or a magnitude from 1e-130 to ${Number.MAX_SAFE_INTEGER})`
      : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = unstorableNumber(item, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
};

/** The body validated by the schema, or the 400 message naming what is wrong (the connectors' wording). */
const parseBody = <S extends z.ZodType>(schema: S, event: HttpEvent): z.output<S> | string => {
  try {
    return parseWith(schema, parseJson(rawBody(event)));
  } catch (error) {
    if (error instanceof PayloadError) return error.message;
    throw error;
  }
};

/**
 * PUT /v1/profiles/{id} and PUT /v1/users/{id}: KPI targets per profile and the users assigned to them,
 * validated and stored whole (a PUT replaces). Kept apart from the read-only query function.
 */
export const makeConfigHandler =
  (deps: ConfigDeps) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const origins = deps.corsOrigins ?? [];
    if (event.requestContext.http.method === 'OPTIONS') return preflight(event, origins, 'PUT, OPTIONS');
    const cors = corsHeaders(header(event, 'origin'), origins);
    const fail = (status: number, message: string, extra: Record<string, string> = {}) =>
      problem(status, message, { ...cors, ...extra });
    if (deps.apiToken && !safeEqual(header(event, 'authorization') ?? '', `Bearer ${deps.apiToken}`)) {
      return fail(401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
    }
    const match = /^\/v1\/(profiles|users)\/([^/]+)$/.exec(event.rawPath);
    if (!match) return fail(404, `no route ${event.rawPath}`);
    if (event.requestContext.http.method !== 'PUT') return fail(405, 'use PUT', { allow: 'PUT, OPTIONS' });
    let id: string;
    try {
      id = decodeURIComponent(match[2] as string);
    } catch {
      return fail(400, 'id is not valid percent-encoding (a "%" must be followed by two hexadecimal digits)');
    }
    if (!ID.test(id)) return fail(400, `id must be 1-${MAX_ID_LENGTH} letters, digits, ".", "_", "@" or "-"`);

    if (match[1] === 'profiles') {
      const profile = parseBody(profileSchema, event);
      if (typeof profile === 'string') return fail(400, profile);
      const unstorable = unstorableNumber(profile);
      if (unstorable) return fail(400, unstorable);
      await deps.store.putDocument(PROFILES, id, profile satisfies Profile);
      deps.logger.info('profile stored', { profileId: id, kpis: profile.kpis.length });
      return json(200, { id, ...profile }, cors);
    }
    const user = parseBody(userSchema, event);
    if (typeof user === 'string') return fail(400, user);
    const profiles = await deps.store.getDocuments(PROFILES, [user.profileId]);
    if (!profiles.has(user.profileId)) {
      return fail(
        400,
        `profileId: profile "${user.profileId}" does not exist; PUT /v1/profiles/${user.profileId} first`,
      );
    }
    await deps.store.putDocument(USERS, id, user satisfies User);
    deps.logger.info('user stored', { userId: id, profileId: user.profileId });
    return json(200, { id, ...user, ownerIds: user.ownerIds ?? [id] }, cors);
  };
