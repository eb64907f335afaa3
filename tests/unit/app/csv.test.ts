import { csvCell, toCsv } from '@flash/app';
import { describe, expect, it } from 'vitest';

describe('CSV', () => {
  it('quotes as RFC 4180 says: commas, quotes and line breaks in double quotes, quotes doubled, CRLF rows', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          ['line\nbreak', 'plain'],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",plain\r\n');
  });

  it('writes numbers as numbers and null as an empty cell', () => {
    expect(toCsv(['n', 'm', 'z'], [[-20.5, null, 0]])).toBe('n,m,z\r\n-20.5,,0\r\n');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    for (const formula of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\tx', '\rx'])
      expect(csvCell(formula).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('2026-11')).toBe('2026-11');
  });
});
