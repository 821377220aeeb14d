/**
 * The public widget API (/widget/v1) against the real PostgreSQL, Redis and workers: origin check and CORS,
 * availability and invitations against free chat slots (the load test of issue #18), starting and running a
 * chat through the ingest pipeline, the visitor's event stream with resume, ending (by the visitor and after
 * inactivity), the offline form, the transcript mail, and the abuse limits (size, rate, tokens).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import request from 'supertest';
import { saveAlertSettings } from '../../server/db/repositories/alerts.repo';
import { addTeamMember, insertTeam } from '../../server/db/repositories/teams.repo';
import { endInactiveChats } from '../../server/domain/webchat/inactivity';
import { pruneInvitations } from '../../server/domain/webchat/invitations';
import { WIDGET_LIMITS } from '../../server/middleware/widgetRateLimit';
import { makeUser } from '../factories/factories';
import { makeChatSite } from '../factories/webchat';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

const ORIGIN = 'https://shop.example';
let app: TestApp;
let smtp: SmtpSink;
let agents: Awaited<ReturnType<typeof makeUser>>[];
let siteId: string;
let channelId: string;

/** Each test speaks from its own made-up address, so the per-address limits of one test never touch another. */
let ipCounter = 0;
const freshIp = () => `203.0.113.${(ipCounter += 1)}`;
let visitorCounter = 0;
const freshVisitor = () => `visitor-${Date.now().toString(36)}-${(visitorCounter += 1)}`;

const widget = (ip = freshIp()) => ({
  get: (path: string) => request(app.url).get(`/widget/v1${path}`).set('Origin', ORIGIN).set('X-Forwarded-For', ip),
  post: (path: string, body: object = {}) => request(app.url).post(`/widget/v1${path}`).set('Origin', ORIGIN).set('X-Forwarded-For', ip).send(body),
});
const asVisitor = (token: string, ip = freshIp()) => ({
  get: (path: string) => widget(ip).get(path).auth(token, { type: 'bearer' }),
  post: (path: string, body: object = {}) => widget(ip).post(path, body).auth(token, { type: 'bearer' }),
});
const api = (token: string) => ({
  put: (path: string, body: object) => request(app.url).put(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  post: (path: string, body: object) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
});

async function startChat(extra: object = {}) {
  const res = await widget().post(`/sites/${siteId}/conversations`, { visitorId: freshVisitor(), text: 'Wo ist meine Bestellung?', consent: true, ...extra });
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; caseNumber: string; visitorToken: string };
}
const session = (id: string) => app.services.db.selectFrom('chatSessions').selectAll().where('conversationId', '=', id).executeTakeFirstOrThrow();
const conversation = (id: string) => app.services.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const expireInvitations = () =>
  app.services.db
    .updateTable('chatInvitations')
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .execute();
const endAllChats = async () => {
  await app.services.db.updateTable('chatSessions').set({ endedAt: new Date(), endReason: 'agent' }).where('endedAt', 'is', null).execute();
  await app.services.db.updateTable('conversations').set({ status: 'closed' }).where('channelId', '=', channelId).execute();
};

beforeAll(async () => {
  [app, smtp] = await Promise.all([startTestApp({ workers: true }), startSmtpSink()]);
  const db = app.services.db;
  const team = await insertTeam(db, 'Website');
  agents = [];
  for (const name of ['Lena Vogt', 'Paul Weber', 'Mia Koch']) {
    const u = await makeUser(db, { role: 'agent', name });
    await addTeamMember(db, team.id, u.id);
    agents.push(u);
  }
  ({ siteId, channelId } = await makeChatSite(db, { teamId: team.id }));
  await saveAlertSettings(db, { smtpHost: smtp.host, smtpPort: smtp.port, smtpSecure: false, mailFrom: 'chat@replyline.test' });
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
});

describe('origin check and CORS', () => {
  it('when an allowed origin asks for the config, then it gets it with CORS for that origin only, cross-origin readable', async () => {
    const res = await widget().get(`/sites/${siteId}/config?lang=en`);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.headers.vary).toMatch(/Origin/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.body).toMatchObject({ siteId, name: 'Shop', lang: 'en', prechat: { name: 'optional', email: 'optional' } });
    expect(res.body.texts.title).toBe('Chat with us'); // the site set only a German title
    expect((await widget().get(`/sites/${siteId}/config`)).body.texts.title).toBe('Hallo!');
  });

  it('when another origin asks, then 403 with a German error and no CORS header; a preflight from the allowed origin is answered', async () => {
    const res = await request(app.url).get(`/widget/v1/sites/${siteId}/availability`).set('Origin', 'https://evil.example').set('X-Forwarded-For', freshIp());
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'Diese Website darf den Chat nicht einbinden.' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await request(app.url)
      .options(`/widget/v1/sites/${siteId}/conversations`)
      .set('Origin', ORIGIN)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(pre.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect((await request(app.url).options(`/widget/v1/sites/${siteId}/conversations`).set('Origin', 'https://evil.example')).status).toBe(403);
    expect((await widget().get('/sites/not-a-site/config')).status).toBe(404);
  });
});

describe('availability and invitations against free chat slots', () => {
  it('when nobody is online, then the site is open but not online and invites nobody', async () => {
    const res = await widget().get(`/sites/${siteId}/availability?visitorId=${freshVisitor()}&page=/checkout`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ open: true, online: false, invite: false, queueLength: 0, inviteAfterSeconds: 10 });
    const inv = await widget().post(`/sites/${siteId}/invitations`, { visitorId: freshVisitor(), page: '/checkout' });
    expect(inv.status).toBe(200);
    expect(inv.body).toEqual({ invite: false, reason: 'no_capacity' });
  });

  it('when 3 agents with 3 chat slots each are online and 30 visitors ask at once, then exactly 9 invitations are outstanding', async () => {
    for (const a of agents) expect((await api(a.token).put(`/users/${a.id}/presence`, { status: 'online' })).status).toBe(200);
    const visitors = Array.from({ length: 30 }, freshVisitor);
    const answers = await Promise.all(visitors.map((visitorId) => widget().post(`/sites/${siteId}/invitations`, { visitorId, page: '/checkout' })));
    const invited = answers.filter((r) => r.status === 201);
    expect(invited).toHaveLength(9);
    expect(answers.filter((r) => r.status === 200).map((r) => r.body)).toEqual(Array(21).fill({ invite: false, reason: 'no_capacity' }));
    const outstanding = await app.services.db
      .selectFrom('chatInvitations')
      .select('id')
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', new Date())
      .execute();
    expect(outstanding).toHaveLength(9);
    // asking again gets the same invitation, never a second slot; availability says the visitor holds one
    const again = await widget().post(`/sites/${siteId}/invitations`, { visitorId: visitors[answers.indexOf(invited[0]!)], page: '/checkout' });
    expect(again.body.invitationId).toBe(invited[0]!.body.invitationId);
    const avail = await widget().get(`/sites/${siteId}/availability?visitorId=${visitors[answers.indexOf(invited[0]!)]}&page=/checkout`);
    expect(avail.body).toMatchObject({ open: true, invite: true });
    const noRule = await widget().post(`/sites/${siteId}/invitations`, { visitorId: freshVisitor() });
    expect(noRule.body).toEqual({ invite: false, reason: 'no_rule' });
    await expireInvitations();
    expect((await widget().get(`/sites/${siteId}/availability?page=/x`)).body).toMatchObject({ online: true, expectedWaitSeconds: 0 });
  });
});

describe('invitation abuse', () => {
  it('when one address asks for invitations with ever new visitorIds, then it holds at most 2 and is limited to 10 requests in 10 minutes', async () => {
    for (const a of agents) expect((await api(a.token).put(`/users/${a.id}/presence`, { status: 'online' })).status).toBe(200);
    await expireInvitations();
    const ip = freshIp();
    const visitors = Array.from({ length: 4 }, freshVisitor);
    const answers = [];
    for (const visitorId of visitors) answers.push(await widget(ip).post(`/sites/${siteId}/invitations`, { visitorId, page: '/checkout', lang: 'en' }));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 429, 429]);
    expect(Number(answers[2]!.headers['retry-after'])).toBeGreaterThan(0);
    expect(answers[2]!.body.error).toMatch(/^Too many requests/);
    // a visitor holding an invitation asking again keeps it
    expect((await widget(ip).post(`/sites/${siteId}/invitations`, { visitorId: visitors[0], page: '/checkout' })).status).toBe(201);
    // without an invitation nothing is held, but the 11th request from one address in the window is refused
    const other = freshIp();
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await widget(other).post(`/sites/${siteId}/invitations`, { visitorId: freshVisitor() })).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    await expireInvitations();
  });

  it('when invitations are older than a day, then the sweep deletes them', async () => {
    const old = new Date(Date.now() - 25 * 3_600_000);
    const fresh = await app.services.db
      .insertInto('chatInvitations')
      .values([
        { siteId, visitorId: freshVisitor(), createdAt: old, expiresAt: new Date(old.getTime() + 60_000) },
        { siteId, visitorId: freshVisitor(), createdAt: new Date(), expiresAt: new Date(Date.now() - 1000) },
      ])
      .returning('createdAt')
      .execute();
    expect(fresh).toHaveLength(2);
    expect(await pruneInvitations(app.services.db, new Date())).toBe(1);
    expect(
      await app.services.db
        .selectFrom('chatInvitations')
        .select('id')
        .where('createdAt', '<', new Date(Date.now() - 86_400_000))
        .execute(),
    ).toEqual([]);
  });
});

describe('a chat', () => {
  it('when consent is missing or a required field is absent, then 400 in the asked language and nothing is stored', async () => {
    const before = await app.services.db.selectFrom('chatSessions').select('conversationId').execute();
    const de = await widget().post(`/sites/${siteId}/conversations`, { visitorId: freshVisitor(), text: 'Hallo' });
    expect(de.status).toBe(400);
    expect(de.body.error).toBe('Bitte stimmen Sie dem Datenschutzhinweis zu.');
    const en = await widget().post(`/sites/${siteId}/conversations`, { visitorId: freshVisitor(), text: 'Hi', consent: 'yes', lang: 'en' });
    expect(en.body.error).toBe('Please agree to the privacy notice.');
    const long = await widget().post(`/sites/${siteId}/conversations`, { visitorId: freshVisitor(), text: 'x'.repeat(2001), consent: true });
    expect(long.status).toBe(400);
    expect(long.body.fields).toHaveProperty('text');
    await app.services.db.updateTable('chatSites').set({ prechatName: 'required' }).where('id', '=', siteId).execute();
    const noName = await widget().post(`/sites/${siteId}/conversations`, { visitorId: freshVisitor(), text: 'Hallo', consent: true });
    expect(noName.body.error).toBe('Bitte geben Sie Ihren Namen an.');
    await app.services.db.updateTable('chatSites').set({ prechatName: 'optional' }).where('id', '=', siteId).execute();
    expect(await app.services.db.selectFrom('chatSessions').select('conversationId').execute()).toHaveLength(before.length);
  });

  it('when a visitor starts a chat, then it is a conversation on the site channel with a hashed token, routed to an agent; the token reads only its chat', async () => {
    const invitation = await widget().post(`/sites/${siteId}/invitations`, { visitorId: 'invited-visitor-1', page: '/checkout' });
    expect(invitation.status).toBe(201);
    const res = await widget().post(`/sites/${siteId}/conversations`, {
      visitorId: 'invited-visitor-1',
      text: 'Hallo, ich habe eine Frage',
      consent: true,
      name: 'Erika Muster',
      email: 'Erika@Example.test',
      page: 'https://shop.example/checkout',
      invitationId: invitation.body.invitationId,
    });
    expect(res.status).toBe(201);
    const { conversationId, caseNumber, visitorToken } = res.body;
    expect(visitorToken).toMatch(/^rlv_/);
    const s = await session(conversationId);
    expect(s.visitorTokenHash).toBe(createHash('sha256').update(visitorToken).digest('hex'));
    expect(s).toMatchObject({ siteId, visitorId: 'invited-visitor-1', prechatName: 'Erika Muster', prechatEmail: 'erika@example.test', language: 'de' });
    const inv = await app.services.db.selectFrom('chatInvitations').selectAll().where('id', '=', invitation.body.invitationId).executeTakeFirstOrThrow();
    expect(inv.usedAt).not.toBeNull();
    const c = await conversation(conversationId);
    expect(c.channelId).toBe(channelId);
    expect(c.caseNumber).toBe(caseNumber);
    expect(await until('routed to an agent', async () => (await conversation(conversationId)).assigneeId)).toBeTruthy();
    const audit = await app.services.db.selectFrom('auditEvents').select('action').where('subjectId', '=', conversationId).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['conversation.created', 'message.received', 'conversation.routed']));

    const other = await startChat();
    expect((await asVisitor(other.visitorToken).get(`/conversations/${conversationId}/messages`)).status).toBe(404);
    expect((await asVisitor('rlv_wrong').get(`/conversations/${conversationId}/messages`)).status).toBe(404);
    expect((await widget().get(`/conversations/${conversationId}/messages`)).status).toBe(404);

    const posted = await asVisitor(visitorToken).post(`/conversations/${conversationId}/messages`, { text: 'Noch eine Frage' });
    expect(posted.status).toBe(201);
    const view = await asVisitor(visitorToken).get(`/conversations/${conversationId}/messages`);
    expect(view.body).toMatchObject({ caseNumber, ended: false, endReason: null, accepted: false, agentName: null });
    expect(view.body.messages.map((m: { from: string; text: string }) => [m.from, m.text])).toEqual([
      ['visitor', 'Hallo, ich habe eine Frage'],
      ['visitor', 'Noch eine Frage'],
    ]);
    const oversized = await asVisitor(visitorToken).post(`/conversations/${conversationId}/messages`, { text: 'x'.repeat(17 * 1024) });
    expect(oversized.status).toBe(413);
    expect(oversized.body.error).toBeTruthy();
    expect((await asVisitor(visitorToken).post(`/conversations/${conversationId}/typing`)).status).toBe(204);
    const upTo = new Date().toISOString();
    expect((await asVisitor(visitorToken).post(`/conversations/${conversationId}/read`, { upTo })).status).toBe(204);
    expect((await session(conversationId)).visitorReadAt?.toISOString()).toBe(upTo);
  });

  it('when the visitor ends the chat, then it is closed and audited with the reason, and a later message is refused with 409', async () => {
    const chat = await startChat();
    const visitor = asVisitor(chat.visitorToken);
    const res = await visitor.post(`/conversations/${chat.conversationId}/end`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ended: true });
    expect(await session(chat.conversationId)).toMatchObject({ endReason: 'customer' });
    expect((await conversation(chat.conversationId)).status).toBe('closed');
    const actions = await app.services.db.selectFrom('auditEvents').select(['action', 'after']).where('subjectId', '=', chat.conversationId).execute();
    expect(actions).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'conversation.chat_ended', after: { reason: 'customer', accepted: false } })]),
    );
    expect(actions.map((a) => a.action)).toContain('conversation.status_changed');
    const late = await visitor.post(`/conversations/${chat.conversationId}/messages`, { text: 'Hallo?' });
    expect(late.status).toBe(409);
    expect(late.body.error).toBe('Dieser Chat ist beendet.');
    expect((await visitor.post(`/conversations/${chat.conversationId}/end`)).status).toBe(200);
    expect((await visitor.get(`/conversations/${chat.conversationId}/messages`)).body).toMatchObject({ ended: true, endReason: 'customer' });
  });

  it('when nothing happened in an accepted chat for the site inactivity time, then the sweep ends it (once)', async () => {
    await endAllChats();
    const chat = await startChat();
    const old = new Date(Date.now() - 16 * 60_000);
    await app.services.db
      .updateTable('chatSessions')
      .set({ lastVisitorAt: old, acceptedAt: old, acceptedBy: agents[0]!.id })
      .where('conversationId', '=', chat.conversationId)
      .execute();
    expect(await endInactiveChats(app.services.db, app.services.dispatcher)).toBe(1);
    expect(await session(chat.conversationId)).toMatchObject({ endReason: 'inactivity' });
    expect((await conversation(chat.conversationId)).status).toBe('closed');
    expect(await endInactiveChats(app.services.db, app.services.dispatcher)).toBe(0);
  });

  it('when the visitor waits in the queue or the agent answered lately, then the sweep does not end the chat', async () => {
    await endAllChats();
    const waiting = await startChat();
    const answered = await startChat();
    const longAgo = new Date(Date.now() - 40 * 60_000);
    await app.services.db.updateTable('chatSessions').set({ lastVisitorAt: longAgo }).where('conversationId', '=', waiting.conversationId).execute();
    await app.services.db
      .updateTable('chatSessions')
      .set({ lastVisitorAt: longAgo, acceptedAt: new Date(Date.now() - 30 * 60_000), acceptedBy: agents[0]!.id })
      .where('conversationId', '=', answered.conversationId)
      .execute();
    const agentReplyAt = (at: Date) =>
      app.services.db
        .insertInto('messages')
        .values({
          conversationId: answered.conversationId,
          channelId,
          direction: 'outbound',
          externalId: null,
          inReplyToExternalId: null,
          authorName: 'Lena Vogt',
          authorHandle: null,
          authorUserId: null,
          text: 'Ich schaue nach.',
          url: null,
          postedAt: at,
          raw: null,
          deliveryState: 'sent',
          deliveryError: null,
          deliveredAt: at,
        })
        .execute();
    await agentReplyAt(new Date(Date.now() - 5 * 60_000));
    expect(await endInactiveChats(app.services.db, app.services.dispatcher)).toBe(0);
    expect(await session(waiting.conversationId)).toMatchObject({ endedAt: null });
    expect(await session(answered.conversationId)).toMatchObject({ endedAt: null });
    // 16 minutes after the agent's reply with no word from the visitor, the accepted chat ends; the waiting one still waits
    expect(await endInactiveChats(app.services.db, app.services.dispatcher, new Date(Date.now() + 11 * 60_000))).toBe(1);
    expect(await session(answered.conversationId)).toMatchObject({ endReason: 'inactivity' });
    expect(await session(waiting.conversationId)).toMatchObject({ endedAt: null });
  });

  it('when the visitor asks for the transcript, then 202 and the mail with both sides arrives at the address', async () => {
    const chat = await startChat();
    const res = await asVisitor(chat.visitorToken).post(`/conversations/${chat.conversationId}/transcript`, { email: 'kunde@example.test' });
    expect(res.status).toBe(202);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.envelopeTo).toEqual(['kunde@example.test']);
    expect(mail!.mail.subject).toBe(`Ihr Chat-Verlauf (Fall #${chat.caseNumber})`);
    expect(mail!.mail.text).toContain('Sie: Wo ist meine Bestellung?');
  });

  it('when a transcript is asked for again, then only after 10 minutes, at most 3 times, and only to the pre-chat address', async () => {
    const chat = await startChat({ email: 'vorher@example.test' });
    const visitor = asVisitor(chat.visitorToken);
    const path = `/conversations/${chat.conversationId}/transcript`;
    const sentBefore = smtp.received.length;
    expect((await visitor.post(path, { email: 'opfer@example.test' })).status).toBe(202);
    const mails = await smtp.waitFor(sentBefore + 1);
    expect(mails[sentBefore]!.envelopeTo).toEqual(['vorher@example.test']);
    const again = await visitor.post(path, { email: 'opfer@example.test' });
    expect(again.status).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(500);
    expect(again.body.error).toBe('Der Verlauf wurde gerade verschickt. Bitte versuchen Sie es in 10 Minuten noch einmal.');
    const gate = `${app.services.config.redisPrefix}:widget:transcript:${chat.conversationId}`;
    for (let i = 0; i < 2; i++) {
      await app.services.redis.del(gate);
      expect((await visitor.post(path, {})).status).toBe(202);
    }
    await app.services.redis.del(gate);
    const used = await visitor.post(`${path}?lang=en`, {});
    expect(used.status).toBe(429);
    expect(used.body.error).toBe('The transcript of this chat has been sent 3 times already.');
    await smtp.waitFor(sentBefore + 3);
  });

  it('when the widget sends typing and read marks in a flood, then the console hears at most one of each per 2 s', async () => {
    const chat = await startChat();
    const heard: string[] = [];
    const stop = app.services.live.subscribe((e) => {
      if (e.type === 'chat' && e.conversationId === chat.conversationId) heard.push(e.change);
    });
    const visitor = asVisitor(chat.visitorToken);
    const calls = await Promise.all(
      Array.from({ length: 5 }, () => [
        visitor.post(`/conversations/${chat.conversationId}/typing`),
        visitor.post(`/conversations/${chat.conversationId}/read`, { upTo: new Date().toISOString() }),
      ]).flat(),
    );
    expect(calls.every((r) => r.status === 204)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    stop();
    expect(heard.filter((c) => c === 'visitor_typing')).toHaveLength(1);
    expect(heard.filter((c) => c === 'visitor_read')).toHaveLength(1);
  });
});

describe('the visitor event stream', () => {
  type Event = { event: string; id?: string; data: unknown };
  /** Opens the stream and collects its events until closed. */
  function openStream(conversationId: string, token: string, lastEventId?: string) {
    const events: Event[] = [];
    const req = http.get(`${app.url}/widget/v1/conversations/${conversationId}/events?token=${token}`, {
      headers: { Origin: ORIGIN, ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) },
    });
    let buffer = '';
    const ready = new Promise<http.IncomingMessage>((resolve) =>
      req.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = Object.fromEntries(
              block
                .split('\n')
                .filter((l) => !l.startsWith(':'))
                .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
            );
            if (fields.event) events.push({ event: fields.event, id: fields.id, data: JSON.parse(fields.data ?? 'null') });
            end = buffer.indexOf('\n\n');
          }
        });
        resolve(res);
      }),
    );
    return { events, ready, close: () => req.destroy() };
  }
  const reply = (conversationId: string, text: string) => api(agents[0]!.token).post(`/conversations/${conversationId}/replies`, { text });
  const messages = (events: Event[]) => events.filter((e) => e.event === 'message').map((e) => (e.data as { text: string }).text);

  it('when an agent replies, then the visitor stream gets it; a resume with Last-Event-ID loses nothing and repeats nothing', async () => {
    await endAllChats();
    const chat = await startChat();
    const stream = openStream(chat.conversationId, chat.visitorToken);
    const res = await stream.ready;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(await until('the queue position', async () => stream.events.find((e) => e.event === 'queue'))).toBeTruthy();
    expect((await reply(chat.conversationId, 'Guten Tag, ich schaue nach.')).status).toBe(202);
    const first = await until('the reply on the stream', async () => stream.events.find((e) => e.event === 'message'));
    expect(first!.data).toMatchObject({ from: 'agent', text: 'Guten Tag, ich schaue nach.', authorName: expect.any(String) });
    expect(first!.id).toBe((first!.data as { id: string }).id);
    stream.close();

    // while the visitor is away (a page change), two more replies go out
    await reply(chat.conversationId, 'Das Paket ist unterwegs.');
    await reply(chat.conversationId, 'Morgen kommt es an.');
    await until('both delivered', async () => {
      const sent = await app.services.db
        .selectFrom('messages')
        .select('id')
        .where('conversationId', '=', chat.conversationId)
        .where('deliveryState', '=', 'sent')
        .execute();
      return sent.length === 3;
    });
    const resumed = openStream(chat.conversationId, chat.visitorToken, first!.id);
    await resumed.ready;
    await until('two messages after the resume', async () => messages(resumed.events).length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(messages(resumed.events)).toEqual(['Das Paket ist unterwegs.', 'Morgen kommt es an.']);
    resumed.close();
    expect(app.logs.join('')).not.toContain(chat.visitorToken);
  });

  it('when the token is wrong, then the stream answers 404', async () => {
    const chat = await startChat();
    const stream = openStream(chat.conversationId, 'rlv_nope');
    expect((await stream.ready).statusCode).toBe(404);
    stream.close();
  });
});

describe('the offline form and abuse limits', () => {
  it('when a visitor leaves an offline message, then a case with the e-mail address on its contact is created, without a chat', async () => {
    const res = await widget().post(`/sites/${siteId}/offline`, { email: 'Offline@Example.test', text: 'Bitte rufen Sie zurück', consent: true, name: 'Otto' });
    expect(res.status).toBe(201);
    const c = await app.services.db.selectFrom('conversations').selectAll().where('caseNumber', '=', res.body.caseNumber).executeTakeFirstOrThrow();
    expect(c.channelId).toBe(channelId);
    const contact = await app.services.db.selectFrom('contacts').select('email').where('id', '=', c.contactId).executeTakeFirstOrThrow();
    expect(contact.email).toBe('offline@example.test');
    expect(await app.services.db.selectFrom('chatSessions').select('conversationId').where('conversationId', '=', c.id).execute()).toEqual([]);
    expect((await widget().post(`/sites/${siteId}/offline`, { email: 'x@example.test', text: 'Hi' })).status).toBe(400);
  });

  it('when two offline messages come with the same address, then each is its own case and neither sees or renames the other', async () => {
    const first = await widget().post(`/sites/${siteId}/offline`, {
      email: 'same@example.test',
      text: 'Meine Rechnung ist falsch',
      consent: true,
      name: 'Anna',
    });
    const second = await widget().post(`/sites/${siteId}/offline`, { email: 'same@example.test', text: 'Fremder Text', consent: true, name: 'Mallory' });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.caseNumber).not.toBe(first.body.caseNumber);
    const firstCase = await app.services.db.selectFrom('conversations').selectAll().where('caseNumber', '=', first.body.caseNumber).executeTakeFirstOrThrow();
    const texts = await app.services.db.selectFrom('messages').select('text').where('conversationId', '=', firstCase.id).execute();
    expect(texts.map((m) => m.text)).toEqual(['Meine Rechnung ist falsch']);
    const identities = await app.services.db.selectFrom('contactIdentities').select('name').where('contactId', '=', firstCase.contactId).execute();
    expect(identities.map((i) => i.name)).toEqual(['Anna']);
  });

  it('when one visitor sends more than the per-visitor limit, then 429 with Retry-After in the asked language', async () => {
    const visitorId = freshVisitor();
    const ip = freshIp();
    const max = WIDGET_LIMITS.perVisitor.max;
    for (let i = 0; i < max; i += 20) {
      const batch = await Promise.all(Array.from({ length: Math.min(20, max - i) }, () => widget(ip).get(`/sites/${siteId}/config?visitorId=${visitorId}`)));
      expect(batch.every((r) => r.status === 200)).toBe(true);
    }
    const refused = await widget(ip).get(`/sites/${siteId}/config?visitorId=${visitorId}&lang=en`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.error).toMatch(/^Too many requests/);
    // another visitor from the same address is not affected
    expect((await widget(ip).get(`/sites/${siteId}/config?visitorId=${freshVisitor()}`)).status).toBe(200);
  });
});
