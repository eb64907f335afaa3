import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { makeAggregateHandler, segmentsReport } from '@flash/app';
import { INGEST_SOURCE, type MetricContext } from '@flash/core';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from '../support/dynamo.js';

const ctx: MetricContext = { timeZone: 'UTC', baseCurrency: 'EUR' };
const LABELS = 10_000;

/** A survey response as the bus delivers it to the aggregator's queue, with a segment of its own. */
const record = (i: number, segment: string) => ({
  messageId: `m${i}`,
  body: JSON.stringify({
    version: '0',
    id: `e${i}`,
    'detail-type': 'entity.survey_response',
    source: INGEST_SOURCE,
    detail: {
      entity: 'survey_response',
      source: 'typeform',
      id: `R${i}`,
      mode: 'snapshot',
      version: [1],
      deleted: false,
      occurredAt: '2026-11-05T08:00:00Z',
      // A respondent controls hidden fields: every answer may carry a segment nobody has seen before.
      data: { score: i % 11, submittedAt: '2026-11-05T08:00:00Z', customerId: null, segment, channel: null },
    },
  }),
});

describe('labels without limit', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  const deadLetters: string[] = [];
  const segments = Array.from({ length: LABELS }, () => randomBytes(125).toString('hex'));
  beforeAll(async () => {
    table = await freshTable();
    const handler = makeAggregateHandler({
      store: table.store,
      ctx,
      now: () => new Date('2026-11-23T10:00:00Z'),
      logger: new Logger({ logLevel: 'SILENT' }),
      deadLetters: { deadLetter: async (_record, reason) => void deadLetters.push(reason) },
    });
    for (let start = 0; start < LABELS; start += 100) {
      const Records = segments.slice(start, start + 100).map((s, i) => record(start + i, s));
      const result = await handler({ Records } as unknown as SQSEvent);
      expect(result.batchItemFailures).toEqual([]);
    }
  }, 240_000);
  afterAll(async () => {
    await table?.drop();
  });

  it(`keeps ${LABELS.toLocaleString('en')} distinct 250-character segments of one month exact, with no dead letter`, async () => {
    expect(deadLetters).toEqual([]);
    const report = await segmentsReport(table.store, '2026-11', 'segment', ctx);
    expect(report.segments).toHaveLength(LABELS);
    const bySegment = new Map(report.segments.map((s) => [s.label, s.nps]));
    segments.forEach((segment, i) => {
      const score = i % 11;
      expect(bySegment.get(segment)).toEqual({
        score: score >= 9 ? 100 : score >= 7 ? 0 : -100,
        promoters: score >= 9 ? 1 : 0,
        passives: score === 7 || score === 8 ? 1 : 0,
        detractors: score <= 6 ? 1 : 0,
        responses: 1,
      });
    });
    expect(report.total.nps.responses).toBe(LABELS);
  });
});
