/** Chat sites (issue #18): set up by managers and admins through the API and the console, each with its webchat channel, audited. */
import request from 'supertest';
import { makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { signInAgent } from '../support/signIn';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let manager: Awaited<ReturnType<typeof makeUser>>;
beforeAll(async () => {
  app = await startTestApp();
  manager = await makeUser(app.services.db, { role: 'manager', name: 'Jonas Berger', locale: 'de' });
});
afterAll(() => app.stop());

const api = (token: string) => ({
  post: (body: unknown) =>
    request(app.url)
      .post('/api/v1/chat-sites')
      .auth(token, { type: 'bearer' })
      .send(body as object),
  patch: (id: string, body: unknown) =>
    request(app.url)
      .patch(`/api/v1/chat-sites/${id}`)
      .auth(token, { type: 'bearer' })
      .send(body as object),
  get: (path = '') => request(app.url).get(`/api/v1/chat-sites${path}`).auth(token, { type: 'bearer' }),
});
const calendar = async () =>
  (
    await request(app.url)
      .post('/api/v1/calendars')
      .auth(manager.token, { type: 'bearer' })
      .send({ name: `Shop ${Date.now()}`, timeZone: 'Europe/Berlin', weekly: { mon: [['09:00', '17:00']] } })
      .expect(201)
  ).body.id as string;
const team = async (name: string) => (await app.services.db.insertInto('teams').values({ name }).returning('id').executeTakeFirstOrThrow()).id;
const siteCount = async () =>
  Number(
    (
      await app.services.db
        .selectFrom('chatSites')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('POST /api/v1/chat-sites', () => {
  it('when a manager creates a site, then 201 with the site, its webchat channel (queue, hours), the embed snippet, and one audit event', async () => {
    const calendarId = await calendar();
    const teamId = await team(`Chat-Team ${Date.now()}`);
    const res = await api(manager.token).post({
      name: 'Webshop',
      allowedOrigins: ['https://Shop.Example.de:443/', 'http://localhost:8080', 'https://shop.example.de'],
      routing: { mode: 'auto', teamId },
      calendarId,
      colour: '#AA3300',
      texts: { de: { title: 'Fragen Sie uns', greeting: '' } },
      prechat: { name: 'required', email: 'off' },
      invitationRules: [{ urlPattern: '/kasse*', afterSeconds: 30 }],
      targetSeconds: 30,
      targetPercent: 90,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Webshop',
      allowedOrigins: ['https://shop.example.de', 'http://localhost:8080'],
      routing: { mode: 'auto', teamId },
      calendarId,
      colour: '#aa3300',
      prechat: { name: 'required', email: 'off' },
      invitationRules: [{ urlPattern: '/kasse*', afterSeconds: 30 }],
      maxWaitSeconds: 120,
      targetSeconds: 30,
      targetPercent: 90,
      inactivityMinutes: 15,
    });
    expect(res.body.embedSnippet).toBe(`<script src="${app.services.config.baseUrl}/widget/v1/widget.js" data-site="${res.body.id}" async></script>`);
    // an empty or missing text takes its default, in each language
    expect(res.body.texts.de.title).toBe('Fragen Sie uns');
    expect(res.body.texts.de.greeting).toMatch(/Wie können wir Ihnen helfen/);
    expect(res.body.texts.en.consent).toMatch(/privacy policy/);
    const channel = await app.services.db.selectFrom('channels').selectAll().where('id', '=', res.body.channelId).executeTakeFirstOrThrow();
    expect(channel).toMatchObject({ kind: 'webchat', name: 'Webshop', routingMode: 'auto', routingTeamId: teamId, calendarId });
    const audit = await app.services.db.selectFrom('auditEvents').selectAll().where('subjectId', '=', res.body.channelId).execute();
    expect(audit.map((e) => e.action)).toEqual(['channel.chat_site_created']);
    expect(audit[0]).toMatchObject({ actorId: manager.id, subjectType: 'channel', channelId: res.body.channelId, before: null });
    expect(audit[0]!.after).toMatchObject({ siteId: res.body.id, name: 'Webshop', calendarId, routing: { mode: 'auto', teamId } });

    expect((await api(manager.token).get(`/${res.body.id}`)).body).toEqual(res.body);
    expect((await api(manager.token).get()).body.chatSites.map((s: { id: string }) => s.id)).toContain(res.body.id);
  });

  it('when an agent or auditor asks, then 403 even with a broken body, and nothing is stored', async () => {
    const before = await siteCount();
    for (const role of ['agent', 'auditor'] as const) {
      const user = await makeUser(app.services.db, { role });
      expect((await api(user.token).post({ name: 'x', allowedOrigins: 'nope' })).status).toBe(403);
      expect((await api(user.token).get()).status).toBe(403);
    }
    const admin = await makeUser(app.services.db, { role: 'admin' });
    expect((await api(admin.token).post({ name: 'Vom Admin' })).status).toBe(201);
    expect(await siteCount()).toBe(before + 1);
  });

  it.each([
    ['an origin with a path', { allowedOrigins: ['https://shop.example.de/kasse'] }, 'allowedOrigins.0'],
    ['plain http on a public host', { allowedOrigins: ['http://shop.example.de'] }, 'allowedOrigins.0'],
    ['a wildcard origin', { allowedOrigins: ['https://*.example.de'] }, 'allowedOrigins.0'],
    ['21 origins', { allowedOrigins: Array.from({ length: 21 }, (_, i) => `https://s${i}.example.de`) }, 'allowedOrigins'],
    ['a rule waiting 601 s', { invitationRules: [{ urlPattern: '/x*', afterSeconds: 601 }] }, 'invitationRules.0.afterSeconds'],
    ['a rule pattern of 201 characters', { invitationRules: [{ urlPattern: `/${'a'.repeat(200)}`, afterSeconds: 1 }] }, 'invitationRules.0.urlPattern'],
    ['21 rules', { invitationRules: Array.from({ length: 21 }, () => ({ urlPattern: '/x', afterSeconds: 1 })) }, 'invitationRules'],
    ['a title of 61 characters', { texts: { de: { title: 'x'.repeat(61) } } }, 'texts.de.title'],
    ['a third language', { texts: { fr: { title: 'Bonjour' } } }, 'texts'],
    ['a colour name', { colour: 'red' }, 'colour'],
    ['target 100 % of 4 s', { targetSeconds: 4 }, 'targetSeconds'],
    ['an unknown calendar', { calendarId: '00000000-0000-4000-8000-000000000000' }, 'calendarId'],
    ['an unknown team', { routing: { mode: 'auto', teamId: '00000000-0000-4000-8000-000000000000' } }, 'routing'],
    ['no name', { name: '' }, 'name'],
  ])('when the site has %s, then 400 naming the field, and nothing is stored', async (_what, body, field) => {
    const before = await siteCount();
    const res = await api(manager.token).post({ name: 'Kaputt', ...body });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.fields)).toContain(field);
    expect(await siteCount()).toBe(before);
  });
});

describe('PATCH /api/v1/chat-sites/:id', () => {
  it('when a manager changes texts, origins, queue and hours, then the rest stays, the channel follows, and the audit has before and after of what changed', async () => {
    const created = (
      await api(manager.token)
        .post({ name: 'Hilfe-Center', allowedOrigins: ['https://hilfe.example.de'] })
        .expect(201)
    ).body;
    const calendarId = await calendar();
    const res = await api(manager.token).patch(created.id, {
      name: 'Hilfe',
      texts: { en: { title: 'Talk to us' } },
      allowedOrigins: ['https://hilfe.example.de', 'https://www.example.de'],
      routing: { mode: 'pull' },
      calendarId,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Hilfe', routing: { mode: 'pull', teamId: null }, calendarId, prechat: created.prechat });
    expect(res.body.texts).toEqual({ de: created.texts.de, en: { ...created.texts.en, title: 'Talk to us' } });
    const channel = await app.services.db.selectFrom('channels').selectAll().where('id', '=', created.channelId).executeTakeFirstOrThrow();
    expect(channel).toMatchObject({ name: 'Hilfe', routingMode: 'pull', calendarId });
    const changed = await app.services.db
      .selectFrom('auditEvents')
      .select(['before', 'after'])
      .where('action', '=', 'channel.chat_site_changed')
      .where('subjectId', '=', created.channelId)
      .execute();
    expect(changed).toEqual([
      {
        before: {
          siteId: created.id,
          name: 'Hilfe-Center',
          allowedOrigins: ['https://hilfe.example.de'],
          texts: created.texts,
          routing: { mode: 'auto', teamId: null },
          calendarId: null,
        },
        after: {
          siteId: created.id,
          name: 'Hilfe',
          allowedOrigins: ['https://hilfe.example.de', 'https://www.example.de'],
          texts: res.body.texts,
          routing: { mode: 'pull', teamId: null },
          calendarId,
        },
      },
    ]);
    // the same again changes nothing and records nothing
    await api(manager.token).patch(created.id, { name: 'Hilfe' }).expect(200);
    expect(
      await app.services.db
        .selectFrom('auditEvents')
        .select('seq')
        .where('action', '=', 'channel.chat_site_changed')
        .where('subjectId', '=', created.channelId)
        .execute(),
    ).toHaveLength(1);
  });

  it('when the change is empty, bad or for no site, or comes from an agent, then 400, 404 or 403 and nothing changes', async () => {
    const created = (await api(manager.token).post({ name: 'Unverändert' }).expect(201)).body;
    const agent = await makeUser(app.services.db, { role: 'agent' });
    expect((await api(agent.token).patch(created.id, { name: 'Agent' })).status).toBe(403);
    expect((await api(manager.token).patch(created.id, {})).status).toBe(400);
    expect((await api(manager.token).patch(created.id, { inactivityMinutes: 241 })).status).toBe(400);
    expect((await api(manager.token).patch('00000000-0000-4000-8000-000000000000', { name: 'x' })).status).toBe(404);
    expect((await api(manager.token).patch('not-a-uuid', { name: 'x' })).status).toBe(404);
    expect((await api(manager.token).get(`/${created.id}`)).body).toEqual(created);
  });
});

describe('the console page', () => {
  it('when a German manager submits a bad origin, then 400 in German at the form with the field marked and the input kept; a good one shows the snippet', async () => {
    const web = await signInAgent(app.url, manager);
    const page = await web.get('/settings/chat-sites');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Neue Chat-Website');
    const before = await siteCount();
    const form = {
      _csrf: csrfFrom(page.text),
      name: 'Konsole',
      allowedOrigins: 'https://konsole.example.de\nhttps://konsole.example.de/pfad',
      routingMode: 'auto',
      teamId: '',
      calendarId: '',
      colour: '#123456',
      prechatName: 'optional',
      prechatEmail: 'required',
      invitationRules: '/kasse* 30\n/hilfe 5',
      maxWaitSeconds: '120',
      targetSeconds: '20',
      targetPercent: '80',
      inactivityMinutes: '15',
      'de.title': 'Chatten Sie mit uns',
    };
    const refused = await web.post('/settings/chat-sites').type('form').send(form);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Bitte prüfen Sie');
    expect(refused.text).toMatch(/name="allowedOrigins"[^>]*aria-invalid="true"/);
    expect(refused.text).toContain('https://konsole.example.de/pfad');
    expect(await siteCount()).toBe(before);

    const created = await web
      .post('/settings/chat-sites')
      .type('form')
      .send({ ...form, allowedOrigins: 'https://konsole.example.de' });
    expect(created.status).toBe(303);
    const sitePage = await web.get(created.headers.location!);
    expect(sitePage.text).toContain('Die Chat-Website ist angelegt');
    const site = await app.services.db.selectFrom('chatSites').selectAll().where('name', '=', 'Konsole').executeTakeFirstOrThrow();
    expect(site).toMatchObject({
      prechatEmail: 'required',
      invitationRules: [
        { urlPattern: '/kasse*', afterSeconds: 30 },
        { urlPattern: '/hilfe', afterSeconds: 5 },
      ],
    });
    expect(sitePage.text).toContain(`data-site=&#34;${site.id}&#34;`);
  });
});
