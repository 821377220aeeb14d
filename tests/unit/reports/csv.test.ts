import { toCsv } from '../../../server/domain/reports/csv';

describe('toCsv', () => {
  it('when values hold commas, quotes and line breaks, then they are quoted per RFC 4180 with CRLF lines', () => {
    const csv = toCsv(['name', 'n', 'at'], [{ name: 'Müller, "Max"\nHamburg', n: 3, at: new Date('2026-10-25T00:00:00Z') }, { name: null, n: 0, at: null }]);
    expect(csv).toBe('name,n,at\r\n"Müller, ""Max""\nHamburg",3,2026-10-25T00:00:00.000Z\r\n,0,\r\n');
  });

  it('when a text starts like a spreadsheet formula, then it is defused; negative numbers stay numbers', () => {
    expect(toCsv(['a', 'b'], [{ a: '=HYPERLINK("http://evil")', b: -5 }])).toBe('a,b\r\n"\'=HYPERLINK(""http://evil"")",-5\r\n');
    expect(toCsv(['a'], [{ a: '@cmd' }])).toBe("a\r\n'@cmd\r\n");
  });
});
