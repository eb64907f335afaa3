import type { CanonicalEvent, EntityData, EntityType, Version } from './events.js';
import { compareVersions, entityData } from './events.js';
import { type StageObservation, stageObservation, withObservation } from './stage-history.js';

/** The last applied state of one entity, as the store keeps it. */
export type EntityState<T extends EntityType = EntityType> = {
  [K in T]: {
    entity: K;
    source: string;
    id: string;
    version: Version;
    deleted: boolean;
    data: EntityData[K];
    /** For patched entities: per field, the time (epoch ms) of the value it holds. */
    fieldTimes?: Record<string, number>;
    /** When the change that produced this state happened. */
    occurredAt: string;
    /** Alert bookkeeping of a survey response (engine.ts, `alertMarkOf`); absent for other entities. */
    alert?: AlertMark;
    /** A deal's stage history (stage-history.ts), order-independent and bounded; absent for other entities. */
    stages?: StageObservation[];
  };
}[T];

/**
 * Where a survey response stands with its one detractor alert. `pending`: a commit made its applied state a
 * detractor and the alert is not yet announced; `of` is that applied state, kept until the announcement even
 * if a later state supersedes it. `announced`: the alert is on its way, and the response never alerts again.
 */
export type AlertMark =
  | {
      status: 'pending';
      of: { version: Version; occurredAt: string; data: EntityData['survey_response'] };
    }
  | { status: 'announced' };

/** The defaults a patched entity starts from before any of its fields has been seen. */
const blankData = <T extends EntityType>(entity: T): EntityData[T] | undefined => {
  const parsed = entityData()[entity].safeParse(blankInputs[entity]);
  return parsed.success ? (parsed.data as EntityData[T]) : undefined;
};
const blankInputs: Partial<Record<EntityType, unknown>> = { deal: { status: 'open' } };

/**
 * Folds one event into the entity's state. Returns the new state, or `undefined` when the event changes
 * nothing (a duplicate, an older version, a patch whose fields all hold newer values already). A deal's stage
 * history takes every stage observation, an older one too (stage-history.ts): such an event changes the
 * history only.
 */
export const applyEvent = (old: EntityState | undefined, event: CanonicalEvent): EntityState | undefined => {
  const next = foldFields(old, event);
  const observation = stageObservation(event);
  const added = observation && withObservation(old?.stages, observation);
  const base = next ?? (added ? old : undefined);
  if (!base) return undefined;
  // A snapshot replaces the fields, never the history.
  const stages = added ?? old?.stages;
  return (stages ? { ...base, stages } : base) as EntityState;
};

/** The event's fields folded in: newer versions replace the state, patches win per field. */
const foldFields = (old: EntityState | undefined, event: CanonicalEvent): EntityState | undefined => {
  if (event.mode === 'snapshot') {
    if (old && compareVersions(event.version, old.version) <= 0) return undefined;
    return {
      entity: event.entity,
      source: event.source,
      id: event.id,
      version: event.version,
      deleted: event.deleted,
      data: event.data,
      occurredAt: event.occurredAt,
    } as EntityState;
  }
  const base = old ?? blankState(event);
  if (!base) return undefined;
  const fieldTimes = { ...(base.fieldTimes ?? {}) };
  const data: Record<string, unknown> = { ...base.data };
  let deleted = base.deleted;
  let changed = !old;
  for (const [field, value] of Object.entries(event.changes)) {
    if (value === undefined) continue;
    const seen = fieldTimes[field];
    if (seen !== undefined && seen >= event.at) continue;
    fieldTimes[field] = event.at;
    if (field === 'deleted') deleted = value as boolean;
    else data[field] = value;
    changed = true;
  }
  if (!changed) return undefined;
  const newest = Math.max(event.at, base.version[0] ?? Number.NEGATIVE_INFINITY);
  return {
    ...base,
    version: [newest],
    deleted,
    data,
    fieldTimes,
    occurredAt: newest === event.at ? event.occurredAt : base.occurredAt,
  } as EntityState;
};

const blankState = (event: CanonicalEvent): EntityState | undefined => {
  const data = blankData(event.entity);
  if (!data) return undefined;
  return {
    entity: event.entity,
    source: event.source,
    id: event.id,
    version: [Number.NEGATIVE_INFINITY],
    deleted: false,
    data,
    fieldTimes: {},
    occurredAt: event.occurredAt,
  } as EntityState;
};
