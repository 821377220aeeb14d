/** The knowledge base's Markdown subset: what it renders, and that nothing an author types becomes markup of its own. */
import { renderInline, renderMarkdown, safeHref } from '../../../server/domain/knowledge/markdown';

describe('renderMarkdown', () => {
  it('when an article has headings, paragraphs, lists, code and emphasis, then each becomes its element', () => {
    const html = renderMarkdown(
      [
        '# Rücksendung',
        '',
        'So senden Sie **kostenlos** zurück, *innerhalb* von 30 Tagen:',
        'zweite Zeile',
        '',
        '- Etikett drucken',
        '- Paket abgeben',
        '',
        '1. Erstens',
        '2. Zweitens',
        '',
        '```',
        'Code <b>bleibt</b> Text',
        '```',
        'Mit `Bestellnummer` und _Betonung_.',
      ].join('\n'),
    );
    expect(html).toBe(
      [
        '<h2>Rücksendung</h2>',
        '<p>So senden Sie <strong>kostenlos</strong> zurück, <em>innerhalb</em> von 30 Tagen:<br>zweite Zeile</p>',
        '<ul><li>Etikett drucken</li><li>Paket abgeben</li></ul>',
        '<ol><li>Erstens</li><li>Zweitens</li></ol>',
        '<pre><code>Code &lt;b&gt;bleibt&lt;/b&gt; Text</code></pre>',
        '<p>Mit <code>Bestellnummer</code> und <em>Betonung</em>.</p>',
      ].join('\n'),
    );
  });

  it('when a link points to https, http or mailto, then it is a link with rel="noopener noreferrer"', () => {
    expect(renderInline('[Hilfe](https://shop.example/hilfe?a=1&b=2)')).toBe(
      '<a href="https://shop.example/hilfe?a=1&amp;b=2" rel="noopener noreferrer">Hilfe</a>',
    );
    expect(renderInline('[Mail](mailto:service@shop.example)')).toBe('<a href="mailto:service@shop.example" rel="noopener noreferrer">Mail</a>');
    expect(renderInline('[alt](http://shop.example)')).toContain('href="http://shop.example/"');
  });

  it('when a snake_case word or a lone star appears, then it stays text', () => {
    expect(renderInline('order_id und 5 * 3')).toBe('order_id und 5 * 3');
  });

  const ATTACKS: [string, string][] = [
    ['<script>alert(1)</script>', '<script'],
    ['<img src=x onerror=alert(1)>', '<img'],
    ['[x](javascript:alert(1))', 'href'],
    ['[x](JaVaScRiPt:alert(1))', 'href'],
    ['[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)', 'href'],
    ['[x](vbscript:msgbox)', 'href'],
    ['[x](https://a.example/" onmouseover="alert(1))', 'onmouseover="'],
    ['[x](//evil.example)', 'href'],
    ['**<iframe src=//evil>**', '<iframe'],
    ['`</code><script>alert(1)</script>`', '<script'],
    ['[<svg onload=alert(1)>](https://ok.example)', '<svg'],
    ['<a href="javascript:alert(1)">x</a>', '<a '],
    ['# <style>body{}</style>', '<style'],
    ['- <object data=x>', '<object'],
    ['\u0000<script>', '<script'],
  ];
  it.each(ATTACKS)('when the article says %s, then the HTML has no %s of its own', (attack, forbidden) => {
    const html = renderMarkdown(attack);
    expect(html).not.toContain(forbidden);
    // whatever it renders, every tag is one the renderer writes itself
    const tags = [...html.matchAll(/<\/?([a-z0-9]+)/g)].map((m) => m[1]);
    expect(tags.filter((t) => !['p', 'h2', 'h3', 'h4', 'ul', 'ol', 'li', 'pre', 'code', 'strong', 'em', 'a', 'br'].includes(t!))).toEqual([]);
  });

  it('when a body is 50 000 characters of unmatched openers, then it renders in well under a second', () => {
    for (const filler of ['[', '**a', '*', '`', '_a', '[a](']) {
      const body = filler.repeat(Math.floor(50_000 / filler.length));
      const started = Date.now();
      renderMarkdown(body);
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });
});

describe('safeHref', () => {
  it.each(['https://a.example/x', 'http://a.example', 'mailto:a@b.example'])('when the address is %s, then it is allowed', (url) => {
    expect(safeHref(url)).toBeDefined();
  });
  it.each(['javascript:alert(1)', 'data:text/html,x', 'ftp://a.example', '/relative', 'https://a.example/ x', ''])(
    'when the address is %s, then it is refused',
    (url) => {
      expect(safeHref(url)).toBeUndefined();
    },
  );
});
