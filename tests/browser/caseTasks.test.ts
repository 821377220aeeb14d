/**
 * A three-step case across two teams, in German: Lena (Kundenservice) adds three steps — hers, Buchhaltung's
 * after hers, hers again after Buchhaltung's — and cannot close the case while they are open; Bernd
 * (Buchhaltung) completes his team's step from "Meine Aufgaben"; then Lena's last step can be completed and
 * the case closed. Screenshots of the panel and of "Meine Aufgaben" at 1440 and 390 px.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { screenshot, startBrowser, type BrowserSession, signInAs } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(120_000);

let app: TestApp;
let browser: BrowserSession;
let lena: Awaited<ReturnType<typeof makeUser>>;
let bernd: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), startBrowser()]);
  const db = app.services.db;
  lena = await makeUser(db, { role: 'agent', name: 'Lena Vogt', locale: 'de' });
  bernd = await makeUser(db, { role: 'agent', name: 'Bernd Buchhalter', locale: 'de' });
  const [care, accounting] = await db
    .insertInto('teams')
    .values([{ name: 'Kundenservice' }, { name: 'Buchhaltung' }])
    .returning('id')
    .execute();
  await db
    .insertInto('teamMembers')
    .values([
      { teamId: care!.id, userId: lena.id },
      { teamId: accounting!.id, userId: bernd.id },
    ])
    .execute();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function ingest() {
  const channel = await makeApiChannel(app.services.db, app.services.secretBox);
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost({ text: 'Ich wurde doppelt belastet, bitte erstatten Sie mir den Betrag.' }));
  expect(res.status).toBe(201);
  return res.body as { conversationId: string };
}

/** Opens the add form, fills it and waits for the new step in the panel. */
async function addStep(page: Page, step: { number: number; title: string; owner: string; hours?: string; after?: number[] }) {
  await page.click('.task-add summary');
  await page.fill('#task-title', step.title);
  await page.selectOption('#task-owner', { label: step.owner });
  if (step.hours) await page.fill('#task-due-hours', step.hours);
  for (const n of step.after ?? []) await page.check(`.task-dep input[value="${n}"]`);
  await page.click('#add-task');
  await page.locator(`#task-${step.number} .task-title`, { hasText: step.title }).waitFor();
}

const rightEdge = (page: Page, selector: string) =>
  page.evaluate((sel) => Math.max(...[...document.querySelectorAll(`${sel}, ${sel} *`)].map((e) => Math.ceil(e.getBoundingClientRect().right))), selector);

describe('a three-step case across two teams', () => {
  it.each([1440, 390])('when Lena plans it and Bernd does his step from "Meine Aufgaben" (%i px), then the last step and the close follow', async (width) => {
    const { conversationId } = await ingest();
    const page = await browser.newPage({ locale: 'de-DE', viewport: { width, height: 900 } });
    await signInAs(page, app.url, lena);
    await page.goto(`${app.url}/conversations/${conversationId}`);
    await page.locator('#tasks', { hasText: 'Dieser Fall hat noch keine Arbeitsschritte.' }).waitFor();

    await addStep(page, { number: 1, title: 'Rechnung anfordern', owner: 'Mich' });
    await addStep(page, { number: 2, title: 'Gutschrift buchen', owner: 'Buchhaltung', hours: '4', after: [1] });
    await addStep(page, { number: 3, title: 'Kunde informieren', owner: 'Mich', after: [2] });
    await page.locator('#task-2', { hasText: 'Team Buchhaltung · nach Schritt 1' }).waitFor();
    await page.locator('#task-2 .pill', { hasText: 'Fällig' }).waitFor();
    await expect(page.locator('#task-3 .complete-task').isDisabled()).resolves.toBe(true);
    await expect(page.locator('.tasks-progress').textContent()).resolves.toBe('In Bearbeitung — Schritt 1 von 3');

    await page.click('#task-1 .complete-task');
    await page.locator('#task-1.task-done').waitFor();
    // closing now is refused, naming the open steps
    await page.click('#close-conv');
    await page.locator('.alert', { hasText: 'Der Fall hat offene Arbeitsschritte: 2 „Gutschrift buchen“, 3 „Kunde informieren“' }).waitFor();
    expect(await rightEdge(page, '#tasks')).toBeLessThanOrEqual(width);
    await screenshot(page, `case-tasks-panel-de-${width}`);

    // Bernd, Buchhaltung: the team's step is in his list; he completes it there
    const other = await browser.newPage({ locale: 'de-DE', viewport: { width, height: 900 } });
    await signInAs(other, app.url, bernd);
    await Promise.all([other.waitForURL(/\/tasks$/), other.click('.mainnav a[href="/tasks"]')]);
    const row = other.locator('.my-task', { hasText: 'Gutschrift buchen' });
    await row.waitFor();
    await expect(other.locator('.my-task', { hasText: 'Kunde informieren' }).count()).resolves.toBe(0); // Lena's, not his
    expect(await rightEdge(other, '.my-tasks')).toBeLessThanOrEqual(width);
    await screenshot(other, `my-tasks-de-${width}`);
    await Promise.all([other.waitForURL(/\/tasks$/), row.locator('.complete-task').click()]);
    await other.locator('.empty', { hasText: 'Keine offenen Aufgaben' }).waitFor();

    // Lena: the last step can be completed now, then the case closes
    await page.goto(`${app.url}/conversations/${conversationId}`);
    await expect(page.locator('.tasks-progress').textContent()).resolves.toBe('In Bearbeitung — Schritt 3 von 3');
    await page.click('#task-3 .complete-task');
    await page.locator('#task-3.task-done').waitFor();
    await page.click('#close-conv');
    await page.locator('#conv-status.pill-closed').waitFor();
    await expect(page.locator('.tasks-progress').textContent()).resolves.toBe('Erledigt');
    await page.close();
    await other.close();
  });
});
