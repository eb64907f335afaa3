import type { Logger } from '@aws-lambda-powertools/logger';
import { PayloadError, parseJson, parseWith } from '@flash/connectors';
import { type DocumentStore, type Profile, profileSchema, type User, userSchema } from '@flash/core';
import type { z } from 'zod';
import { bearerRefusal } from './bearer.js';
import { corsHeaders, preflight } from './cors.js';
import { ID_PATTERN, MAX_ID_LENGTH, PROFILES, USERS } from './documents.js';
import { type HttpEvent, type HttpResult, header, json, problem, rawBody } from './http.js';
import { pathPattern } from './paths.js';
import type { WritePath } from './routes.js';

export interface ConfigDeps {
  store: DocumentStore;
  logger: Logger;
  apiToken?: string | undefined;
  /** READ_API_TOKEN, refused here with 403 (locally; on AWS the authorizer says which token it was). */
  readApiToken?: string | undefined;
  /** Origins that may call the API from a browser (`*` for any); none by default. */
  corsOrigins?: readonly string[];
}

const ID = new RegExp(ID_PATTERN);

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

/** A write route's work: the body validated and stored under `id`; the answer, or what is wrong (a 400). */
type Writer = (id: string, event: HttpEvent, deps: ConfigDeps) => Promise<{ stored: object } | { refused: string }>;

/** One writer per write route of the table: a route without one, or one without a route, does not compile. */
const writers: Record<WritePath, Writer> = {
  '/v1/profiles/{id}': async (id, event, deps) => {
    const profile = parseBody(profileSchema, event);
    if (typeof profile === 'string') return { refused: profile };
    const unstorable = unstorableNumber(profile);
    if (unstorable) return { refused: unstorable };
    await deps.store.putDocument(PROFILES, id, profile satisfies Profile);
    deps.logger.info('profile stored', { profileId: id, kpis: profile.kpis.length });
    return { stored: { id, ...profile } };
  },
  '/v1/users/{id}': async (id, event, deps) => {
    const user = parseBody(userSchema, event);
    if (typeof user === 'string') return { refused: user };
    const profiles = await deps.store.getDocuments(PROFILES, [user.profileId]);
    if (!profiles.has(user.profileId))
      return {
        refused: `profileId: profile "${user.profileId}" does not exist; PUT /v1/profiles/${user.profileId} first`,
      };
    await deps.store.putDocument(USERS, id, user satisfies User);
    deps.logger.info('user stored', { userId: id, profileId: user.profileId });
    return { stored: { id, ...user, ownerIds: user.ownerIds ?? [id] } };
  },
};

const writeRoutes = Object.entries(writers).map(([path, write]) => ({ pattern: pathPattern(path), write }));

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
    const refused = bearerRefusal(event, { full: deps.apiToken, read: deps.readApiToken }, cors);
    if (refused) return refused;
    const route = writeRoutes
      .map(({ pattern, write }) => ({ write, rawId: pattern.exec(event.rawPath)?.groups?.id }))
      .find((r) => r.rawId !== undefined);
    if (!route?.rawId) return fail(404, `no route ${event.rawPath}`);
    if (event.requestContext.http.method !== 'PUT') return fail(405, 'use PUT', { allow: 'PUT, OPTIONS' });
    let id: string;
    try {
      id = decodeURIComponent(route.rawId);
    } catch {
      return fail(400, 'id is not valid percent-encoding (a "%" must be followed by two hexadecimal digits)');
    }
    if (!ID.test(id)) return fail(400, `id must be 1-${MAX_ID_LENGTH} letters, digits, ".", "_", "@" or "-"`);
    const written = await route.write(id, event, deps);
    return 'refused' in written ? fail(400, written.refused) : json(200, written.stored, cors);
  };
