import type { CanonicalEvent } from '@flash/core';
import { cost, customer, deal, invoice, project, surveyResponse } from './events.js';

/**
 * A batch that touches every kind of entity, shares customers and projects between them (so rollups are
 * written by several chunks) and carries an older version and a duplicate.
 */
export const mixedBatch = (): CanonicalEvent[] => [
  customer('C1', 1),
  customer('C2', 1, { internal: true }),
  project('P1', 1, { customerId: 'C1' }),
  project('P2', 1, { customerId: 'C2' }),
  ...Array.from({ length: 6 }, (_, i) => invoice(`I${i}`, 1, { status: 'issued', total: 100_00 * (i + 1) })),
  invoice('I0', 2, { status: 'void', total: 100_00 }),
  invoice('I1', 1, { status: 'issued', total: 200_00 }),
  ...Array.from({ length: 4 }, (_, i) => cost(`K${i}`, 1, { amount: 10_00 * (i + 1), projectId: i % 2 ? 'P1' : 'P2' })),
  ...Array.from({ length: 6 }, (_, i) => surveyResponse(`R${i}`, 1, i * 2, '2026-11-05T08:00:00Z')),
  surveyResponse('R0', 2, 9),
  ...Array.from({ length: 4 }, (_, i) =>
    deal(`D${i}`, 1, {
      customerId: i % 2 ? 'C1' : 'C3',
      status: i === 0 ? 'won' : 'open',
      closedAt: i === 0 ? '2026-11-20T10:00:00Z' : null,
    }),
  ),
];
