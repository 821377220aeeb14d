/** The customer's case status page: the status in plain words, reply authors by first name, the signed link. */
import { caseLinkSigner, caseStatusLink, verifyCaseLink } from '../../../server/domain/caseStatus/caseLink';
import { normaliseCaseNumber, normaliseEmail } from '../../../server/domain/caseStatus/lookupCase';
import { customerStatus, replyAuthor } from '../../../server/domain/caseStatus/statusWording';
import { translator } from '../../../server/i18n/translate';

const de = translator('de');
const en = translator('en');
const read = (t: typeof de, s: ReturnType<typeof customerStatus>) => t(s.key, s.vars);

describe('customerStatus', () => {
  it.each([
    ['new', 'Eingegangen', 'Received'],
    ['assigned', 'In Bearbeitung', 'In progress'],
    ['saved', 'In Bearbeitung', 'In progress'],
    ['answered', 'Beantwortet – wir warten auf Ihre Antwort', 'Answered – we are waiting for your reply'],
    ['closed', 'Erledigt', 'Resolved'],
  ] as const)('when the case is %s, then the customer reads "%s" (English: "%s")', (status, german, english) => {
    expect(read(de, customerStatus(status, []))).toBe(german);
    expect(read(en, customerStatus(status, []))).toBe(english);
  });

  it('when a case in progress has steps, then the customer reads which step it is on', () => {
    expect(read(de, customerStatus('assigned', [{ state: 'done' }, { state: 'open' }]))).toBe('In Bearbeitung — Schritt 2 von 2');
  });
});

describe('replyAuthor', () => {
  it('when an agent replied, then only their first name is shown; without a person, the channel name', () => {
    expect(replyAuthor('Lena Vogt', 'Webshop')).toBe('Lena');
    expect(replyAuthor(null, 'Webshop')).toBe('Webshop');
    expect(replyAuthor('  ', 'Webshop')).toBe('Webshop');
  });
});

describe('the signed case link', () => {
  const signer = caseLinkSigner('k'.repeat(32));

  it('when the link is made, then it verifies for its case and for no other', () => {
    const link = new URL(caseStatusLink('https://care.example/', signer, '1042'));
    expect(link.pathname).toBe('/case/1042');
    const sig = link.searchParams.get('sig')!;
    expect(verifyCaseLink(signer, '1042', sig)).toBe(true);
    expect(verifyCaseLink(signer, '1043', sig)).toBe(false);
    expect(verifyCaseLink(caseLinkSigner('x'.repeat(32)), '1042', sig)).toBe(false);
    expect(verifyCaseLink(signer, '1042', sig.toUpperCase())).toBe(false);
  });

  it('when the case number is not a number, then no link is made', () => {
    expect(() => caseStatusLink('https://care.example', signer, '12a')).toThrow();
  });
});

describe('normaliseCaseNumber', () => {
  it.each([
    ['1042', '1042'],
    [' #1042 ', '1042'],
    ['0', null],
    ['10 42', null],
    ['1'.repeat(19), null],
  ])('when the customer types %j, then the number is %j', (typed, number) => {
    expect(normaliseCaseNumber(typed)).toBe(number);
  });
});

describe('normaliseEmail', () => {
  it('when the customer types the address with spaces and capitals, then it is the same address (and the same attempt counter)', () => {
    expect(normaliseEmail(' Erika@Kundin.Example ')).toBe('erika@kundin.example');
  });
});
