/** The website chat widget as sites receive it: one minified file within its size budget, readable on the site's colour. */
import { gzipSync } from 'node:zlib';
import { buildWidgetScript } from '../../../server/routes/widgetScript.routes';
import { contrast, palette } from '../../../static/widget/styles';

const BUDGET_GZIPPED_BYTES = 25 * 1024;

it('when the widget is built, then it is one self-contained script of at most 25 kB gzipped, with no eval and no third-party address', async () => {
  const script = await buildWidgetScript();
  const gzipped = gzipSync(script, { level: 9 }).length;
  expect(gzipped).toBeLessThanOrEqual(BUDGET_GZIPPED_BYTES);
  expect(script).not.toMatch(/\beval\(|new Function\(|\bimport\(/);
  expect(script.match(/https?:\/\/[^"'`\s]+/g) ?? []).toEqual(['http://www.w3.org/2000/svg']);
});

it.each(['#1d4ed8', '#ffd400', '#777777', '#00ff00', '#000000', '#ffffff'])(
  'when the site colour is %s, then text on it and the accent on white reach WCAG AA contrast',
  (colour) => {
    const { brand, onBrand, accent } = palette(colour);
    expect(contrast(brand, onBrand)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(accent, '#ffffff')).toBeGreaterThanOrEqual(4.5);
  },
);

it('when the site colour is not a #rrggbb colour, then the default blue is used (nothing else reaches the style sheet)', () => {
  expect(palette('red;}body{display:none').brand).toBe('#1d4ed8');
});
