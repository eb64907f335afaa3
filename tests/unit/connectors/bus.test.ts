import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { BusUnavailableError, eventBridgePublisher } from '@flash/app';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { compactFixture } from '../../support/fixtures.js';
import { jsonBody, postSigned } from './helpers.js';

const eventBridge = mockClient(EventBridgeClient);
const entries = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ source: 'test', detailType: 'entity.deal', detail: { i } }));
const sent = (): PutEventsRequestEntry[][] =>
  eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
const indexes = (group: PutEventsRequestEntry[]) => group.map((e) => (JSON.parse(e.Detail ?? '{}') as { i: number }).i);
const publisher = () => eventBridgePublisher('bus', new EventBridgeClient({}), { attempts: 3, baseDelayMs: 0 });

describe('eventBridgePublisher', () => {
  beforeEach(() => eventBridge.reset());

  it('sends groups of 10 and retries only the entries that failed', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: Array.from({ length: 10 }, (_, i) =>
          i === 3 || i === 7 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `e${i}` },
        ),
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }, { EventId: 'y' }] });
    await publisher().publish(entries(12));
    expect(sent().map(indexes)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11],
      [3, 7],
    ]);
    expect(sent()[0]?.[0]).toMatchObject({ EventBusName: 'bus', Source: 'test', DetailType: 'entity.deal' });
  });

  it('retries a whole group when the call itself fails', async () => {
    eventBridge
      .on(PutEventsCommand)
      .rejectsOnce(new Error('socket hang up'))
      .resolves({ Entries: [{}, {}] });
    await publisher().publish(entries(2));
    expect(sent().map(indexes)).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it('gives up with BusUnavailableError when some entries keep failing', async () => {
    eventBridge.on(PutEventsCommand).callsFake(({ Entries }: { Entries: PutEventsRequestEntry[] }) => ({
      Entries: Entries.map((e) =>
        (JSON.parse(e.Detail ?? '{}') as { i: number }).i === 1 ? { ErrorCode: 'InternalFailure' } : { EventId: 'ok' },
      ),
    }));
    await expect(publisher().publish(entries(3))).rejects.toThrow(BusUnavailableError);
    await expect(publisher().publish(entries(3))).rejects.toThrow(
      /1 of 3 events not accepted by the bus \(InternalFailure/,
    );
    expect(sent().slice(0, 3).map(indexes)).toEqual([[0, 1, 2], [1], [1]]);
  });

  it('makes the ingest handler answer 503, never 202, when the bus keeps refusing', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const result = await postSigned('stripe', compactFixture('stripe/invoice.paid.json'), { publisher: publisher() });
    expect(result.statusCode).toBe(503);
    expect(jsonBody(result).error).toMatch(/retry later/);
  });
});
