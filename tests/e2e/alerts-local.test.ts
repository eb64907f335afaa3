import { createServer, type Server } from 'node:http';
import { type LocalStack, startLocalStack } from '@flash/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, listenLocally } from '../support/http.js';
import { postGeneric } from '../support/webhooks.js';

/** A Slack-compatible incoming webhook that answers 500 to its first `failures` posts. */
const fakeSlack = async (failures: number) => {
  const posts: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      posts.push((JSON.parse(body) as { text: string }).text);
      response.statusCode = posts.length <= failures ? 500 : 200;
      response.end();
    });
  });
  const { url, stop } = await listenLocally(server);
  return { url: `${url}/services/T1`, posts, stop };
};

const response = (version: number, score: number, comment: string | null = null) => ({
  type: 'survey_response',
  id: 'R1',
  version,
  customerId: 'C1',
  score,
  submittedAt: '2026-11-20T08:00:00Z',
  comment,
});

describe('detractor alerts on npm start', () => {
  let stack: LocalStack;
  let slack: Awaited<ReturnType<typeof fakeSlack>>;
  beforeAll(async () => {
    slack = await fakeSlack(2);
    stack = await startLocalStack({
      env: { WEBHOOK_SECRET_GENERIC: 'generic_test_secret', ALERT_WEBHOOK_URL: slack.url },
      port: 0,
      logLevel: 'SILENT',
      readCacheMs: 0,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await slack?.stop();
  });

  const alerts = async () =>
    (await getJson<{ alerts: { responseId: string; score: number }[] }>(`${stack.url}/v1/alerts`)).body.alerts;

  it('raises no alert for a late detractor version, one when the applied state becomes a detractor, posted once past a Slack outage', async () => {
    expect((await postGeneric(stack.url, [response(2, 9)])).status).toBe(202);
    await stack.settled();
    expect((await postGeneric(stack.url, [response(1, 3)])).status).toBe(202);
    await stack.settled();
    expect(await alerts()).toEqual([]);

    expect(
      (await postGeneric(stack.url, [response(3, 2, '<!channel> <https://evil.example|Reset your password>')])).status,
    ).toBe(202);
    await stack.settled();
    expect(await alerts()).toEqual([expect.objectContaining({ responseId: 'R1', score: 2 })]);
    // Two failed posts retried on the Slack queue alone, then one that went through, escaped.
    expect(slack.posts).toHaveLength(3);
    expect(slack.posts[2]).toContain('"&lt;!channel&gt; &lt;https://evil.example|Reset your password&gt;"');
    expect(stack.bus.recent.filter((e) => e['detail-type'] === 'Detractor Detected')).toHaveLength(1);
    expect([stack.alertQueue, stack.slackQueue].map((q) => q.deadLetters.length)).toEqual([0, 0]);
  });
});
