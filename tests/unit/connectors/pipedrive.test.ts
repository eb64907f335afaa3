import { PayloadError, SignatureError } from '@flash/connectors';
import { applyEvent, type CanonicalEvent, type EntityState, type SnapshotEvent } from '@flash/core';
import { describe, expect, it } from 'vitest';
import {
  connector,
  fixtureJson,
  NOW,
  parseContext,
  parseFixture,
  signatureVectorSuite,
  webhookRequest,
} from './helpers.js';

const pipedrive = connector('pipedrive');
const parse = (body: unknown) => pipedrive.parse(webhookRequest(JSON.stringify(body)), parseContext());

/** A fixture with some fields of `data` (or `previous`) and `meta` replaced. */
const variant = (
  fixture: string,
  { data = {}, meta = {} }: { data?: Record<string, unknown>; meta?: Record<string, unknown> },
) => {
  const body = fixtureJson(fixture);
  const key = body.data === null ? 'previous' : 'data';
  return {
    ...body,
    [key]: { ...(body[key] as Record<string, unknown>), ...data },
    meta: { ...(body.meta as Record<string, unknown>), ...meta },
  };
};

const fold = (events: readonly CanonicalEvent[]): EntityState | undefined =>
  events.reduce<EntityState | undefined>((state, e) => applyEvent(state, e) ?? state, undefined);

const SAMPLE_DEAL = {
  title: 'Sample Org deal',
  customerId: '1',
  ownerId: '12415231',
  status: 'open',
  stage: '2',
  amount: 10000,
  currency: 'EUR',
  createdAt: '2022-11-24T13:18:55.000Z',
  closedAt: null,
  expectedCloseDate: null,
  source: 'ManuallyCreated',
  lostReason: null,
};

describe('pipedrive connector', () => {
  describe('fixtures', () => {
    it('maps create.deal to a snapshot ordered by add_time (update_time is null on create)', () => {
      expect(parseFixture('pipedrive', 'pipedrive/create.deal.json')).toEqual({
        ignored: 0,
        events: [
          {
            entity: 'deal',
            source: 'pipedrive',
            id: '8',
            mode: 'snapshot',
            version: [Date.parse('2022-11-24T13:18:55Z'), Date.parse('2022-11-24T13:18:56.089Z')],
            deleted: false,
            occurredAt: '2022-11-24T13:18:56.089Z',
            deliveryId: 'delivery-1',
            data: SAMPLE_DEAL,
          },
        ],
      });
    });

    it('maps change.deal to the new state', () => {
      expect(parseFixture('pipedrive', 'pipedrive/change.deal.json').events).toEqual([
        {
          entity: 'deal',
          source: 'pipedrive',
          id: '1187',
          mode: 'snapshot',
          version: [Date.parse('2026-03-18T14:02:11Z'), Date.parse('2026-03-18T14:02:11.057Z')],
          deleted: false,
          occurredAt: '2026-03-18T14:02:11.057Z',
          deliveryId: 'delivery-1',
          data: {
            title: 'Nordlicht GmbH - annual licence',
            customerId: '342',
            ownerId: '12415231',
            status: 'open',
            stage: '4',
            amount: 2400000,
            currency: 'EUR',
            createdAt: '2026-03-02T09:14:05.000Z',
            closedAt: null,
            expectedCloseDate: '2026-04-30',
            source: 'ManuallyCreated',
            lostReason: null,
          },
        },
      ]);
    });

    it('maps change.deal.won to a won deal closed at won_time', () => {
      expect(parseFixture('pipedrive', 'pipedrive/change.deal.won.json').events[0]).toMatchObject({
        id: '1187',
        version: [Date.parse('2026-03-25T16:45:30Z'), Date.parse('2026-03-25T16:45:30.412Z')],
        deleted: false,
        data: { status: 'won', closedAt: '2026-03-25T16:45:30.000Z', amount: 2400000, stage: '4' },
      });
    });

    it('maps delete.deal to a deleted snapshot of the previous state', () => {
      expect(parseFixture('pipedrive', 'pipedrive/delete.deal.json').events).toEqual([
        {
          entity: 'deal',
          source: 'pipedrive',
          id: '8',
          mode: 'snapshot',
          version: [Date.parse('2022-11-24T15:16:03Z'), Date.parse('2022-11-24T15:16:53.335Z')],
          deleted: true,
          occurredAt: '2022-11-24T15:16:53.335Z',
          deliveryId: 'delivery-1',
          data: SAMPLE_DEAL,
        },
      ]);
    });
  });

  describe('ordering', () => {
    it('keeps the won state when the older stage change arrives after it', () => {
      const won = parseFixture('pipedrive', 'pipedrive/change.deal.won.json').events;
      const moved = parseFixture('pipedrive', 'pipedrive/change.deal.json').events;
      expect(fold([...won, ...moved])?.data).toMatchObject({ status: 'won' });
    });

    it('deletes a deal whichever order create and delete arrive in', () => {
      const created = parseFixture('pipedrive', 'pipedrive/create.deal.json').events;
      const deleted = parseFixture('pipedrive', 'pipedrive/delete.deal.json').events;
      expect(fold([...deleted, ...created])?.deleted).toBe(true);
      expect(fold([...created, ...deleted])?.deleted).toBe(true);
    });

    it('orders two changes within the same second by meta.timestamp', () => {
      const first = parse(variant('pipedrive/change.deal.json', { data: { stage_id: 5 } }));
      const second = parse(
        variant('pipedrive/change.deal.json', {
          data: { stage_id: 6 },
          meta: { timestamp: '2026-03-18T14:02:11.900Z' },
        }),
      );
      expect(fold([...second.events, ...first.events])?.data).toMatchObject({ stage: '6' });
    });
  });

  describe('mapping rules', () => {
    it('reads "YYYY-MM-DD HH:MM:SS" times as UTC and a 10-digit meta.timestamp as epoch seconds', () => {
      const body = variant('pipedrive/change.deal.json', {
        data: { update_time: '2026-03-18 09:12:44', add_time: '2026-03-02 09:14:05' },
        meta: { timestamp: 1773825164 },
      });
      expect(parse(body).events[0]).toMatchObject({
        version: [Date.parse('2026-03-18T09:12:44Z'), 1773825164000],
        occurredAt: '2026-03-18T09:12:44.000Z',
        data: { createdAt: '2026-03-02T09:14:05.000Z' },
      });
      const asText = variant('pipedrive/change.deal.json', { meta: { timestamp: '1773825164' } });
      expect(parse(asText).events[0]).toMatchObject({ occurredAt: '2026-03-18T09:12:44.000Z' });
    });

    it('closes a lost deal at lost_time, else at close_time, and keeps the lost reason', () => {
      const lost = {
        status: 'lost',
        lost_time: '2026-03-20 08:00:00',
        close_time: '2026-03-21 08:00:00',
        lost_reason: 'Budget',
      };
      expect(parse(variant('pipedrive/change.deal.json', { data: lost })).events[0]).toMatchObject({
        data: { status: 'lost', closedAt: '2026-03-20T08:00:00.000Z', lostReason: 'Budget' },
      });
      const noLostTime = { ...lost, lost_time: null };
      expect(parse(variant('pipedrive/change.deal.json', { data: noLostTime })).events[0]).toMatchObject({
        data: { closedAt: '2026-03-21T08:00:00.000Z' },
      });
    });

    it('maps status "deleted" to a deleted deal', () => {
      expect(parse(variant('pipedrive/change.deal.json', { data: { status: 'deleted' } })).events[0]).toMatchObject({
        deleted: true,
      });
    });

    it('converts value to minor units of its currency, without an org as no customer', () => {
      const body = variant('pipedrive/change.deal.json', { data: { value: 1500000, currency: 'JPY', org_id: null } });
      expect(parse(body).events[0]).toMatchObject({ data: { amount: 1500000, currency: 'JPY', customerId: null } });
      const noValue = variant('pipedrive/change.deal.json', { data: { value: null } });
      expect(parse(noValue).events[0]).toMatchObject({ data: { amount: null, currency: 'EUR' } });
    });

    it('ignores other entities and actions, counting them', () => {
      expect(parse(variant('pipedrive/change.deal.json', { meta: { entity: 'person' } }))).toEqual({
        events: [],
        ignored: 1,
      });
      expect(parse(variant('pipedrive/change.deal.json', { meta: { action: 'merge' } }))).toEqual({
        events: [],
        ignored: 1,
      });
    });

    it('names the field when a required one is missing or has the wrong type', () => {
      expect(() => parse(variant('pipedrive/change.deal.json', { data: { value: '24000' } }))).toThrow(
        /^data\.value: /,
      );
      expect(() => parse(variant('pipedrive/change.deal.json', { data: { update_time: '18/03/2026' } }))).toThrow(
        /^data\.update_time: expected a UTC timestamp/,
      );
      expect(() => parse(variant('pipedrive/delete.deal.json', { data: { status: 'archived' } }))).toThrow(
        /^previous\.status: /,
      );
      expect(() => parse({ ...fixtureJson('pipedrive/create.deal.json'), data: null })).toThrow(/^data: /);
      // A v1 webhook has no meta.entity.
      expect(() => parse({ current: {}, previous: null, meta: { v: 1, action: 'updated', object: 'deal' } })).toThrow(
        PayloadError,
      );
    });
  });

  /*
   * The fixtures hold no activity delivery, so these are built from Pipedrive's documented shapes: the
   * webhooks v2 envelope (https://pipedrive.readme.io/docs/guide-for-webhooks-v2: `meta.entity` "activity",
   * `meta.action` create/change/delete, the object in `data`, on delete the last state in `previous`) around
   * API v2's activity object (https://developers.pipedrive.com/docs/api/v1/Activities: `type`, `subject`,
   * `owner_id`, `org_id`, `deal_id`, `due_date`, `due_time` HH:MM UTC, `done`, `marked_as_done_time`,
   * `update_time`, `is_deleted`), with the meta of the change.deal fixture.
   */
  describe('activities (webhooks v2, *.activity)', () => {
    const ACTIVITY = {
      id: 8841,
      subject: 'Demo at Nordlicht',
      type: 'meeting',
      owner_id: 12415231,
      org_id: 342,
      deal_id: 1187,
      person_id: 907,
      due_date: '2026-03-25',
      due_time: '09:30',
      duration: '01:00',
      done: false,
      marked_as_done_time: null,
      add_time: '2026-03-18T14:02:11Z',
      update_time: '2026-03-18T14:02:11Z',
      is_deleted: false,
    };
    const delivery = (action: string, activity: Record<string, unknown>, timestamp = '2026-03-18T14:02:11.057Z') => {
      const { meta } = fixtureJson('pipedrive/change.deal.json') as { meta: Record<string, unknown> };
      const envelope = { meta: { ...meta, action, entity: 'activity', entity_id: '8841', timestamp } };
      return action === 'delete'
        ? { ...envelope, data: null, previous: activity }
        : { ...envelope, data: activity, previous: null };
    };

    it('maps a planned meeting: owner, organisation, deal, due instant in UTC', () => {
      const [event] = parse(delivery('create', ACTIVITY)).events;
      expect(event).toMatchObject({
        entity: 'activity',
        source: 'pipedrive',
        id: '8841',
        version: [Date.parse('2026-03-18T14:02:11Z'), Date.parse('2026-03-18T14:02:11.057Z')],
        deleted: false,
        data: {
          kind: 'meeting',
          ownerId: '12415231',
          customerId: '342',
          dealId: '1187',
          dueAt: '2026-03-25T09:30:00Z',
          doneAt: null,
          subject: 'Demo at Nordlicht',
        },
      });
    });

    it('marks it done at marked_as_done_time, and a due date without a time stays a local date', () => {
      const done = {
        ...ACTIVITY,
        due_time: null,
        done: true,
        marked_as_done_time: '2026-03-25T10:40:00Z',
        update_time: '2026-03-25T10:40:00Z',
      };
      const [event] = parse(delivery('change', done)).events;
      expect(event).toMatchObject({ data: { dueAt: '2026-03-25', doneAt: '2026-03-25T10:40:00.000Z' } });
    });

    it('maps the built-in types onto the canonical kinds, a company type to task', () => {
      const kinds = ['call', 'meeting', 'lunch', 'email', 'task', 'deadline', 'site_visit'].map(
        (type) => (parse(delivery('change', { ...ACTIVITY, type })).events[0] as SnapshotEvent<'activity'>).data.kind,
      );
      expect(kinds).toEqual(['call', 'meeting', 'meeting', 'email', 'task', 'task', 'task']);
    });

    it('deletes it whichever order the change and the delete arrive in', () => {
      const change = parse(delivery('change', { ...ACTIVITY, update_time: '2026-03-19T08:00:00Z' })).events;
      const remove = parse(
        delivery('delete', { ...ACTIVITY, update_time: '2026-03-19T08:00:00Z' }, '2026-03-19T08:00:05Z'),
      ).events;
      expect(fold([...change, ...remove])?.deleted).toBe(true);
      expect(fold([...remove, ...change])?.deleted).toBe(true);
    });

    it('keeps the newer state when an older edit arrives late', () => {
      const newer = parse(
        delivery('change', { ...ACTIVITY, subject: 'moved', update_time: '2026-03-20T08:00:00Z' }),
      ).events;
      const older = parse(delivery('change', ACTIVITY)).events;
      expect(fold([...newer, ...older])?.data).toMatchObject({ subject: 'moved' });
    });

    it('names the field that is wrong', () => {
      expect(() => parse(delivery('change', { ...ACTIVITY, due_time: '9.30' }))).toThrow(/^data\.due_time: /);
      expect(() => parse(delivery('change', { ...ACTIVITY, done: 'yes' }))).toThrow(/^data\.done: /);
    });
  });

  describe('authentication', () => {
    signatureVectorSuite('pipedrive', { signsBody: false });

    const verify = (authorization?: string) =>
      pipedrive.verify(
        webhookRequest('{}', authorization ? { Authorization: authorization } : {}),
        'pd_user:pd_pass',
        NOW,
      );
    const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

    it('accepts the configured user:password, with any case of the scheme', () => {
      expect(() => verify(basic('pd_user:pd_pass'))).not.toThrow();
      expect(() => verify(basic('pd_user:pd_pass').replace('Basic', 'basic'))).not.toThrow();
    });

    it('refuses other credentials, other schemes and a missing header', () => {
      expect(() => verify(basic('pd_user:pd_pas'))).toThrow(SignatureError);
      expect(() => verify(basic('pd_user:pd_pass:'))).toThrow(SignatureError);
      expect(() => verify('Bearer cGRfdXNlcjpwZF9wYXNz')).toThrow(/not HTTP Basic/);
      expect(() => verify()).toThrow(/missing Authorization/);
    });

    it('decodes the credentials strictly: what a lenient base64 decoder reads past is refused', () => {
      const verifyWith = (authorization: string, secret: string) =>
        pipedrive.verify(webhookRequest('{}', { Authorization: authorization }), secret, NOW);
      // `u:p` is dTpw; `u:` is dTo= (canonical), and dTp= carries the same bytes with stray low bits.
      expect(() => verifyWith('Basic dTpw', 'u:p')).not.toThrow();
      expect(() => verifyWith('Basic dTo=', 'u:')).not.toThrow();
      const hostile: [authorization: string, secret: string][] = [
        ['Basic dTpw!!!', 'u:p'], // junk after the token
        ['Basic dTpw====', 'u:p'], // too much padding
        ['Basic dTp=', 'u:'], // stray bits in the last character
        ['Basic dTo', 'u:'], // padding missing
        ['Basic dTpw dTpw', 'u:p'], // a second token
        ['Basic Pj4-', '>>>'], // the URL-safe alphabet (Pj4+ in standard base64)
        ['Basic dTpw\u0000', 'u:p'], // a NUL after the token
        [`Basic ${Buffer.from([0x75, 0x3a, 0xff]).toString('base64')}`, 'u:\ufffd'], // not UTF-8
      ];
      for (const [authorization, secret] of hostile) {
        expect(() => verifyWith(authorization, secret), JSON.stringify(authorization)).toThrow(SignatureError);
      }
      expect(() => verifyWith('Basic dTpw!!!', 'u:p')).toThrow(/not canonical base64/);
    });
  });
});
