import type { Logger } from '@aws-lambda-powertools/logger';
import { PayloadError, parseJson, parseWith, safeEqual } from '@flash/connectors';
import { type Profile, profileSchema, type User, userSchema } from '@flash/core';
import type { z } from 'zod';
import { type HttpEvent, type HttpResult, header, json, problem, rawBody } from './http.js';

/** Where profiles and users are kept; DynamoStore implements it. */
export interface DocumentStore {
  putDocument(kind: string, id: string, document: unknown): Promise<void>;
  getDocuments(kind: string, ids: readonly string[]): Promise<Map<string, unknown>>;
}

export interface ConfigDeps {
  store: DocumentStore;
  logger: Logger;
  apiToken?: string | undefined;
}

export const PROFILES = 'profile';
export const USERS = 'user';
const ID = /^[A-Za-z0-9._@-]{1,100}$/;

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
    if (deps.apiToken && !safeEqual(header(event, 'authorization') ?? '', `Bearer ${deps.apiToken}`)) {
      return problem(401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
    }
    const match = /^\/v1\/(profiles|users)\/([^/]+)$/.exec(event.rawPath);
    if (!match) return problem(404, `no route ${event.rawPath}`);
    if (event.requestContext.http.method !== 'PUT') return problem(405, 'use PUT', { allow: 'PUT' });
    const id = decodeURIComponent(match[2] as string);
    if (!ID.test(id)) return problem(400, 'id must be 1-100 letters, digits, ".", "_", "@" or "-"');

    if (match[1] === 'profiles') {
      const profile = parseBody(profileSchema, event);
      if (typeof profile === 'string') return problem(400, profile);
      await deps.store.putDocument(PROFILES, id, profile satisfies Profile);
      deps.logger.info('profile stored', { profileId: id, kpis: profile.kpis.length });
      return json(200, { id, ...profile });
    }
    const user = parseBody(userSchema, event);
    if (typeof user === 'string') return problem(400, user);
    const profiles = await deps.store.getDocuments(PROFILES, [user.profileId]);
    if (!profiles.has(user.profileId))
      return problem(
        400,
        `profileId: profile "${user.profileId}" does not exist; PUT /v1/profiles/${user.profileId} first`,
      );
    await deps.store.putDocument(USERS, id, user satisfies User);
    deps.logger.info('user stored', { userId: id, profileId: user.profileId });
    return json(200, { id, ...user, ownerIds: user.ownerIds ?? [id] });
  };
