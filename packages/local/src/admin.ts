import { bearerRefusal, type HttpEvent, type HttpResult, json, problem } from '@flash/app';
import type { LocalQueue } from './queue.js';

/**
 * `GET /local/dead-letters` lists each queue's dead letters with their reason; `POST /local/redrive[?queue=]`
 * moves them back onto their queue. Local only (on AWS: the DLQ and functions/redrive.ts); behind API_TOKEN
 * when it is set, because dead letters hold whole events.
 */
export const makeLocalAdminHandler =
  ({ queues, apiToken }: { queues: readonly LocalQueue[]; apiToken: string | undefined }) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const refused = bearerRefusal(event, { full: apiToken });
    if (refused) return refused;
    if (event.requestContext.http.method === 'GET') {
      return json(200, {
        queues: queues.map((q) => ({
          name: q.name,
          depth: q.depth,
          deadLetters: q.deadLetters.map(({ message, reason }) => ({
            messageId: message.messageId,
            reason,
            receiveCount: message.receiveCount,
            sentAt: new Date(message.sentAt).toISOString(),
            body: message.body,
          })),
        })),
      });
    }
    const only = event.queryStringParameters?.queue;
    const chosen = only ? queues.filter((q) => q.name === only) : queues;
    if (chosen.length === 0) return problem(400, `no queue "${only}"; queues: ${queues.map((q) => q.name).join(', ')}`);
    const redriven: Record<string, number> = {};
    for (const queue of chosen) redriven[queue.name] = await queue.redrive();
    return json(200, { redriven });
  };
