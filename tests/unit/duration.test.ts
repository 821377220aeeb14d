/** The one duration format, as the server renders it and as the browser's countdown rewrites it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import fc from 'fast-check';
import { formatMinutes } from '../../static/duration.js';

const STATIC = path.join(__dirname, '../../static');
const script = (name: string) => readFileSync(path.join(STATIC, name), 'utf8');

describe('formatMinutes', () => {
  it.each([
    [0, '0 min', '0 Min.'],
    [45, '45 min', '45 Min.'],
    [59.4, '59 min', '59 Min.'],
    [125, '2 h 05 min', '2 Std. 05 Min.'],
    [1439, '23 h 59 min', '23 Std. 59 Min.'],
    [3 * 1440 + 4 * 60 + 59, '3 d 4 h', '3 Tg. 4 Std.'],
    [-30, '0 min', '0 Min.'],
    [Number.NaN, '0 min', '0 Min.'],
  ])('when %p minutes are written, then English reads %p and German %p', (minutes, en, de) => {
    expect(formatMinutes(minutes, 'en')).toBe(en);
    expect(formatMinutes(minutes, 'de')).toBe(de);
  });

  it('when the locale is unknown or a region variant, then English or the language is used', () => {
    expect(formatMinutes(90, 'fr')).toBe('1 h 30 min');
    expect(formatMinutes(90, 'de-AT')).toBe('1 Std. 30 Min.');
  });
});

describe('one implementation for server and browser', () => {
  /** static/duration.js evaluated as the browser does: a classic script in a window without `module`. */
  function browserWindow() {
    const window: Record<string, any> = {};
    vm.runInNewContext(script('duration.js'), Object.assign(window, { self: window, window }));
    return window;
  }

  it('when the browser loads static/duration.js, then it writes exactly what the server writes', () => {
    const browser = browserWindow().ReplylineDuration;
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e7, noNaN: true }), fc.constantFrom('de', 'en'), (minutes, locale) => {
        expect(browser.formatMinutes(minutes, locale)).toBe(formatMinutes(minutes, locale));
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it('when the countdown rewrites an inbox row on a German page, then it uses the shared format', () => {
    const window = browserWindow();
    const listeners: Record<string, () => void> = {};
    const attributes: Record<string, string> = {
      'data-due-at': new Date(Date.now() + 5 * 3_600_000).toISOString(),
      'data-remaining': '125',
      'data-open': '0',
    };
    // The list carries the texts once for all its rows.
    const list = { getAttribute: (name: string) => (name === 'data-tpl-left' ? 'noch {time}' : null) };
    const row = {
      closest: (selector: string) => (selector === '[data-tpl-left]' ? list : null),
      textContent: '',
      classList: { add() {} },
      hasAttribute: (name: string) => name in attributes,
      getAttribute: (name: string) => attributes[name] ?? null,
      setAttribute: (name: string, value: string) => {
        attributes[name] = value;
      },
    };
    const document = {
      documentElement: { lang: 'de' },
      querySelectorAll: () => [row],
      addEventListener: (type: string, listener: () => void) => {
        listeners[type] = listener;
      },
    };
    vm.runInNewContext(script('sla-countdown.js'), Object.assign(window, { document, setInterval: () => 0 }));
    listeners.DOMContentLoaded!();
    expect(row.textContent).toBe(`noch ${formatMinutes(125, 'de')}`);
    expect(row.textContent).toBe('noch 2 Std. 05 Min.');
  });

  it('when the countdown script is read, then it has no duration format of its own', () => {
    expect(script('sla-countdown.js')).not.toMatch(/1440|' min'|' h '/);
  });
});
