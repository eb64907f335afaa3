import type { AggregateRecord, AlertRecord, EntityState, Values } from '@flash/core';
import { MalformedItemError } from './errors.js';
import type { Item } from './table.js';

/**
 * Readers of what the adapters stored: each checks the attribute it reads has the shape its adapter wrote
 * (plain type guards: the query function's bundle carries no zod), so a damaged item fails with where it is
 * instead of flowing on as the wrong type. Keys need no reader: the table declares `pk` and `sk` strings.
 */

type Guard<T> = (value: unknown) => value is T;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number';

const isValues = (value: unknown): value is Values => isRecord(value) && Object.values(value).every(isNumber);

/** The fields every entity state has; its data is the connectors' and the engine's, checked when applied. */
const isEntityState = (value: unknown): value is EntityState =>
  isRecord(value) &&
  isString(value.entity) &&
  isString(value.source) &&
  isString(value.id) &&
  Array.isArray(value.version) &&
  value.version.every(isNumber) &&
  typeof value.deleted === 'boolean' &&
  isRecord(value.data) &&
  isString(value.occurredAt);

const isAlertRecord = (value: unknown): value is AlertRecord =>
  isRecord(value) && isString(value.key) && isString(value.raisedAt);

/** Reads one attribute of an item, or throws MalformedItemError naming the item and what was expected. */
const reader =
  <T>(attribute: string, is: Guard<T>, expected: string) =>
  (item: Item): T => {
    const value = item[attribute];
    if (is(value)) return value;
    throw malformed(item, `${attribute} is not ${expected}`);
  };

const malformed = (item: Item, what: string) =>
  new MalformedItemError(`item ${String(item.pk)} / ${String(item.sk)}: ${what}`);

export const readRevision = reader('rev', isNumber, 'a number');
export const readState = reader('state', isEntityState, 'an entity state');
export const readNodeValues = reader('vals', isValues, 'a map of numbers');
export const readAlert = reader('alert', isAlertRecord, 'an alert (key and raisedAt strings)');
export const readOptionalString = (item: Item, attribute: string): string | undefined => {
  const value = item[attribute];
  return isString(value) ? value : undefined;
};
/** A number attribute that may be absent; present and not a number is malformed. */
export const readOptionalNumber = (item: Item, attribute: string): number | undefined => {
  const value = item[attribute];
  if (value === undefined || isNumber(value)) return value;
  throw malformed(item, `${attribute} is not a number`);
};
export const readJournal = reader('d', (value): value is Uint8Array => value instanceof Uint8Array, 'binary');

/** Aggregate fields are top-level number attributes with this prefix, so `ADD` can increment them. */
const FIELD = 'v:';

/** Values as the attributes of an aggregate item. */
export const aggregateFields = (values: Values): Values =>
  Object.fromEntries(Object.entries(values).map(([field, value]) => [FIELD + field, value]));

/** An aggregate item's values (without those at zero) and when it last changed. */
export const readAggregate = (item: Item): AggregateRecord => {
  const values: Values = {};
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(FIELD)) continue;
    if (!isNumber(value)) throw malformed(item, `${name} is not a number`);
    if (value !== 0) values[name.slice(FIELD.length)] = value;
  }
  return { values, updatedAt: readOptionalString(item, 'changedAt') };
};
