import { startDynamoDbLocal } from './dynamodb-local.js';
import { DynamoQueueStorage, LOCAL_QUEUES, type LocalQueueName } from './queue-storage.js';

const usage = `npm run redrive [-- --list] [-- --queue ${LOCAL_QUEUES.join('|')}]

Moves the local stack's dead letters back onto their queue, to be processed again (after a fix).
--list only shows them, with the reason each one failed.
Where: the running stack on STACK_URL (default http://127.0.0.1:$PORT, PORT 3000), else the queues kept in
DATA_DIR (with the stack stopped; they are processed at its next start).`;

const isQueue = (name: string): name is LocalQueueName => (LOCAL_QUEUES as readonly string[]).includes(name);

const option = (args: string[], name: string): string | undefined => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};

/** Through the running stack's /local routes; undefined when no stack answers. */
const viaStack = async (base: string, list: boolean, queue: string | undefined, token: string | undefined) => {
  const url = list ? `${base}/local/dead-letters` : `${base}/local/redrive${queue ? `?queue=${queue}` : ''}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: list ? 'GET' : 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    return undefined;
  }
  const body: unknown = await response.json();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
};

/** Straight on the stored queues, with the stack stopped. */
const viaDataDir = async (dataDir: string, list: boolean, queue: LocalQueueName | undefined) => {
  const dynamo = await startDynamoDbLocal({ dataDir });
  try {
    const out: Record<string, unknown> = {};
    for (const name of queue ? [queue] : LOCAL_QUEUES) {
      const storage = new DynamoQueueStorage(dynamo.client, name);
      const { deadLetters } = await storage.load();
      if (list) {
        out[name] = deadLetters.map(({ message, reason }) => ({ messageId: message.messageId, reason }));
      } else {
        await storage.redrive(deadLetters);
        out[name] = deadLetters.length;
      }
    }
    return list ? { queues: out } : { redriven: out };
  } finally {
    await dynamo.stop();
  }
};

const main = async () => {
  const args = process.argv.slice(2);
  if (args.includes('--help')) return console.log(usage);
  const env = process.env;
  const list = args.includes('--list');
  const named = option(args, '--queue');
  if (named !== undefined && !isQueue(named))
    throw new Error(`no queue "${named}"; queues: ${LOCAL_QUEUES.join(', ')}`);
  const queue = named;
  const base = env.STACK_URL ?? `http://127.0.0.1:${env.PORT || 3000}`;
  const result =
    (await viaStack(base, list, queue, env.API_TOKEN || undefined)) ??
    (env.DATA_DIR ? await viaDataDir(env.DATA_DIR, list, queue) : undefined);
  if (result === undefined) {
    console.error(`No stack answers on ${base} and DATA_DIR is not set.\n\n${usage}`);
    process.exit(2);
  }
  console.log(JSON.stringify(result, null, 2));
};

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
