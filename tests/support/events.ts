import type { CanonicalEvent, EntityData, EntityType, PatchEvent, SnapshotEvent } from '@flash/core';

/** Builders for canonical events in tests: the fields that matter, sensible values for the rest. */
export const snapshot = <T extends EntityType>(
  entity: T,
  id: string,
  version: number,
  data: EntityData[T],
  extra: { deleted?: boolean; source?: string; occurredAt?: string } = {},
): SnapshotEvent<T> =>
  ({
    entity,
    source: extra.source ?? 'generic',
    id,
    mode: 'snapshot',
    version: [version],
    deleted: extra.deleted ?? false,
    occurredAt: extra.occurredAt ?? '2026-11-01T00:00:00.000Z',
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

export const invoice = (
  id: string,
  version: number,
  data: Partial<EntityData['invoice']> & Pick<EntityData['invoice'], 'status' | 'total'>,
  extra: { deleted?: boolean; source?: string } = {},
) =>
  snapshot(
    'invoice',
    id,
    version,
    { customerId: 'C1', projectId: null, number: `N-${id}`, invoiceDate: '2026-11-03', currency: 'EUR', ...data },
    extra,
  );

export const creditNote = (
  id: string,
  version: number,
  data: Partial<EntityData['credit_note']> & Pick<EntityData['credit_note'], 'total'>,
) =>
  snapshot('credit_note', id, version, {
    customerId: 'C1',
    invoiceId: null,
    status: 'issued',
    date: '2026-11-10',
    currency: 'EUR',
    ...data,
  });

export const cost = (
  id: string,
  version: number,
  data: Partial<EntityData['cost']> & Pick<EntityData['cost'], 'amount'>,
  extra: { deleted?: boolean } = {},
) => snapshot('cost', id, version, { projectId: 'P1', date: '2026-11-04', currency: 'EUR', ...data }, extra);

export const project = (id: string, version: number, data: Partial<EntityData['project']> = {}) =>
  snapshot('project', id, version, { customerId: 'C1', status: 'open', internal: false, ...data });

export const customer = (
  id: string,
  version: number,
  data: Partial<EntityData['customer']> = {},
  extra: { deleted?: boolean } = {},
) =>
  snapshot(
    'customer',
    id,
    version,
    {
      name: id,
      internal: false,
      segment: null,
      channel: null,
      ownerId: null,
      ...data,
    },
    extra,
  );

export const deal = (
  id: string,
  version: number,
  data: Partial<EntityData['deal']> = {},
  extra: { deleted?: boolean; occurredAt?: string; source?: string } = {},
) =>
  snapshot(
    'deal',
    id,
    version,
    {
      title: `Deal ${id}`,
      customerId: 'C1',
      ownerId: 'U1',
      status: 'open',
      stage: 'proposal',
      amount: 1_000_000,
      currency: 'EUR',
      createdAt: '2026-11-02T10:00:00Z',
      closedAt: null,
      expectedCloseDate: null,
      source: null,
      lostReason: null,
      ...data,
    },
    extra,
  );

export const activity = (
  id: string,
  version: number,
  data: Partial<EntityData['activity']>,
  extra: { deleted?: boolean; source?: string } = {},
) =>
  snapshot(
    'activity',
    id,
    version,
    {
      kind: 'meeting',
      ownerId: 'U1',
      customerId: 'C1',
      dealId: null,
      dueAt: '2026-11-25T10:00:00Z',
      doneAt: null,
      subject: null,
      ...data,
    },
    extra,
  );

export const spend = (
  id: string,
  version: number,
  data: Partial<EntityData['spend']> & Pick<EntityData['spend'], 'amount'>,
  extra: { deleted?: boolean } = {},
) =>
  snapshot(
    'spend',
    id,
    version,
    { date: '2026-11-04', currency: 'EUR', channel: 'Ads', campaign: null, ...data },
    extra,
  );
