/**
 * A small streaming CSV reader (RFC 4180): fields separated by commas, records by CRLF, LF or CR; a field in
 * double quotes may hold commas, line breaks and doubled quotes (`"say ""hi"""`). A byte order mark at the
 * start is skipped. It reads chunk by chunk and holds one record at a time, so a file of any length streams.
 *
 * Deviations from strict RFC 4180 are reported on the record, not guessed at: a quote inside an unquoted field,
 * text after a closing quote, a quoted field left open at the end of the file, and a record longer than
 * `maxRecordChars` (its text is then cut, its fields dropped).
 */
export interface CsvRecord {
  /** The line the record starts on, counting from 1 (a quoted line break makes a record span lines). */
  line: number;
  fields: string[];
  /** The record as it stood in the file, without its line break. */
  text: string;
  /** Why the record is not well-formed CSV, when it is not. */
  problem?: string;
}

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted';

export async function* csvRecords(
  chunks: AsyncIterable<string>,
  maxRecordChars = 1024 * 1024,
): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  let text = '';
  let state: State = 'fieldStart';
  let line = 1;
  let recordLine = 1;
  let problem: string | undefined;
  let skipLineFeed = false;
  let first = true;

  const fail = (reason: string) => {
    problem ??= reason;
  };
  const endField = () => {
    fields.push(field);
    field = '';
    state = 'fieldStart';
  };
  const endRecord = (): CsvRecord | undefined => {
    endField();
    const blank = fields.length === 1 && text === '';
    const record =
      problem === undefined ? { line: recordLine, fields, text } : { line: recordLine, fields, text, problem };
    fields = [];
    text = '';
    problem = undefined;
    recordLine = line;
    return blank ? undefined : record;
  };

  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (first) {
        first = false;
        if (c === '\uFEFF') continue;
      }
      if (skipLineFeed) {
        skipLineFeed = false;
        if (c === '\n') continue;
      }
      const lineBreak = c === '\n' || c === '\r';
      if (lineBreak && state !== 'quoted') {
        line++;
        skipLineFeed = c === '\r';
        const record = endRecord();
        if (record) yield record;
        continue;
      }
      if (c === '\n') line++;
      // Past the limit the record is still read to its end, without holding it, and refused by its line.
      const over = text.length >= maxRecordChars;
      if (over) fail(`the record is longer than ${maxRecordChars} characters`);
      else text += c;
      switch (state) {
        case 'fieldStart':
          if (c === '"') state = 'quoted';
          else if (c === ',') endField();
          else {
            if (!over) field += c;
            state = 'unquoted';
          }
          break;
        case 'unquoted':
          if (c === ',') endField();
          else {
            if (c === '"') fail('a quote inside an unquoted field (quote the whole field and double the quote)');
            if (!over) field += c;
          }
          break;
        case 'quoted':
          if (c === '"') state = 'quoteInQuoted';
          else if (!over) field += c;
          break;
        case 'quoteInQuoted':
          if (c === '"') {
            if (!over) field += '"';
            state = 'quoted';
          } else if (c === ',') endField();
          else {
            fail('text after the closing quote of a field');
            if (!over) field += c;
            state = 'unquoted';
          }
          break;
      }
    }
  }
  if (state === 'quoted') fail('a quoted field is not closed before the end of the file');
  if (state !== 'fieldStart' || fields.length > 0 || text !== '') {
    const record = endRecord();
    if (record) yield record;
  }
}
