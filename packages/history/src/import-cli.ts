import { parseArgs } from 'node:util';
import {
  ImportDeliveryError,
  type ImportProgress,
  ImportRefusedError,
  type ImportSummary,
  importFile,
} from './import.js';
import { httpSink } from './sink.js';

const usage = `npm run import -- [--target URL] [--skip-invalid] [--rejects FILE] [--type ENTITY] FILE

Imports canonical events from FILE into the pipeline at --target (default http://localhost:$PORT, PORT
defaulting to 3000), with API_TOKEN as its bearer token when set.

  FILE            NDJSON (one generic event a line) or CSV (a header of generic field names, one record per
                  event). .ndjson/.jsonl/.json and .csv by extension; otherwise NDJSON when the file starts
                  with "{", else CSV.
  --type ENTITY   the entity type of a CSV file without a type column (customer, project, invoice, cost,
                  deal, survey_response)
  --skip-invalid  import the valid lines and write the rejected ones to the rejects file; by default the
                  whole file is checked first and nothing is imported if any line is bad
  --rejects FILE  where --skip-invalid writes the rejected lines (default FILE.rejects.ndjson)

Amounts without a currency are in the pipeline's BASE_CURRENCY, which the import asks the target for.
Running an import twice changes no figure: each event carries its version.`;

const number = (n: number) => n.toLocaleString('en-US');

/** The target's BASE_CURRENCY (what GET /v1/metrics reports in); also checks the target and token up front. */
const targetCurrency = async (target: string, token: string | undefined): Promise<string> => {
  const url = new URL('/v1/metrics', target);
  let response: Response;
  try {
    response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (error) {
    throw new Error(`cannot reach the pipeline at ${target} (${(error as Error).message}); is it running?`);
  }
  const body = (await response.json().catch(() => ({}))) as { currency?: unknown; error?: unknown };
  if (response.status !== 200 || typeof body.currency !== 'string')
    throw new Error(
      `GET ${url} answered ${response.status}${typeof body.error === 'string' ? `: ${body.error}` : ''}${response.status === 401 || response.status === 403 ? ' (set API_TOKEN to the pipeline’s token)' : ''}`,
    );
  return body.currency;
};

const options = {
  target: { type: 'string' },
  'skip-invalid': { type: 'boolean', default: false },
  rejects: { type: 'string' },
  type: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

const main = async (): Promise<number> => {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ options, allowPositionals: true });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    console.error(`${file ? 'one FILE at a time' : 'FILE is missing'}\n\n${usage}`);
    return 2;
  }
  const target = values.target ?? `http://localhost:${process.env.PORT || 3000}`;
  const token = process.env.API_TOKEN || undefined;
  const baseCurrency = await targetCurrency(target, token);

  let lastProgress = 0;
  const onProgress = (p: ImportProgress) => {
    if (Date.now() - lastProgress < 1000) return;
    lastProgress = Date.now();
    const percent = p.fileBytes > 0 ? Math.floor((100 * p.bytesRead) / p.fileBytes) : 100;
    console.error(
      `${p.phase === 'check' ? 'checking' : 'importing'}: ${number(p.lines)} lines read (${percent}%), ${number(p.imported)} imported, ${number(p.rejected)} rejected`,
    );
  };
  const report = (s: ImportSummary) =>
    `${s.file} (${s.format}): ${number(s.lines)} lines read, ${number(s.imported)} imported, ${number(s.rejected)} rejected, ${s.seconds} s, ${number(s.eventsPerSecond)} events/s`;

  try {
    const summary = await importFile({
      file,
      sink: httpSink({ target, token }),
      baseCurrency,
      skipInvalid: values['skip-invalid'],
      rejectsFile: values.rejects,
      type: values.type,
      onReject: ({ line, reason }) => console.error(`line ${line}: ${reason}`),
      onProgress,
    });
    console.log(report(summary));
    if (summary.rejectsFile) console.log(`rejected lines, with their reasons: ${summary.rejectsFile}`);
    return 0;
  } catch (error) {
    if (error instanceof ImportRefusedError) {
      if (error.summary) console.error(report(error.summary));
      console.error(`import refused: ${error.message}`);
      return 1;
    }
    if (error instanceof ImportDeliveryError) {
      console.error(
        `import failed: ${error.message}\nThe ${number(error.imported)} events delivered stay; running the import again is safe (versions).`,
      );
      return 1;
    }
    throw error;
  }
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`import failed: ${error.message}`);
    process.exitCode = 1;
  },
);
