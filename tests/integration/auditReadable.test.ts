/**
 * The audit log people can read: sentences with names and case numbers, people only by default, filters
 * by person, case number and action group, and the before/after of a settings change.
 */
import { sql } from 'kysely';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AUDIT_ACTIONS } from '../../server/domain/audit/actions';
import { actionGroupOf } from '../../server/domain/audit/actionGroups';
import { userActor } from '../../server/domain/audit/actor';
import { createCannedResponse, editCannedResponse } from '../../server/domain/cannedResponses/cannedResponses';
import { assignConversation } from '../../server/domain/conversations/assignConversation';
import { inTransaction } from '../../server/domain/effects';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

async function signIn(user: { email: string; password: string }): Promise<TestAgent> {
  const agent = request.agent(app.url);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password });
  expect(res.status).toBe(302);
  return agent;
}

/** The sentences of the audit table, in page order (tags stripped). */
const sentences = (html: string) =>
  [...html.matchAll(/<td class="sentence">([\s\S]*?)<br>/g)].map((m) =>
    m[1]!
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  );

let auditor: TestAgent;
let lena: Awaited<ReturnType<typeof makeUser>>;
let sam: Awaited<ReturnType<typeof makeUser>>;
let caseNumber: string;
beforeAll(async () => {
  const { db, secretBox, dispatcher } = app.services;
  lena = await makeUser(db, { role: 'manager', name: 'Lena Vogt', locale: 'de' });
  sam = await makeUser(db, { role: 'agent', name: 'Sam Keller', locale: 'de' });
  const channel = await makeApiChannel(db, secretBox, { name: 'Webshop API' });
  const res = await request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(inboundPost());
  expect(res.status).toBe(201);
  caseNumber = res.body.caseNumber;
  await inTransaction(db, dispatcher, (tx, effects) =>
    assignConversation(tx, effects, { conversationId: res.body.conversationId, assigneeId: sam.id }, { actor: userActor(lena), role: 'manager' }),
  );
  const canned = await db
    .transaction()
    .execute((tx) =>
      createCannedResponse(tx, { title: 'Gruß', shortcut: 'gruss', body: 'Hallo!', language: 'de' }, { actor: userActor(lena), role: 'manager' }),
    );
  await db
    .transaction()
    .execute((tx) =>
      editCannedResponse(
        tx,
        { id: canned.id, title: 'Gruß', shortcut: 'gruss', body: 'Guten Tag!', language: 'de' },
        { actor: userActor(lena), role: 'manager' },
      ),
    );
  auditor = await signIn(await makeUser(db, { role: 'auditor', name: 'Ada Prüfer', locale: 'de' }));
});

describe('the audit page', () => {
  it('when an auditor opens it, then events read as German sentences with names and case numbers, and only what people did', async () => {
    const page = await auditor.get('/audit');
    expect(page.status).toBe(200);
    const shown = sentences(page.text);
    expect(shown).toContain(`Lena Vogt hat #${caseNumber} an Sam Keller zugewiesen`);
    expect(shown).toContain('Lena Vogt hat den Textbaustein „Gruß“ geändert');
    expect(shown.join('\n')).not.toContain('hat eine Nachricht empfangen'); // the channel is not a person
    expect(shown.join('\n')).not.toContain(lena.id);
  });

  it('when "all" is chosen, then channel and system events are shown too', async () => {
    const shown = sentences((await auditor.get('/audit?scope=all')).text);
    expect(shown).toContain(`Kanal „Webshop API“ hat eine Nachricht empfangen (#${caseNumber})`);
    expect(shown.some((s) => s.startsWith('System (test-factory)'))).toBe(true);
  });

  it('when filtering by case number, person or group, then only matching events are listed', async () => {
    const byCase = sentences((await auditor.get(`/audit?scope=all&caseNumber=%23${caseNumber}`)).text);
    expect(byCase).toEqual([
      `Lena Vogt hat #${caseNumber} an Sam Keller zugewiesen`,
      `Kanal „Webshop API“ hat eine Nachricht empfangen (#${caseNumber})`,
      `Kanal „Webshop API“ hat #${caseNumber} eröffnet`,
    ]);
    const bySam = sentences((await auditor.get(`/audit?actorId=${sam.id}`)).text);
    expect(bySam).toEqual([]);
    const canned = sentences((await auditor.get('/audit?group=cannedResponses')).text);
    expect(canned).toEqual(['Lena Vogt hat den Textbaustein „Gruß“ geändert', 'Lena Vogt hat den Textbaustein „Gruß“ angelegt']);
    const none = await auditor.get('/audit?caseNumber=999999999');
    expect(none.text).toContain('Keine Ereignisse für diese Filter.');
  });

  it('when a filter is malformed, then the page says so with a 400 and lists nothing', async () => {
    for (const bad of ['caseNumber=abc', 'group=everything', 'scope=robots']) {
      const res = await auditor.get(`/audit?${bad}`);
      expect(res.status).toBe(400);
      expect(res.text).not.toContain('<td class="sentence">');
    }
  });

  it('when a settings change is shown, then its before/after table marks the changed field', async () => {
    const page = await auditor.get('/audit?group=cannedResponses');
    expect(page.text).toMatch(/<tr class="changed"><th scope="row">body<\/th><td class="before">Hallo!<\/td><td class="after">Guten Tag!<\/td><\/tr>/);
    expect(page.text).toMatch(/<tr class=""><th scope="row">title<\/th>/);
  });

  it('when the API is asked, then ids are still there and it lists every actor unless told otherwise', async () => {
    const res = await request(app.url).get(`/api/v1/audit?caseNumber=${caseNumber}`).auth(lena.token, { type: 'bearer' });
    expect(res.status).toBe(200);
    expect(res.body.events.map((e: { action: string }) => e.action)).toEqual(['conversation.assigned', 'message.received', 'conversation.created']);
    expect(res.body.events[0]).toMatchObject({ actor: { id: lena.id }, after: { assigneeId: sam.id } });
  });
});

describe('action groups in the database', () => {
  it('when the database groups an action for its index, then it agrees with the domain for every action', async () => {
    const { rows } = await sql<{ action: string; group: string }>`
      SELECT a AS action, audit_action_group(a) AS group FROM unnest(${[...AUDIT_ACTIONS, 'team.created']}::text[]) a`.execute(app.services.db);
    for (const r of rows) expect([r.action, r.group]).toEqual([r.action, actionGroupOf(r.action)]);
  });
});
