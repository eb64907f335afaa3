import { rebuildAggregates } from '@flash/app';
import {
  applyEvents,
  type CanonicalEvent,
  type MetricContext,
  metricModel,
  metricsReport,
  readReport,
  reportReads,
} from '@flash/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from '../support/dynamo.js';
import { cost, customer, deal, invoice, project } from '../support/events.js';

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const now = () => new Date('2026-11-23T10:00:00Z');

describe('rollups on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  beforeAll(async () => {
    table = await freshTable();
  });
  afterAll(async () => {
    await table.drop();
  });
  const report = async () =>
    metricsReport('2026-11', await readReport(table.store, reportReads(['2026-11'], '2026-11-23')), ctx, now());
  const verify = () => rebuildAggregates({ store: table.store, model: metricModel, ctx, now, mode: 'verify' });

  it('stays exact when concurrent batches flip the same project and customer rollups', async () => {
    // Ten customers, each with a project whose costs arrive in several batches while the project and the
    // customer change their internal flags in others; all batches run at once.
    const batches: CanonicalEvent[][] = [];
    for (let c = 0; c < 10; c++) {
      const customerId = `C${c}`;
      const projectId = `P${c}`;
      batches.push(
        [project(projectId, 1, { customerId }), cost(`K${c}a`, 1, { projectId, amount: 10_000 })],
        [cost(`K${c}b`, 1, { projectId, amount: 5_000 }), deal(`D${c}`, 1, { customerId })],
        [
          project(projectId, 2, { customerId, internal: c % 2 === 0 }),
          invoice(`I${c}`, 1, { customerId, status: 'issued', total: 100_000 }),
        ],
        [customer(customerId, 1, { internal: c % 3 === 0 })],
      );
    }
    const results = await Promise.all(
      batches.map((batch) =>
        applyEvents(batch, {
          store: table.store,
          model: metricModel,
          ctx,
          now,
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        }),
      ),
    );
    // A project's version 2 may land before its version 1, which then changes nothing.
    expect(results.reduce((n, r) => n + r.changed, 0)).toBeGreaterThanOrEqual(60);

    // Costs count for projects that are not internal (odd c) of customers that are not internal (c % 3 ≠ 0): 1, 5, 7.
    const figures = await report();
    expect(figures.margin).toMatchObject({ billing: 10_000, cost: 450 });
    // Active: open deal or open project and not internal: all but C0, C3, C6, C9.
    expect(figures.activeCustomers).toBe(6);
    expect(figures.prospectsInPipeline).toBe(0);
    expect(await verify()).toMatchObject({ entities: 60, drift: [] });
  });

  it('verify reports drift, and rebuild repairs it from the entity states', async () => {
    await table.store.replaceAggregate('margin|2026', { 'billing:EUR': 1 }, {}, now().toISOString());
    await table.store.replaceNode('@customer#C1', { internal: 1 });
    const drifted = await verify();
    expect(drifted.drift.map((d) => `${d.kind} ${d.key}`).sort()).toEqual([
      'aggregate margin|2026',
      'rollup @customer#C1',
    ]);
    const repaired = await rebuildAggregates({ store: table.store, model: metricModel, ctx, now, mode: 'rebuild' });
    expect(repaired.repaired).toBe(2);
    expect((await verify()).drift).toEqual([]);
    expect((await report()).margin).toMatchObject({ billing: 10_000, cost: 450 });
  });
});
