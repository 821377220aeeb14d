/** Search hits become <mark> around escaped text, never markup from the text itself. */
import fc from 'fast-check';
import { HIT_END, HIT_START } from '../../../server/db/repositories/conversations.repo';
import { headlineParts, hitHtml, termParts } from '../../../server/presenters/searchHit.presenter';

describe('search hits', () => {
  it('when ts_headline marked hits, then they become the hit parts', () => {
    expect(headlineParts(`my ${HIT_START}orders${HIT_END} vanished`)).toEqual([
      { text: 'my ', hit: false },
      { text: 'orders', hit: true },
      { text: ' vanished', hit: false },
    ]);
  });

  it('when a name contains the term in another case, then each occurrence is marked', () => {
    expect(termParts('Erika Mustermann-Muster', 'muster')).toEqual([
      { text: 'Erika ', hit: false },
      { text: 'Muster', hit: true },
      { text: 'mann-', hit: false },
      { text: 'Muster', hit: true },
    ]);
    expect(termParts('jonas', '@jonas')).toEqual([{ text: 'jonas', hit: true }]);
    expect(termParts('1315', '#1315')).toEqual([{ text: '1315', hit: true }]);
    expect(termParts('Erika', '')).toEqual([{ text: 'Erika', hit: false }]);
  });

  it('when the text holds markup, then the HTML has it escaped and only <mark> as tags', () => {
    expect(hitHtml(termParts('<b onclick="x">Eve</b> & Co', 'eve'))).toBe('&lt;b onclick=&quot;x&quot;&gt;<mark>Eve</mark>&lt;/b&gt; &amp; Co');
  });

  it('when any text and term are marked, then stripping the marks and unescaping gives the text back', () => {
    const plainOf = (html: string) =>
      html
        .replace(/<\/?mark>/g, '')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&');
    fc.assert(
      fc.property(fc.string(), fc.string({ maxLength: 4 }), (text, term) => {
        const html = hitHtml(termParts(text, term));
        expect(html.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
        expect(plainOf(html)).toBe(text);
      }),
    );
  });
});
