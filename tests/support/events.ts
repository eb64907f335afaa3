import type { CanonicalEvent, EntityData, EntityType, PatchEvent, SnapshotEvent } from '@flash/core';

/** Builders for canonical events in tests: the fields that matter, sensible values for the rest. */
export const snapshot = <T extends EntityType>(
  entity: T,
  id: string,
  version: number,
  data: EntityData[T],
  extra: { deleted?: boolean; source?: string } = {},
): SnapshotEvent<T> =>
  ({
    entity,
    source: extra.source ?? 'generic',
    id,
    mode: 'snapshot',
    version: [version],
    deleted: extra.deleted ?? false,
    occurredAt: '2026-11-01T00:00:00.000Z',
    data,
  }) as SnapshotEvent<T>;

export const surveyResponse = (
  id: string,
  version: number,
  score: number,
  submittedAt = '2026-11-05T08:00:00Z',
  extra: { deleted?: boolean; comment?: string | null; customerId?: string | null } = {},
): SnapshotEvent<'survey_response'> =>
  snapshot(
    'survey_response',
    id,
    version,
    {
      score,
      submittedAt,
      customerId: extra.customerId ?? 'C1',
      comment: extra.comment ?? null,
      email: `${id}@example.com`,
      segment: null,
      channel: null,
    },
    extra,
  );

export const dealPatch = (id: string, at: number, changes: PatchEvent<'deal'>['changes']): PatchEvent<'deal'> => ({
  entity: 'deal',
  source: 'hubspot',
  id,
  mode: 'patch',
  at,
  occurredAt: new Date(at).toISOString(),
  changes,
});

export const asEvents = (...events: CanonicalEvent[]): CanonicalEvent[] => events;
