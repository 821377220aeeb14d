/**
 * A post's time as the source claims it: believable claims are kept, absurd ones (year 9999, year 0001,
 * beyond what JavaScript or PostgreSQL can hold) are replaced by the receipt time and the claim is kept
 * beside it; whatever rows are stored, the inbox renders with a bounded business-time walk.
 */
import request from 'supertest';
import { sql } from 'kysely';
import type TestAgent from 'supertest/lib/agent';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { makeWhatsappChannel } from '../factories/messagingChannels';
import { inboundText, postSignedWhatsapp } from '../fakes/fakeMetaServer';
import { processWebhookInbox } from '../../server/domain/channels/webhooks/webhookInbox';
import { MAX_WALK_DAYS, observeWalks } from '../../server/domain/sla/businessTime';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let manager: Awaited<ReturnType<typeof makeUser>>;
let agent: TestAgent;

beforeAll(async () => {
  app = await startTestApp({ workers: false });
  manager = await makeUser(app.services.db, { role: 'manager', locale: 'en' });
  const user = await makeUser(app.services.db, { role: 'agent', locale: 'en' });
  agent = request.agent(app.url);
  const page = await agent.get('/login');
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password })
    .expect(302);
});
afterAll(async () => {
  observeWalks(null);
  await app.stop();
});

const BERLIN_OFFICE = {
  name: 'Berlin office',
  timeZone: 'Europe/Berlin',
  weekly: { mon: [['08:00', '18:00']], tue: [['08:00', '18:00']], wed: [['08:00', '18:00']], thu: [['08:00', '18:00']], fri: [['08:00', '18:00']] },
  holidays: { country: 'DE', region: 'BE' },
  closures: [],
};
const api = (token = manager.token) => ({
  post: (path: string) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  patch: (path: string) => request(app.url).patch(`/api/v1${path}`).auth(token, { type: 'bearer' }),
});

/** An API channel with a 60-minute first-response policy (24/7 unless a calendar is given). */
async function channelWithPolicy(calendar: object | null = null) {
  const channel = await makeApiChannel(app.services.db, app.services.secretBox);
  const calendarId = calendar ? (await api().post('/calendars').send(calendar).expect(201)).body.id : null;
  const policy = await api()
    .post('/sla-policies')
    .send({ name: 'One hour', calendarId, firstResponseMinutes: 60, nextResponseMinutes: 60, resolutionMinutes: 600 })
    .expect(201);
  await api().patch(`/channels/${channel.channelId}`).send({ slaPolicyId: policy.body.id }).expect(200);
  const ingest = (body: object) =>
    request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(body);
  return { channel, ingest };
}

const storedPost = (messageId: string) =>
  app.services.db.selectFrom('messages').select(['postedAt', 'claimedPostedAt', 'slaDueAt', 'createdAt']).where('id', '=', messageId).executeTakeFirstOrThrow();

/** Collects the length (in days) of every business-time walk while `run` runs. */
async function walksDuring<T>(run: () => Promise<T>): Promise<{ result: T; walks: number[] }> {
  const walks: number[] = [];
  observeWalks((days) => walks.push(days));
  try {
    return { result: await run(), walks };
  } finally {
    observeWalks(null);
  }
}

describe('a post time the source cannot mean', () => {
  it.each([
    ['in year 9999', '9999-06-01T12:00:00Z', '9999-06-01T12:00:00.000Z'],
    ['in year 0001', '0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['in year 10000 once read as UTC', '9999-12-31T23:59:59-14:00', '+010000-01-01T13:59:59.000Z'],
    ['an hour ahead', new Date(Date.now() + 3_600_000).toISOString(), null],
    ['a year ago', new Date(Date.now() - 366 * 86_400_000).toISOString(), null],
  ])(
    'when the API ingests a post dated %s, then it is stored at its receipt time, its SLA counts from there and the claim is kept',
    async (_what, postedAt, claimed) => {
      const { ingest } = await channelWithPolicy();
      const before = Date.now();
      const res = await ingest(inboundPost({ postedAt }));
      expect(res.status).toBe(201);
      const row = await storedPost(res.body.messageId);
      expect(row.postedAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
      expect(row.postedAt.getTime()).toBeLessThanOrEqual(Date.now());
      expect(row.claimedPostedAt).toBe(claimed ?? new Date(postedAt).toISOString());
      expect(row.slaDueAt!.getTime() - row.postedAt.getTime()).toBe(60 * 60_000);
      const audit = await app.services.db
        .selectFrom('auditEvents')
        .select('after')
        .where('action', '=', 'message.received')
        .where(sql<boolean>`after->>'messageId' = ${res.body.messageId}`)
        .executeTakeFirstOrThrow();
      expect(audit.after).toMatchObject({ claimedPostedAt: row.claimedPostedAt });
    },
  );

  it('when a post is dated a minute ahead (clock skew) or two days ago (a late delivery), then its own time is kept', async () => {
    const { ingest } = await channelWithPolicy();
    for (const postedAt of [new Date(Date.now() + 60_000), new Date(Date.now() - 2 * 86_400_000)]) {
      const res = await ingest(inboundPost({ postedAt: postedAt.toISOString() })).expect(201);
      const row = await storedPost(res.body.messageId);
      expect(row.postedAt.toISOString()).toBe(postedAt.toISOString());
      expect(row.claimedPostedAt).toBeNull();
    }
  });

  it.each(['10000-01-01T00:00:00Z', '+010000-01-01T00:00:00Z', '2026-02-30T10:00:00Z', '0000-00-00T00:00:00Z'])(
    'when the API gets postedAt %s, which is no date it can read, then 400 names postedAt and nothing is stored',
    async (postedAt) => {
      const { channel, ingest } = await channelWithPolicy();
      const res = await ingest(inboundPost({ postedAt }));
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.fields)).toEqual(['postedAt']);
      const n = await app.services.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('channelId', '=', channel.channelId)
        .executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(0);
    },
  );

  it('when a WhatsApp message carries a timestamp in year 9999 or 1970, then it is stored at its receipt time with the claim kept', async () => {
    const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox, { graphBaseUrl: 'http://127.0.0.1:9/' });
    for (const seconds of ['253402300000', '0']) {
      const claimed = new Date(Number(seconds) * 1000).toISOString();
      const payload = inboundText(wa.phoneNumberId, 'Hallo?');
      const message = (payload.entry[0]!.changes[0]!.value as unknown as { messages: { id: string; timestamp: string }[] }).messages[0]!;
      message.timestamp = seconds;
      const body = JSON.stringify(payload);
      const before = Date.now();
      await postSignedWhatsapp(app.url, body, wa.appSecret).expect(200);
      const pending = await app.services.db
        .selectFrom('webhookInbox')
        .select('id')
        .where('channelId', '=', wa.channelId)
        .where('processedAt', 'is', null)
        .execute();
      for (const row of pending) await expect(processWebhookInbox(app.services, row.id)).resolves.toMatchObject({ outcome: 'processed' });
      const row = await app.services.db
        .selectFrom('messages')
        .select(['postedAt', 'claimedPostedAt'])
        .where('channelId', '=', wa.channelId)
        .where('externalId', '=', message.id)
        .executeTakeFirstOrThrow();
      expect(row.claimedPostedAt).toBe(claimed);
      expect(row.postedAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    }
  });
});

describe('stored rows with absurd times (written before the rule existed)', () => {
  it('when posts and conversations are due in year 9999 or were posted in year 0001, then the inbox renders with every business-time walk bounded', async () => {
    const { ingest } = await channelWithPolicy(BERLIN_OFFICE);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await ingest(inboundPost()).expect(201)).body.messageId);
    await sql`UPDATE messages SET posted_at = '0001-01-01T00:00:00Z', sla_due_at = '9999-06-01T12:00:00Z', sla_warn_at = '9999-06-01T11:00:00Z' WHERE id = ANY(${ids}::uuid[])`.execute(
      app.services.db,
    );
    await sql`UPDATE conversations SET response_due_at = '9999-06-01T12:00:00Z', first_response_due_at = '9999-06-01T12:00:00Z' WHERE id IN (SELECT conversation_id FROM messages WHERE id = ANY(${ids}::uuid[]))`.execute(
      app.services.db,
    );

    const { result: res, walks } = await walksDuring(() => agent.get('/inbox'));
    expect(res.status).toBe(200);
    expect(walks.length).toBeGreaterThan(0);
    expect(Math.max(...walks)).toBeLessThanOrEqual(MAX_WALK_DAYS + 2);
  });

  it('when an agent answers a post stored as posted in year 0001, then the reply is accepted and its business minutes come from a bounded walk', async () => {
    const { ingest } = await channelWithPolicy(BERLIN_OFFICE);
    const posted = (await ingest(inboundPost()).expect(201)).body;
    await sql`UPDATE messages SET posted_at = '0001-01-01T00:00:00Z' WHERE id = ${posted.messageId}::uuid`.execute(app.services.db);
    const agentUser = await makeUser(app.services.db, { role: 'agent' });
    const { result: res, walks } = await walksDuring(() =>
      request(app.url)
        .post(`/api/v1/conversations/${posted.conversationId}/replies`)
        .auth(agentUser.token, { type: 'bearer' })
        .send({ text: 'Wir kümmern uns darum.' }),
    );
    expect(res.status).toBe(202);
    expect(Math.max(...walks)).toBeLessThanOrEqual(MAX_WALK_DAYS + 2);
    const row = await app.services.db
      .selectFrom('messages')
      .select(['businessMinutesToRespond', 'slaState'])
      .where('id', '=', posted.messageId)
      .executeTakeFirstOrThrow();
    expect(row.businessMinutesToRespond).toBeGreaterThan(0);
  });
});
