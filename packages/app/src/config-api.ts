import type { Logger } from '@aws-lambda-powertools/logger';
import { PayloadError, parseJson, parseWith } from '@flash/connectors';
import {
  type Budget,
  budgetSchema,
  type DocumentStore,
  type Profile,
  personalTokenSchema,
  profileSchema,
  SOURCE_NAME,
  SOURCE_NAME_RULE,
  type StageLabels,
  type StageProbabilities,
  stageLabelsSchema,
  stageProbabilitiesSchema,
  type User,
  userSchema,
} from '@flash/core';
import type { z } from 'zod';
import { newPersonalToken, type StoredToken, scopeOf } from './access.js';
import { corsHeaders, preflight } from './cors.js';
import {
  BUDGETS,
  ID_PATTERN,
  MAX_ID_LENGTH,
  MONTH_PATTERN,
  PROFILES,
  SETTINGS,
  STAGE_PROBABILITIES_ID,
  STAGES,
  TOKENS,
  USERS,
} from './documents.js';
import { type HttpEvent, type HttpResult, header, json, problem, rawBody } from './http.js';
import { pathPattern } from './paths.js';
import type { WriteKey } from './routes.js';

export interface ConfigDeps {
  store: DocumentStore;
  logger: Logger;
  apiToken?: string | undefined;
  /** The clock personal tokens are dated by. */
  now?: () => Date;
  /** READ_API_TOKEN, refused here with 403 (locally; on AWS the authorizer says which token it was). */
  readApiToken?: string | undefined;
  /** Origins that may call the API from a browser (`*` for any); none by default. */
  corsOrigins?: readonly string[];
}

const ID = new RegExp(ID_PATTERN);
const MONTH = new RegExp(MONTH_PATTERN);
const notAMonth = (month: string): Written => ({ refused: `month "${month}" is not a month in the form YYYY-MM` });

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

/** What a write answers: a status with its body (none for 204), or a refusal with its status and why. */
type Written = { status: 200 | 201 | 204; body?: object } | { refused: string; status?: 400 | 404 | 409 };

/** A write route's work on the ids of its path (`{id}`, `{tokenId}`), validated. */
type Writer = (ids: Record<string, string>, event: HttpEvent, deps: ConfigDeps) => Promise<Written>;

const required = (ids: Record<string, string>, name: string): string => ids[name] ?? '';

/** One writer per write route of the table: a route without one, or one without a route, does not compile. */
const writers: Record<WriteKey, Writer> = {
  'PUT /v1/profiles/{id}': async (ids, event, deps) => {
    const id = required(ids, 'id');
    const profile = parseBody(profileSchema(), event);
    if (typeof profile === 'string') return { refused: profile };
    const unstorable = unstorableNumber(profile);
    if (unstorable) return { refused: unstorable };
    await deps.store.putDocument(PROFILES, id, profile satisfies Profile);
    deps.logger.info('profile stored', { profileId: id, kpis: profile.kpis.length });
    return { status: 200, body: { id, ...profile } };
  },
  // Refused while users are scored against it (409) rather than cascading: deleting a profile must not
  // silently delete people, and a user without a profile could not be scored.
  'DELETE /v1/profiles/{id}': async (ids, _event, deps) => {
    const id = required(ids, 'id');
    const members = [...(await deps.store.listDocuments(USERS))].filter(([, u]) => (u as User).profileId === id);
    if (members.length > 0)
      return {
        status: 409,
        refused: `profile "${id}" is still the profile of ${members.map(([uid]) => `"${uid}"`).join(', ')}: PUT them with another profile or DELETE them first`,
      };
    await deps.store.deleteDocument(PROFILES, id);
    deps.logger.info('profile deleted', { profileId: id });
    return { status: 204 };
  },
  'PUT /v1/users/{id}': async (ids, event, deps) => {
    const id = required(ids, 'id');
    const user = parseBody(userSchema(), event);
    if (typeof user === 'string') return { refused: user };
    const profiles = await deps.store.getDocuments(PROFILES, [user.profileId]);
    if (!profiles.has(user.profileId))
      return {
        refused: `profileId: profile "${user.profileId}" does not exist; PUT /v1/profiles/${user.profileId} first`,
      };
    await deps.store.putDocument(USERS, id, user satisfies User);
    deps.logger.info('user stored', { userId: id, profileId: user.profileId });
    return { status: 200, body: { id, ...user, ownerIds: user.ownerIds ?? [id] } };
  },
  'DELETE /v1/users/{id}': async (ids, _event, deps) => {
    const id = required(ids, 'id');
    // Tokens resolve only while their user exists (access.ts), so the user goes last.
    for (const tokenId of await tokensOf(id, deps)) await deps.store.deleteDocument(TOKENS, tokenId);
    await deps.store.deleteDocument(USERS, id);
    deps.logger.info('user deleted', { userId: id });
    return { status: 204 };
  },
  'POST /v1/users/{id}/tokens': async (ids, event, deps) => {
    const id = required(ids, 'id');
    const grant = parseBody(personalTokenSchema(), event);
    if (typeof grant === 'string') return { refused: grant };
    if (!(await deps.store.getDocuments(USERS, [id])).has(id))
      return { status: 404, refused: `user "${id}" does not exist; PUT /v1/users/${id} first` };
    const now = (deps.now ?? (() => new Date()))();
    const { tokenId, token, stored } = newPersonalToken(
      id,
      { companyFigures: grant.companyFigures, label: grant.label ?? null },
      now,
    );
    await deps.store.putDocument(TOKENS, tokenId, stored);
    deps.logger.info('personal token issued', { userId: id, tokenId, companyFigures: stored.companyFigures });
    return {
      status: 201,
      body: {
        tokenId,
        token,
        userId: id,
        label: stored.label,
        companyFigures: stored.companyFigures,
        createdAt: stored.createdAt,
      },
    };
  },
  'PUT /v1/budgets/{month}': async (ids, event, deps) => {
    const month = required(ids, 'month');
    if (!MONTH.test(month)) return notAMonth(month);
    const budget = storableBody(budgetSchema(), event);
    if (typeof budget === 'string') return { refused: budget };
    await deps.store.putDocument(BUDGETS, month, budget satisfies Budget);
    deps.logger.info('budget stored', { month, owners: Object.keys(budget.owners).length });
    return { status: 200, body: { month, ...budget } };
  },
  'DELETE /v1/budgets/{month}': async (ids, _event, deps) => {
    const month = required(ids, 'month');
    if (!MONTH.test(month)) return notAMonth(month);
    await deps.store.deleteDocument(BUDGETS, month);
    deps.logger.info('budget deleted', { month });
    return { status: 204 };
  },
  'PUT /v1/stage-probabilities': async (_ids, event, deps) => {
    const settings = storableBody(stageProbabilitiesSchema(), event);
    if (typeof settings === 'string') return { refused: settings };
    await deps.store.putDocument(SETTINGS, STAGE_PROBABILITIES_ID, settings satisfies StageProbabilities);
    deps.logger.info('stage probabilities stored', { stages: Object.keys(settings.probabilities).length });
    return { status: 200, body: settings };
  },
  'PUT /v1/stages/{source}': async (ids, event, deps) => {
    const source = required(ids, 'source');
    if (!SOURCE_NAME.test(source)) return { refused: `source must be a source's name: ${SOURCE_NAME_RULE}` };
    const stages = parseBody(stageLabelsSchema(), event);
    if (typeof stages === 'string') return { refused: stages };
    await deps.store.putDocument(STAGES, source, stages satisfies StageLabels);
    deps.logger.info('stage labels stored', { source, stages: Object.keys(stages.labels).length });
    return { status: 200, body: { source, ...stages } };
  },
  'DELETE /v1/users/{id}/tokens/{tokenId}': async (ids, _event, deps) => {
    const id = required(ids, 'id');
    const tokenId = required(ids, 'tokenId');
    const stored = (await deps.store.getDocuments(TOKENS, [tokenId])).get(tokenId) as StoredToken | undefined;
    if (stored?.userId !== id) return { status: 404, refused: `user "${id}" has no token "${tokenId}"` };
    await deps.store.deleteDocument(TOKENS, tokenId);
    deps.logger.info('personal token revoked', { userId: id, tokenId });
    return { status: 204 };
  },
};

/** A body's schema as a writer checks it: parsed, then every number storable. */
const storableBody = <S extends z.ZodType>(schema: S, event: HttpEvent): z.output<S> | string => {
  const body = parseBody(schema, event);
  return typeof body === 'string' ? body : (unstorableNumber(body) ?? body);
};

/** The ids of a user's personal tokens. */
const tokensOf = async (userId: string, deps: ConfigDeps): Promise<string[]> =>
  [...(await deps.store.listDocuments(TOKENS))].flatMap(([tokenId, t]) =>
    (t as StoredToken).userId === userId ? [tokenId] : [],
  );

const writeRoutes = Object.entries(writers).map(([key, write]) => {
  const [method = '', path = ''] = key.split(' ');
  return { method, pattern: pathPattern(path), write };
});

/** The methods a path takes, for 405 and CORS preflights. */
const methodsOf = (rawPath: string): string[] =>
  writeRoutes.filter((r) => r.pattern.test(rawPath)).map((r) => r.method);

/**
 * The configuration writes: KPI profiles and the users scored against them, budgets per month and the stage
 * probabilities set by hand (validated and stored whole; a PUT replaces), their deletion, and users' personal
 * tokens. The admin token only: a personal token never writes.
 * Kept apart from the read-only query function.
 */
export const makeConfigHandler =
  (deps: ConfigDeps) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const origins = deps.corsOrigins ?? [];
    const method = event.requestContext.http.method;
    const allowed = methodsOf(event.rawPath);
    if (method === 'OPTIONS') return preflight(event, origins, [...allowed, 'OPTIONS'].join(', '));
    const cors = corsHeaders(header(event, 'origin'), origins);
    const fail = (status: number, message: string, extra: Record<string, string> = {}) =>
      problem(status, message, { ...cors, ...extra });
    const scope = await scopeOf(event, { full: deps.apiToken, read: deps.readApiToken }, deps.store);
    if (!scope) return fail(401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
    if (scope.kind === 'read') return fail(403, 'this token can only read: the configuration needs the API token');
    if (scope.kind !== 'admin') return fail(403, 'a personal token only reads; configuration takes the API token');
    if (allowed.length === 0) return fail(404, `no route ${event.rawPath}`);
    const route = writeRoutes.find((r) => r.method === method && r.pattern.test(event.rawPath));
    if (!route) return fail(405, `use ${allowed.join(' or ')}`, { allow: [...allowed, 'OPTIONS'].join(', ') });
    const ids: Record<string, string> = {};
    for (const [name, raw] of Object.entries(route.pattern.exec(event.rawPath)?.groups ?? {})) {
      let id: string;
      try {
        id = decodeURIComponent(raw);
      } catch {
        return fail(400, `${name} is not valid percent-encoding (a "%" must be followed by two hexadecimal digits)`);
      }
      if (!ID.test(id)) return fail(400, `${name} must be 1-${MAX_ID_LENGTH} letters, digits, ".", "_", "@" or "-"`);
      ids[name] = id;
    }
    const written = await route.write(ids, event, deps);
    if ('refused' in written) return fail(written.status ?? 400, written.refused);
    return written.status === 204 ? { statusCode: 204, headers: cors } : json(written.status, written.body, cors);
  };
