import {
  addValues,
  applyEvents,
  type CanonicalEvent,
  keys,
  MemoryStore,
  type MetricContext,
  memoryAggregateStore,
  metricModel,
  monthOf,
  recompute,
  series,
  type Values,
} from '@flash/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  activity,
  cost,
  creditNote,
  customer,
  deal,
  dealPatch,
  invoice,
  project,
  snapshot,
  spend,
  surveyResponse,
} from '../../support/events.js';

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const now = () => new Date('2026-11-23T10:00:00Z');

const customers = fc.constantFrom('A', 'B', 'C');
const projects = fc.constantFrom('P1', 'P2', 'P3');
const dates = fc.constantFrom('2025-12-31', '2026-01-01', '2026-10-31T23:30:00Z', '2026-11-15', '2026-11-30T22:59:00Z');
const money = fc.integer({ min: -50_000, max: 5_000_000 });
const currency = fc.constantFrom('EUR', 'EUR', 'USD');
const version = fc.integer({ min: 1, max: 5 });
const deleted = fc.integer({ min: 0, max: 4 }).map((n) => n === 0);
const stages = fc.constantFrom('lead', 'proposal', 'negotiation');

/** Every entity kind, with ids from small pools so that states, projects and customers collide. */
const anyEvent: fc.Arbitrary<CanonicalEvent> = fc.oneof(
  fc
    .record({
      id: fc.constantFrom('I1', 'I2', 'I3'),
      v: version,
      status: fc.constantFrom('draft', 'issued', 'void'),
      total: money,
      date: dates,
      c: customers,
      cur: currency,
      d: deleted,
    })
    .map((r) =>
      invoice(
        r.id,
        r.v,
        { status: r.status as 'issued', total: r.total, invoiceDate: r.date, customerId: r.c, currency: r.cur },
        { deleted: r.d },
      ),
    ),
  fc
    .record({
      id: fc.constantFrom('N1', 'N2'),
      v: version,
      status: fc.constantFrom('issued', 'void'),
      total: money,
      date: dates,
    })
    .map((r) => creditNote(r.id, r.v, { status: r.status as 'issued', total: r.total, date: r.date })),
  fc
    .record({
      id: fc.constantFrom('K1', 'K2', 'K3', 'K4'),
      v: version,
      p: fc.option(projects),
      amount: money,
      date: dates,
      d: deleted,
    })
    .map((r) => cost(r.id, r.v, { projectId: r.p, amount: r.amount, date: r.date }, { deleted: r.d })),
  fc
    .record({ id: projects, v: version, c: fc.option(customers), open: fc.boolean(), internal: fc.boolean() })
    .map((r) => project(r.id, r.v, { customerId: r.c, status: r.open ? 'open' : 'closed', internal: r.internal })),
  fc
    .record({
      id: customers,
      v: version,
      internal: fc.boolean(),
      channel: fc.option(fc.constantFrom('Ads', 'Partner')),
      // A renamed customer: the name on its rollup follows its newest state.
      name: fc.option(fc.constantFrom('Acme', 'Acme AS', 'Fjord & Co')),
      d: deleted,
    })
    .map((r) => customer(r.id, r.v, { internal: r.internal, channel: r.channel, name: r.name }, { deleted: r.d })),
  fc
    .record({
      id: fc.constantFrom('D1', 'D2', 'D3', 'D4'),
      v: version,
      c: fc.option(customers),
      o: fc.option(fc.constantFrom('U1', 'U2')),
      title: fc.option(fc.constantFrom('Renewal', 'Licence')),
      status: fc.constantFrom('open', 'won', 'lost'),
      amount: fc.option(money),
      created: fc.option(dates),
      closed: fc.option(dates),
      stage: fc.option(stages),
      expected: fc.option(dates),
      d: deleted,
    })
    .map((r) =>
      deal(
        r.id,
        r.v,
        {
          customerId: r.c,
          ownerId: r.o,
          title: r.title,
          status: r.status as 'open',
          stage: r.stage,
          amount: r.amount,
          currency: r.amount === null ? null : 'EUR',
          createdAt: r.created,
          closedAt: r.closed,
          expectedCloseDate: r.expected,
        },
        // Stage history dates a snapshot's stage by its occurredAt: vary it with the version.
        { deleted: r.d, occurredAt: `2026-11-0${r.v}T0${r.v}:00:00Z` },
      ),
    ),
  // HubSpot-style deals: stage, status, owner and expected close date as timed patches.
  fc
    .record({
      id: fc.constantFrom('H1', 'H2'),
      at: fc.integer({ min: 0, max: 6 }).map((h) => Date.parse('2026-11-01T00:00:00Z') + h * 3_600_000),
      stage: stages,
      status: fc.constantFrom('open', 'open', 'won', 'lost'),
      o: fc.option(fc.constantFrom('U1', 'U2')),
      expected: fc.option(dates),
    })
    .map((r) =>
      dealPatch(r.id, r.at, {
        stage: r.stage,
        status: r.status as 'open',
        ownerId: r.o,
        expectedCloseDate: r.expected,
        amountDecimal: '1500',
        currency: 'EUR',
      }),
    ),
  fc
    .record({ id: fc.constantFrom('R1', 'R2'), v: version, score: fc.integer({ min: 0, max: 10 }), date: dates })
    .map((r) => surveyResponse(r.id, r.v, r.score, r.date)),
  fc
    .record({
      id: fc.constantFrom('A1', 'A2', 'A3'),
      v: version,
      kind: fc.constantFrom('meeting', 'call', 'email', 'task'),
      o: fc.option(fc.constantFrom('U1', 'U2')),
      c: fc.option(customers),
      due: fc.option(dates),
      done: fc.option(dates),
      d: deleted,
    })
    .map((r) =>
      activity(
        r.id,
        r.v,
        { kind: r.kind as 'meeting', ownerId: r.o, customerId: r.c, dueAt: r.due, doneAt: r.done },
        { deleted: r.d },
      ),
    ),
  fc
    .record({
      id: fc.constantFrom('S1', 'S2'),
      v: version,
      amount: money,
      cur: currency,
      date: dates,
      channel: fc.option(fc.constantFrom('Ads', 'Partner')),
      campaign: fc.option(fc.constantFrom('Spring')),
      d: deleted,
    })
    .map((r) =>
      spend(
        r.id,
        r.v,
        { amount: r.amount, currency: r.cur, date: r.date, channel: r.channel, campaign: r.campaign },
        { deleted: r.d },
      ),
    ),
  // Stages learnt from a provider's API: names only, in no figure.
  fc
    .record({ id: fc.constantFrom('1', '4'), v: version, label: fc.option(fc.constantFrom('Qualified', 'Won')) })
    .map((r) => snapshot('stage', r.id, r.v, { label: r.label, pipelineId: '1' }, { source: 'pipedrive' })),
);

/**
 * New customers per month the naive way, from the final states: each customer not marked internal is new in
 * the month of its earliest won deal (close date, else the change that closed it) or issued invoice.
 */
const newCustomersByMonth = (store: MemoryStore): Map<string, number> => {
  const first = new Map<string, string>();
  const internal = new Set<string>();
  const sale = (customer: string | null, when: string) => {
    const month = monthOf(when, ctx.timeZone);
    const known = customer ? first.get(customer) : undefined;
    if (customer && (known === undefined || month < known)) first.set(customer, month);
  };
  for (const s of store.states()) {
    if (s.deleted) continue;
    if (s.entity === 'customer' && s.data.internal) internal.add(s.id);
    if (s.entity === 'deal' && s.data.status === 'won') sale(s.data.customerId, s.data.closedAt ?? s.occurredAt);
    if (s.entity === 'invoice' && s.data.status === 'issued' && s.data.invoiceDate)
      sale(s.data.customerId, s.data.invoiceDate);
  }
  const out = new Map<string, number>();
  for (const [customer, month] of first) if (!internal.has(customer)) out.set(month, (out.get(month) ?? 0) + 1);
  return out;
};

/** One state per (entity, version): providers never send two different states under one version. */
const histories = fc
  .array(anyEvent, { minLength: 1, maxLength: 60 })
  .map((events) => [
    ...new Map(events.map((e) => [`${e.entity}#${e.id}@${e.mode === 'snapshot' ? e.version[0] : e.at}`, e])).values(),
  ]);

describe('delta engine over every entity kind, property', () => {
  it('keeps aggregates and rollups equal to a recomputation, for any order, duplicates and replays', async () => {
    await fc.assert(
      fc.asyncProperty(
        histories.chain((events) =>
          fc.tuple(
            fc.shuffledSubarray([...events, ...events], { minLength: events.length, maxLength: events.length * 2 }),
            fc.integer({ min: 1, max: 15 }),
            fc.integer({ min: 4, max: 100 }),
          ),
        ),
        async ([delivered, batchSize, maxItems]) => {
          const store = new MemoryStore();
          for (let i = 0; i < delivered.length; i += batchSize) {
            await applyEvents(delivered.slice(i, i + batchSize), {
              store,
              model: metricModel,
              ctx,
              now,
              maxItemsPerCommit: maxItems,
            });
          }
          // A replay of everything (an archive replay) changes nothing.
          const before = structuredClone(store.aggregates);
          await applyEvents(delivered, { store, model: metricModel, ctx, now });
          expect(store.aggregates).toEqual(before);

          // Deal states, stage histories included, do not depend on the order or batching of deliveries.
          const reversed = new MemoryStore();
          await applyEvents([...delivered].reverse(), { store: reversed, model: metricModel, ctx, now });
          const deals = (s: MemoryStore) =>
            new Map(s.states().flatMap((state) => (state.entity === 'deal' ? [[state.id, state] as const] : [])));
          expect(deals(reversed)).toEqual(deals(store));

          const expected = recompute(store.states(), metricModel, ctx);
          expect(store.aggregates).toEqual(expected.aggregates);
          const nodes = new Map(
            [...store.nodes].map(([k, n]) => [k, n.value]).filter(([, v]) => Object.keys(v as object).length > 0) as [
              string,
              Record<string, number>,
            ][],
          );
          expect(nodes).toEqual(new Map([...expected.nodes].filter(([, v]) => Object.keys(v).length > 0)));
          // New customers per month: a customer's first sale, exact whatever was deleted, edited or reordered.
          const counted = new Map(
            [...store.aggregates]
              .filter(([key, values]) => key.startsWith(keys.acquisition('')) && (values.newCustomers ?? 0) !== 0)
              .map(([key, values]) => [key.slice(keys.acquisition('').length), values.newCustomers]),
          );
          expect(counted).toEqual(newCustomersByMonth(store));
          // Each owner's activity lists hold exactly the live activities their final states place there.
          for (const list of ['activities-planned#owner=U1', 'activities-done#owner=U2']) {
            const listed = (await memoryAggregateStore(store).listEntities(list, 1000)).map((s) => s.id).sort();
            const placed = store
              .states()
              .filter((s) => !s.deleted && metricModel.listing(s, ctx)?.list === list)
              .map((s) => s.id)
              .sort();
            expect(listed).toEqual(placed);
          }
          // The day items of NPS and billing sum to their month; the total deal flow's days to its month's
          // created, won, lost and value won.
          for (const [day, month, fields] of [
            [series.npsDay, series.nps, undefined],
            [series.billingDay, series.billing, undefined],
            [series.pipelineDay, series.pipeline(), /^(created|won|lost|wonValue:.*)$/],
          ] as const) {
            const byMonth = new Map<string, Values>();
            for (const [key, values] of store.aggregates)
              if (key.startsWith(`${day}|`)) {
                const m = `${month}|${key.slice(day.length + 1, day.length + 8)}`;
                byMonth.set(m, addValues(byMonth.get(m) ?? {}, values));
              }
            const months = new Map(
              [...store.aggregates]
                .filter(([key]) => key.startsWith(`${month}|`))
                .map(([key, values]): [string, Values] => [
                  key,
                  Object.fromEntries(Object.entries(values).filter(([f]) => !fields || fields.test(f))),
                ])
                .filter(([, values]) => Object.keys(values).length > 0),
            );
            expect(byMonth).toEqual(months);
          }
        },
      ),
      { numRuns: 250 },
    );
  });
});
