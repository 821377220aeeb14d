/**
 * One way to handle a web form, through the real console: bad input is a 4xx that re-renders the form with
 * the problem in the user's language, its fields marked and the input kept, and changes nothing; htmx
 * actions answer with the fragment to swap; reading notifications changes nothing, marking them read is a POST.
 */
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;
beforeAll(async () => {
  app = await startTestApp();
  channel = await makeApiChannel(app.services.db, app.services.secretBox);
});
afterAll(() => app.stop());

async function signIn(role: 'agent' | 'manager', locale: 'de' | 'en') {
  const user = await makeUser(app.services.db, { role, locale });
  const agent = request.agent(app.url);
  const login = await agent.get('/login');
  expect(
    (
      await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfFrom(login.text), email: user.email, password: user.password })
    ).status,
  ).toBe(302);
  return { user, agent, csrf: csrfFrom((await agent.get('/inbox')).text) };
}

async function ingest() {
  const res = await request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(inboundPost());
  expect(res.status).toBe(201);
  return res.body as { conversationId: string };
}

const notes = (conversationId: string) =>
  app.services.db.selectFrom('messages').select('id').where('conversationId', '=', conversationId).where('direction', '=', 'note').execute();

describe("a refused form in the user's language", () => {
  let de: { agent: TestAgent; csrf: string };
  beforeAll(async () => {
    de = await signIn('agent', 'de');
  });

  it('when a German agent saves an empty note, then 400, the page says so in German at the note form, the field is marked, and nothing is stored', async () => {
    const { conversationId } = await ingest();
    const res = await de.agent.post(`/conversations/${conversationId}/notes`).type('form').send({ _csrf: de.csrf, text: '   ' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<h1>'); // the whole page again, not an error page
    expect(res.text).toMatch(/<div id="note-error">\s*<p class="alert" role="alert">Bitte prüfen Sie die markierten Angaben.<\/p>/);
    expect(res.text).toMatch(/<textarea id="note-text"[^>]*aria-invalid="true" aria-describedby="note-text-error"/);
    expect(res.text).toContain('<span class="field-error" id="note-text-error">Bitte ausfüllen.</span>');
    expect(res.text).not.toContain('the note is empty');
    expect(await notes(conversationId)).toHaveLength(0);
  });

  it('when a tag is malformed in the action bar (htmx), then the #conversation-main fragment comes back with the reason at the action bar, in German', async () => {
    const { conversationId } = await ingest();
    const res = await de.agent.post(`/conversations/${conversationId}/tags`).set('HX-Request', 'true').type('form').send({ _csrf: de.csrf, add: 'ok, <böse>' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="conversation-main"');
    expect(res.text).not.toContain('<html');
    expect(res.text).toContain('Ein Tag hat 1–40 Buchstaben, Ziffern, Leerzeichen, - oder _.');
    expect(res.text).toContain('value="ok, &lt;böse&gt;"'); // the input is kept, escaped
    const tags = await app.services.db.selectFrom('conversationTags').select('tag').where('conversationId', '=', conversationId).execute();
    expect(tags).toHaveLength(0);
  });

  it('when an action succeeds over htmx, then it answers with the fresh #conversation-main fragment, no HX-Location round trip', async () => {
    const { conversationId } = await ingest();
    const res = await de.agent
      .post(`/conversations/${conversationId}/priority`)
      .set('HX-Request', 'true')
      .type('form')
      .send({ _csrf: de.csrf, priority: 'urgent' });
    expect(res.status).toBe(200);
    expect(res.headers['hx-location']).toBeUndefined();
    expect(res.text).toContain('id="conversation-main"');
    expect(res.text).toContain('prio-urgent');
    const plain = await de.agent.post(`/conversations/${conversationId}/priority`).type('form').send({ _csrf: de.csrf, priority: 'low' });
    expect(plain.status).toBe(303);
    expect(plain.headers.location).toBe(`/conversations/${conversationId}`);
  });

  it("when a manager's canned response is refused, then the settings page re-renders with that form's fields marked and the input kept", async () => {
    const manager = await signIn('manager', 'de');
    const res = await manager.agent
      .post('/settings/canned-responses')
      .type('form')
      .send({ _csrf: manager.csrf, title: 'Versand', shortcut: 'Nicht OK!', body: 'Hallo {{contact.name}}', channelKinds: 'x' });
    expect(res.status).toBe(400);
    const form = /<form [^>]*data-form="canned-new">[\s\S]*?<\/form>/.exec(res.text)?.[0] ?? '';
    expect(form).toContain('Bitte prüfen Sie die markierten Angaben.');
    expect(form).toMatch(/name="shortcut"[^>]*value="Nicht OK!"[^>]*aria-invalid="true"/);
    expect(form).toContain('Ein Kürzel hat 1–40 Zeichen: a–z, 0–9, - oder _.');
    expect(form).toMatch(/name="title"[^>]*value="Versand"/);
    expect(form).not.toMatch(/name="title"[^>]*aria-invalid/);
    expect(form).toMatch(/value="x" checked/);
    expect(await app.services.db.selectFrom('cannedResponses').select('id').where('title', '=', 'Versand').execute()).toHaveLength(0);
  });

  it("when a shortcut is taken, then the domain's refusal marks the field in German too", async () => {
    const manager = await signIn('manager', 'de');
    const shortcut = `gruss${Date.now().toString(36)}`;
    const send = () => manager.agent.post('/settings/canned-responses').type('form').send({ _csrf: manager.csrf, title: 'Gruß', shortcut, body: 'Hallo' });
    expect((await send()).status).toBe(303);
    const res = await send();
    expect(res.status).toBe(409);
    expect(res.text).toContain(`Das Kürzel /${shortcut} ist schon vergeben.`);
    expect(res.text).not.toContain(`is taken`);
    expect(res.text).toContain('<span class="field-error" id="canned-new-shortcut-error">Schon vergeben.</span>');
  });

  it('when a German agent acts on a stale form, then the 409 at the action bar is German', async () => {
    const { conversationId } = await ingest();
    const stale = new Date(Date.now() - 3_600_000).toISOString();
    const res = await de.agent
      .post(`/conversations/${conversationId}/status`)
      .set('HX-Request', 'true')
      .type('form')
      .send({ _csrf: de.csrf, version: stale, status: 'closed' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('inzwischen geändert');
    expect(res.text).not.toMatch(/changed meanwhile|someone/);
  });

  it('when a German agent opens a page their role may not see, then the 403 page is German', async () => {
    const res = await de.agent.get('/audit');
    expect(res.status).toBe(403);
    expect(res.text).toContain('Das darf Ihre Rolle nicht.');
    expect(res.text).not.toContain('Not allowed');
  });

  it('when a path id is not a UUID, then 404 before any form is parsed', async () => {
    expect((await de.agent.post('/conversations/not-a-uuid/notes').type('form').send({ _csrf: de.csrf, text: 'x' })).status).toBe(404);
    expect((await de.agent.get('/conversations/not-a-uuid/canned/also-not')).status).toBe(404);
  });
});

describe('notifications', () => {
  it('when the list is opened, then nothing is marked read; the mark-read POST (CSRF-protected) does it', async () => {
    const { user, agent, csrf } = await signIn('agent', 'en');
    const author = await signIn('agent', 'en');
    const { conversationId } = await ingest();
    const handle = user.email.split('@')[0];
    expect(
      (
        await author.agent
          .post(`/conversations/${conversationId}/notes`)
          .type('form')
          .send({ _csrf: author.csrf, text: `@${handle} please look` })
      ).status,
    ).toBe(303);
    const unread = () => app.services.db.selectFrom('notifications').select('id').where('userId', '=', user.id).where('readAt', 'is', null).execute();
    expect(await unread()).toHaveLength(1);

    const list = await agent.get('/notifications');
    expect(list.status).toBe(200);
    expect(list.text).toContain('please look');
    expect(list.text).toContain('action="/notifications/read"');
    expect(await unread()).toHaveLength(1);

    expect((await agent.post('/notifications/read').type('form').send({})).status).toBe(403);
    expect(await unread()).toHaveLength(1);
    const marked = await agent.post('/notifications/read').type('form').send({ _csrf: csrf });
    expect(marked.status).toBe(303);
    expect(await unread()).toHaveLength(0);
  });

  it('when a signed-in page is rendered, then its shell holds the one live stream and the bell listens to it instead of polling', async () => {
    const { user, agent } = await signIn('agent', 'en');
    const page = await agent.get('/inbox');
    expect(page.text.match(/sse-connect=/g)).toHaveLength(1);
    expect(page.text).toMatch(/<body [^>]*hx-ext="sse" sse-connect="\/events"/);
    expect(page.text).toContain(`hx-trigger="load, sse:notify-${user.id}"`);
    const bell = await agent.get('/notifications/bell');
    expect(bell.text).toContain(`hx-trigger="sse:notify-${user.id}"`);
    expect(bell.text).not.toContain('every');
  });
});
