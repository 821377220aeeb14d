/**
 * The knowledge base through the real entry points: managers write articles over the API (permission before
 * validation, every change audited with before/after), search stems German and English, a chat site's public
 * help page lists and finds published articles only, and views and "Hat das geholfen?" answers are counted
 * once per visitor and day, rate-limited per client.
 */
import request from 'supertest';
import { makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';
import { sql } from 'kysely';
import { createSigner } from '../../server/crypto/signing';
import { recordView } from '../../server/domain/knowledge/articleUsage';
import { HELP_SEARCHES_PER_WINDOW, HELP_VOTES_PER_WINDOW } from '../../server/routes/web/help.routes';

let app: TestApp;
let manager: Awaited<ReturnType<typeof makeUser>>;
let agent: Awaited<ReturnType<typeof makeUser>>;
let siteId: string;

/** A chat site (029_web_chat) on a webchat channel, speaking the given languages. */
async function makeChatSite(languages: ('de' | 'en')[]) {
  const db = app.services.db;
  const channel = await db.insertInto('channels').values({ kind: 'webchat', name: 'Webshop-Chat' }).returning('id').executeTakeFirstOrThrow();
  const texts = Object.fromEntries(languages.map((l) => [l, { title: l === 'de' ? 'Hilfe' : 'Help' }]));
  const site = await db
    .insertInto('chatSites')
    .values({ channelId: channel.id, name: 'Webshop', texts: JSON.stringify(texts) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return site.id;
}

const api = (token: string) => ({
  post: (path: string, body: object) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  patch: (path: string, body: object) => request(app.url).patch(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  get: (path: string) => request(app.url).get(`/api/v1${path}`).auth(token, { type: 'bearer' }),
});

const RETURNS_DE = {
  title: 'Rücksendung Ihrer Bestellung',
  body: '# So geht es\n\nDie **Rücksendung** ist 30 Tage lang kostenlos. Drucken Sie das Etikett aus.\n\n<script>alert(1)</script>',
  topic: 'Versand',
  language: 'de',
  state: 'published',
};
const RETURNS_EN = { title: 'How to return an item', body: 'A return is free within 30 days.', language: 'en', state: 'published' };

beforeAll(async () => {
  app = await startTestApp();
  manager = await makeUser(app.services.db, { role: 'manager', locale: 'de' });
  agent = await makeUser(app.services.db, { role: 'agent' });
  siteId = await makeChatSite(['de']);
});
afterAll(async () => {
  await app.stop();
});

describe('articles over the API', () => {
  it('when an agent sends an invalid article, then the answer is 403 (permission before validation) and nothing is stored', async () => {
    await api(agent.token).post('/knowledge/articles', { title: '' }).expect(403);
    await api(agent.token).post('/knowledge/articles', RETURNS_DE).expect(403);
  });

  it('when a manager sends a title over 200 characters or a body over 50 000, then 400', async () => {
    await api(manager.token)
      .post('/knowledge/articles', { ...RETURNS_DE, title: 'x'.repeat(201) })
      .expect(400);
    await api(manager.token)
      .post('/knowledge/articles', { ...RETURNS_DE, body: 'x'.repeat(50_001) })
      .expect(400);
    await api(manager.token)
      .post('/knowledge/articles', { ...RETURNS_DE, topic: 't'.repeat(61) })
      .expect(400);
  });

  it('when a manager creates, changes and publishes an article, then each step is audited with before and after', async () => {
    const created = await api(manager.token)
      .post('/knowledge/articles', { ...RETURNS_DE, title: 'Entwurf', state: 'draft' })
      .expect(201);
    expect(created.body.bodyHtml).toContain('<strong>Rücksendung</strong>');
    expect(created.body.bodyHtml).not.toContain('<script>');
    const id = created.body.id as string;
    await api(manager.token).patch(`/knowledge/articles/${id}`, { title: 'Entwurf 2' }).expect(200);
    const published = await api(manager.token).patch(`/knowledge/articles/${id}`, { state: 'published' }).expect(200);
    expect(published.body).toMatchObject({ title: 'Entwurf 2', state: 'published', topic: 'Versand' });
    expect(published.body.publishedAt).not.toBeNull();

    const events = await app.services.db
      .selectFrom('auditEvents')
      .select(['action', 'before', 'after', 'actorId', 'subjectType'])
      .where('subjectId', '=', id)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.action)).toEqual(['knowledge.article_created', 'knowledge.article_changed', 'knowledge.article_published']);
    expect(events.every((e) => e.actorId === manager.id && e.subjectType === 'knowledge_article')).toBe(true);
    expect(events[1]).toMatchObject({ before: { title: 'Entwurf', state: 'draft' }, after: { title: 'Entwurf 2', state: 'draft' } });
    expect(events[2]).toMatchObject({ before: { state: 'draft' }, after: { state: 'published' } });
    const { rows } = await app.services.pool.query("SELECT audit_action_group('knowledge.article_published') AS g");
    expect(rows[0].g).toBe('cannedResponses');
  });

  it('when an agent changes an article, then 403; reading and searching is allowed', async () => {
    const { body } = await api(manager.token).post('/knowledge/articles', RETURNS_EN).expect(201);
    await api(agent.token).patch(`/knowledge/articles/${body.id}`, { title: 'x' }).expect(403);
    await api(agent.token).get(`/knowledge/articles/${body.id}`).expect(200);
    await api(agent.token).get('/knowledge/articles').expect(200);
  });
});

describe('search with stemming', () => {
  beforeAll(async () => {
    await api(manager.token).post('/knowledge/articles', RETURNS_DE).expect(201);
  });

  it('when the search is "Rücksendungen" in German, then the article about the "Rücksendung" is found, the hit marked and the text escaped', async () => {
    const res = await api(agent.token).get('/knowledge/search?q=R%C3%BCcksendungen&lang=de').expect(200);
    const hit = res.body.hits.find((h: { title: string }) => h.title === RETURNS_DE.title);
    expect(hit).toBeDefined();
    expect(hit.snippetHtml).toContain('<mark>Rücksendung</mark>');
    expect(hit.snippetHtml).not.toContain('<script');
    expect(res.body.hits.every((h: { language: string }) => h.language === 'de')).toBe(true);
  });

  it('when the search is "returns" in English, then the article about a "return" is found', async () => {
    const res = await api(agent.token).get('/knowledge/search?q=returns&lang=en').expect(200);
    expect(res.body.hits.map((h: { title: string }) => h.title)).toContain(RETURNS_EN.title);
  });

  it('when the search has no words, then 400', async () => {
    await api(agent.token).get('/knowledge/search?q=').expect(400);
  });
});

describe('the public help page', () => {
  let publishedId: string;
  let draftTitle: string;

  beforeAll(async () => {
    publishedId = (
      await api(manager.token)
        .post('/knowledge/articles', { ...RETURNS_DE, title: 'Umtausch und Rücksendung' })
        .expect(201)
    ).body.id;
    draftTitle = 'Geheimer Entwurf';
    await api(manager.token)
      .post('/knowledge/articles', { ...RETURNS_DE, title: draftTitle, state: 'draft' })
      .expect(201);
  });

  it("when a visitor opens a German site's help page, then published German articles are listed, drafts and English ones are not", async () => {
    const res = await request(app.url).get(`/help/${siteId}`).expect(200);
    expect(res.text).toContain('Umtausch und Rücksendung');
    expect(res.text).not.toContain(draftTitle);
    expect(res.text).not.toContain(RETURNS_EN.title);
    expect(res.text).toContain('Versand');
  });

  it('when a visitor searches the help page, then the stemmed hit is shown with the match marked', async () => {
    const res = await request(app.url).get(`/help/${siteId}?q=R%C3%BCcksendungen`).expect(200);
    expect(res.text).toContain('<mark>Rücksendung</mark>');
    expect(res.text).not.toContain(draftTitle);
  });

  it('when the site or the article does not exist, or the article is a draft, then 404', async () => {
    await request(app.url).get('/help/00000000-0000-4000-8000-000000000000').expect(404);
    const draft = await app.services.db.selectFrom('knowledgeArticles').select('id').where('title', '=', draftTitle).executeTakeFirstOrThrow();
    await request(app.url).get(`/help/${siteId}/articles/${draft.id}`).expect(404);
  });

  it('when one visitor opens an article twice and another once, then it has two views; the body is rendered safely', async () => {
    const first = await request(app.url).get(`/help/${siteId}/articles/${publishedId}`).set('User-Agent', 'Visitor A').expect(200);
    expect(first.text).toContain('<strong>Rücksendung</strong>');
    expect(first.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    await request(app.url).get(`/help/${siteId}/articles/${publishedId}`).set('User-Agent', 'Visitor A').expect(200);
    await request(app.url).get(`/help/${siteId}/articles/${publishedId}`).set('User-Agent', 'Visitor B').expect(200);
    const row = await app.services.db.selectFrom('knowledgeArticles').select('views').where('id', '=', publishedId).executeTakeFirstOrThrow();
    expect(row.views).toBe(2);
  });

  it('when a visitor answers "yes" twice and another "no", then helpful is 1 and not helpful 1; the manager sees the counts', async () => {
    const vote = async (ua: string, helped: 'yes' | 'no') => {
      const visitor = request.agent(app.url);
      const page = await visitor.get(`/help/${siteId}/articles/${publishedId}`).set('User-Agent', ua);
      return visitor
        .post(`/help/${siteId}/articles/${publishedId}/feedback`)
        .set('User-Agent', ua)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), helped });
    };
    const res = await vote('Voter A', 'yes');
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('feedback=thanks');
    await vote('Voter A', 'yes');
    await vote('Voter B', 'no');
    const row = await app.services.db.selectFrom('knowledgeArticles').select(['helpful', 'notHelpful']).where('id', '=', publishedId).executeTakeFirstOrThrow();
    expect(row).toEqual({ helpful: 1, notHelpful: 1 });

    const console = request.agent(app.url);
    const login = await console.get('/login');
    await console
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), email: manager.email, password: manager.password })
      .expect(302);
    const list = await console.get('/settings/knowledge').expect(200);
    const rowHtml = list.text.slice(list.text.indexOf(`data-article-id="${publishedId}"`));
    expect(/class="views">(\d+)</.exec(rowHtml)?.[1]).toBe('4'); // two visitors before, and the two voters' page views
    expect(/class="helpful">(\d+)</.exec(rowHtml)?.[1]).toBe('1');
    expect(/class="not-helpful">(\d+)</.exec(rowHtml)?.[1]).toBe('1');
  });

  it('when one address sends more answers than allowed, then 429 with Retry-After and a German text', async () => {
    const visitor = request.agent(app.url);
    const page = await visitor.get(`/help/${siteId}/articles/${publishedId}`).set('X-Forwarded-For', '203.0.113.77');
    const csrf = csrfFrom(page.text);
    const send = () =>
      visitor
        .post(`/help/${siteId}/articles/${publishedId}/feedback`)
        .set('X-Forwarded-For', '203.0.113.77')
        .set('Accept-Language', 'de')
        .type('form')
        .send({ _csrf: csrf, helped: 'yes' });
    for (let i = 0; i < HELP_VOTES_PER_WINDOW; i += 1) expect((await send()).status).toBe(303);
    const refused = await send();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.text).toContain('Zu viele Rückmeldungen');
  });

  it('when a search matches more articles than shown, then the best-ranked are shown, each with its snippet', async () => {
    for (let i = 0; i < 22; i += 1) {
      await api(manager.token)
        .post('/knowledge/articles', { ...RETURNS_DE, title: `Paketversand ${String(i).padStart(2, '0')}`, body: `Paket ${'Text '.repeat(i)}` })
        .expect(201);
    }
    const res = await request(app.url).get(`/help/${siteId}?q=Paket`).set('X-Forwarded-For', '203.0.113.80').expect(200);
    const shown = res.text.match(/<li lang="de"><a href="\/help\/[^"]+">Paketversand \d\d<\/a><p class="snippet">[^<]*<mark>Paket<\/mark>/g) ?? [];
    expect(shown).toHaveLength(20);
  });

  it('when one address searches more often than allowed, then 429 with Retry-After and a German text; browsing still works', async () => {
    const search = (ip: string) => request(app.url).get(`/help/${siteId}?q=R%C3%BCcksendung`).set('X-Forwarded-For', ip).set('Accept-Language', 'de');
    for (let i = 0; i < HELP_SEARCHES_PER_WINDOW; i += 1) expect((await search('203.0.113.78')).status).toBe(200);
    const refused = await search('203.0.113.78');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.text).toContain('Zu viele Suchanfragen');
    expect(refused.text).not.toContain('<mark>');
    await request(app.url).get(`/help/${siteId}`).set('X-Forwarded-For', '203.0.113.78').expect(200);
    expect((await search('203.0.113.79')).status).toBe(200);
  });
});

describe('usage counting around midnight', () => {
  it('when a visitor comes at 23:59 and 00:01 UTC, then two views are counted and the rows carry the UTC day, whatever the database clock says', async () => {
    const db = app.services.db;
    const article = await api(manager.token)
      .post('/knowledge/articles', { ...RETURNS_DE, title: 'Mitternacht' })
      .expect(201);
    const signer = createSigner(app.services.config.encryptionKey, 'help-visitor');
    const visitor = { ip: '203.0.113.90', userAgent: 'Night owl' };
    // far in the future, so the database's current_date lies before both days
    expect(await recordView(db, signer, article.body.id, visitor, new Date('2099-03-01T23:59:30Z'))).toBe(true);
    expect(await recordView(db, signer, article.body.id, visitor, new Date('2099-03-01T23:59:50Z'))).toBe(false);
    expect(await recordView(db, signer, article.body.id, visitor, new Date('2099-03-02T00:00:10Z'))).toBe(true);
    const rows = await db.selectFrom('knowledgeArticleUsage').select(sql<string>`day::text`.as('day')).where('articleId', '=', article.body.id).execute();
    expect(rows.map((r) => r.day)).toEqual(['2099-03-02']);
    const counted = await db.selectFrom('knowledgeArticles').select('views').where('id', '=', article.body.id).executeTakeFirstOrThrow();
    expect(counted.views).toBe(2);
  });
});
