/**
 * Bot first on messaging channels (036) through the real entry points: the channel setting over the API, a
 * Telegram customer's messages polled from the fake Bot API, the bot's replies sent back to it by the outbound
 * worker; and WhatsApp webhooks. Not routed and clock paused while the bot holds; JA → closed as self-served;
 * MENSCH / NEIN → routed with the reason; max turns; no match; a channel with the bot off unchanged.
 */
import request from 'supertest';
import { insertPolicy } from '../../server/db/repositories/sla.repo';
import { addTeamMember, insertTeam } from '../../server/db/repositories/teams.repo';
import { inTransaction } from '../../server/domain/effects';
import { routeWaiting } from '../../server/domain/routing/routeWaiting';
import { pollChannelOnce } from '../../server/domain/channels/polling/pollChannel';
import { makeUser } from '../factories/factories';
import { makeTelegramChannel, makeWhatsappChannel } from '../factories/messagingChannels';
import { inboundText, newWamid, postSignedWhatsapp, startFakeMeta, type FakeMeta } from '../fakes/fakeMetaServer';
import { makeChatSite } from '../factories/webchat';
import { csrfOfPage, signInAgent } from '../support/signIn';
import { telegramPollingApp } from '../support/telegramPollingApp';
import { until } from '../support/until';

const env = telegramPollingApp();
const db = () => env.app.services.db;
let manager: Awaited<ReturnType<typeof makeUser>>;
let agent: Awaited<ReturnType<typeof makeUser>>;
let teamId: string;
let siteId: string;
let slaPolicyId: string;
const articles: Record<string, string> = {};
let customerNo = 0;
const newCustomer = () => ({ id: 556000 + (customerNo += 1), first_name: 'Paul', last_name: `Becker${customerNo}` });

const api = (token: string) => ({
  post: (path: string, body: object) => request(env.app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  put: (path: string, body: object) => request(env.app.url).put(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  patch: (path: string, body: object) => request(env.app.url).patch(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
});
const conversationOf = async (channelId: string) =>
  db().selectFrom('conversations').selectAll().where('channelId', '=', channelId).orderBy('createdAt', 'desc').executeTakeFirstOrThrow();
const messagesOf = (conversationId: string) =>
  db().selectFrom('messages').selectAll().where('conversationId', '=', conversationId).orderBy('postedAt').orderBy('createdAt').execute();
const holdOf = (conversationId: string) => db().selectFrom('conversationBots').selectAll().where('conversationId', '=', conversationId).executeTakeFirst();
const auditOf = (conversationId: string, action: string) =>
  db().selectFrom('auditEvents').selectAll().where('subjectId', '=', conversationId).where('action', '=', action).orderBy('seq').execute();
const routeNow = (channelId: string) =>
  inTransaction(db(), env.app.services.dispatcher, (tx, effects) => routeWaiting(tx, effects, { channelIds: [channelId] }));

/** Routing, the SLA policy and the bot (when given) on a channel. */
async function setUp(channelId: string, bot: object | null) {
  await db().updateTable('channels').set({ slaPolicyId, routingMode: 'auto', routingTeamId: teamId }).where('id', '=', channelId).execute();
  if (bot) expect((await api(manager.token).patch(`/channels/${channelId}`, { bot })).status).toBe(200);
}
/** A Telegram channel routed automatically to the agent's team, with the SLA policy and (optionally) its bot on. */
async function botChannel(bot: object | null = { enabled: true, maxTurns: 2, helpSiteId: siteId }) {
  const ch = await makeTelegramChannel(db(), env.app.services.secretBox, env.tg);
  await setUp(ch.channelId, bot);
  return ch.channelId;
}
/** The customer writes, the channel is polled; the conversation it lands in. */
async function customerWrites(channelId: string, customer: { id: number; first_name: string }, text: string) {
  env.tg.pushPrivateText(customer, text);
  expect(await pollChannelOnce(env.deps, channelId)).toMatchObject({ outcome: 'polled', created: 1 });
  return conversationOf(channelId);
}
async function expectRoutedTo(conversationId: string) {
  await until(
    'routed',
    async () =>
      (await db().selectFrom('conversations').select('assigneeId').where('id', '=', conversationId).executeTakeFirstOrThrow()).assigneeId === agent.id,
  );
  // the agent's slot is freed again for the next test
  await db().updateTable('conversations').set({ status: 'closed', assigneeId: null }).where('id', '=', conversationId).execute();
}

beforeAll(async () => {
  const team = await insertTeam(db(), 'Messenger');
  teamId = team.id;
  manager = await makeUser(db(), { role: 'manager' });
  agent = await makeUser(db(), { role: 'agent', name: 'Jonas Weber' });
  await addTeamMember(db(), team.id, agent.id);
  ({ siteId } = await makeChatSite(db(), { teamId: null }));
  const policy = await insertPolicy(db(), {
    name: 'Messenger',
    calendarId: null,
    firstResponseMinutes: 30,
    nextResponseMinutes: 30,
    resolutionMinutes: null,
    warnAtPercent: 80,
    pauseWhenSaved: false,
    botsCountAsResponse: false,
  });
  slaPolicyId = policy.id;
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
  await write('returnsEn', {
    title: 'Returning an order',
    body: 'To return an order, print the label and drop off the parcel.',
    language: 'en',
    state: 'published',
  });
  await api(agent.token).put(`/users/${agent.id}/presence`, { status: 'online' }).expect(200);
});

describe('the channel setting', () => {
  it('when a manager turns the bot on for a Telegram channel, then it is stored with the lawful default disclosure and audited', async () => {
    const channelId = await botChannel(null);
    const res = await api(manager.token).patch(`/channels/${channelId}`, { bot: { enabled: true, maxTurns: 3, helpSiteId: siteId } });
    expect(res.status).toBe(200);
    expect(res.body.bot).toEqual({
      enabled: true,
      maxTurns: 3,
      helpSiteId: siteId,
      disclosure: {
        de: expect.stringMatching(/^Ich bin ein automatischer Assistent, kein Mensch\./),
        en: expect.stringMatching(/^I am an automated assistant/),
      },
    });
    const events = await db().selectFrom('auditEvents').selectAll().where('action', '=', 'channel.bot_changed').where('subjectId', '=', channelId).execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.after).toMatchObject({ enabled: true, maxTurns: 3 });
    // unchanged: nothing audited
    expect((await api(manager.token).patch(`/channels/${channelId}`, { bot: { maxTurns: 3 } })).status).toBe(200);
    expect(
      await db().selectFrom('auditEvents').select('seq').where('action', '=', 'channel.bot_changed').where('subjectId', '=', channelId).execute(),
    ).toHaveLength(1);
  });

  it('when the turns are out of range, the help site is missing, the channel allows no bot or an agent asks, then 4xx and nothing changes', async () => {
    const channelId = await botChannel(null);
    const patch = (token: string, bot: object, id = channelId) => api(token).patch(`/channels/${id}`, { bot });
    expect((await patch(manager.token, { enabled: true, maxTurns: 6, helpSiteId: siteId })).status).toBe(400);
    expect((await patch(manager.token, { enabled: true, maxTurns: 0, helpSiteId: siteId })).status).toBe(400);
    expect((await patch(manager.token, { enabled: true })).status).toBe(400);
    expect((await patch(manager.token, { enabled: true, helpSiteId: channelId })).status).toBe(400);
    expect((await patch(manager.token, { disclosure: { de: 'x'.repeat(501) } })).status).toBe(400);
    expect((await patch(agent.token, { enabled: true, helpSiteId: siteId })).status).toBe(403);
    const webchat = await db().selectFrom('chatSites').select('channelId').where('id', '=', siteId).executeTakeFirstOrThrow();
    expect((await patch(manager.token, { enabled: true, helpSiteId: siteId }, webchat.channelId)).status).toBe(400);
    const stored = await db().selectFrom('channels').select(['botEnabled', 'botMaxTurns']).where('id', '=', channelId).executeTakeFirstOrThrow();
    expect(stored).toEqual({ botEnabled: false, botMaxTurns: 2 });
  });
});

describe('the channel setting in the console', () => {
  it('when a manager saves the form on the channels page, then the bot is on with the chosen help site, and a bad form re-renders with the reason', async () => {
    const channelId = await botChannel(null);
    const web = await signInAgent(env.app.url, manager);
    const page = await web.get('/settings/channels').expect(200);
    expect(page.text).toContain(`action="/settings/channels/${channelId}/bot"`);
    const csrf = await csrfOfPage(web, '/settings/channels');
    const form = { _csrf: csrf, botEnabled: 'on', botMaxTurns: '3', helpSiteId: siteId, 'bot.de': '', 'bot.en': 'A bot answers.' };
    const saved = await web.post(`/settings/channels/${channelId}/bot`).type('form').send(form);
    expect(saved.status).toBe(303);
    const stored = await db()
      .selectFrom('channels')
      .select(['botEnabled', 'botMaxTurns', 'botDisclosure', 'botHelpSiteId'])
      .where('id', '=', channelId)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ botEnabled: true, botMaxTurns: 3, botHelpSiteId: siteId, botDisclosure: { en: 'A bot answers.' } });
    expect((stored.botDisclosure as { de: string }).de).toMatch(/^Ich bin ein automatischer Assistent, kein Mensch\./);
    const bad = await web
      .post(`/settings/channels/${channelId}/bot`)
      .type('form')
      .send({ ...form, helpSiteId: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('The bot needs a chat site whose help page its article links open.');
  });
});

describe('the bot on Telegram', () => {
  it('when a customer asks what an article answers, then the bot replies on Telegram with the disclosure, the article and the keywords, the conversation is not routed and its clock paused', async () => {
    const channelId = await botChannel();
    const c = await customerWrites(channelId, newCustomer(), 'Wie kann ich meine Bestellung zurücksenden?');
    const [sent] = await env.tg.waitForSent(1, 15_000);
    expect(sent!.text).toMatch(/^Ich bin ein automatischer Assistent, kein Mensch\./);
    expect(sent!.text).toContain(`– Rücksendung einer Bestellung: ${env.app.services.config.baseUrl}/help/${siteId}/articles/${articles.returns}`);
    expect(sent!.text).not.toContain('Returning an order');
    expect(sent!.text).toMatch(/Hat das geholfen\? Antworten Sie mit JA oder NEIN\. Mit MENSCH erreichen Sie jederzeit unser Team\.$/);
    const [inbound, bot] = await messagesOf(c.id);
    expect(bot).toMatchObject({ direction: 'outbound', authorKind: 'bot', authorUserId: null, authorName: 'Automatischer Assistent' });
    await until('delivered', async () => (await messagesOf(c.id))[1]!.deliveryState === 'sent');
    expect(inbound!.slaPausedAt).not.toBeNull();
    expect(inbound!.respondedAt).toBeNull();
    expect(await holdOf(c.id)).toMatchObject({ state: 'holding', turns: 1, language: 'de' });
    await routeNow(channelId);
    expect((await conversationOf(channelId)).assigneeId).toBeNull();
    expect(await auditOf(c.id, 'conversation.bot_answered')).toHaveLength(1);
    const [paused] = await auditOf(c.id, 'sla.paused');
    expect(paused!.after).toMatchObject({ reason: 'bot' });
  });

  it('when the customer answers "Ja!", then the conversation closes as self-served, its clocks cleared, audited', async () => {
    const channelId = await botChannel();
    const customer = newCustomer();
    const c = await customerWrites(channelId, customer, 'Bestellung zurücksenden');
    await env.tg.waitForSent(1, 15_000);
    await customerWrites(channelId, customer, '  Ja! ');
    const sent = await env.tg.waitForSent(2, 15_000);
    expect(sent[1]!.text).toBe('Schön, dass ich helfen konnte. Ihre Anfrage ist damit abgeschlossen.');
    const after = await conversationOf(channelId);
    expect(after).toMatchObject({ id: c.id, status: 'closed', assigneeId: null });
    expect(await holdOf(c.id)).toMatchObject({ state: 'self_served', handoverReason: null });
    const inbound = (await messagesOf(c.id)).filter((m) => m.direction === 'inbound');
    expect(inbound.map((m) => [m.slaDueAt, m.slaPausedAt])).toEqual([
      [null, null],
      [null, null],
    ]);
    const [served] = await auditOf(c.id, 'conversation.bot_self_served');
    expect(served!.after).toMatchObject({ helpedArticleIds: [articles.returns] });
    expect(await auditOf(c.id, 'conversation.status_changed')).toHaveLength(1);
  });

  it('when the customer answers MENSCH, then the bot says so and the conversation is routed at once with the reason', async () => {
    const channelId = await botChannel();
    const customer = newCustomer();
    const c = await customerWrites(channelId, customer, 'Bestellung zurücksenden');
    await customerWrites(channelId, customer, 'mensch.');
    const sent = await env.tg.waitForSent(2, 15_000);
    expect(sent[1]!.text).toBe('Ich verbinde Sie mit einem Menschen aus unserem Team.');
    expect(await holdOf(c.id)).toMatchObject({ state: 'handed_over', handoverReason: 'asked' });
    const inbound = (await messagesOf(c.id)).filter((m) => m.direction === 'inbound');
    expect(inbound.every((m) => m.slaPausedAt === null && m.slaDueAt !== null)).toBe(true);
    expect(await auditOf(c.id, 'sla.resumed')).not.toHaveLength(0);
    await expectRoutedTo(c.id);
  });

  it('when the customer answers NEIN, then the offer counts as not helped and the conversation is routed (not_helped)', async () => {
    const channelId = await botChannel();
    const customer = newCustomer();
    const c = await customerWrites(channelId, customer, 'Bestellung zurücksenden');
    await customerWrites(channelId, customer, 'NEIN');
    const [handed] = await auditOf(c.id, 'conversation.bot_handed_over');
    expect(handed!.after).toMatchObject({ reason: 'not_helped', notHelpedArticleIds: [articles.returns] });
    await expectRoutedTo(c.id);
  });

  it('when the customer writes again after the last turn, then the bot hands over by itself (max_turns)', async () => {
    const channelId = await botChannel({ enabled: true, maxTurns: 1, helpSiteId: siteId });
    const customer = newCustomer();
    const c = await customerWrites(channelId, customer, 'Bestellung zurücksenden');
    await customerWrites(channelId, customer, 'Und wie lange dauert die Rücksendung?');
    expect(await holdOf(c.id)).toMatchObject({ state: 'handed_over', handoverReason: 'max_turns', turns: 1 });
    await expectRoutedTo(c.id);
  });

  it('when another question matches within the turns, then the bot answers again, without the disclosure', async () => {
    const channelId = await botChannel();
    const customer = newCustomer();
    const c = await customerWrites(channelId, customer, 'Bestellung zurücksenden');
    await customerWrites(channelId, customer, 'Paket abgeben?');
    const sent = await env.tg.waitForSent(2, 15_000);
    expect(sent[1]!.text).toMatch(/^Diese Artikel könnten Ihre Frage beantworten:/);
    expect(await holdOf(c.id)).toMatchObject({ state: 'holding', turns: 2 });
  });

  it('when an English customer asks something no article answers, then the bot says so in English with the disclosure and hands over (no_match)', async () => {
    const channelId = await botChannel();
    const c = await customerWrites(channelId, newCustomer(), 'The weather is very nice today, thank you');
    const [sent] = await env.tg.waitForSent(1, 15_000);
    expect(sent!.text).toMatch(/^I am an automated assistant, not a person\./);
    expect(sent!.text).toContain('I found no article that fits.');
    expect(await holdOf(c.id)).toMatchObject({ state: 'handed_over', handoverReason: 'no_match', language: 'en' });
    await expectRoutedTo(c.id);
  });

  it("when a person assigns the held conversation by hand, then the bot lets go at once (taken) and the customer's next message is theirs", async () => {
    const channelId = await botChannel();
    const customer = newCustomer();
    const c = await customerWrites(channelId, customer, 'Bestellung zurücksenden');
    await env.tg.waitForSent(1, 15_000);
    await api(agent.token).post(`/conversations/${c.id}/assign`, { assigneeId: agent.id }).expect(200);
    expect(await holdOf(c.id)).toMatchObject({ state: 'handed_over', handoverReason: 'taken' });
    expect((await messagesOf(c.id)).filter((m) => m.direction === 'inbound').every((m) => m.slaPausedAt === null)).toBe(true);
    await customerWrites(channelId, customer, 'Hallo?');
    expect(await holdOf(c.id)).toMatchObject({ state: 'handed_over', handoverReason: 'taken' });
    expect((await messagesOf(c.id)).filter((m) => m.authorKind === 'bot')).toHaveLength(1);
    const inbound = (await messagesOf(c.id)).filter((m) => m.direction === 'inbound');
    expect(inbound.every((m) => m.slaPausedAt === null)).toBe(true);
    await db().updateTable('conversations').set({ status: 'closed', assigneeId: null }).where('id', '=', c.id).execute();
  });

  it('when the channel has the bot off, then a new conversation is routed as before and nothing is sent', async () => {
    const channelId = await botChannel(null);
    const c = await customerWrites(channelId, newCustomer(), 'Wie kann ich meine Bestellung zurücksenden?');
    expect(await holdOf(c.id)).toBeUndefined();
    await expectRoutedTo(c.id);
    expect(env.tg.sent).toHaveLength(0);
    expect((await messagesOf(c.id)).filter((m) => m.authorKind === 'bot')).toHaveLength(0);
  });
});

describe('the bot on WhatsApp', () => {
  const ACCESS_TOKEN = 'EAAG-fake-access-token';
  let meta: FakeMeta;
  beforeAll(async () => {
    meta = await startFakeMeta({ accessToken: ACCESS_TOKEN });
  });
  afterAll(async () => {
    await meta.close();
  });
  async function whatsappBotChannel() {
    const ch = await makeWhatsappChannel(db(), env.app.services.secretBox, { accessToken: ACCESS_TOKEN, graphBaseUrl: meta.baseUrl });
    await setUp(ch.channelId, { enabled: true, maxTurns: 2, helpSiteId: siteId });
    return ch;
  }
  /** A signed webhook with the customer's text; the message once the inbox job ingested it. */
  async function webhook(ch: { phoneNumberId: string; appSecret: string; channelId: string }, text: string, o: { from: string; at?: Date }) {
    const id = newWamid();
    const body = JSON.stringify(inboundText(ch.phoneNumberId, text, { id, ...o }));
    const res = await postSignedWhatsapp(env.app.url, body, ch.appSecret);
    expect(res.status).toBe(200);
    return until(`message ${id}`, () =>
      db().selectFrom('messages').selectAll().where('channelId', '=', ch.channelId).where('externalId', '=', id).executeTakeFirst(),
    );
  }
  const holding = (conversationId: string) => until('the bot holds it', async () => (await holdOf(conversationId))?.state === 'holding');

  it('when a customer writes inside the window, then the bot answers through the Graph API, and JA closes the conversation as self-served', async () => {
    const ch = await whatsappBotChannel();
    const before = meta.sent.length;
    const first = await webhook(ch, 'Wie kann ich meine Bestellung zurücksenden?', { from: '4915100000001' });
    await holding(first.conversationId);
    const [offer] = (await meta.waitForSent(before + 1, 15_000)).slice(before);
    expect(offer!.body).toMatchObject({ to: '4915100000001', type: 'text', context: { message_id: first.externalId } });
    const text = (offer!.body as { text: { body: string } }).text.body;
    expect(text).toMatch(/^Ich bin ein automatischer Assistent, kein Mensch\./);
    expect(text).toContain(`/help/${siteId}/articles/${articles.returns}`);
    expect(text).toMatch(/Antworten Sie mit JA oder NEIN\. Mit MENSCH erreichen Sie jederzeit unser Team\.$/);
    await routeNow(ch.channelId);
    expect((await conversationOf(ch.channelId)).assigneeId).toBeNull();

    await webhook(ch, 'ja', { from: '4915100000001' });
    await until('self-served', async () => (await holdOf(first.conversationId))?.state === 'self_served');
    expect(await conversationOf(ch.channelId)).toMatchObject({ id: first.conversationId, status: 'closed' });
    const [, bye] = (await meta.waitForSent(before + 2, 15_000)).slice(before);
    expect((bye!.body as { text: { body: string } }).text.body).toBe('Schön, dass ich helfen konnte. Ihre Anfrage ist damit abgeschlossen.');
  });

  it('when the message reaches us after the 24-hour window, then the bot stays silent and the conversation is routed as before', async () => {
    const ch = await whatsappBotChannel();
    const before = meta.sent.length;
    const late = await webhook(ch, 'Wie kann ich meine Bestellung zurücksenden?', { from: '4915100000002', at: new Date(Date.now() - 25 * 3_600_000) });
    await expectRoutedTo(late.conversationId);
    expect(await holdOf(late.conversationId)).toBeUndefined();
    expect(meta.sent.length).toBe(before);
  });
});

describe('the self-service report', () => {
  it('when a manager asks for today, then the conversations the bot answered on messaging channels count with their outcomes', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const res = await request(env.app.url).get(`/api/v1/reports/self-service?from=${today}&to=${today}&timeZone=UTC`).auth(manager.token, { type: 'bearer' });
    expect(res.status).toBe(200);
    // above: 2 still held, 2 self-served (Telegram, WhatsApp), 5 handed over; no website chats in this database
    expect(res.body).toMatchObject({
      chats: 9,
      messaging: 9,
      selfServed: 2,
      handedOver: 5,
      withBot: 2,
      selfServiceRate: 22.2,
      handoverReasons: { asked: 1, not_helped: 1, max_turns: 1, no_match: 1, taken: 1 },
    });
    expect(res.body.articles.find((a: { id: string }) => a.id === articles.returns)).toMatchObject({ helped: 2, notHelped: 1 });
  });
});
