import { Logger } from '@aws-lambda-powertools/logger';
import { makeAggregateHandler } from '@flash/app';
import { MemoryStore } from '@flash/core';
import type { SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { postSigned } from '../connectors/helpers.js';

const EMAIL = 'jane.doe@example.com';
const COMMENT = 'my manager Bob is useless';

/** Everything the handlers write at INFO and above, as Lambda would ship it. */
const captureLogs = () => {
  const lines: string[] = [];
  for (const stream of [process.stdout, process.stderr])
    vi.spyOn(stream, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
  for (const method of ['log', 'info', 'warn', 'error'] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  return lines;
};

describe('logs carry no personal data', () => {
  afterEach(() => vi.restoreAllMocks());

  it('refuses a body that is almost JSON without quoting it, in the answer or the log', async () => {
    const logs = captureLogs();
    const body = `{"events":[{"type":"survey_response","email":"${EMAIL}","comment":"${COMMENT}",}]}`;
    const result = await postSigned('generic', body);
    expect(result.statusCode).toBe(400);
    expect(`${result.body} ${logs.join('')}`).not.toMatch(/jane|useless/);
  });

  it('dead-letters an unreadable record with a reason that does not quote it', async () => {
    const logs = captureLogs();
    const parked: string[] = [];
    const handler = makeAggregateHandler({
      store: new MemoryStore(),
      ctx: { timeZone: 'UTC', baseCurrency: 'EUR' },
      now: () => new Date(),
      logger: new Logger({ serviceName: 'privacy', logLevel: 'INFO' }),
      deadLetters: { deadLetter: async (_, reason) => void parked.push(reason) },
    });
    const body = `{"detail":{"email":"${EMAIL}","comment":"${COMMENT}"`;
    await handler({ Records: [{ messageId: 'm1', body, attributes: {} } as SQSRecord] });
    expect(parked).toEqual(['not a canonical event: body is not JSON']);
    expect(logs.join('')).toContain('poison record');
    expect(logs.join('')).not.toMatch(/jane|useless/);
  });
});
