/** Language, sentiment and listening queries through the API: detected on ingest, filterable, corrected by agents, queries evaluated on ingest and backfilled. */
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let agent: Awaited<ReturnType<typeof makeUser>>;
let manager: Awaited<ReturnType<typeof makeUser>>;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;

beforeAll(async () => {
  app = await startTestApp();
  agent = await makeUser(app.services.db, { role: 'agent', name: 'Lena Vogt' });
  manager = await makeUser(app.services.db, { role: 'manager', name: 'Jonas Berger' });
  channel = await makeApiChannel(app.services.db, app.services.secretBox);
});
afterAll(() => app.stop());

const api = (token: string) => ({
  get: (path: string) => request(app.url).get(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  post: (path: string, body: object) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
});

async function ingest(text: string, extra: Parameters<typeof inboundPost>[0] = {}) {
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost({ text, ...extra }));
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; messageId: string };
}

const messageJson = async (conversationId: string, messageId: string) => {
  const res = await api(agent.token).get(`/conversations/${conversationId}`);
  return res.body.messages.find((m: { id: string }) => m.id === messageId);
};

describe('language and sentiment of inbound posts', () => {
  it('when a German complaint and an English thank-you arrive, then each carries its language and sentiment, and the inbox filters by both', async () => {
    const angry = await ingest('Schon wieder verspätet, eine Katastrophe. Nie wieder bestelle ich bei euch!');
    const happy = await ingest('Thank you so much, great help and a wonderful service!');
    expect(await messageJson(angry.conversationId, angry.messageId)).toMatchObject({
      language: 'de',
      sentiment: { label: 'negative', score: expect.any(Number) },
    });
    expect(await messageJson(happy.conversationId, happy.messageId)).toMatchObject({ language: 'en', sentiment: { label: 'positive' } });

    const negatives = await api(agent.token).get('/conversations?status=all&sentiment=negative&language=de&limit=200');
    const ids = negatives.body.conversations.map((c: { id: string }) => c.id);
    expect(ids).toContain(angry.conversationId);
    expect(ids).not.toContain(happy.conversationId);
    expect((await api(agent.token).get('/conversations?sentiment=furious')).status).toBe(400);
  });

  it("when the customer writes again in the same conversation, then the conversation takes the new post's sentiment and keeps its language", async () => {
    const author = { externalId: `cust-followup-${Date.now()}`, name: 'Erika Mustermann' };
    const first = await ingest('Schon wieder verspätet, eine Katastrophe. Nie wieder!', { author });
    const second = await ingest('Thank you so much, great help and a wonderful service!', { author });
    expect(second.conversationId).toBe(first.conversationId);
    const conversation = await app.services.db
      .selectFrom('conversations')
      .select(['language', 'sentimentLabel'])
      .where('id', '=', first.conversationId)
      .executeTakeFirstOrThrow();
    expect(conversation).toEqual({ language: 'de', sentimentLabel: 'positive' });
  });

  it('when an agent corrects the sentiment, then the post shows who did it, the conversation follows, it is audited and counted', async () => {
    const post = await ingest('Schon wieder verspätet, eine Katastrophe.');
    const res = await api(agent.token).post(`/messages/${post.messageId}/sentiment`, { label: 'neutral' });
    expect(res.status).toBe(200);
    expect(await messageJson(post.conversationId, post.messageId)).toMatchObject({
      sentiment: { label: 'neutral', overriddenBy: { id: agent.id, name: 'Lena Vogt' } },
    });
    const conversation = await app.services.db
      .selectFrom('conversations')
      .select('sentimentLabel')
      .where('id', '=', post.conversationId)
      .executeTakeFirstOrThrow();
    expect(conversation.sentimentLabel).toBe('neutral');
    const audit = await app.services.db.selectFrom('auditEvents').select(['action', 'before', 'after']).where('subjectId', '=', post.conversationId).execute();
    expect(audit).toContainEqual({
      action: 'message.sentiment_overridden',
      before: { messageId: post.messageId, sentiment: 'negative', detected: 'negative' },
      after: { messageId: post.messageId, sentiment: 'neutral' },
    });
    const report = await api(manager.token).get(`/monitoring/channels?channelId=${channel.channelId}&preset=today`);
    expect(report.body.sentimentOverrides.overridden).toBeGreaterThanOrEqual(1);
    expect((await api(agent.token).post(`/messages/${post.messageId}/sentiment`, { label: 'angry' })).status).toBe(400);
  });
});

describe('listening queries', () => {
  it('when a query is malformed, then 400 names the reason and the position and nothing is stored', async () => {
    const res = await api(manager.token).post('/listening-queries', { name: 'Bahn', query: '(bahn OR zug' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: expect.stringContaining('bracket'), position: 0, reason: 'unclosed_bracket' });
    const near = await api(manager.token).post('/listening-queries', { name: 'Bahn', query: 'zug NEAR/99 spät' });
    expect(near.body).toMatchObject({ position: 9, reason: 'near_distance' });
    expect((await api(agent.token).post('/listening-queries', { name: 'x', query: 'zug' })).status).toBe(403);
    expect(await app.services.db.selectFrom('listeningQueries').select('id').where('name', '=', 'Bahn').execute()).toEqual([]);
  });

  it('when posts arrive after a query was created, then matching ones are counted, tagged and raised in priority on ingest; a backfill finds the older ones', async () => {
    const before = await ingest('Mein Paket #Lieferung ist seit Tagen verschollen');
    const created = await api(manager.token).post('/listening-queries', {
      name: 'Lieferprobleme',
      query: '(#lieferung OR paket*) AND NOT lang:en',
      actions: { tag: 'lieferung', priority: 'high' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const hit = await ingest('Wo bleibt mein Paket? Seit einer Woche warte ich.');
    const miss = await ingest('Where is my parcel? Paketdienst never came.');
    const other = await ingest('Danke für die schnelle Antwort');

    const volume = await api(manager.token).get(`/listening-queries/${id}/volume?preset=today&granularity=hour&timeZone=Europe/Berlin`);
    expect(volume.status).toBe(200);
    expect(volume.body.total.posts).toBe(1);
    expect(volume.body.buckets).toEqual([
      { bucket: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:00$/), posts: 1, negative: expect.any(Number), negativeShare: expect.any(Number) },
    ]);
    expect(volume.body.terms.map((t: { term: string }) => t.term)).toContain('paket');

    const tagged = await app.services.db.selectFrom('conversationTags').select('conversationId').where('tag', '=', 'lieferung').execute();
    expect(tagged.map((t) => t.conversationId)).toEqual([hit.conversationId]);
    const priorities = await app.services.db
      .selectFrom('conversations')
      .select(['id', 'priority'])
      .where('id', 'in', [hit.conversationId, miss.conversationId, other.conversationId])
      .execute();
    expect(Object.fromEntries(priorities.map((p) => [p.id, p.priority]))).toEqual({
      [hit.conversationId]: 'high',
      [miss.conversationId]: 'normal',
      [other.conversationId]: 'normal',
    });
    const audit = await app.services.db.selectFrom('auditEvents').select(['action', 'after']).where('subjectId', '=', hit.conversationId).execute();
    expect(audit).toContainEqual({ action: 'conversation.tagged', after: { tags: ['lieferung'], listeningQueryId: id, listeningQuery: 'Lieferprobleme' } });

    const backfill = await api(manager.token).post(`/listening-queries/${id}/backfill`, { days: 1 });
    expect(backfill.status).toBe(200);
    expect(backfill.body.matched).toBe(2);
    const after = await api(manager.token).get(`/listening-queries/${id}/volume?preset=today`);
    expect(after.body.total.posts).toBe(2);
    const beforeTags = await app.services.db.selectFrom('conversationTags').select('tag').where('conversationId', '=', before.conversationId).execute();
    expect(beforeTags).toEqual([{ tag: 'lieferung' }]);

    const csv = await api(manager.token).get(`/listening-queries/${id}/volume?preset=today&format=csv`);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text).toContain('total,2,');
  });
});
