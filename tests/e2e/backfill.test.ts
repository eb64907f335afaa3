import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { historySources } from '@flash/connectors';
import { BackfillError, type EventSink, fileCheckpoint, httpSink, runBackfill } from '@flash/history';
import { type LocalStack, startLocalStack } from '@flash/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postWebhook } from '../support/http.js';
import {
  delightedApiServer,
  delightedResponseObject,
  hubspotApiServer,
  hubspotDealObject,
  hubspotPipelineObject,
  pipedriveApiServer,
  pipedriveDealObject,
  pipedriveStageObject,
  stripeApiServer,
  stripeCreditNoteObject,
  stripeInvoiceObject,
  typeformApiServer,
  typeformResponseItem,
} from '../support/provider-api.js';
import {
  type Delivery,
  hubspotBatch,
  type PipedriveDeal,
  PUBLIC_BASE_URL,
  pipedriveEvent,
  pipedriveTime,
  SEAM_SECRETS,
  type StripeInvoice,
  stripeInvoiceEvent,
} from '../support/provider-payloads.js';

/**
 * `npm run backfill` against provider-shaped list APIs (built from ../shared's webhook fixtures), into the
 * real local stack: the figures of last year appear, faults (429 with Retry-After, 500) are retried, an
 * interrupted run resumes after its last completed page, a second run changes nothing, and history overlapping
 * live webhooks leaves the figures as the newest state says. Expected figures are worked out by hand from
 * the definitions (contract section 3).
 */

const TOKEN = 'backfill-test-token';
const CLI = resolve('packages/history/src/backfill-cli.ts');
const run = promisify(execFile);
const seconds = (iso: string) => Date.parse(iso) / 1000;
const ms = (iso: string) => Date.parse(iso);

interface Metrics {
  billing: { thisMonth: number; lastMonth: number };
  nps: { score: number | null; promoters: number; passives: number; detractors: number; responses: number };
  pipeline: {
    created: number;
    won: number;
    lost: number;
    wonValue: number;
    hitRate: number | null;
    avgDealSize: number | null;
  };
}

describe('backfill from the providers’ list APIs into the local stack', () => {
  let stack: LocalStack;
  let dataDir: string;
  const auth = { authorization: `Bearer ${TOKEN}` };
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'backfill-test-'));
    stack = await startLocalStack({
      env: {
        API_TOKEN: TOKEN,
        METRICS_TIMEZONE: 'UTC',
        BASE_CURRENCY: 'EUR',
        PUBLIC_BASE_URL,
        ...SEAM_SECRETS,
      },
      port: 0,
      logLevel: 'SILENT',
      readCacheMs: 0,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const metrics = async (period: string): Promise<Metrics> => {
    await stack.settled();
    return (await getJson<Metrics>(`${stack.url}/v1/metrics?period=${period}`, auth)).body;
  };
  const webhook = async (delivery: Delivery) => {
    const answer = await postWebhook(stack.url, delivery.source, delivery.body, delivery.headers);
    expect(answer.status, delivery.label).toBe(202);
    await stack.settled();
  };
  const backfillCli = (source: string, env: Record<string, string>, ...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', CLI, '--source', source, '--target', stack.url, ...args], {
      env: { PATH: process.env.PATH ?? '', API_TOKEN: TOKEN, DATA_DIR: dataDir, ...env },
      timeout: 60_000,
    });

  it('stripe: bills last year’s invoices and credit notes through 429 and 500, and a second run changes nothing', async () => {
    const invoice = (id: string, status: StripeInvoice['status'], total: number, at: string | null): StripeInvoice => ({
      id,
      status,
      customer: 'cus_SXq8aB2fK1LmNo',
      crmCustomerId: 'C-NORD',
      number: status === 'draft' ? null : `NORD-${id}`,
      total,
      currency: 'eur',
      effectiveAt: at === null ? null : seconds(at),
      finalizedAt: at === null ? null : seconds(at),
      paidAt: status === 'paid' && at !== null ? seconds(at) + 86_400 : null,
      voidedAt: status === 'void' && at !== null ? seconds(at) + 86_400 : null,
    });
    const a = invoice('in_bf_a', 'paid', 49_000, '2025-03-01T12:00:00Z');
    const b = invoice('in_bf_b', 'open', 100_000, '2025-03-15T12:00:00Z');
    const c = invoice('in_bf_c', 'void', 30_000, '2025-03-20T12:00:00Z');
    const d = invoice('in_bf_d', 'draft', 70_000, null);
    const e = invoice('in_bf_e', 'paid', 20_000, '2025-04-02T12:00:00Z');
    // A live webhook said in_bf_c was finalized (open, 300.00 in March) before it was voided: the API's newer
    // state (void) must remove it.
    await webhook(
      stripeInvoiceEvent('invoice.finalized', seconds('2025-03-20T12:00:00Z'), { ...c, status: 'open' }, new Date()),
    );
    expect((await metrics('2025-03')).billing.thisMonth).toBe(300);

    const api = await stripeApiServer({
      invoices: [a, b, c, d, e].map((i) => stripeInvoiceObject(i, i.finalizedAt ?? seconds('2025-04-20T00:00:00Z'))),
      creditNotes: [
        stripeCreditNoteObject({
          id: 'cn_bf_1',
          invoice: a.id,
          customer: a.customer,
          status: 'issued',
          total: 4_900,
          currency: 'eur',
          created: seconds('2025-03-25T12:00:00Z'),
          effectiveAt: seconds('2025-03-25T12:00:00Z'),
        }),
      ],
    });
    try {
      api.failNext((r) => r.path === '/v1/invoices' && r.query.get('starting_after') === b.id, {
        status: 429,
        headers: { 'retry-after': '1' },
        body: { error: { type: 'rate_limit_error' } },
      });
      api.failNext((r) => r.path === '/v1/credit_notes', { status: 500, body: { error: { type: 'api_error' } } });
      const env = { STRIPE_API_KEY: 'rk_test_read_only', STRIPE_API_BASE: api.base };
      const first = await backfillCli('stripe', env);
      expect(first.stderr).toMatch(/stripe: HTTP 429.*retrying in 1\.0 s/);
      expect(first.stderr).toMatch(/stripe: HTTP 500/);
      expect(first.stderr).toMatch(/stripe: done, 4 pages, 6 items read, 6 events delivered/);
      // Each request carried the read key and Stripe's paging parameters.
      expect(api.requests.every((r) => r.headers.authorization === 'Bearer rk_test_read_only')).toBe(true);
      expect(api.requests.map((r) => `${r.path}?${r.query.get('starting_after') ?? ''}`)).toEqual([
        '/v1/invoices?',
        `/v1/invoices?${b.id}`,
        `/v1/invoices?${b.id}`,
        `/v1/invoices?${d.id}`,
        '/v1/credit_notes?',
        '/v1/credit_notes?',
      ]);

      // March: 490.00 + 1,000.00 issued, the void and the draft nothing, minus the 49.00 credit note.
      const march = await metrics('2025-03');
      expect(march.billing.thisMonth).toBe(1441);
      expect((await metrics('2025-04')).billing).toMatchObject({ thisMonth: 200, lastMonth: 1441 });

      const again = await backfillCli('stripe', env);
      expect(again.stderr).toMatch(/stripe: done, 4 pages/);
      expect(await metrics('2025-03')).toEqual({ ...march, asOf: expect.any(String) });
    } finally {
      await api.stop();
    }
  });

  it('stripe: the sweep (--since) heals a lost void of an old invoice from the events Stripe keeps, and counts a new one once', async () => {
    const day = 86_400;
    const now = Math.floor(Date.now() / 1000);
    const since = new Date((now - 3 * day) * 1000).toISOString().slice(0, 10);
    const invoice = (id: string, status: StripeInvoice['status'], total: number, at: number): StripeInvoice => ({
      id,
      status,
      customer: 'cus_SXq8aB2fK1LmNo',
      crmCustomerId: 'C-SWEEP',
      number: `SW-${id}`,
      total,
      currency: 'eur',
      effectiveAt: at,
      finalizedAt: at,
      paidAt: status === 'paid' ? at + day : null,
      voidedAt: status === 'void' ? now - day : null,
    });
    // An invoice of June 2025 was billed live; yesterday it was voided and that webhook was lost.
    const june = seconds('2025-06-10T12:00:00Z');
    const old = invoice('in_sw_old', 'open', 25_000, june);
    await webhook(stripeInvoiceEvent('invoice.finalized', june, old, new Date()));
    expect((await metrics('2025-06')).billing.thisMonth).toBe(250);
    // An invoice finalized two days ago, whose webhook was lost too: listed by creation and in the events.
    const fresh = invoice('in_sw_new', 'open', 12_000, now - 2 * day);
    const freshMonth = new Date((now - 2 * day) * 1000).toISOString().slice(0, 7);
    const billedBefore = (await metrics(freshMonth)).billing.thisMonth;
    const event = (type: string, created: number, state: StripeInvoice) =>
      JSON.parse(stripeInvoiceEvent(type, created, state, new Date()).body) as Record<string, unknown>;

    const api = await stripeApiServer({
      invoices: [stripeInvoiceObject({ ...old, status: 'void' }, june), stripeInvoiceObject(fresh, now - 2 * day)],
      creditNotes: [],
      events: [
        event('invoice.voided', now - day, { ...old, status: 'void' }),
        event('invoice.finalized', now - 2 * day, fresh),
        // Older than --since: Stripe's created[gte] leaves it out.
        event('invoice.finalized', june, old),
      ],
    });
    try {
      const env = { STRIPE_API_KEY: 'rk_test_read_only', STRIPE_API_BASE: api.base };
      const sweep = await backfillCli('stripe', env, '--since', since);
      expect(sweep.stderr).toMatch(/stripe: done, 4 pages, 3 items read, 3 events delivered/);
      expect(api.requests.map((r) => `${r.path}?${r.query.get('type') ?? ''}&${r.query.get('created[gte]')}`)).toEqual(
        ['/v1/invoices', '/v1/credit_notes', '/v1/events', '/v1/events'].map(
          (path, i) => `${path}?${['', '', 'invoice.*', 'credit_note.*'][i]}&${seconds(`${since}T00:00:00Z`)}`,
        ),
      );
      // The void reached June 2025; the new invoice counts once although it came by its list and its event.
      expect((await metrics('2025-06')).billing.thisMonth).toBe(0);
      expect((await metrics(freshMonth)).billing.thisMonth).toBe(billedBefore + 120);
      // The lost webhook arriving late now is a duplicate.
      await webhook(stripeInvoiceEvent('invoice.voided', now - day, { ...old, status: 'void' }, new Date()));
      expect((await metrics('2025-06')).billing.thisMonth).toBe(0);
    } finally {
      await api.stop();
    }
  });

  it('stripe: a missing or refused credential fails with the variable named and a non-zero exit', async () => {
    await expect(backfillCli('stripe', {})).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/stripe: set STRIPE_API_KEY/),
    });
    const api = await stripeApiServer({ invoices: [], creditNotes: [] });
    try {
      api.failNext(() => true, { status: 401, body: { error: { message: 'Invalid API Key provided' } } });
      await expect(
        backfillCli('stripe', { STRIPE_API_KEY: 'rk_wrong', STRIPE_API_BASE: api.base }),
      ).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/answered 401: STRIPE_API_KEY is missing, wrong or lacks read access/),
      });
    } finally {
      await api.stop();
    }
  });

  it('pipedrive: an interrupted run resumes after its last completed page, and heals a lost delete', async () => {
    const deal = (
      id: number,
      status: PipedriveDeal['status'],
      value: number,
      added: string,
      closed: string | null,
    ) => ({
      id,
      status,
      value,
      currency: 'EUR',
      orgId: 342,
      ownerId: 12415231,
      stageId: 4,
      addTime: pipedriveTime(ms(added)),
      updateTime: pipedriveTime(ms(closed ?? added)),
      wonTime: status === 'won' && closed ? pipedriveTime(ms(closed)) : null,
      lostTime: status === 'lost' && closed ? pipedriveTime(ms(closed)) : null,
      closeTime: closed ? pipedriveTime(ms(closed)) : null,
    });
    const live = [
      deal(9001, 'won', 10_000, '2025-05-02T09:00:00Z', '2025-05-20T09:00:00Z'),
      deal(9002, 'lost', 8_000, '2025-05-03T09:00:00Z', '2025-05-21T09:00:00Z'),
      deal(9003, 'open', 5_000, '2025-05-05T09:00:00Z', null),
      deal(9004, 'won', 20_000, '2025-05-06T09:00:00Z', '2025-05-25T09:00:00Z'),
      deal(9005, 'won', 6_000, '2025-04-10T09:00:00Z', '2025-05-28T09:00:00Z'),
    ];
    // 9006 was created (its webhook arrived) and later deleted (that webhook was lost).
    const removed = deal(9006, 'open', 3_000, '2025-05-07T09:00:00Z', null);
    await webhook(pipedriveEvent('create', removed, `${removed.addTime.slice(0, 19)}.100Z`, new Date()));
    expect((await metrics('2025-05')).pipeline.created).toBe(1);

    const api = await pipedriveApiServer({
      live: live.map(pipedriveDealObject),
      deleted: [{ ...pipedriveDealObject(removed), is_deleted: true, update_time: '2025-05-30T09:00:00Z' }],
      // The pipeline's stages, read last: their names label the stage ids deals carry.
      stages: [pipedriveStageObject(1, 'Qualified'), pipedriveStageObject(4, 'Negotiation')],
    });
    const checkpoints = join(dataDir, 'pipedrive-checkpoints');
    const key = { source: 'pipedrive', target: stack.url };
    const client = () =>
      (historySources.pipedrive as NonNullable<typeof historySources.pipedrive>).client({
        env: { PIPEDRIVE_API_TOKEN: 'pd-read-token', PIPEDRIVE_API_BASE: api.base },
        timeZone: 'UTC',
        baseCurrency: 'EUR',
      });
    const delivered = httpSink({ target: stack.url, token: TOKEN });
    let deliveries = 0;
    const crashingOnThirdPage: EventSink = {
      async deliver(events) {
        if (++deliveries === 3) throw new Error('killed between pages');
        await delivered.deliver(events);
      },
    };
    try {
      const crashed = runBackfill({
        client: client(),
        sink: crashingOnThirdPage,
        checkpoint: fileCheckpoint(checkpoints, key),
      });
      await expect(crashed).rejects.toBeInstanceOf(BackfillError);
      await expect(crashed).rejects.toMatchObject({ progress: { pages: 2, items: 4 } });

      const resumed = await runBackfill({
        client: client(),
        sink: delivered,
        checkpoint: fileCheckpoint(checkpoints, key),
      });
      expect(resumed).toMatchObject({ done: true, resumedAfterPage: 2, pages: 5, items: 8, events: 8 });
      const pageRequests = (cursor: string | null, status: string | null = null) =>
        api.requests.filter(
          (r) => r.path === '/api/v2/deals' && r.query.get('cursor') === cursor && r.query.get('status') === status,
        ).length;
      // Pages 1 and 2 were read once; page 3 (whose delivery failed) twice; then the deleted deals once.
      expect([pageRequests(null), pageRequests('Mg'), pageRequests('NA'), pageRequests(null, 'deleted')]).toEqual([
        1, 1, 2, 1,
      ]);
      // Then the stages, once.
      expect(api.requests.filter((r) => r.path === '/api/v2/stages')).toHaveLength(1);
      expect(api.requests.every((r) => r.headers['x-api-token'] === 'pd-read-token')).toBe(true);

      // May 2025: created 9001-9004 (9006 deleted, 9005 in April); won 9001, 9004, 9005; lost 9002.
      const may = await metrics('2025-05');
      expect(may.pipeline).toMatchObject({
        created: 4,
        won: 3,
        lost: 1,
        wonValue: 36_000,
        hitRate: 0.75,
        avgDealSize: 12_000,
      });
      // Stage 4 of deal 9003, the one open deal, by the name Pipedrive's API gives it.
      const coaching = await getJson<{ openByStage: { source: string }[] }>(`${stack.url}/v1/coaching`, auth);
      expect(coaching.body.openByStage.filter((s) => s.source === 'pipedrive')).toEqual([
        { source: 'pipedrive', stage: '4', stageName: 'Negotiation', openCount: 1, openValue: 5_000 },
      ]);
      // A label configured for Pipedrive wins over the learnt one.
      const configured = await fetch(`${stack.url}/v1/stages/pipedrive`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ labels: { '4': 'Contract negotiation' } }),
      });
      expect(configured.status).toBe(200);
      const again = await getJson<{ openByStage: { source: string; stageName: string }[] }>(
        `${stack.url}/v1/coaching`,
        auth,
      );
      expect(again.body.openByStage.filter((s) => s.source === 'pipedrive').map((s) => s.stageName)).toEqual([
        'Contract negotiation',
      ]);
    } finally {
      await api.stop();
    }
  });

  it('hubspot: per-property times decide, so an older backfilled value never overrides a newer webhook, and a newer one wins', async () => {
    const t = (day: string) => ms(`2025-06-${day}T10:00:00Z`);
    // H1: a webhook set the amount to 7,000 on the 10th; the API's history still shows 5,000 from the 5th.
    await webhook(
      hubspotBatch(
        [{ kind: 'property', objectId: 7001, occurredAt: t('10'), name: 'amount', value: '7000' }],
        new Date(),
      ),
    );
    // H2: a webhook set 3,000 on the 5th; the API knows 4,000 from the 12th (that webhook was lost).
    await webhook(
      hubspotBatch(
        [{ kind: 'property', objectId: 7002, occurredAt: t('05'), name: 'amount', value: '3000' }],
        new Date(),
      ),
    );
    // H3: created by webhook, deleted in HubSpot later (the deletion webhook lost): the archived list heals it.
    await webhook(hubspotBatch([{ kind: 'creation', objectId: 7003, occurredAt: t('03') }], new Date()));
    const won = (amount: string, amountAt: number) => ({
      dealstage: [
        { value: 'appointmentscheduled', timestamp: t('02') },
        { value: 'closedwon', timestamp: t('20') },
      ],
      amount: [{ value: amount, timestamp: amountAt }],
      deal_currency_code: [{ value: 'EUR', timestamp: t('02') }],
      createdate: [{ value: String(t('02')), timestamp: t('02') }],
    });
    const api = await hubspotApiServer({
      live: [
        hubspotDealObject({ id: '7001', createdAt: t('02'), updatedAt: t('20'), history: won('5000', t('05')) }),
        hubspotDealObject({ id: '7002', createdAt: t('02'), updatedAt: t('20'), history: won('4000', t('12')) }),
      ],
      archived: [
        hubspotDealObject({ id: '7003', createdAt: t('03'), updatedAt: t('04'), archivedAt: t('04'), history: {} }),
      ],
      pipelines: [
        hubspotPipelineObject('default', 'Sales Pipeline', [
          ['appointmentscheduled', 'Appointment scheduled'],
          ['qualifiedtobuy', 'Qualified to buy'],
          ['closedwon', 'Closed won'],
        ]),
      ],
    });
    try {
      const { stderr } = await backfillCli('hubspot', { HUBSPOT_ACCESS_TOKEN: 'pat-read', HUBSPOT_API_BASE: api.base });
      expect(stderr).toMatch(/hubspot: done, 3 pages, 6 items read/);
      expect(api.requests[0]?.query.get('propertiesWithHistory')).toContain('dealstage');
      // June: created 7001 and 7002 (7003 deleted); both won, 7,000 (the newer webhook) + 4,000 (the newer API value).
      expect((await metrics('2025-06')).pipeline).toMatchObject({ created: 2, won: 2, lost: 0, wonValue: 11_000 });
      // The pipelines' stage labels were learnt: a deal moving into a stage shows it by name.
      await webhook(
        hubspotBatch(
          [
            { kind: 'creation', objectId: 7004, occurredAt: t('21') },
            { kind: 'property', objectId: 7004, occurredAt: t('21'), name: 'dealstage', value: 'qualifiedtobuy' },
          ],
          new Date(),
        ),
      );
      const coaching = await getJson<{ openByStage: { source: string; stage: string; stageName: string }[] }>(
        `${stack.url}/v1/coaching`,
        auth,
      );
      expect(coaching.body.openByStage.filter((s) => s.source === 'hubspot')).toEqual([
        expect.objectContaining({ stage: 'qualifiedtobuy', stageName: 'Qualified to buy', openCount: 1 }),
      ]);
    } finally {
      await api.stop();
    }
  });

  it('typeform and delighted: last year’s NPS, and only a recent detractor alerts', async () => {
    const typeform = await typeformApiServer({
      u6nXL7: [9, 10, 3].map((score, i) =>
        typeformResponseItem({
          token: `tf-bf-${i}`,
          submittedAt: `2025-07-0${i + 1}T14:21:47Z`,
          score,
          comment: score < 7 ? 'Export still manual' : null,
          hidden: { account_id: 'cus_SXq8aB2fK1LmNo' },
          emailAnswer: null,
        }),
      ),
    });
    const yesterday = Math.floor(Date.now() / 1000) - 86_400;
    const delighted = await delightedApiServer([
      delightedResponseObject({
        id: 'dl-bf-1',
        score: 6,
        comment: 'Invoice export needs work',
        createdAt: seconds('2025-07-10T09:00:00Z'),
        updatedAt: seconds('2025-07-10T09:10:00Z'),
        email: 'anna.berg@nordlicht.example',
        personProperties: { customer_id: 'cus_SXq8aB2fK1LmNo' },
      }),
      delightedResponseObject({
        id: 'dl-bf-2',
        score: 8,
        comment: null,
        createdAt: seconds('2025-07-11T09:00:00Z'),
        updatedAt: null,
        email: null,
        personProperties: {},
      }),
      delightedResponseObject({
        id: 'dl-bf-recent',
        score: 2,
        comment: 'Down all morning',
        createdAt: yesterday,
        updatedAt: null,
        email: 'ops@nordlicht.example',
        personProperties: { customer_id: 'cus_SXq8aB2fK1LmNo' },
      }),
    ]);
    try {
      const { stderr } = await backfillCli(
        'all',
        {
          TYPEFORM_TOKEN: 'tfp_read',
          TYPEFORM_FORM_IDS: 'u6nXL7',
          TYPEFORM_API_BASE: typeform.base,
          DELIGHTED_API_KEY: 'dl-read',
          DELIGHTED_API_BASE: delighted.base,
        },
        '--since',
        '2025-01-01',
      );
      expect(stderr).toMatch(/typeform: done, 2 pages, 3 items read, 3 events/);
      // Created since the day (3), then updated since it (1, read again): harmless, the version decides.
      expect(stderr).toMatch(/delighted: done, 2 pages, 4 items read, 4 events/);
      expect(typeform.requests[0]?.query.get('since')).toBe('2025-01-01T00:00:00');
      expect(delighted.requests.map((r) => r.query.get('updated_since') ?? `since ${r.query.get('since')}`)).toEqual([
        `since ${seconds('2025-01-01T00:00:00Z')}`,
        String(seconds('2025-01-01T00:00:00Z')),
      ]);
      // July 2025: 9, 10 promoters; 8 passive; 3 and 6 detractors: 100 * (2 - 2) / 5.
      expect((await metrics('2025-07')).nps).toMatchObject({
        score: 0,
        promoters: 2,
        passives: 1,
        detractors: 2,
        responses: 5,
      });
      const alerts = (
        await getJson<{ alerts: { responseId: string; score: number }[] }>(`${stack.url}/v1/alerts`, auth)
      ).body.alerts;
      expect(alerts.map((a) => [a.responseId, a.score])).toEqual([['dl-bf-recent', 2]]);
    } finally {
      await typeform.stop();
      await delighted.stop();
    }
  });
});
