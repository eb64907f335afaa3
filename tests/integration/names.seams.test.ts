import { afterEach, describe, expect, it } from 'vitest';
import { fixtureDelivery, genericEvents, hubspotBatch } from '../support/provider-payloads.js';
import { SEAM_NOW, type SeamPipeline, startSeamPipeline } from '../support/seam-pipeline.js';

/**
 * Issue 15, names beside ids, through every seam: the providers' real payloads (Pipedrive's change.deal.json as
 * published, HubSpot property changes built from its batch fixture), signed, through the ingest handler, the
 * bus envelope, SQS batches, the aggregator, DynamoDB Local, the config handler (users, stage labels) and the
 * query handler. Expected names are the ones the payloads and the configuration hold, written out by hand.
 */

const now = SEAM_NOW;
let pipeline: SeamPipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

interface Coaching {
  openByStage: { source: string; stage: string | null; stageName: string | null; openValue: number }[];
  staleDeals: Record<string, unknown>[];
}

describe('names beside ids, from real payloads to the API', () => {
  it('shows the customer, owner, deal and stage names and follows their edits', async () => {
    const p = await startSeamPipeline();
    pipeline = p;
    const hubspotDeal = 267448862446;
    const created = Date.parse('2026-11-03T09:00:00Z');
    for (const d of [
      // Deal 1187 "Nordlicht GmbH - annual licence": org 342, owner 12415231, stage 4, 24,000 EUR, expected to close
      // 2026-04-30 and unchanged since 2026-03-18, so past its close date.
      fixtureDelivery('pipedrive', 'pipedrive/change.deal.json', now),
      hubspotBatch(
        [
          { kind: 'creation', objectId: hubspotDeal, occurredAt: created },
          { kind: 'property', objectId: hubspotDeal, occurredAt: created, name: 'dealname', value: 'Fjord renewal' },
          { kind: 'property', objectId: hubspotDeal, occurredAt: created, name: 'dealstage', value: 'qualified' },
          { kind: 'property', objectId: hubspotDeal, occurredAt: created, name: 'amount', value: '1000' },
        ],
        now,
      ),
      genericEvents(
        [
          { type: 'customer', id: '342', version: 1, name: 'Nordlicht GmbH', ownerId: '12415231' },
          {
            type: 'survey_response',
            id: 'R1',
            version: 1,
            score: 3,
            submittedAt: '2026-11-10T10:00:00Z',
            customerId: '342',
          },
        ],
        now,
      ),
    ]) {
      expect(await p.post(d), d.label).toMatchObject({ status: 202 });
    }
    await p.drain();
    expect(p.deadLetters).toEqual([]);
    expect(await p.configure('PUT', '/v1/profiles/sales', { name: 'Sales', kpis: [] })).toBe(200);
    expect(
      await p.configure('PUT', '/v1/users/ann', { name: 'Ann Aas', profileId: 'sales', ownerIds: ['12415231'] }),
    ).toBe(200);
    expect(await p.configure('PUT', '/v1/stages/pipedrive', { labels: { '4': 'Negotiation' } })).toBe(200);
    expect(await p.configure('PUT', '/v1/stages/hubspot', { labels: { qualified: 'Qualified to buy' } })).toBe(200);

    const coaching = await p.get<Coaching>('/v1/coaching', { period: '2026-11' });
    expect(coaching.body.openByStage).toEqual([
      { source: 'pipedrive', stage: '4', stageName: 'Negotiation', openCount: 1, openValue: 24_000 },
      { source: 'hubspot', stage: 'qualified', stageName: 'Qualified to buy', openCount: 1, openValue: 1_000 },
    ]);
    expect(coaching.body.staleDeals).toEqual([
      {
        id: '1187',
        source: 'pipedrive',
        title: 'Nordlicht GmbH - annual licence',
        ownerId: '12415231',
        ownerName: 'Ann Aas',
        customerId: '342',
        customerName: 'Nordlicht GmbH',
        stage: '4',
        stageName: 'Negotiation',
        expectedCloseDate: '2026-04-30',
        lastChangeAt: '2026-03-18T14:02:11.057Z',
      },
    ]);
    const detractors = await p.get<{ detractors: Record<string, unknown>[] }>('/v1/nps/detractors', {
      period: '2026-11',
    });
    expect(detractors.body.detractors).toEqual([
      expect.objectContaining({ id: 'R1', customerId: '342', customerName: 'Nordlicht GmbH' }),
    ]);
    const byOwner = await p.get<{ segments: { label: string | null; name: string | null }[] }>('/v1/metrics/segments', {
      period: '2026-11',
      by: 'owner',
    });
    expect(byOwner.body.segments.map((s) => [s.label, s.name])).toEqual([['12415231', 'Ann Aas']]);

    // The customer renamed in the ERP, the user renamed, a stage relabelled: the next read shows it.
    expect(
      await p.post(
        genericEvents([{ type: 'customer', id: '342', version: 2, name: 'Nordlicht AG', ownerId: '12415231' }], now),
      ),
    ).toMatchObject({ status: 202 });
    await p.drain();
    expect(
      await p.configure('PUT', '/v1/users/ann', { name: 'Ann Berg', profileId: 'sales', ownerIds: ['12415231'] }),
    ).toBe(200);
    expect(await p.configure('PUT', '/v1/stages/pipedrive', { labels: { '4': 'Contract sent' } })).toBe(200);
    const again = await p.get<Coaching>('/v1/coaching', { period: '2026-11' });
    expect(again.body.staleDeals).toEqual([
      expect.objectContaining({ customerName: 'Nordlicht AG', ownerName: 'Ann Berg', stageName: 'Contract sent' }),
    ]);
    // Names live on the customers' rollups: a recomputation from the stored states finds them as they are.
    expect(await p.verify()).toEqual([]);
  });

  it('refuses stage labels that are not a source name or not labels, with a 400', async () => {
    const p = await startSeamPipeline();
    pipeline = p;
    expect(await p.configure('PUT', '/v1/stages/Pipedrive', { labels: { '4': 'x' } })).toBe(400);
    expect(await p.configure('PUT', '/v1/stages/pipedrive', { labels: { '4': '' } })).toBe(400);
    expect(await p.configure('PUT', '/v1/stages/pipedrive', { labels: ['Negotiation'] })).toBe(400);
    expect((await p.get<{ stages: unknown[] }>('/v1/stages')).body).toEqual({ stages: [] });
    expect(await p.configure('PUT', '/v1/stages/pipedrive', { labels: { '4': 'Negotiation' } })).toBe(200);
    expect((await p.get('/v1/stages')).body).toEqual({
      stages: [{ source: 'pipedrive', labels: { '4': 'Negotiation' } }],
    });
  });
});
