/** The one CSV writer of every export (audit trail and reports). */
import fc from 'fast-check';
import { auditCsvHeader } from '../../server/domain/audit/auditCsv';
import { csvCell, csvLine, toCsv } from '../../server/domain/csv';

describe('toCsv', () => {
  it('when a file is written, then it starts with a UTF-8 byte-order mark and the header, lines end in CRLF', () => {
    expect(toCsv(['a', 'b'], [{ a: 'x', b: 1 }])).toBe('\uFEFFa,b\r\nx,1\r\n');
    expect(auditCsvHeader().startsWith('\uFEFFseq,occurred_at,')).toBe(true);
  });

  it('when values hold commas, quotes and line breaks, then they are quoted per RFC 4180', () => {
    const csv = toCsv(
      ['name', 'n', 'at'],
      [
        { name: 'Müller, "Max"\nHamburg', n: 3, at: new Date('2026-10-25T00:00:00Z') },
        { name: null, n: 0, at: null },
      ],
    );
    expect(csv).toBe('\uFEFFname,n,at\r\n"Müller, ""Max""\nHamburg",3,2026-10-25T00:00:00.000Z\r\n,0,\r\n');
  });

  it.each(['=1+1', '+49 30 1234', '-2+3', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://evil")'])(
    'when a text cell is %j, then it gets a leading apostrophe so a spreadsheet shows it as text',
    (text) => {
      const cell = csvCell(text);
      expect(cell.replace(/^"|"$/g, '').startsWith(`'${text[0]}`)).toBe(true);
    },
  );

  it('when a cell is a number, a boolean, a date or an object, then numbers stay numbers (also negative), dates are ISO, objects JSON', () => {
    expect(csvLine([-5, 2.5, true, 10n, new Date('2026-01-02T03:04:05Z'), { a: 1 }, undefined])).toBe(
      '-5,2.5,true,10,2026-01-02T03:04:05.000Z,"{""a"":1}",\r\n',
    );
  });

  it('when any text is written and read back by an RFC 4180 reader, then it is the text (with the apostrophe for formula starts)', () => {
    const parse = (line: string) => {
      const m = /^"((?:[^"]|"")*)"$/.exec(line);
      return m ? m[1]!.replace(/""/g, '"') : line;
    };
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const back = parse(csvCell(text));
        expect(back).toBe(/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
      }),
      { numRuns: 500, seed: 13 },
    );
  });
});
