/**
 * A German manager in Chromium: types a listening query with a typo and sees the parser's reason with the
 * spot marked, fixes it, creates the query, backfills a week, opens the dashboard, drills into a bar (by
 * mouse, and a bucket's link by keyboard) and downloads the chart as a PNG. Screenshots at 1440 and 390 px:
 * test-artifacts/monitoring-*.png.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { screenshot, signInAs, startBrowser, type BrowserSession } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(120_000);

let app: TestApp;
let browser: BrowserSession;
let manager: Awaited<ReturnType<typeof makeUser>>;
const matching: string[] = [];

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), startBrowser()]);
  const { db, secretBox } = app.services;
  manager = await makeUser(db, { role: 'manager', locale: 'de', name: 'Mara Manager' });
  const channel = await makeApiChannel(db, secretBox, { name: 'Webshop' });
  const yesterday = Date.now() - 86_400_000;
  const texts = ['Der Kühlschrank ist defekt angekommen, eine Katastrophe #kuehlschrank', 'Kühlschrank defekt? Wer hilft mir?', 'Wann kommt mein Sofa?'];
  for (const [i, text] of texts.entries()) {
    const res = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost({ text, postedAt: new Date(yesterday + i * 60_000).toISOString() }));
    expect(res.status).toBe(201);
    if (i < 2) matching.push(res.body.conversationId);
  }
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const chartDrawn = (page: Page) =>
  page.waitForFunction(() => {
    const canvas = document.querySelector('#monitoring-chart');
    const chart = (window as unknown as { Chart?: { getChart(c: Element): unknown } }).Chart;
    return canvas !== null && chart !== undefined && chart.getChart(canvas) !== undefined;
  });

const drilledCases = (page: Page) =>
  page.$$eval('#drill-posts a[href^="/conversations/"]', (links) => links.map((a) => a.getAttribute('href')!.split('/')[2]!));

describe('monitoring in the browser', () => {
  let page: Page;
  beforeAll(async () => {
    page = await browser.newPage({ locale: 'de-DE', timezoneId: 'Europe/Berlin', viewport: { width: 1440, height: 900 } });
    await signInAs(page, app.url, manager);
  });

  it('when the manager types a query with a typo, then the reason appears in German with the spot marked; fixed, it is understood and created', async () => {
    await page.click('nav.mainnav a[href="/monitoring"]');
    await page.click('nav.report-tabs a[href="/monitoring/queries"]');
    const form = page.locator('form[data-form="query-new"]');
    await form.locator('input[name="name"]').fill('Kühlschränke');
    const query = form.locator('textarea[name="query"]');
    await query.pressSequentially('kühlschrank* AND OR defekt');
    const check = page.locator('#check-query-new');
    await check.locator('.query-error').waitFor();
    expect(await check.locator('.query-error').textContent()).toBe('An Stelle 18 wird ein Begriff erwartet, kein Operator.');
    expect(await check.locator('mark').textContent()).toBe('O');
    expect(await check.locator('.query-spot').getAttribute('data-position')).toBe('17');
    await screenshot(page, 'monitoring-query-error-de-1440');

    await query.fill('');
    await query.pressSequentially('kühlschrank* AND defekt');
    await check.locator('.query-ok').waitFor();
    expect(await check.locator('code').textContent()).toBe('kühlschrank* AND defekt');
    await form.locator('select[name="priority"]').selectOption('high');
    await Promise.all([page.waitForURL(/\/monitoring\/queries#query-/), form.locator('button[type="submit"]').click()]);
    expect(await page.locator('.listening-query h2', { hasText: 'Kühlschränke' }).count()).toBe(1);
  });

  it('when the manager backfills the last 7 days, then the page says how many posts matched', async () => {
    const section = page.locator('section.listening-query', { has: page.locator('h2', { hasText: 'Kühlschränke' }) });
    await section.locator('input[name="days"]').fill('7');
    await section.locator('.backfill-form button').click();
    const result = page.locator('.backfill-result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(/^Nachgeholt über 7 Tage: \d+ Beiträge gelesen, 2 neue Treffer\.$/);
    await screenshot(page, 'monitoring-queries-de-1440');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'monitoring-queries-de-390');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('when the manager opens the dashboard and clicks the bar of yesterday, then the two matching posts are listed; a bucket link works from the keyboard too', async () => {
    const section = page.locator('section.listening-query', { has: page.locator('h2', { hasText: 'Kühlschränke' }) });
    await section.locator('a', { hasText: 'Im Dashboard ansehen' }).click();
    await chartDrawn(page);
    expect(await page.locator('#kpi-posts').textContent()).toBe('2');
    expect(await page.locator('#kpi-negative').textContent()).toMatch(/^\d{1,3}\s%$/); // German: a space before %
    expect(await page.locator('.term-list .term', { hasText: '#kuehlschrank' }).count()).toBe(1);
    await screenshot(page, 'monitoring-dashboard-de-1440');

    // the bar with posts, where Chart.js drew it
    const spot = await page.evaluate(() => {
      const canvas = document.querySelector('#monitoring-chart')!;
      const chart = (
        window as unknown as {
          Chart: {
            getChart(c: Element): { data: { datasets: { data: number[] }[] }; getDatasetMeta(i: number): { data: { x: number; y: number; base: number }[] } };
          };
        }
      ).Chart.getChart(canvas);
      const index = chart.data.datasets[0]!.data.findIndex((n) => n > 0);
      const bar = chart.getDatasetMeta(0).data[index]!;
      return { x: bar.x, y: (bar.y + bar.base) / 2 };
    });
    await Promise.all([page.waitForURL(/\/monitoring\/posts\?/), page.locator('#monitoring-chart').click({ position: spot })]);
    expect((await drilledCases(page)).sort()).toEqual([...matching].sort());
    await screenshot(page, 'monitoring-drilldown-de-1440');

    await page.click('a.back');
    await chartDrawn(page);
    await page.focus('#monitoring-table tbody a');
    await Promise.all([page.waitForURL(/\/monitoring\/posts\?/), page.keyboard.press('Enter')]);
    expect((await drilledCases(page)).sort()).toEqual([...matching].sort());
  });

  it('when the manager downloads the chart as PNG, then a real PNG file arrives', async () => {
    await page.click('a.back');
    await chartDrawn(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-chart-png]')]);
    expect(download.suggestedFilename()).toMatch(/^replyline-monitoring-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.png$/);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.length).toBeGreaterThan(2000); // a drawn chart, not an empty canvas

    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'monitoring-dashboard-de-390');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});
