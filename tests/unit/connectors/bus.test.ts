import { BusUnavailableError, eventBridgePublisher, type PutEventsAnswer, type PutEventsEntry } from '@flash/app';
import { AwsError, type AwsJsonClient } from '@flash/aws';
import { describe, expect, it } from 'vitest';
import { compactFixture } from '../../support/fixtures.js';
import { jsonBody, postSigned } from './helpers.js';

/** EventBridge answering each request with `answer` of its entries; a throw is the client's AwsError. */
const fakeEventBridge = (answer: (entries: PutEventsEntry[]) => PutEventsAnswer) => {
  const calls: { action: string; entries: PutEventsEntry[] }[] = [];
  const client: AwsJsonClient = async <Output>(action: string, input: object) => {
    const { Entries } = input as { Entries: PutEventsEntry[] };
    calls.push({ action, entries: Entries });
    return answer(Entries) as Output;
  };
  /** The entries of every request, each checked to be a PutEvents. */
  const sent = () =>
    calls.map(({ action, entries }) => {
      expect(action).toBe('PutEvents');
      return entries;
    });
  return { client, sent };
};

/** One answer per request, the last one again after that; an AwsError is thrown, as the client throws it. */
const inTurn =
  (...answers: (PutEventsAnswer | AwsError)[]) =>
  (): PutEventsAnswer => {
    const answer = answers.length > 1 ? answers.shift() : answers[0];
    if (answer instanceof AwsError) throw answer;
    return answer ?? {};
  };

const entries = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ source: 'test', detailType: 'entity.deal', detail: { i } }));
const indexes = (group: PutEventsEntry[]) => group.map((e) => (JSON.parse(e.Detail) as { i: number }).i);
const publisher = (client: AwsJsonClient) => eventBridgePublisher('bus', client, { attempts: 3, baseDelayMs: 0 });

describe('eventBridgePublisher', () => {
  it('sends groups of 10 and retries only the entries that failed', async () => {
    const eventBridge = fakeEventBridge(
      inTurn(
        {
          FailedEntryCount: 2,
          Entries: Array.from({ length: 10 }, (_, i) =>
            i === 3 || i === 7 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `e${i}` },
          ),
        },
        { FailedEntryCount: 0, Entries: [{ EventId: 'x' }, { EventId: 'y' }] },
      ),
    );
    await publisher(eventBridge.client).publish(entries(12));
    expect(eventBridge.sent().map(indexes)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11],
      [3, 7],
    ]);
    expect(eventBridge.sent()[0]?.[0]).toMatchObject({
      EventBusName: 'bus',
      Source: 'test',
      DetailType: 'entity.deal',
    });
  });

  it('retries a whole group when the call itself fails', async () => {
    // What the client throws once its own retries of a broken connection are spent.
    const eventBridge = fakeEventBridge(
      inTurn(new AwsError('NetworkingError', 'socket hang up', { retryable: true }), { Entries: [{}, {}] }),
    );
    await publisher(eventBridge.client).publish(entries(2));
    expect(eventBridge.sent().map(indexes)).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it('gives up with BusUnavailableError when some entries keep failing', async () => {
    const eventBridge = fakeEventBridge((sent) => ({
      Entries: sent.map((e) =>
        (JSON.parse(e.Detail) as { i: number }).i === 1 ? { ErrorCode: 'InternalFailure' } : { EventId: 'ok' },
      ),
    }));
    await expect(publisher(eventBridge.client).publish(entries(3))).rejects.toThrow(BusUnavailableError);
    await expect(publisher(eventBridge.client).publish(entries(3))).rejects.toThrow(
      /1 of 3 events not accepted by the bus \(InternalFailure/,
    );
    expect(eventBridge.sent().slice(0, 3).map(indexes)).toEqual([[0, 1, 2], [1], [1]]);
  });

  it('makes the ingest handler answer 503, never 202, when the bus keeps refusing', async () => {
    const eventBridge = fakeEventBridge(inTurn({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] }));
    const result = await postSigned('stripe', compactFixture('stripe/invoice.paid.json'), {
      publisher: publisher(eventBridge.client),
    });
    expect(result.statusCode).toBe(503);
    expect(jsonBody(result).error).toMatch(/retry later/);
  });
});
