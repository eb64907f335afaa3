/**
 * The kinds of document the API stores: KPI profiles, the users scored against them, users' personal tokens,
 * and the stage labels configured per source (one document per source).
 */
export const PROFILES = 'profile';
export const USERS = 'user';
export const TOKENS = 'token';
/** Budgets, one document per month (`2026-11`), and the hand-set stage probabilities, one document. */
export const BUDGETS = 'budget';
export const SETTINGS = 'settings';
export const STAGE_PROBABILITIES_ID = 'stage-probabilities';
export const STAGES = 'stages';

/** The longest id of a user, a profile or an owner that the API takes (its keys stay far below DynamoDB's). */
export const MAX_ID_LENGTH = 256;

/** A profile or user id in a path: letters, digits, `.`, `_`, `@` and `-`, as a JSON Schema / RegExp pattern. */
export const ID_PATTERN = `^[A-Za-z0-9._@-]{1,${MAX_ID_LENGTH}}$`;

/** A month in a path (`2026-11`), as a JSON Schema / RegExp pattern. */
export const MONTH_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])$';
