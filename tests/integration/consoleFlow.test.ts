/** The console as an agent uses it, over HTTP with a cookie session: inbox, filters, escaping, htmx fragments, replies. */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startTestAppWithReceiver, type TestApp } from '../support/testApp';
import type { WebhookReceiver } from '../support/webhookReceiver';
import { csrfFrom } from '../support/csrf';

let app: TestApp;
let hooks: WebhookReceiver;
let stop: () => Promise<void>;
beforeAll(async () => ({ app, hooks, stop } = await startTestAppWithReceiver()));
afterAll(() => stop());

type Channel = Awaited<ReturnType<typeof makeApiChannel>>;
const XSS = '<script>alert(1)</script>';

async function signIn(user: { email: string; password: string }): Promise<TestAgent> {
  const agent = request.agent(app.url);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .set('X-Forwarded-For', '203.0.113.7')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password });
  expect(res.status).toBe(302);
  return agent;
}

async function ingest(channel: Channel, overrides: Parameters<typeof inboundPost>[0] = {}) {
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost(overrides));
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; messageId: string; caseNumber: string };
}

/** The conversation ids listed, in order, from inbox HTML. */
const listed = (html: string) => [...html.matchAll(/data-conversation-id="([^"]+)"/g)].map((m) => m[1]);

let agentUser: Awaited<ReturnType<typeof makeUser>>;
let agent: TestAgent;
beforeAll(async () => {
  agentUser = await makeUser(app.services.db, { role: 'agent', locale: 'en' });
  agent = await signIn(agentUser);
});

describe('inbox', () => {
  it('when a post was just ingested, then the inbox lists it with its case number and text', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const text = `Paket fehlt ${randomUUID()}`;
    const { conversationId, caseNumber } = await ingest(channel, { text });
    const res = await agent.get('/inbox');
    expect(res.status).toBe(200);
    expect(listed(res.text)).toContain(conversationId);
    expect(res.text).toContain(`#${caseNumber}`);
    expect(res.text).toContain(text);
  });

  it('when filtering by channel, status and assignee, then only matching conversations are listed', async () => {
    const db = app.services.db;
    const [a, b] = [await makeApiChannel(db, app.services.secretBox), await makeApiChannel(db, app.services.secretBox)];
    const other = await makeUser(db, { role: 'agent' });
    const onA = await ingest(a);
    const onAMine = await ingest(a);
    const onAOther = await ingest(a);
    const onAClosed = await ingest(a);
    const onB = await ingest(b);
    await db.updateTable('conversations').set({ assigneeId: agentUser.id, status: 'assigned' }).where('id', '=', onAMine.conversationId).execute();
    await db.updateTable('conversations').set({ assigneeId: other.id, status: 'assigned' }).where('id', '=', onAOther.conversationId).execute();
    await db.updateTable('conversations').set({ status: 'closed' }).where('id', '=', onAClosed.conversationId).execute();

    const get = async (query: Record<string, string>) => {
      const res = await agent.get('/inbox').query(query);
      expect(res.status).toBe(200);
      return listed(res.text).sort();
    };
    const ids = (...cs: { conversationId: string }[]) => cs.map((c) => c.conversationId).sort();

    expect(await get({ channelId: a.channelId })).toEqual(ids(onA, onAMine, onAOther)); // default: open only
    expect(await get({ channelId: a.channelId, status: 'all' })).toEqual(ids(onA, onAMine, onAOther, onAClosed));
    expect(await get({ channelId: a.channelId, status: 'closed' })).toEqual(ids(onAClosed));
    expect(await get({ channelId: a.channelId, status: 'new' })).toEqual(ids(onA));
    expect(await get({ channelId: b.channelId })).toEqual(ids(onB));
    expect(await get({ channelId: a.channelId, assigneeId: 'me' })).toEqual(ids(onAMine));
    expect(await get({ channelId: a.channelId, assigneeId: other.id })).toEqual(ids(onAOther));
    expect(await get({ channelId: a.channelId, assigneeId: 'none', status: 'all' })).toEqual(ids(onA, onAClosed));
  });

  it('when a filter value is invalid, then 400 and a clear message', async () => {
    const res = await agent.get('/inbox').query({ status: 'bogus' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('bogus');
  });

  it('when the customer writes HTML, then the inbox and the conversation show it escaped, never as markup', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const { conversationId } = await ingest(channel, {
      text: `Hallo ${XSS}`,
      author: { externalId: `x-${randomUUID()}`, name: `<b onmouseover=alert(2)>Eve</b>` },
    });
    const inbox = await agent.get('/inbox').query({ channelId: channel.channelId });
    const page = await agent.get(`/conversations/${conversationId}`);
    for (const html of [inbox.text, page.text]) {
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toContain(XSS);
      expect(html).toContain('&lt;b onmouseover=alert(2)&gt;Eve&lt;/b&gt;');
      expect(html).not.toContain('<b onmouseover');
    }
  });

  it('when htmx asks for the inbox, then only the list fragment comes back', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const { conversationId } = await ingest(channel);
    const res = await agent.get('/inbox').query({ channelId: channel.channelId }).set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(res.text.trimStart()).toMatch(/^<section id="inbox-list"/);
    expect(res.text).not.toMatch(/<html|<head|<form|class="topbar"/);
    expect(listed(res.text)).toEqual([conversationId]);
    const full = await agent.get('/inbox').query({ channelId: channel.channelId });
    expect(full.text).toMatch(/<html/);
    expect(full.text).toContain('<section id="inbox-list"');
  });
});

describe('replying from the console', () => {
  let channel: Channel;
  beforeAll(async () => {
    channel = await makeApiChannel(app.services.db, app.services.secretBox, { webhookUrl: hooks.url });
  });

  async function threadUntilDelivered(who: TestAgent, conversationId: string) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await who.get(`/conversations/${conversationId}/thread`);
      if (res.text.includes('data-delivery="sent"')) return res.text;
      if (Date.now() > deadline) throw new Error(`reply never showed as sent:\n${res.text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('when an agent sends the reply form, then it is queued, reaches the webhook, and the thread shows "Delivered"', async () => {
    const { conversationId } = await ingest(channel);
    const page = await agent.get(`/conversations/${conversationId}`);
    const text = `Wir prüfen das sofort ${randomUUID()}`;
    const before = hooks.received.length;
    const res = await agent
      .post(`/conversations/${conversationId}/replies`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), text });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/conversations/${conversationId}`);
    const stored = await app.services.db.selectFrom('messages').selectAll().where('text', '=', text).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ direction: 'outbound', authorUserId: agentUser.id, conversationId });

    const hooksNow = await hooks.waitFor(before + 1);
    expect(hooksNow.slice(before).some((h) => h.json.text === text && h.json.messageId === stored.id)).toBe(true);
    const thread = await threadUntilDelivered(agent, conversationId);
    expect(thread).toContain(text);
    expect(thread).toMatch(/data-delivery="sent">\s*Delivered/);
    const conv = await agent.get(`/conversations/${conversationId}`);
    expect(conv.text).toMatch(/id="conv-status">Answered</);
  });

  it('when a German-speaking agent looks at a delivered reply, then it says "Zugestellt"', async () => {
    const { conversationId } = await ingest(channel);
    const german = await signIn(await makeUser(app.services.db, { role: 'agent', locale: 'de' }));
    const page = await german.get(`/conversations/${conversationId}`);
    await german
      .post(`/conversations/${conversationId}/replies`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), text: 'Danke für Ihre Geduld.' });
    expect(await threadUntilDelivered(german, conversationId)).toMatch(/data-delivery="sent">\s*Zugestellt/);
  });

  it('when htmx sends the reply, then the answer is the conversation fragment with an empty reply box', async () => {
    const { conversationId } = await ingest(channel);
    const page = await agent.get(`/conversations/${conversationId}`);
    const text = `htmx reply ${randomUUID()}`;
    const res = await agent
      .post(`/conversations/${conversationId}/replies`)
      .set('HX-Request', 'true')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), text });
    expect(res.status).toBe(200);
    expect(res.text.trimStart()).toMatch(/^<section id="conversation-main"/);
    expect(res.text).toContain(text);
    expect(res.text).toMatch(/<textarea[^>]*><\/textarea>/);
  });

  it('when the reply is empty or only spaces, then 400 with the message in the form and nothing is stored', async () => {
    const { conversationId } = await ingest(channel);
    const page = await agent.get(`/conversations/${conversationId}`);
    const count = async () => (await app.services.db.selectFrom('messages').select('id').where('conversationId', '=', conversationId).execute()).length;
    for (const text of ['', '   \n ']) {
      const res = await agent
        .post(`/conversations/${conversationId}/replies`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), text });
      expect(res.status).toBe(400);
      expect(res.text).toContain('<p class="alert" role="alert">Please check the marked fields.</p>');
      expect(res.text).toMatch(/name="text"[^>]*aria-invalid="true"/);
      expect(res.text).toContain('<span class="field-error" id="reply-text-error">Please fill this in.</span>');
    }
    expect(await count()).toBe(1);
    const { status } = await app.services.db.selectFrom('conversations').select('status').where('id', '=', conversationId).executeTakeFirstOrThrow();
    expect(status).toBe('new');
  });

  it('when the reply is too long, then 400 keeps the draft in the box and stores nothing', async () => {
    const { conversationId } = await ingest(channel);
    const page = await agent.get(`/conversations/${conversationId}`);
    const draft = `Entwurf <i>${'x'.repeat(20_001)}`;
    const res = await agent
      .post(`/conversations/${conversationId}/replies`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), text: draft });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Entwurf &lt;i&gt;xxx');
    expect(
      await app.services.db.selectFrom('messages').select('id').where('conversationId', '=', conversationId).where('direction', '=', 'outbound').execute(),
    ).toEqual([]);
  });

  it('when the conversation does not exist, then 404 for the page and for a reply', async () => {
    const csrf = csrfFrom((await agent.get('/inbox')).text);
    for (const id of [randomUUID(), 'not-a-uuid']) {
      expect((await agent.get(`/conversations/${id}`)).status).toBe(404);
      const res = await agent.post(`/conversations/${id}/replies`).type('form').send({ _csrf: csrf, text: 'Hallo' });
      expect(res.status).toBe(404);
      expect(res.text).toContain('Not found');
    }
    expect(await app.services.db.selectFrom('messages').select('id').where('text', '=', 'Hallo').where('authorUserId', '=', agentUser.id).execute()).toEqual(
      [],
    );
  });
});
