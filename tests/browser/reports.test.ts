/**
 * A manager opens the SLA report on seeded posts: a chart per channel whose accessible table matches the
 * API, then clicks the bad day's point in the chart and lands on the breached posts with their
 * responsible users. Screenshots: test-artifacts/reports-sla.png and reports-sla-drilldown.png.
 */
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { makeApiChannel, makeUser } from '../factories/factories';
import { launchBrowser, screenshot, signInAs } from '../support/browser';
import { makeTopic, reportScenario, seedTimedPosts } from '../support/reportsSeed';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let browser: Browser;
let page: Page;
let manager: Awaited<ReturnType<typeof makeUser>>;
let channelA: string;
let channelB: string;

const RANGE = { from: '2026-10-19', to: '2026-10-27', timeZone: 'Europe/Berlin', granularity: 'day' };

beforeAll(async () => {
  app = await startTestApp();
  const { db, secretBox } = app.services;
  manager = await makeUser(db, { role: 'manager', name: 'Mara Manager' });
  const agent1 = await makeUser(db, { role: 'agent', name: 'Agnes Agent' });
  const agent2 = await makeUser(db, { role: 'agent', name: 'Bodo Agent' });
  channelA = (await makeApiChannel(db, secretBox, { name: 'X mentions' })).channelId;
  channelB = (await makeApiChannel(db, secretBox, { name: 'Support mailbox' })).channelId;
  const topic = await makeTopic(db, channelA, 'Lieferung');
  await seedTimedPosts(db, reportScenario(channelA, channelB, topic.id, agent1.id, agent2.id));
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await app.stop();
});

type TableRow = Record<string, string>;

async function tableOf(channelId: string): Promise<TableRow[]> {
  return page.$$eval(`section[data-channel-id="${channelId}"] table tbody tr`, (trs) =>
    trs.map((tr) => {
      const row: Record<string, string> = { bucket: tr.getAttribute('data-bucket') ?? '' };
      tr.querySelectorAll('td[data-col]').forEach((td) => {
        row[td.getAttribute('data-col')!] = td.textContent!.trim();
      });
      return row;
    }),
  );
}

describe('SLA report page', () => {
  it('when a manager opens it, then each channel has a chart whose table matches the API, and clicking the bad day shows its breached posts with responsible users', async () => {
    await signInAs(page, app.url, manager);
    await page.goto(`${app.url}/reports/sla?${new URLSearchParams(RANGE)}`);
    await page.waitForFunction(() => {
      const canvases = [...document.querySelectorAll('canvas[data-chart]')];
      const chart = (window as unknown as { Chart?: { getChart(c: Element): unknown } }).Chart;
      return canvases.length > 0 && chart !== undefined && canvases.every((c) => chart.getChart(c));
    });
    await screenshot(page, 'reports-sla');

    const api = await request(app.url).get('/api/v1/reports/sla').query(RANGE).auth(manager.token, { type: 'bearer' });
    expect(api.status).toBe(200);
    for (const channelId of [channelA, channelB]) {
      expect(await page.locator(`section[data-channel-id="${channelId}"] canvas[role="img"]`).count()).toBe(1);
      const expected = api.body.rows
        .filter((r: { channelId: string }) => r.channelId === channelId)
        .map((r: Record<string, number | null>) => ({
          bucket: String(r.bucket),
          inbound: String(r.inbound),
          answered: String(r.answered),
          answeredWithinTarget: String(r.answeredWithinTarget),
          pctWithinTarget: r.pctWithinTarget === null ? '–' : String(r.pctWithinTarget),
          breached: String(r.breached),
          open: String(r.open),
        }));
      expect(expected.length).toBeGreaterThan(1);
      expect(await tableOf(channelId)).toEqual(expected);
    }

    // The bad day: 25 October (DST change) on X mentions. Click its point in the chart.
    const point = await page.evaluate((channelId) => {
      const canvas = document.querySelector(`section[data-channel-id="${channelId}"] canvas`)!;
      const chart = (
        window as unknown as {
          Chart: { getChart(c: Element): { data: { labels: string[] }; getDatasetMeta(i: number): { data: { x: number; y: number }[] } } };
        }
      ).Chart.getChart(canvas);
      const index = chart.data.labels.indexOf('2026-10-25');
      const { x, y } = chart.getDatasetMeta(0).data[index]!;
      const box = canvas.getBoundingClientRect();
      canvas.scrollIntoView();
      const after = canvas.getBoundingClientRect();
      return { x: after.left + x, y: after.top + y, moved: box.top !== after.top };
    }, channelA);
    await Promise.all([page.waitForURL(/\/reports\/sla\/posts\?/), page.mouse.click(point.x, point.y)]);
    expect(new URL(page.url()).searchParams.get('bucket')).toBe('2026-10-25');

    const rows = await page.$$eval('#drill-posts tbody tr', (trs) =>
      trs.map((tr) => ({
        outcome: tr.className.replace('outcome-', ''),
        responsible: tr.querySelector('.responsible')!.textContent!.trim(),
        reason: tr.querySelector('.reason')!.textContent!.trim(),
      })),
    );
    expect(rows.filter((r) => r.outcome === 'breached')).toEqual([
      { outcome: 'breached', responsible: 'Bodo Agent', reason: 'no answer before the due time' },
      { outcome: 'breached', responsible: 'Bodo Agent', reason: 'answered after the due time' },
    ]);
    expect(rows.map((r) => r.outcome)).toEqual(['breached', 'breached', 'withinTarget', 'withinTarget']);
    await screenshot(page, 'reports-sla-drilldown');
  });

  it.each(['response-times', 'volume', 'backlog', 'people'])(
    'when a manager opens the %s report, then its charts are drawn next to their tables',
    async (name) => {
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${app.url}/reports/${name}?${new URLSearchParams(RANGE)}`);
      await page.waitForFunction(() => {
        const canvases = [...document.querySelectorAll('canvas[data-chart]')];
        const chart = (window as unknown as { Chart?: { getChart(c: Element): unknown } }).Chart;
        return canvases.length > 0 && chart !== undefined && canvases.every((c) => chart.getChart(c));
      });
      for (const canvas of await page.$$('canvas[data-chart]')) {
        const tableId = await canvas.getAttribute('aria-describedby');
        expect(await page.locator(`table#${tableId} tbody tr`).count()).toBeGreaterThan(0);
      }
      await screenshot(page, `reports-${name}`);
      page.removeAllListeners('pageerror');
      expect(errors).toEqual([]);
    },
  );

  it('when the channel filter changes, then htmx swaps the report body and the charts are drawn again', async () => {
    await page.goto(`${app.url}/reports/sla?${new URLSearchParams(RANGE)}`);
    await page.waitForFunction(() => document.querySelectorAll('canvas[data-chart]').length >= 2);
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/reports/sla?') && r.request().headers()['hx-request'] === 'true'),
      page.selectOption('select[name="channelId"]', channelB),
    ]);
    await page.waitForFunction((id) => {
      const sections = document.querySelectorAll('section[data-channel-id]');
      const canvas = document.querySelector(`section[data-channel-id="${id}"] canvas`);
      const chart = (window as unknown as { Chart: { getChart(c: Element): unknown } }).Chart;
      return sections.length === 1 && canvas !== null && Boolean(chart.getChart(canvas));
    }, channelB);
    expect(new URL(page.url()).searchParams.get('channelId')).toBe(channelB);
    expect((await tableOf(channelB)).map((r) => r.bucket)).toEqual(['2026-10-20', '2026-10-25']);
  });
});
