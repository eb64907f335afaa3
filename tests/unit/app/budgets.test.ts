import type { Logger } from '@aws-lambda-powertools/logger';
import { BUDGETS, makeConfigHandler, SETTINGS, STAGE_PROBABILITIES_ID } from '@flash/app';
import { memoryDocumentStore } from '@flash/core';
import { describe, expect, it } from 'vitest';
import { apiEvent } from '../../support/gateway.js';

/** The budget and stage-probability writes of the config function: validated, stored whole, refused with a 400. */

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

const request = (method: string, path: string, body?: unknown) =>
  apiEvent({
    method,
    path,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const setup = () => {
  const store = memoryDocumentStore();
  const config = makeConfigHandler({ store, logger });
  const call = async (method: string, path: string, body?: unknown) => {
    const answer = await config(request(method, path, body));
    return { status: answer.statusCode, body: answer.body ? (JSON.parse(answer.body) as unknown) : undefined };
  };
  return { store, call };
};

describe('budgets and stage probabilities, configured', () => {
  it('stores a month of budgets whole, defaults filled, and deletes it', async () => {
    const { store, call } = setup();
    expect(await call('PUT', '/v1/budgets/2026-11', { currency: 'EUR', owners: { '61001': 40_000.5 } })).toEqual({
      status: 200,
      body: { month: '2026-11', currency: 'EUR', company: null, owners: { '61001': 40_000.5 } },
    });
    expect((await store.getDocuments(BUDGETS, ['2026-11'])).get('2026-11')).toEqual({
      currency: 'EUR',
      company: null,
      owners: { '61001': 40_000.5 },
    });
    expect((await call('DELETE', '/v1/budgets/2026-11')).status).toBe(204);
    expect((await store.listDocuments(BUDGETS)).size).toBe(0);
  });

  it('refuses what is not a budget, naming it, and stores nothing', async () => {
    const { store, call } = setup();
    const refusals = await Promise.all([
      call('PUT', '/v1/budgets/2026-13', { currency: 'EUR', company: 1 }),
      call('PUT', '/v1/budgets/november', { currency: 'EUR', company: 1 }),
      call('PUT', '/v1/budgets/2026-11', { currency: 'eur', company: 1 }),
      call('PUT', '/v1/budgets/2026-11', { currency: 'EUR', company: -1 }),
      call('PUT', '/v1/budgets/2026-11', { currency: 'EUR', company: 1e14 }),
      call('PUT', '/v1/budgets/2026-11', {
        currency: 'EUR',
        owners: Object.fromEntries(Array.from({ length: 251 }, (_, i) => [`U${i}`, 1])),
      }),
      call('PUT', '/v1/budgets/2026-11', { currency: 'EUR', company: 1e-200 }),
    ]);
    expect(refusals.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 400]);
    expect(refusals.map((r) => (r.body as { error: string }).error)).toEqual([
      expect.stringContaining('"2026-13" is not a month'),
      expect.stringContaining('"november" is not a month'),
      expect.stringContaining('currency'),
      expect.stringContaining('company'),
      expect.stringContaining('company'),
      expect.stringContaining('at most 250 owners'),
      expect.stringContaining('outside the numbers that can be stored'),
    ]);
    expect((await store.listDocuments(BUDGETS)).size).toBe(0);
  });

  it('stores the stage probabilities set by hand per source and stage id, from 0 to 1, and replaces them whole', async () => {
    const { store, call } = setup();
    const set = { pipedrive: { '4': 0.4 }, generic: { '4': 0, 'stage with spaces': 1 } };
    expect(await call('PUT', '/v1/stage-probabilities', { probabilities: set })).toEqual({
      status: 200,
      body: { probabilities: set },
    });
    expect((await store.getDocuments(SETTINGS, [STAGE_PROBABILITIES_ID])).get(STAGE_PROBABILITIES_ID)).toEqual({
      probabilities: set,
    });
    expect((await call('PUT', '/v1/stage-probabilities', { probabilities: {} })).status).toBe(200);
    expect((await store.getDocuments(SETTINGS, [STAGE_PROBABILITIES_ID])).get(STAGE_PROBABILITIES_ID)).toEqual({
      probabilities: {},
    });
  });

  it('refuses stage probabilities that do not name a source and a stage, saying what is wrong, and keeps the stored ones', async () => {
    const { store, call } = setup();
    const kept = { probabilities: { hubspot: { appointmentscheduled: 0.2 } } };
    expect((await call('PUT', '/v1/stage-probabilities', kept)).status).toBe(200);
    const refusals = await Promise.all([
      // The shape before stages had a source: a stage id alone means nothing.
      call('PUT', '/v1/stage-probabilities', { probabilities: { proposal: 0.4 } }),
      call('PUT', '/v1/stage-probabilities', { probabilities: { Pipedrive: { '4': 0.4 } } }),
      call('PUT', '/v1/stage-probabilities', { probabilities: { pipedrive: { '': 0.5 } } }),
      call('PUT', '/v1/stage-probabilities', { probabilities: { pipedrive: { '4': 1.01 } } }),
      call('PUT', '/v1/stage-probabilities', {
        probabilities: {
          pipedrive: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`${i}`, 0.5])),
          hubspot: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`${i}`, 0.5])),
        },
      }),
      call('PUT', '/v1/stage-probabilities', {}),
    ]);
    expect(refusals.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(refusals.map((r) => (r.body as { error: string }).error)).toEqual([
      'probabilities.proposal: give each source its stages: {"pipedrive": {"4": 0.4}}, stage ids as the source sends them',
      expect.stringMatching(
        /^probabilities\.Pipedrive: not a source: a source's name is a lower-case letter.*\{"pipedrive"/,
      ),
      'probabilities.pipedrive.: a stage id is 1 to 256 characters',
      expect.stringMatching(/^probabilities\.pipedrive\.4: .*<=1/),
      'probabilities: at most 250 stages in all',
      expect.stringMatching(/^probabilities: /),
    ]);
    expect((await store.getDocuments(SETTINGS, [STAGE_PROBABILITIES_ID])).get(STAGE_PROBABILITIES_ID)).toEqual(kept);
  });
});
