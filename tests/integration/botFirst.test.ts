/**
 * Bot first (issue 19) through the widget HTTP API against the real PostgreSQL, Redis and workers: the site
 * setting, the bot's articles on a new chat (labelled, not routed, SLA clock paused), "yes" → self-served and
 * closed, "no" and "talk to a person" → routed at once with the reason, max turns, no match, and the
 * self-service report.
 */
import request from 'supertest';
import { insertPolicy } from '../../server/db/repositories/sla.repo';
import { addTeamMember, insertTeam } from '../../server/db/repositories/teams.repo';
import { inTransaction } from '../../server/domain/effects';
import { routeWaiting } from '../../server/domain/routing/routeWaiting';
import { endInactiveChats } from '../../server/domain/webchat/inactivity';
import { makeUser } from '../factories/factories';
import { makeChatSite } from '../factories/webchat';
import { csrfFrom } from '../support/csrf';
import { signInAgent } from '../support/signIn';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

const ORIGIN = 'https://shop.example';
let app: TestApp;
let manager: Awaited<ReturnType<typeof makeUser>>;
let agent: Awaited<ReturnType<typeof makeUser>>;
let siteId: string;
let channelId: string;
const articles: Record<string, string> = {};

let ipCounter = 0;
const freshIp = () => `198.51.100.${(ipCounter += 1)}`;
let visitorCounter = 0;
const freshVisitor = () => `bot-visitor-${Date.now().toString(36)}-${(visitorCounter += 1)}`;

const widget = (ip = freshIp()) => ({
  get: (path: string) => request(app.url).get(`/widget/v1${path}`).set('Origin', ORIGIN).set('X-Forwarded-For', ip),
  post: (path: string, body: object = {}) => request(app.url).post(`/widget/v1${path}`).set('Origin', ORIGIN).set('X-Forwarded-For', ip).send(body),
});
const asVisitor = (token: string) => ({
  get: (path: string) => widget().get(path).auth(token, { type: 'bearer' }),
  post: (path: string, body: object = {}) => widget().post(path, body).auth(token, { type: 'bearer' }),
});
const api = (token: string) => ({
  get: (path: string) => request(app.url).get(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  post: (path: string, body: object) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  put: (path: string, body: object) => request(app.url).put(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  patch: (path: string, body: object) => request(app.url).patch(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
});

type Started = { conversationId: string; caseNumber: string; visitorToken: string };
async function startChat(text: string, lang = 'de'): Promise<Started> {
  const res = await widget().post(`/sites/${siteId}/conversations`, { visitorId: freshVisitor(), text, consent: true, lang });
  expect(res.status).toBe(201);
  return res.body as Started;
}
const history = async (chat: Started) => (await asVisitor(chat.visitorToken).get(`/conversations/${chat.conversationId}/messages`).expect(200)).body;
const answer = (chat: Started, a: string) => asVisitor(chat.visitorToken).post(`/conversations/${chat.conversationId}/bot`, { answer: a });
const db = () => app.services.db;
const session = (id: string) => db().selectFrom('chatSessions').selectAll().where('conversationId', '=', id).executeTakeFirstOrThrow();
const conversation = (id: string) => db().selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const firstPost = (id: string) =>
  db().selectFrom('messages').selectAll().where('conversationId', '=', id).where('direction', '=', 'inbound').orderBy('postedAt').executeTakeFirstOrThrow();
const auditOf = (id: string, action: string) =>
  db().selectFrom('auditEvents').selectAll().where('subjectId', '=', id).where('action', '=', action).orderBy('seq').execute();
const routeNow = () => inTransaction(db(), app.services.dispatcher, (tx, effects) => routeWaiting(tx, effects, { channelIds: [channelId] }));
/** Routed to the online agent (the worker's pass after the handover); the chat is ended again so the agent's slots stay free. */
async function expectRouted(chat: Started) {
  await until('the chat is routed', async () => (await conversation(chat.conversationId)).assigneeId === agent.id);
  await asVisitor(chat.visitorToken).post(`/conversations/${chat.conversationId}/end`).expect(200);
}

beforeAll(async () => {
  app = await startTestApp({ workers: true });
  const team = await insertTeam(db(), 'Website');
  manager = await makeUser(db(), { role: 'manager' });
  agent = await makeUser(db(), { role: 'agent', name: 'Lena Vogt' });
  await addTeamMember(db(), team.id, agent.id);
  ({ siteId, channelId } = await makeChatSite(db(), { teamId: team.id }));
  const policy = await insertPolicy(db(), {
    name: 'Chat',
    calendarId: null,
    firstResponseMinutes: 5,
    nextResponseMinutes: 5,
    resolutionMinutes: null,
    warnAtPercent: 80,
    pauseWhenSaved: false,
    botsCountAsResponse: false,
  });
  await db().updateTable('channels').set({ slaPolicyId: policy.id }).where('id', '=', channelId).execute();
  const write = async (key: string, body: object) => {
    const res = await api(manager.token).post('/knowledge/articles', body);
    expect(res.status).toBe(201);
    articles[key] = res.body.id;
  };
  await write('returns', {
    title: 'Rücksendung einer Bestellung',
    body: 'So senden Sie eine Bestellung zurück: Retourenschein drucken, Paket packen, abgeben.',
    language: 'de',
    state: 'published',
  });
  await write('delivery', { title: 'Lieferzeiten', body: 'Eine Bestellung ist in 2 bis 3 Werktagen bei Ihnen.', language: 'de', state: 'published' });
  await write('draft', { title: 'Rücksendung (Entwurf)', body: 'Bestellung zurücksenden, noch nicht fertig.', language: 'de', state: 'draft' });
  await write('returnsEn', {
    title: 'Returning an order',
    body: 'To return an order, print the label and drop off the parcel.',
    language: 'en',
    state: 'published',
  });
  await api(agent.token).put(`/users/${agent.id}/presence`, { status: 'online' }).expect(200);
});
afterAll(async () => {
  await app.stop();
});

describe('the setting', () => {
  it('when a manager turns the bot on over the API, then it is stored with the lawful default disclosure and audited', async () => {
    const res = await api(manager.token).patch(`/chat-sites/${siteId}`, { bot: { enabled: true, maxTurns: 2 } });
    expect(res.status).toBe(200);
    expect(res.body.bot).toEqual({
      enabled: true,
      maxTurns: 2,
      disclosure: {
        de: expect.stringMatching(/^Ich bin ein automatischer Assistent, kein Mensch\./),
        en: expect.stringMatching(/^I am an automated assistant, not a person\./),
      },
    });
    const [event] = await db()
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'channel.chat_site_changed')
      .where('subjectId', '=', channelId)
      .execute();
    expect(event!.after).toMatchObject({ botEnabled: true });
    // the widget says so before a chat starts
    const config = await widget().get(`/sites/${siteId}/config?lang=en`).expect(200);
    expect(config.body.bot).toEqual({ disclosure: res.body.bot.disclosure.en });
    expect(event!.after).not.toHaveProperty('botMaxTurns'); // unchanged: the default
  });

  it('when the turns are out of range, a field is unknown or an agent asks, then 4xx and nothing changes', async () => {
    expect((await api(manager.token).patch(`/chat-sites/${siteId}`, { bot: { maxTurns: 6 } })).status).toBe(400);
    expect((await api(manager.token).patch(`/chat-sites/${siteId}`, { bot: { maxTurns: 0 } })).status).toBe(400);
    expect((await api(manager.token).patch(`/chat-sites/${siteId}`, { bot: { talk: true } })).status).toBe(400);
    expect((await api(manager.token).patch(`/chat-sites/${siteId}`, { bot: { disclosure: { de: 'x'.repeat(501) } } })).status).toBe(400);
    expect((await api(agent.token).patch(`/chat-sites/${siteId}`, { bot: { enabled: false } })).status).toBe(403);
    expect((await api(manager.token).get(`/chat-sites/${siteId}`)).body.bot).toMatchObject({ enabled: true, maxTurns: 2 });
  });
});

describe('the bot answers first', () => {
  it('when a visitor asks what an article answers, then the bot offers it, labelled, before any routing, and the SLA clock is paused', async () => {
    const chat = await startChat('Wie kann ich meine Bestellung zurücksenden?');
    const view = await history(chat);
    expect(view.botHolding).toBe(true);
    expect(view.messages).toHaveLength(2);
    const [, bot] = view.messages;
    expect(bot).toMatchObject({ from: 'bot', authorName: 'Automatischer Assistent', bot: { label: 'Automatische Antwort', question: 'Hat das geholfen?' } });
    expect(bot.bot.intro).toMatch(/^Ich bin ein automatischer Assistent, kein Mensch\./);
    const offered = bot.bot.articles.map((a: { id: string }) => a.id);
    expect(offered[0]).toBe(articles.returns);
    expect(offered).not.toContain(articles.draft);
    expect(offered).not.toContain(articles.returnsEn);
    expect(offered.length).toBeLessThanOrEqual(3);
    expect(bot.bot.articles[0].url).toMatch(new RegExp(`/help/${siteId}/articles/${articles.returns}$`));
    expect(bot.text).toContain(`– Rücksendung einer Bestellung: ${bot.bot.articles[0].url}`);

    // the router passes it by although the agent is online; its clock is paused, the bot is no response
    await routeNow();
    expect((await conversation(chat.conversationId)).assigneeId).toBeNull();
    const board = await api(manager.token).get('/queues').expect(200);
    expect(board.body.queues.find((q: { channelId: string }) => q.channelId === channelId)).toMatchObject({ waiting: 0 });
    const post = await firstPost(chat.conversationId);
    expect(post.slaPausedAt).not.toBeNull();
    expect(post.respondedAt).toBeNull();
    expect(await auditOf(chat.conversationId, 'conversation.bot_answered')).toHaveLength(1);
    expect((await auditOf(chat.conversationId, 'sla.paused'))[0]!.after).toMatchObject({ reason: 'bot' });

    // the console API shows the bot's message with its kind
    const thread = await api(agent.token).get(`/conversations/${chat.conversationId}`).expect(200);
    expect(thread.body.messages.map((m: { author: { kind: string | null } }) => m.author.kind)).toEqual([null, 'bot']);
  });

  it('when the visitor says it helped, then the chat closes as self-served, its clock is cleared and nothing more is taken', async () => {
    const chat = await startChat('Bestellung zurücksenden');
    const res = await answer(chat, 'yes');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ outcome: 'self_served' });
    expect(await session(chat.conversationId)).toMatchObject({ botState: 'self_served', endReason: 'self_served', botHandoverReason: null });
    expect((await conversation(chat.conversationId)).status).toBe('closed');
    const post = await firstPost(chat.conversationId);
    expect(post).toMatchObject({ slaDueAt: null, slaState: null, slaPausedAt: null, respondedAt: null });
    const [served] = await auditOf(chat.conversationId, 'conversation.bot_self_served');
    expect(served!.after).toMatchObject({ clearedClocks: [post.id] });
    expect((await auditOf(chat.conversationId, 'conversation.chat_ended'))[0]!.after).toMatchObject({ reason: 'self_served' });
    const view = await history(chat);
    expect(view).toMatchObject({ ended: true, endReason: 'self_served', botHolding: false });
    expect(view.messages.at(-1)).toMatchObject({ from: 'bot', text: 'Schön, dass ich helfen konnte. Der Chat ist beendet.' });
    expect((await answer(chat, 'no')).status).toBe(409);
  });

  it('when the visitor says it did not help, then the chat is routed at once with the reason, its clock running again', async () => {
    const chat = await startChat('Wann kommt meine Bestellung? Lieferzeiten?');
    const pausedDue = (await firstPost(chat.conversationId)).slaDueAt!;
    const res = await answer(chat, 'no');
    expect(res.body).toEqual({ outcome: 'handed_over' });
    expect(await session(chat.conversationId)).toMatchObject({ botState: 'handed_over', botHandoverReason: 'not_helped', endedAt: null });
    const post = await firstPost(chat.conversationId);
    expect(post.slaPausedAt).toBeNull();
    expect(post.slaDueAt!.getTime()).toBeGreaterThanOrEqual(pausedDue.getTime());
    expect((await auditOf(chat.conversationId, 'conversation.bot_handed_over'))[0]!.after).toMatchObject({ reason: 'not_helped' });
    const view = await history(chat);
    expect(view.botHolding).toBe(false);
    expect(view.messages.at(-1)).toMatchObject({ from: 'bot', bot: { handover: true, label: 'Automatische Antwort' } });
    await expectRouted(chat);
    expect((await answer(chat, 'yes')).status).toBe(409);
  });

  it('when the visitor presses "talk to a person", then the chat is routed at once (asked); a wrong answer or token changes nothing', async () => {
    const chat = await startChat('Bestellung zurücksenden bitte');
    expect((await answer(chat, 'maybe')).status).toBe(400);
    expect((await asVisitor('rlv_wrong').post(`/conversations/${chat.conversationId}/bot`, { answer: 'human' })).status).toBe(404);
    const evil = await request(app.url)
      .post(`/widget/v1/conversations/${chat.conversationId}/bot`)
      .set('Origin', 'https://evil.example')
      .auth(chat.visitorToken, { type: 'bearer' })
      .send({ answer: 'human' });
    expect(evil.status).toBe(403);
    expect((await session(chat.conversationId)).botState).toBe('holding');
    expect((await answer(chat, 'human')).body).toEqual({ outcome: 'handed_over' });
    expect(await session(chat.conversationId)).toMatchObject({ botState: 'handed_over', botHandoverReason: 'asked' });
    await expectRouted(chat);
  });

  it('when the visitor writes again, then each message is another bot turn until the turns are used up, then it hands over (max_turns)', async () => {
    const chat = await startChat('Bestellung zurücksenden');
    const send = (text: string) => asVisitor(chat.visitorToken).post(`/conversations/${chat.conversationId}/messages`, { text }).expect(201);
    await send('Und wie lange dauert die Lieferung einer Bestellung?');
    expect(await session(chat.conversationId)).toMatchObject({ botState: 'holding', botTurns: 2 });
    const turns = (await history(chat)).messages.filter((m: { from: string }) => m.from === 'bot');
    expect(turns).toHaveLength(2);
    expect(turns[1].bot.intro).toBe('Diese Artikel könnten Ihre Frage beantworten:'); // the disclosure opens the first only
    // every post's clock is held while the bot answers
    const posts = await db().selectFrom('messages').selectAll().where('conversationId', '=', chat.conversationId).where('direction', '=', 'inbound').execute();
    expect(posts.every((p) => p.slaPausedAt !== null)).toBe(true);
    await send('Bestellung zurücksenden geht nicht');
    expect(await session(chat.conversationId)).toMatchObject({ botState: 'handed_over', botHandoverReason: 'max_turns', botTurns: 2 });
    await expectRouted(chat);
  });

  it('when no article matches, then the bot says so after its disclosure and hands over at once (no_match)', async () => {
    const chat = await startChat('Xylophon Quasar');
    expect(await session(chat.conversationId)).toMatchObject({ botState: 'handed_over', botHandoverReason: 'no_match', botTurns: 0 });
    const view = await history(chat);
    expect(view.botHolding).toBe(false);
    expect(view.messages[1].text).toMatch(/^Ich bin ein automatischer Assistent, kein Mensch\.[\s\S]*Dazu habe ich keinen passenden Artikel gefunden\./);
    expect((await firstPost(chat.conversationId)).slaPausedAt).toBeNull();
    await expectRouted(chat);
  });

  it('when the visitor leaves while the bot holds the chat, then nobody owes an answer: its clocks are cleared', async () => {
    const chat = await startChat('Bestellung zurücksenden');
    await asVisitor(chat.visitorToken).post(`/conversations/${chat.conversationId}/end`).expect(200);
    expect(await session(chat.conversationId)).toMatchObject({ botState: 'holding', endReason: 'customer' });
    const post = await firstPost(chat.conversationId);
    expect(post).toMatchObject({ slaDueAt: null, slaPausedAt: null, respondedAt: null });
    expect((await auditOf(chat.conversationId, 'conversation.chat_ended'))[0]!.after).toMatchObject({ clearedClocks: [post.id] });
  });

  it('when the visitor leaves the bot offer unanswered for the site inactivity time, then the sweep ends the chat and nobody owes an answer', async () => {
    const chat = await startChat('Bestellung zurücksenden');
    const old = new Date(Date.now() - 16 * 60_000);
    await db().updateTable('chatSessions').set({ lastVisitorAt: old }).where('conversationId', '=', chat.conversationId).execute();
    await db().updateTable('messages').set({ deliveredAt: old }).where('conversationId', '=', chat.conversationId).where('authorKind', '=', 'bot').execute();
    expect(await endInactiveChats(db(), app.services.dispatcher)).toBeGreaterThanOrEqual(1);
    expect(await session(chat.conversationId)).toMatchObject({ endReason: 'inactivity' });
    expect(await firstPost(chat.conversationId)).toMatchObject({ slaDueAt: null, slaPausedAt: null });
  });

  it("when a person assigns the held chat by hand, then the bot lets go at once (taken): its clock runs again, and the visitor's next message is the person's", async () => {
    const chat = await startChat('Bestellung zurücksenden');
    await api(agent.token).post(`/conversations/${chat.conversationId}/assign`, { assigneeId: agent.id }).expect(200);
    // at once, not at the visitor's next message (which may never come)
    expect(await session(chat.conversationId)).toMatchObject({ botState: 'handed_over', botHandoverReason: 'taken' });
    expect(await firstPost(chat.conversationId)).toMatchObject({ slaPausedAt: null, slaDueAt: expect.any(Date) });
    expect((await auditOf(chat.conversationId, 'conversation.bot_handed_over'))[0]!.after).toEqual({ reason: 'taken' });
    await asVisitor(chat.visitorToken).post(`/conversations/${chat.conversationId}/messages`, { text: 'Hallo?' }).expect(201);
    expect(await session(chat.conversationId)).toMatchObject({ botState: 'handed_over', botHandoverReason: 'taken', botTurns: 1 });
    expect((await history(chat)).messages.map((m: { from: string }) => m.from)).toEqual(['visitor', 'bot', 'visitor']);
    expect((await firstPost(chat.conversationId)).slaPausedAt).toBeNull();
    await asVisitor(chat.visitorToken).post(`/conversations/${chat.conversationId}/end`).expect(200);
  });

  it('when an English visitor asks, then the bot offers English articles, labelled in English', async () => {
    const chat = await startChat('How do I return an order?', 'en');
    const [, bot] = (await history(chat)).messages;
    expect(bot).toMatchObject({ from: 'bot', authorName: 'Automated assistant', bot: { label: 'Automated reply', question: 'Did that help?' } });
    expect(bot.bot.articles.map((a: { id: string }) => a.id)).toEqual([articles.returnsEn]);
    expect((await answer(chat, 'human')).status).toBe(200);
    await expectRouted(chat);
  });
});

describe('the self-service report', () => {
  it('when a manager asks for today, then rates, reasons and per-article outcomes count the chats above', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const res = await api(manager.token).get(`/reports/self-service?from=${today}&to=${today}&timeZone=UTC`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      chats: 10,
      selfServed: 1,
      handedOver: 6,
      withBot: 3,
      selfServiceRate: 10,
      handoverRate: 60,
      handoverReasons: { asked: 2, not_helped: 1, max_turns: 1, no_match: 1, taken: 1 },
    });
    const returns = res.body.articles.find((a: { id: string }) => a.id === articles.returns);
    expect(returns).toMatchObject({ title: 'Rücksendung einer Bestellung', helped: 1 });
    expect(returns.offered).toBeGreaterThanOrEqual(5);
    const delivery = res.body.articles.find((a: { id: string }) => a.id === articles.delivery);
    expect(delivery.notHelped).toBe(1);
    expect(res.body.articles.find((a: { id: string }) => a.id === articles.draft)).toBeUndefined();
    expect((await api(agent.token).get(`/reports/self-service?from=${today}&to=${today}`)).status).toBe(403);

    // the SLA report page shows the same figures
    const web = await signInAgent(app.url, manager);
    const page = await web.get(`/reports/sla?from=${today}&to=${today}&timeZone=UTC`).expect(200);
    expect(page.text).toMatch(/data-col="selfServed">1 \(10 %\)/);
    expect(page.text).toMatch(/data-col="taken">1</);
    expect(page.text).toContain(`data-article-id="${articles.returns}"`);

    // the chat service level counts only chats offered to the team: the handed-over ones, waiting from the handover
    const chat = await api(manager.token).get(`/reports/chat?siteId=${siteId}&from=${today}&to=${today}&timeZone=UTC`);
    expect(chat.status).toBe(200);
    expect(chat.body.total).toMatchObject({ offered: 6, waiting: 0 });
    expect((await api(manager.token).get('/reports/self-service?from=gestern')).status).toBe(400);
  });
});

describe('the console form', () => {
  it('when a manager sets the bot in the site form, then too many turns are refused at the field and good values are saved', async () => {
    const web = await signInAgent(app.url, manager);
    const page = await web.get(`/settings/chat-sites/${siteId}`).expect(200);
    expect(page.text).toContain('Automated assistant first');
    expect(page.text).toMatch(/name="botEnabled" value="on"[^>]* checked/);
    expect(page.text).toContain('Ich bin ein automatischer Assistent, kein Mensch.');
    const form = {
      _csrf: csrfFrom(page.text),
      name: 'Shop',
      allowedOrigins: ORIGIN,
      routingMode: 'auto',
      teamId: '',
      calendarId: '',
      colour: '#1d4ed8',
      prechatName: 'optional',
      prechatEmail: 'optional',
      invitationRules: '',
      maxWaitSeconds: '120',
      targetSeconds: '20',
      targetPercent: '80',
      inactivityMinutes: '15',
      botEnabled: 'on',
      botMaxTurns: '9',
      'bot.de': 'Hier antwortet zuerst ein automatischer Assistent, kein Mensch.',
      'bot.en': '',
    };
    const refused = await web.post(`/settings/chat-sites/${siteId}`).type('form').send(form);
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/name="botMaxTurns"[^>]*aria-invalid="true"/);
    expect((await db().selectFrom('chatSites').select('botMaxTurns').where('id', '=', siteId).executeTakeFirstOrThrow()).botMaxTurns).toBe(2);

    const { botEnabled: _on, ...unchecked } = form;
    expect(
      (
        await web
          .post(`/settings/chat-sites/${siteId}`)
          .type('form')
          .send({ ...unchecked, botMaxTurns: '3' })
      ).status,
    ).toBe(303);
    const site = await db().selectFrom('chatSites').select(['botEnabled', 'botMaxTurns', 'botDisclosure']).where('id', '=', siteId).executeTakeFirstOrThrow();
    expect(site).toEqual({
      botEnabled: false,
      botMaxTurns: 3,
      botDisclosure: { de: 'Hier antwortet zuerst ein automatischer Assistent, kein Mensch.', en: expect.stringMatching(/^I am an automated assistant/) },
    });
  });
});
