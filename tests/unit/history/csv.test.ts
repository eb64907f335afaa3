import { type CsvRecord, csvRecords, textLines } from '@flash/history';
import { describe, expect, it } from 'vitest';

async function* inChunks(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

const collect = async <T>(records: AsyncIterable<T>): Promise<T[]> => {
  const all: T[] = [];
  for await (const record of records) all.push(record);
  return all;
};

/** Every record, read whole and one character at a time: chunk boundaries must not matter. */
const records = async (text: string): Promise<CsvRecord[]> => {
  const whole = await collect(csvRecords(inChunks(text, text.length || 1)));
  expect(await collect(csvRecords(inChunks(text, 1)))).toEqual(whole);
  return whole;
};

describe('csvRecords (RFC 4180)', () => {
  it('reads plain records with LF, CRLF or CR line ends, numbering lines from 1', async () => {
    for (const end of ['\n', '\r\n', '\r']) {
      expect(await records(`a,b,c${end}1,2,3${end}`)).toEqual([
        { line: 1, fields: ['a', 'b', 'c'], text: 'a,b,c' },
        { line: 2, fields: ['1', '2', '3'], text: '1,2,3' },
      ]);
    }
  });

  it('reads quoted fields with commas, doubled quotes and line breaks; a record spanning lines keeps its first line', async () => {
    const text =
      'id,comment\r\nR1,"Fast, friendly"\r\nR2,"She said ""no"""\r\nR3,"two\r\nlines\nand three"\r\nR4,""\r\n';
    expect(await records(text)).toEqual([
      { line: 1, fields: ['id', 'comment'], text: 'id,comment' },
      { line: 2, fields: ['R1', 'Fast, friendly'], text: 'R1,"Fast, friendly"' },
      { line: 3, fields: ['R2', 'She said "no"'], text: 'R2,"She said ""no"""' },
      { line: 4, fields: ['R3', 'two\r\nlines\nand three'], text: 'R3,"two\r\nlines\nand three"' },
      { line: 7, fields: ['R4', ''], text: 'R4,""' },
    ]);
  });

  it('skips a byte order mark and blank lines, keeps empty fields, and reads a last record without a line end', async () => {
    expect(await records('\uFEFFa,b\n\n,\nx,\n\ny,z')).toEqual([
      { line: 1, fields: ['a', 'b'], text: 'a,b' },
      { line: 3, fields: ['', ''], text: ',' },
      { line: 4, fields: ['x', ''], text: 'x,' },
      { line: 6, fields: ['y', 'z'], text: 'y,z' },
    ]);
  });

  it('reports malformed quoting on the record instead of guessing', async () => {
    const found = await records('a,b\nab"c,1\n"x"y,2\nok,3\n"open,4\nstill open');
    expect(found.map(({ line, problem }) => [line, problem])).toEqual([
      [1, undefined],
      [2, 'a quote inside an unquoted field (quote the whole field and double the quote)'],
      [3, 'text after the closing quote of a field'],
      [4, undefined],
      [5, 'a quoted field is not closed before the end of the file'],
    ]);
  });

  it('refuses a record over the limit by its line without holding it, and goes on with the next', async () => {
    const found = await collect(csvRecords(inChunks(`a,b\n"${'x'.repeat(500)}",1\nc,d\n`, 64), 100));
    expect(found.map(({ line, problem, fields }) => [line, problem, fields.length])).toEqual([
      [1, undefined, 2],
      [2, 'the record is longer than 100 characters', 2],
      [3, undefined, 2],
    ]);
    expect(found[1]?.text).toHaveLength(100);
  });
});

describe('textLines (NDJSON)', () => {
  it('numbers lines from 1 across chunks, strips CR and a byte order mark, skips blank lines', async () => {
    const text = '\uFEFF{"a":1}\r\n\n  \n{"b":2}\n{"c":3}';
    for (const size of [1, 3, text.length]) {
      expect(await collect(textLines(inChunks(text, size)))).toEqual([
        { line: 1, text: '{"a":1}' },
        { line: 4, text: '{"b":2}' },
        { line: 5, text: '{"c":3}' },
      ]);
    }
  });

  it('refuses an over-long line by its number and reads on', async () => {
    const found = await collect(textLines(inChunks(`{"a":1}\n${'y'.repeat(1000)}\n{"b":2}\n`, 50), 100));
    expect(found.map(({ line, problem }) => [line, problem])).toEqual([
      [1, undefined],
      [2, 'the line is longer than 100 characters'],
      [3, undefined],
    ]);
  });
});
