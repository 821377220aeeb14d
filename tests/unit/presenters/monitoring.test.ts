/** The monitoring pages' presenters: the query check (the marked spot) and bucket labels in the user's locale. */
import fc from 'fast-check';
import { translator } from '../../../server/i18n/translate';
import { bucketLabel } from '../../../server/presenters/monitoring.presenter';
import { queryCheckView } from '../../../server/presenters/queryCheck.presenter';

const de = translator('de');

describe('the query check', () => {
  it('when a query has an error, then the text is split around exactly the spot the parser names, and the reason counts from 1', () => {
    expect(queryCheckView('paket AND OR lieferung', de)).toEqual({
      state: 'error',
      message: 'An Stelle 11 wird ein Begriff erwartet, kein Operator.',
      position: 10,
      before: 'paket AND ',
      at: 'O',
      after: 'R lieferung',
    });
    expect(queryCheckView('(paket', de)).toMatchObject({ position: 0, before: '', at: '(', after: 'paket' });
    expect(queryCheckView('paket AND', de)).toMatchObject({ position: 9, before: 'paket AND', at: '', after: '' });
  });

  it('when any text is checked, then it is blank, understood, or an error whose parts put back together are the text', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60, unit: fc.constantFrom('a', 'b', ' ', '(', ')', '"', '#', '@', '*', ':', 'AND ', 'OR ', 'NOT ', 'NEAR/2 ', '😀', 'ü') }),
        (text) => {
          const view = queryCheckView(text, de);
          if (view.state === 'error') {
            expect(view.before + view.at + view.after).toBe(text);
            expect(view.before.length).toBe(Math.min(view.position, text.length));
          } else if (view.state === 'ok') {
            expect(queryCheckView(view.canonical, de)).toEqual(view); // the canonical form reads the same
          } else {
            expect(text.trim()).toBe('');
          }
        },
      ),
    );
  });
});

describe('bucket labels', () => {
  it('when buckets are shown, then days, hours and weeks read as dates in the user language, never shifted by a time zone', () => {
    expect(bucketLabel('2026-12-01', 'day', 'de', de)).toBe('01.12.2026');
    expect(bucketLabel('2026-12-01', 'day', 'en', translator('en'))).toBe('01/12/2026');
    expect(bucketLabel('2026-03-29T02:00', 'hour', 'de', de)).toBe('29.03., 02:00');
    expect(bucketLabel('2026-11-30', 'week', 'de', de)).toBe('Woche ab 30.11.2026');
    expect(bucketLabel('2026-11-30', 'week', 'en', translator('en'))).toBe('Week of 30/11/2026');
  });
});
