import { linkedText } from '../../../server/presenters/messageText.presenter';

describe('links in a message', () => {
  it('when a message holds an https address, then it becomes a link that opens without a handle on the console', () => {
    expect(linkedText('Siehe https://example.com/a?b=1&c=2.')).toBe(
      'Siehe <a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" target="_blank">https://example.com/a?b=1&amp;c=2</a>.',
    );
  });

  it('when a message holds markup, then it is escaped, inside and outside links', () => {
    expect(linkedText('<img src=x onerror=alert(1)> http://x.test/"><script>')).toBe(
      '&lt;img src=x onerror=alert(1)&gt; <a href="http://x.test/" rel="noopener noreferrer nofollow" target="_blank">http://x.test/</a>&quot;&gt;&lt;script&gt;',
    );
  });

  it('when an address has another scheme, then it stays plain text', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'mailto:a@b.de', 'ftp://x.test/file']) {
      expect(linkedText(text)).not.toContain('<a ');
    }
  });

  it('when there is no address, then the text is only escaped', () => {
    expect(linkedText('Tom & Jerry')).toBe('Tom &amp; Jerry');
  });
});
