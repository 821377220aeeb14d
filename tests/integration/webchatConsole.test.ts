/** Website chats in the console: accepting a ringing chat (who may, once, not after the end, audited) and the page's chat facts. */
import { inTransaction } from '../../server/domain/effects';
import { userActor } from '../../server/domain/audit/actor';
import { acceptChat } from '../../server/domain/webchat/acceptChat';
import { slotsInUse } from '../../server/db/repositories/routing.repo';
import { makeUser } from '../factories/factories';
import { csrfOfPage, signInAgent } from '../support/signIn';
import { startTestApp, type TestApp } from '../support/testApp';
import { makeChat, makeChatSite } from '../support/webchatSeed';

let app: TestApp;
type Made = Awaited<ReturnType<typeof makeUser>>;
let lena: Made;
let paul: Made;
let manager: Made;
let site: Awaited<ReturnType<typeof makeChatSite>>;

beforeAll(async () => {
  app = await startTestApp();
  const db = app.services.db;
  lena = await makeUser(db, { role: 'agent', name: 'Lena Vogt', locale: 'de' });
  paul = await makeUser(db, { role: 'agent', name: 'Paul Weber', locale: 'de' });
  manager = await makeUser(db, { role: 'manager', name: 'Jonas Berger', locale: 'de' });
  site = await makeChatSite(db);
});
afterAll(() => app.stop());

const session = (id: string) => app.services.db.selectFrom('chatSessions').selectAll().where('conversationId', '=', id).executeTakeFirstOrThrow();

async function accept(user: Made, conversationId: string) {
  const agent = await signInAgent(app.url, user);
  const csrf = await csrfOfPage(agent, `/conversations/${conversationId}`);
  return agent.post(`/conversations/${conversationId}/chat/accept`).type('form').send({ _csrf: csrf });
}

describe('accepting a chat', () => {
  it('when the assignee accepts, then the chat is accepted by them, audited with the wait, and the page says so', async () => {
    const chat = await makeChat(app.services.db, site, { assigneeId: lena.id, startedAt: new Date(Date.now() - 42_000) });
    const agent = await signInAgent(app.url, lena);
    const before = await agent.get(`/conversations/${chat.conversationId}`);
    expect(before.text).toContain('Neuer Chat – Annehmen');
    expect(before.text).toContain('Klingelt – noch nicht angenommen');
    const res = await agent
      .post(`/conversations/${chat.conversationId}/chat/accept`)
      .type('form')
      .send({ _csrf: await csrfOfPage(agent, `/conversations/${chat.conversationId}`) });
    expect(res.status).toBe(303);
    const s = await session(chat.conversationId);
    expect(s.acceptedBy).toBe(lena.id);
    expect(s.acceptedAt).not.toBeNull();
    const audit = await app.services.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'conversation.chat_accepted')
      .where('subjectId', '=', chat.conversationId)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorId).toBe(lena.id);
    expect((audit[0]!.after as { waitedSeconds: number }).waitedSeconds).toBeGreaterThanOrEqual(41);
    const after = await agent.get(`/conversations/${chat.conversationId}`);
    expect(after.text).not.toContain('Neuer Chat – Annehmen');
    expect(after.text).toContain('Angenommen von Lena Vogt');
    expect(after.text).toContain('Chat beenden');
    // the audit page reads it as a sentence
    const managerAgent = await signInAgent(app.url, manager);
    const auditPage = await managerAgent.get(`/audit?subject=${chat.conversationId}`);
    expect(auditPage.text).toContain(`hat den Chat #${chat.caseNumber} angenommen`);
  });

  it('when a manager accepts a chat ringing for an agent, then it is accepted by the manager', async () => {
    const chat = await makeChat(app.services.db, site, { assigneeId: lena.id });
    expect((await accept(manager, chat.conversationId)).status).toBe(303);
    expect((await session(chat.conversationId)).acceptedBy).toBe(manager.id);
  });

  it('when another agent tries, then 403 in German and nothing changes', async () => {
    const chat = await makeChat(app.services.db, site, { assigneeId: lena.id });
    const res = await accept(paul, chat.conversationId);
    expect(res.status).toBe(403);
    expect(res.text).toContain('Nur der zugewiesene Agent oder ein Manager kann diesen Chat annehmen.');
    expect((await session(chat.conversationId)).acceptedAt).toBeNull();
  });

  it('when the chat was accepted already, then a second acceptance is 409 and audited once', async () => {
    const chat = await makeChat(app.services.db, site, { assigneeId: lena.id });
    expect((await accept(lena, chat.conversationId)).status).toBe(303);
    const again = await accept(lena, chat.conversationId);
    expect(again.status).toBe(409);
    expect(again.text).toContain('Dieser Chat wurde bereits angenommen.');
    const n = await app.services.db
      .selectFrom('auditEvents')
      .select('seq')
      .where('action', '=', 'conversation.chat_accepted')
      .where('subjectId', '=', chat.conversationId)
      .execute();
    expect(n).toHaveLength(1);
  });

  it('when the chat has ended, then accepting it is 409', async () => {
    const chat = await makeChat(app.services.db, site, { assigneeId: lena.id });
    await app.services.db
      .updateTable('chatSessions')
      .set({ endedAt: new Date(), endReason: 'customer' })
      .where('conversationId', '=', chat.conversationId)
      .execute();
    const res = await accept(lena, chat.conversationId);
    expect(res.status).toBe(409);
    expect(res.text).toContain('Dieser Chat ist bereits beendet.');
    expect((await session(chat.conversationId)).acceptedAt).toBeNull();
  });

  it('when two acceptances race, then exactly one wins (the chat row is locked)', async () => {
    const chat = await makeChat(app.services.db, site, { assigneeId: lena.id });
    const by = (u: Made) => ({ actor: userActor(u, '127.0.0.1'), role: u.role, user: { id: u.id } });
    const results = await Promise.allSettled(
      [lena, manager].map((u) => inTransaction(app.services.db, app.services.dispatcher, (tx, fx) => acceptChat(tx, fx, chat.conversationId, by(u)))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.status)).toEqual([409]);
  });

  it('when the conversation is not a chat, then accepting is 404; an auditor may not (403)', async () => {
    const auditor = await makeUser(app.services.db, { role: 'auditor' });
    const chat = await makeChat(app.services.db, site, { assigneeId: lena.id });
    expect((await accept(auditor, chat.conversationId)).status).toBe(403);
    const agent = await signInAgent(app.url, manager);
    const csrf = await csrfOfPage(agent, `/conversations/${chat.conversationId}`);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await agent.post(`/conversations/${unknown}/chat/accept`).type('form').send({ _csrf: csrf })).status).toBe(404);
  });
});

describe('ending a chat from the console', () => {
  it('when the agent ends an accepted chat, then it ends by the agent, the conversation closes and the page says so', async () => {
    const chat = await makeChat(app.services.db, site, { assigneeId: lena.id });
    expect((await accept(lena, chat.conversationId)).status).toBe(303);
    const agent = await signInAgent(app.url, lena);
    const csrf = await csrfOfPage(agent, `/conversations/${chat.conversationId}`);
    expect((await agent.post(`/conversations/${chat.conversationId}/chat/end`).type('form').send({ _csrf: csrf })).status).toBe(303);
    const s = await session(chat.conversationId);
    expect(s.endReason).toBe('agent');
    const c = await app.services.db.selectFrom('conversations').select('status').where('id', '=', chat.conversationId).executeTakeFirstOrThrow();
    expect(c.status).toBe('closed');
    const page = await agent.get(`/conversations/${chat.conversationId}`);
    expect(page.text).toContain('Beendet: vom Agenten');
    expect(page.text).not.toContain('id="chat-end"');
  });
});

describe('the chat facts on the conversation page', () => {
  it('shows the page, pre-chat data, consent, language and wait; an http(s) page is a safe link, anything else plain text', async () => {
    const chat = await makeChat(app.services.db, site, {
      assigneeId: lena.id,
      prechatName: 'Mia <b>Kunde</b>',
      prechatEmail: 'mia@example.org',
      pageUrl: 'https://shop.example/checkout?step=2',
    });
    const agent = await signInAgent(app.url, lena);
    const page = await agent.get(`/conversations/${chat.conversationId}`);
    expect(page.text).toContain('Website-Chat · Shop');
    expect(page.text).toMatch(/<a href="https:\/\/shop\.example\/checkout\?step=2" rel="noopener noreferrer nofollow" target="_blank">/);
    expect(page.text).toContain('mia@example.org');
    expect(page.text).toContain('Mia &lt;b&gt;Kunde&lt;/b&gt;');
    expect(page.text).toContain('Einwilligung');
    expect(page.text).toContain('DE');
    const fragment = await agent.get(`/conversations/${chat.conversationId}/chat`);
    expect(fragment.status).toBe(200);
    expect(fragment.text).toContain('id="chat-state" data-chat-state="ringing"');

    const sneaky = await makeChat(app.services.db, site, { assigneeId: lena.id, pageUrl: 'javascript:alert(1)' });
    const sneakyPage = await agent.get(`/conversations/${sneaky.conversationId}/chat`);
    expect(sneakyPage.text).toContain('javascript:alert(1)');
    expect(sneakyPage.text).not.toContain('href="javascript');
  });

  it('marks the replies the visitor has read as "gelesen"', async () => {
    const chat = await makeChat(app.services.db, site, { assigneeId: lena.id });
    const db = app.services.db;
    const readAt = new Date();
    await db
      .insertInto('messages')
      .values({
        conversationId: chat.conversationId,
        channelId: site.channelId,
        direction: 'outbound',
        authorName: 'Lena Vogt',
        text: 'Ja, sie ist unterwegs.',
        postedAt: new Date(readAt.getTime() - 1000),
        deliveryState: 'sent',
      })
      .execute();
    await db.updateTable('chatSessions').set({ visitorReadAt: readAt }).where('conversationId', '=', chat.conversationId).execute();
    const agent = await signInAgent(app.url, lena);
    const thread = await agent.get(`/conversations/${chat.conversationId}/thread`);
    expect(thread.text).toContain('data-receipt="read">gelesen');
  });

  it('a conversation on another channel has no chat facts (404 for the fragment)', async () => {
    const agent = await signInAgent(app.url, lena);
    expect((await agent.get('/conversations/00000000-0000-4000-8000-000000000000/chat')).status).toBe(404);
  });
});

describe('chat slots', () => {
  it("an answered chat occupies its agent's chat slot only while its session is open; a webchat case without a session does not", async () => {
    const agent = await makeUser(app.services.db, { role: 'agent', name: 'Mia Koch' });
    const used = async () => (await slotsInUse(app.services.db, [agent.id])).reduce((n, u) => n + u.used, 0);
    const live = await makeChat(app.services.db, site, { assigneeId: agent.id });
    const noSession = await makeChat(app.services.db, site, { assigneeId: agent.id });
    await app.services.db.deleteFrom('chatSessions').where('conversationId', '=', noSession.conversationId).execute();
    await app.services.db.updateTable('conversations').set({ status: 'answered' }).where('id', 'in', [live.conversationId, noSession.conversationId]).execute();
    expect(await used()).toBe(1);
    await app.services.db
      .updateTable('chatSessions')
      .set({ endedAt: new Date(), endReason: 'agent' })
      .where('conversationId', '=', live.conversationId)
      .execute();
    expect(await used()).toBe(0);
  });
});
