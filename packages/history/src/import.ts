import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { checkEventForBus, MAX_BODY_BYTES, MAX_CANONICAL_EVENTS_PER_REQUEST } from '@flash/app';
import {
  GENERIC_TYPES,
  type GenericContext,
  type GenericType,
  genericEvent,
  genericFields,
  isGenericType,
} from '@flash/connectors';
import { type CanonicalEvent, CoreError } from '@flash/core';
import { csvRecords } from './csv.js';
import type { EventSink } from './sink.js';

/**
 * `npm run import`: canonical events from a file (contract section 6), each line validated by the generic
 * source exactly as a webhook's event is, then delivered through an EventSink (`POST /v1/events`) in
 * requests of up to MAX_CANONICAL_EVENTS_PER_REQUEST. The file is streamed: one request's worth of events is
 * held at a time, whatever the file's length.
 */

export type ImportFormat = 'ndjson' | 'csv';

/** One line (NDJSON) or record (CSV) of the file that cannot be imported, and why. */
export interface RejectedLine {
  /** Counting from 1; a CSV file's header is line 1. */
  line: number;
  reason: string;
  /** The line as it stands in the file (for CSV the whole record). */
  text: string;
}

export interface ImportProgress {
  phase: 'check' | 'import';
  /** Lines (records) read so far in this phase, blank lines not counted. */
  lines: number;
  imported: number;
  rejected: number;
  bytesRead: number;
  fileBytes: number;
}

export interface ImportSummary {
  file: string;
  format: ImportFormat;
  /** Lines (records) of events read, blank lines and a CSV header not counted. */
  lines: number;
  imported: number;
  rejected: number;
  seconds: number;
  /** Events accepted by the pipeline per second of the whole run (the check included). */
  eventsPerSecond: number;
  /** With skipInvalid: where the rejected lines were written. */
  rejectsFile?: string;
}

export interface ImportOptions {
  file: string;
  sink: EventSink;
  /** The pipeline's BASE_CURRENCY: the currency of an amount whose event names none. */
  baseCurrency: string;
  /** Import the valid lines and write the rejected ones to `rejectsFile`, instead of importing nothing. */
  skipInvalid?: boolean;
  /** Default: the input's name with `.rejects.ndjson` appended, beside it. */
  rejectsFile?: string;
  /** The entity type of a CSV file that has no `type` column. */
  type?: string;
  /** Default: by extension (.ndjson, .jsonl, .json; .csv), else by the first character. */
  format?: ImportFormat;
  /** Each bad line, as it is found (the CLI prints them). */
  onReject?: (rejected: RejectedLine) => void;
  onProgress?: (progress: ImportProgress) => void;
  now?: () => Date;
  /** Events per EventSink call; the sink cuts its requests by size below this. */
  batchSize?: number;
}

/** The file cannot be imported as a whole (a bad header, or bad lines without skipInvalid); nothing was sent. */
export class ImportRefusedError extends Error {
  constructor(
    message: string,
    readonly summary?: ImportSummary,
  ) {
    super(message);
  }
}

/** The pipeline did not accept a request; `imported` events before it were delivered and stay. */
export class ImportDeliveryError extends Error {
  constructor(
    message: string,
    readonly imported: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A line is at most what one request may carry: longer lines are refused by number, never held whole. */
const MAX_LINE_CHARS = MAX_BODY_BYTES;

export const defaultRejectsFile = (file: string): string => `${file}.rejects.ndjson`;

/** The format by extension, else by the first character that is not a byte order mark or white space. */
export const detectFormat = async (file: string): Promise<ImportFormat> => {
  const extension = extname(file).toLowerCase();
  if (['.ndjson', '.jsonl', '.json'].includes(extension)) return 'ndjson';
  if (extension === '.csv') return 'csv';
  const handle = await open(file);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    return head.startsWith('{') ? 'ndjson' : 'csv';
  } finally {
    await handle.close();
  }
};

interface Reader {
  chunks: AsyncIterable<string>;
  bytesRead: () => number;
}

const readFile = (file: string): Reader => {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  return { chunks: stream, bytesRead: () => stream.bytesRead };
};

interface Line {
  line: number;
  text: string;
  problem?: string;
}

/** The file's lines, LF or CRLF, numbered from 1; blank lines are skipped, over-long ones reported. */
export async function* textLines(chunks: AsyncIterable<string>, maxChars = MAX_LINE_CHARS): AsyncGenerator<Line> {
  let pending = '';
  let tooLong = false;
  let line = 0;
  const finish = (text: string): Line | undefined => {
    line++;
    const long = tooLong;
    tooLong = false;
    if (long) return { line, text: text.slice(0, 200), problem: `the line is longer than ${maxChars} characters` };
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    return trimmed.trim() === '' ? undefined : { line, text: trimmed };
  };
  let first = true;
  for await (let chunk of chunks) {
    if (first) {
      first = false;
      if (chunk.startsWith('\uFEFF')) chunk = chunk.slice(1);
    }
    let start = 0;
    for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
      const result = finish(pending + chunk.slice(start, end));
      pending = '';
      start = end + 1;
      if (result) yield result;
    }
    pending += chunk.slice(start);
    if (pending.length > maxChars) {
      tooLong = true;
      pending = pending.slice(0, 200);
    }
  }
  if (pending !== '' || tooLong) {
    const result = finish(pending);
    if (result) yield result;
  }
}

/** What reading one line gave: its canonical event, or why it has none. */
type Entry = { line: number; text: string } & ({ event: CanonicalEvent } | { reason: string });

/** Validates one generic event as the webhook does, then the gate in front of the bus; a reason if either refuses. */
const toEntry = (line: number, text: string, build: () => CanonicalEvent): Entry => {
  try {
    return { line, text, event: checkEventForBus(build()) };
  } catch (error) {
    if (error instanceof CoreError) return { line, text, reason: error.message };
    throw error;
  }
};

const describeJsonValue = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;

async function* ndjsonEntries(chunks: AsyncIterable<string>, ctx: (line: number) => GenericContext) {
  for await (const { line, text, problem } of textLines(chunks)) {
    if (problem) {
      yield { line, text, reason: problem } satisfies Entry;
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const position = /position (\d+)/.exec((error as Error).message)?.[1];
      yield { line, text, reason: `not valid JSON${position ? ` (at position ${position})` : ''}` } satisfies Entry;
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line, text, reason: `expected a JSON object (one generic event), got ${describeJsonValue(value)}` };
      continue;
    }
    yield toEntry(line, text, () => genericEvent(value, ctx(line)));
  }
}

/** A CSV file whose header cannot be read as generic events: the whole file is refused. */
const headerProblem = (columns: readonly string[], type: GenericType | undefined): string | undefined => {
  const empty = columns.indexOf('');
  if (empty !== -1) return `column ${empty + 1} of the header has no name`;
  const duplicates = [...new Set(columns.filter((c, i) => columns.indexOf(c) !== i))];
  if (duplicates.length > 0) return `the header names ${duplicates.join(', ')} more than once`;
  if (!type && !columns.includes('type'))
    return `the header has no type column: name the entity type with --type (${GENERIC_TYPES.join(', ')})`;
  const known = (column: string) =>
    column === 'type' ||
    (type ? genericFields()[type].has(column) : GENERIC_TYPES.some((t) => genericFields()[t].has(column)));
  const unknown = columns.filter((c) => !known(c));
  if (unknown.length > 0)
    return `the header names ${unknown.length === 1 ? 'a column' : 'columns'} ${unknown.join(', ')} that ${
      type
        ? `${type} does not have (its fields: ${[...genericFields()[type].keys()].join(', ')})`
        : 'no generic type has'
    }`;
  return undefined;
};

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * One CSV record as the generic event it spells: each cell converted to the JSON kind its field has in the
 * generic schema (a number, `true`/`false`, or text as written); an empty cell is a field left out, which the
 * schema reads as null where the field is optional, `false` for `internal` and `deleted`, and an error where
 * the field is required.
 */
export const csvEvent = (
  columns: readonly string[],
  cells: readonly string[],
  fileType: GenericType | undefined,
): Record<string, unknown> => {
  if (cells.length !== columns.length)
    throw new CsvRecordError(`${cells.length} fields where the header has ${columns.length}`);
  const raw: Record<string, string> = {};
  columns.forEach((column, i) => {
    if (cells[i] !== '') raw[column] = cells[i] as string;
  });
  const type = raw.type ?? fileType;
  if (type === undefined) throw new CsvRecordError(`type: empty; expected one of ${GENERIC_TYPES.join(', ')}`);
  if (fileType && type !== fileType) throw new CsvRecordError(`type: "${type}" in a file of ${fileType} (--type)`);
  // genericEvent names an unknown type with the types it takes.
  if (!isGenericType(type)) return { ...raw, type };
  const fields = genericFields()[type];
  const event: Record<string, unknown> = { type };
  for (const [column, cell] of Object.entries(raw)) {
    if (column === 'type') continue;
    const kind = fields.get(column);
    if (kind === undefined) throw new CsvRecordError(`${column}: ${type} has no such field (leave the cell empty)`);
    if (kind === 'number') {
      if (!NUMBER.test(cell.trim()))
        throw new CsvRecordError(`${column}: expected a number, got ${JSON.stringify(cell)}`);
      event[column] = Number(cell);
    } else if (kind === 'boolean') {
      const flag = cell.trim().toLowerCase();
      if (flag !== 'true' && flag !== 'false')
        throw new CsvRecordError(`${column}: expected true or false, got ${JSON.stringify(cell)}`);
      event[column] = flag === 'true';
    } else event[column] = cell;
  }
  return event;
};

/** A CSV record that does not spell a generic event. */
export class CsvRecordError extends CoreError {}

async function* csvEntries(
  chunks: AsyncIterable<string>,
  ctx: (line: number) => GenericContext,
  type: GenericType | undefined,
) {
  let columns: string[] | undefined;
  for await (const { line, fields, text, problem } of csvRecords(chunks, MAX_LINE_CHARS)) {
    if (!columns) {
      if (problem) throw new ImportRefusedError(`line ${line} (the header): ${problem}`);
      columns = fields.map((c) => c.trim());
      const refused = headerProblem(columns, type);
      if (refused) throw new ImportRefusedError(`line ${line} (the header): ${refused}`);
      continue;
    }
    if (problem) {
      yield { line, text, reason: problem } satisfies Entry;
      continue;
    }
    const header = columns;
    yield toEntry(line, text, () => genericEvent(csvEvent(header, fields, type), ctx(line)));
  }
  if (!columns) throw new ImportRefusedError('the file is empty: a CSV file starts with a header of field names');
}

/** The entries of the whole file, in order, read as a stream. */
const fileEntries = (
  reader: Reader,
  format: ImportFormat,
  type: GenericType | undefined,
  ctx: (line: number) => GenericContext,
): AsyncGenerator<Entry> =>
  format === 'csv' ? csvEntries(reader.chunks, ctx, type) : ndjsonEntries(reader.chunks, ctx);

const writeLine = async (stream: WriteStream, text: string) => {
  if (!stream.write(`${text}\n`)) await once(stream, 'drain');
};

/**
 * Imports a file. By default the whole file is checked first and nothing is delivered unless every line is
 * valid (ImportRefusedError, each bad line passed to onReject); with skipInvalid the valid lines are
 * delivered as they are read and the rejected ones written to the rejects file. Delivery failures propagate
 * from the sink; what was delivered before stays, and running the import again changes nothing for it
 * (each event carries its version).
 */
export const importFile = async (options: ImportOptions): Promise<ImportSummary> => {
  const { file, sink, skipInvalid = false } = options;
  const now = options.now ?? (() => new Date());
  const batchSize = Math.min(options.batchSize ?? MAX_CANONICAL_EVENTS_PER_REQUEST, MAX_CANONICAL_EVENTS_PER_REQUEST);
  if (options.type !== undefined && !isGenericType(options.type))
    throw new ImportRefusedError(`--type ${options.type}: expected one of ${GENERIC_TYPES.join(', ')}`);
  const type = options.type;
  const format = options.format ?? (await detectFormat(file));
  const fileBytes = (await stat(file)).size;
  const started = now();
  // One delivery id per run and line, so the pipeline's logs lead back to the line.
  const run = `import-${started.toISOString()}`;
  const ctx = (line: number): GenericContext => ({
    receivedAt: started,
    deliveryId: `${run}:${line}`,
    baseCurrency: options.baseCurrency,
  });
  const summary = (lines: number, imported: number, rejected: number, rejectsFile?: string): ImportSummary => {
    const seconds = Math.max((now().getTime() - started.getTime()) / 1000, 0.001);
    return {
      file,
      format,
      lines,
      imported,
      rejected,
      seconds: Number(seconds.toFixed(3)),
      eventsPerSecond: Math.round(imported / seconds),
      ...(rejectsFile ? { rejectsFile } : {}),
    };
  };

  const pass = async (phase: ImportProgress['phase'], onEntry: (entry: Entry) => Promise<void>) => {
    const reader = readFile(file);
    let lines = 0;
    for await (const entry of fileEntries(reader, format, type, ctx)) {
      lines++;
      await onEntry(entry);
      if (lines % 10_000 === 0) progress(phase, lines, reader);
    }
    progress(phase, lines, reader);
    return lines;
  };
  let imported = 0;
  let rejected = 0;
  const progress = (phase: ImportProgress['phase'], lines: number, reader: Reader) =>
    options.onProgress?.({ phase, lines, imported, rejected, bytesRead: reader.bytesRead(), fileBytes });

  let batch: CanonicalEvent[] = [];
  let batchLines = { first: 0, last: 0 };
  const flush = async () => {
    if (batch.length === 0) return;
    try {
      await sink.deliver(batch);
    } catch (error) {
      throw new ImportDeliveryError(
        `lines ${batchLines.first}-${batchLines.last} were not delivered (${imported} events before them were): ${(error as Error).message}`,
        imported,
        { cause: error },
      );
    }
    imported += batch.length;
    batch = [];
  };
  const deliverEntry = async (entry: Entry) => {
    if (!('event' in entry)) return;
    if (batch.length === 0) batchLines = { first: entry.line, last: entry.line };
    batchLines.last = entry.line;
    batch.push(entry.event);
    if (batch.length >= batchSize) await flush();
  };

  if (!skipInvalid) {
    const lines = await pass('check', async (entry) => {
      if ('reason' in entry) {
        rejected++;
        options.onReject?.({ line: entry.line, reason: entry.reason, text: entry.text });
      }
    });
    if (rejected > 0)
      throw new ImportRefusedError(
        `${rejected} of ${lines} lines are invalid; nothing was imported (correct them, or import the valid lines with --skip-invalid)`,
        summary(lines, 0, rejected),
      );
    const delivered = await pass('import', async (entry) => {
      if ('reason' in entry)
        throw new Error(`line ${entry.line} became invalid during the import (was the file changed?): ${entry.reason}`);
      await deliverEntry(entry);
    });
    await flush();
    return summary(delivered, imported, 0);
  }

  const rejectsFile = options.rejectsFile ?? defaultRejectsFile(file);
  const rejects = createWriteStream(rejectsFile);
  await once(rejects, 'open');
  try {
    const lines = await pass('import', async (entry) => {
      if ('reason' in entry) {
        rejected++;
        const line = { line: entry.line, reason: entry.reason, text: entry.text };
        options.onReject?.(line);
        await writeLine(rejects, JSON.stringify(line));
      } else await deliverEntry(entry);
    });
    await flush();
    return summary(lines, imported, rejected, rejectsFile);
  } finally {
    rejects.end();
    await once(rejects, 'close');
  }
};
