import { currentMonth } from '@flash/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffBreakdown, diffDetractors, diffFigures } from '../support/figure-diff.js';
import { expectedMonth, stageTable } from '../support/reference-model.js';
import { SEAM_NOW, seededRandom, shuffle, startSeamPipeline } from '../support/seam-pipeline.js';
import { businessOf, deliveriesOf, entityCount, ownersOf, type World, worldArbitrary } from '../support/seam-world.js';

/**
 * The product's promise, through every seam: randomized business histories from every source, rendered as the
 * webhooks the providers really send, delivered 1 to 3 times each in any order, through the ingest handler,
 * the EventBridge envelope and SQS records as AWS serialises them (random batches, some records twice), the
 * aggregator, DynamoDB Local and the query handler. Every answer must equal what the reference model computes
 * from the metric definitions alone; every delivery answered 202 must be applied (nothing dead-lettered); and
 * a recomputation from the stored states must find no drift.
 *
 * SEAMS_RUNS=200 runs more histories (default 15); SEAMS_SHRINK=1 shrinks a failing history to a small one
 * (slow: every step replays through DynamoDB Local). A failure prints the history and one line per wrong
 * figure; the history's `seed` replays the same order, duplicates and batches.
 */

const PERIODS = ['2026-10', '2026-11'] as const;
const RUNS = Number(process.env.SEAMS_RUNS ?? 15);

type Json = Record<string, unknown>;

const runWorld = async (world: World): Promise<string[]> => {
  const random = seededRandom(world.seed);
  const business = businessOf(world, SEAM_NOW);
  const owners = ownersOf(world);
  const pipeline = await startSeamPipeline({ ctx: world.ctx });
  try {
    const problems: string[] = [];
    // Providers retry and redeliver: each webhook arrives 1 to 3 times, all of them in any order.
    const deliveries = shuffle(
      deliveriesOf(world, SEAM_NOW, random).flatMap((d) =>
        Array.from({ length: 1 + Math.floor(random() * 3) }, () => d),
      ),
      random,
    );
    for (const d of deliveries) {
      const answer = await pipeline.post(d);
      if (answer.status !== 202) problems.push(`POST ${d.label}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    await pipeline.drain({ random, maxBatch: 40, redeliveryRate: 0.1, concurrency: 2 });
    for (const dead of pipeline.deadLetters) problems.push(`dead letter: ${dead.reason}`);

    for (const period of PERIODS) {
      const expected = expectedMonth(business, period, world.ctx, owners, currentMonth(SEAM_NOW, world.ctx.timeZone));
      const metrics = await pipeline.get<Json>('/v1/metrics', { period });
      problems.push(...diffFigures(expected.metrics, metrics.body, `${period} /v1/metrics`));

      const total = await pipeline.get<Json>('/v1/pipeline', { period });
      problems.push(...diffFigures(expected.pipeline, total.body, `${period} /v1/pipeline`));
      for (const owner of owners) {
        const mine = await pipeline.get<Json>('/v1/pipeline', { period, owner });
        problems.push(
          ...diffFigures(expected.pipelineByOwner[owner], mine.body, `${period} /v1/pipeline owner=${owner}`),
        );
      }

      for (const by of ['segment', 'channel'] as const) {
        const { body } = await pipeline.get<{ segments: Parameters<typeof diffBreakdown>[1]; total: Json }>(
          '/v1/metrics/segments',
          { period, by },
        );
        const where = `${period} /v1/metrics/segments by=${by}`;
        problems.push(...diffBreakdown(expected.segments[by], body.segments, where));
        problems.push(...diffFigures({ ...expected.segmentsTotal, label: 'total' }, body.total, `${where} total`));
      }

      const acquisition = await pipeline.get<{ byChannel: (Json & { channel: string | null })[] }>('/v1/acquisition', {
        period,
      });
      const channels = new Map(acquisition.body.byChannel.map((row) => [String(row.channel), row]));
      for (const [channel, row] of Object.entries(expected.acquisitionByChannel)) {
        problems.push(...diffFigures(row, channels.get(channel), `${period} /v1/acquisition channel=${channel}`));
        channels.delete(channel);
      }
      // Items of labels whose figures went back to zero stay; anything else answered was not expected.
      for (const [channel, row] of channels)
        if (
          row.newCustomers !== 0 ||
          row.spend !== 0 ||
          Object.values(row.otherCurrencies as Record<string, { spend: number }>).some((o) => o.spend !== 0)
        )
          problems.push(`${period} /v1/acquisition channel=${channel}: unexpected ${JSON.stringify(row)}`);

      const { body } = await pipeline.get<{ detractors: Parameters<typeof diffDetractors>[1] }>('/v1/nps/detractors', {
        period,
      });
      problems.push(...diffDetractors(expected.detractors, body.detractors, `${period} /v1/nps/detractors`));
    }

    // Time in stage, lost-at stage and learnt probabilities, from every deal's stage history.
    const stages = await pipeline.get<{ stages: Json[]; lostWithoutStage: number }>('/v1/pipeline/stages');
    const expectedStages = stageTable(business);
    problems.push(
      ...diffFigures(
        expectedStages.lostWithoutStage,
        stages.body.lostWithoutStage,
        '/v1/pipeline/stages lostWithoutStage',
      ),
    );
    problems.push(
      ...diffFigures(
        expectedStages.stages.map((row) => `${row.source}:${row.stage}`),
        stages.body.stages.map((row) => `${row.source}:${row.stage}`),
        '/v1/pipeline/stages stages',
      ),
    );
    for (const row of expectedStages.stages)
      problems.push(
        ...diffFigures(
          row,
          stages.body.stages.find((r) => r.source === row.source && r.stage === row.stage),
          `/v1/pipeline/stages ${row.source}:${row.stage}`,
        ),
      );

    for (const d of await pipeline.verify()) problems.push(`rebuild --verify: drift in ${d.kind} ${d.key}`);
    return problems;
  } finally {
    await pipeline.close();
  }
};

describe('every source through every seam', () => {
  it('answers exactly what the metric definitions say, whatever the duplicates, order and batches', async () => {
    let entities = 0;
    await fc.assert(
      fc.asyncProperty(worldArbitrary, async (world) => {
        entities = Math.max(entities, entityCount(world));
        const problems = await runWorld(world);
        // One line per wrong figure, so a failure reads as a list of differences.
        expect(problems, problems.slice(0, 40).join('\n')).toEqual([]);
      }),
      { numRuns: RUNS, endOnFailure: process.env.SEAMS_SHRINK !== '1' },
    );
    expect(entities).toBeGreaterThan(10);
  }, 240_000);
});
