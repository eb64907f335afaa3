import {
  currentMonth,
  DIMENSIONS,
  type Dimension,
  InvalidValueError,
  LEVER_ABSOLUTE,
  type Lever,
  type LeverChange,
  type Month,
  type Period,
  parseLeverChange,
  parseMonth,
  parsePeriod,
} from '@flash/core';
import { MAX_ID_LENGTH } from './documents.js';
import { BadRequest, type Param } from './read-route.js';

/**
 * The query parameters of the read routes: what each means (for the OpenAPI document) and how it is read. Each
 * parser throws BadRequest naming the parameter, so a bad value is a 400 that says what to send, never a 500.
 */

const unset = (raw: string | undefined): raw is undefined => raw === undefined || raw === '';

/** The core's parse, its refusal a 400 with the core's message (or `message`). */
export const refusedAsBadRequest = <T>(parse: () => T, message?: string): T => {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidValueError) throw new BadRequest(message ?? error.message);
    throw error;
  }
};

export const periodParam: Param<Month> = {
  description: 'The month, YYYY-MM; default: the current month in the configured time zone',
  schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' },
  example: '2026-11',
  parse: (raw, { now, ctx }) => {
    if (unset(raw)) return currentMonth(now(), ctx.timeZone);
    return refusedAsBadRequest(() => parseMonth(raw));
  },
};

/** A month or a whole year: the periods `GET /v1/metrics` reports on. */
export const reportPeriodParam: Param<Period> = {
  description: 'The month (YYYY-MM) or the whole year (YYYY); default: the current month in the configured time zone',
  schema: { type: 'string', pattern: '^\\d{4}(-(0[1-9]|1[0-2]))?$' },
  example: '2026-11',
  parse: (raw, context) => {
    if (unset(raw)) return periodParam.parse(raw, context);
    return refusedAsBadRequest(() => parsePeriod(raw));
  },
};

/** The most months one series answers. */
export const SERIES_MAX_MONTHS = 36;

/** A required month bounding a series. */
export const seriesBoundParam = (name: 'from' | 'to', description: string): Param<Month> => ({
  description: `${description}, YYYY-MM; at most ${SERIES_MAX_MONTHS} months from \`from\` to \`to\` inclusive`,
  schema: periodParam.schema,
  required: true,
  example: name === 'from' ? '2025-12' : '2026-11',
  parse: (raw) => {
    if (unset(raw)) throw new BadRequest(`${name} is required: a month, YYYY-MM`);
    return refusedAsBadRequest(() => parseMonth(raw), `${name} "${raw}" is not a month in the form YYYY-MM`);
  },
});

export const integerParam = (name: string, description: string, fallback: number, min: number, max: number) =>
  ({
    description: `${description}; default ${fallback}`,
    schema: { type: 'integer', minimum: min, maximum: max, default: fallback },
    parse: (raw) => {
      if (unset(raw)) return fallback;
      const n = Number(raw);
      if (!/^\d+$/.test(raw) || n < min || n > max)
        throw new BadRequest(`${name} must be a whole number from ${min} to ${max}`);
      return n;
    },
  }) satisfies Param<number>;

export const limitParam = (fallback: number) =>
  integerParam('limit', 'How many to list, newest first', fallback, 1, 500);

export const ownerParam: Param<string | undefined> = {
  description: "A deal owner's id, to see that owner's pipeline only",
  schema: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH },
  parse: (raw) => {
    if (raw !== undefined && (raw === '' || raw.length > MAX_ID_LENGTH))
      throw new BadRequest(`owner must be a non-empty id of at most ${MAX_ID_LENGTH} characters`);
    return raw;
  },
};

/** A plain decimal: digits, optionally a point and more digits. No sign, exponent, hex (`0x10`) or spaces. */
const PLAIN_DECIMAL = /^\d{1,15}(\.\d{1,15})?$/;

export const budgetParam: Param<number> = {
  description: 'The monthly budget in the base currency, a plain decimal such as 100000 or 2500.50',
  schema: { type: 'number', exclusiveMinimum: 0 },
  required: true,
  example: '100000',
  parse: (raw) => {
    if (unset(raw))
      throw new BadRequest('budget is required: a positive number, the monthly budget in the base currency');
    const budget = Number(raw);
    if (!PLAIN_DECIMAL.test(raw) || budget <= 0)
      throw new BadRequest(
        'budget must be a positive plain decimal (digits, optionally "." and decimals; at most 15 of each), ' +
          'the monthly budget in the base currency',
      );
    return budget;
  },
};

/** An optional what-if change to one lever of the requirements (`+2pt`, `-1%`; see parseLeverChange). */
export const leverParam = (lever: Lever): Param<LeverChange | undefined> => {
  const { example, counts } = LEVER_ABSOLUTE[lever];
  return {
    description: `What-if: a change to ${lever}, absolute (\`${example}\`, ${counts}) or relative (\`-1%\`). Send the sign encoded (\`%2B\`) or leave it out for an increase; an unencoded \`+\` (a space once decoded) reads as +`,
    schema: {
      type: 'string',
      pattern: lever === 'hitRate' ? '^[+\\- ]?\\d{1,6}(\\.\\d{1,6})?(pt|%)$' : '^[+\\- ]?\\d{1,6}(\\.\\d{1,6})?%?$',
    },
    example: lever === 'leadTime' ? '-1%' : example,
    parse: (raw) => (unset(raw) ? undefined : refusedAsBadRequest(() => parseLeverChange(lever, raw))),
  };
};

export const byParam: Param<Dimension> = {
  description: 'What to break the figures down by',
  schema: { type: 'string', enum: [...DIMENSIONS], default: 'segment' },
  parse: (raw) => {
    if (unset(raw)) return 'segment';
    if (!(DIMENSIONS as readonly string[]).includes(raw))
      throw new BadRequest(`by must be one of ${DIMENSIONS.join(', ')}`);
    return raw as Dimension;
  },
};

/** An optional id parameter; `what` names it in the message of a bad value. */
const idParam = (name: string, description: string, example?: string): Param<string | undefined> => ({
  description,
  schema: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH },
  ...(example ? { example } : {}),
  parse: (raw) => {
    if (unset(raw)) return undefined;
    if (raw.length > MAX_ID_LENGTH)
      throw new BadRequest(`${name} must be an id of at most ${MAX_ID_LENGTH} characters`);
    return raw;
  },
});

export const userParam = idParam(
  'user',
  'The user whose KPIs to score (see PUT /v1/users/{id}); give `user` or `profile`',
  'ann',
);

export const profileParam = idParam(
  'profile',
  'A profile: every user scored against it, side by side (see PUT /v1/profiles/{id}); give `user` or `profile`',
);

/** A parameter the dashboard page reads itself: documented with `like`'s schema, never parsed by the server. */
export const pageParam = (description: string, like: Param<unknown>): Param<undefined> => ({
  description,
  schema: like.schema,
  parse: () => undefined,
});
