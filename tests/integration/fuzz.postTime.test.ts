/**
 * Property-based fuzzing (fast-check, fixed seed) of post times: posts claiming any instant of the years
 * 0001–9999 go in through the API channel, and some rows are then rewritten to absurd due and post times
 * (as rows stored before ingest checked post times would be). Properties: never a 5xx; every stored post
 * time is believable; every inbox render walks at most MAX_WALK_DAYS + 2 days per business-time walk.
 */
import fc from 'fast-check';
import request from 'supertest';
import { sql } from 'kysely';
import type TestAgent from 'supertest/lib/agent';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { MAX_AHEAD_MS, MAX_BEHIND_MS } from '../../server/domain/conversations/postTime';
import { MAX_WALK_DAYS, observeWalks } from '../../server/domain/sla/businessTime';
import { csrfFrom } from '../support/csrf';
import { fuzzParams } from '../support/fuzz';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let agent: TestAgent;
let agentToken: string;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;

beforeAll(async () => {
  app = await startTestApp({ workers: false });
  const manager = await makeUser(app.services.db, { role: 'manager' });
  const user = await makeUser(app.services.db, { role: 'agent' });
  agentToken = user.token;
  agent = request.agent(app.url);
  const page = await agent.get('/login');
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password })
    .expect(302);
  channel = await makeApiChannel(app.services.db, app.services.secretBox);
  const api = (method: 'post' | 'patch', path: string) => request(app.url)[method](`/api/v1${path}`).auth(manager.token, { type: 'bearer' });
  const calendar = await api('post', '/calendars')
    .send({
      name: 'Berlin office',
      timeZone: 'Europe/Berlin',
      holidays: { country: 'DE', region: 'BE' },
      closures: [],
      weekly: { mon: [['08:00', '18:00']], tue: [['08:00', '18:00']], wed: [['08:00', '18:00']], thu: [['08:00', '18:00']], fri: [['08:00', '16:00']] },
    })
    .expect(201);
  const policy = await api('post', '/sla-policies')
    .send({ name: 'Office hour', calendarId: calendar.body.id, firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 2400 })
    .expect(201);
  await api('patch', `/channels/${channel.channelId}`).send({ slaPolicyId: policy.body.id }).expect(200);
});
afterAll(async () => {
  observeWalks(null);
  await app.stop();
});

const YEAR_1 = Date.parse('0001-01-01T00:00:00Z');
const YEAR_9999_END = Date.parse('9999-12-31T23:59:59.999Z');
/** Any instant of the years 0001–9999, often near now (the believable window and its edges). */
const anyInstant = () =>
  fc
    .oneof(
      { weight: 3, arbitrary: fc.integer({ min: YEAR_1, max: YEAR_9999_END }) },
      { weight: 1, arbitrary: fc.integer({ min: -MAX_BEHIND_MS - 86_400_000, max: MAX_AHEAD_MS + 3_600_000 }).map((d) => Date.now() + d) },
    )
    .map((ms) => new Date(ms));

/** How a stored row may be rewritten afterwards: untouched, or its times replaced by other absurd instants. */
const rewrite = () => fc.option(fc.record({ postedAt: anyInstant(), dueAt: anyInstant() }), { nil: null });

describe('post times under fuzzing', () => {
  it('when posts claim any time of the years 0001–9999 and stored rows hold absurd times, then no answer is a 5xx, stored times are believable and every walk of an inbox render or a reply is bounded', async () => {
    const walks: number[] = [];
    observeWalks((days) => walks.push(days));
    await fc.assert(
      fc.asyncProperty(anyInstant(), rewrite(), fc.boolean(), async (claimed, later, answer) => {
        const receivedFrom = Date.now();
        const res = await request(app.url)
          .post(`/api/v1/channels/${channel.channelId}/messages`)
          .auth(channel.ingestToken, { type: 'bearer' })
          .send(inboundPost({ postedAt: claimed.toISOString() }));
        if (res.status >= 500) throw new Error(`ingest answered ${res.status}: ${res.text.slice(0, 300)}`);
        expect(res.status).toBe(201);
        const row = await app.services.db
          .selectFrom('messages')
          .select(['postedAt', 'claimedPostedAt'])
          .where('id', '=', res.body.messageId)
          .executeTakeFirstOrThrow();
        expect(row.postedAt.getTime()).toBeGreaterThanOrEqual(receivedFrom - MAX_BEHIND_MS - 1_000);
        expect(row.postedAt.getTime()).toBeLessThanOrEqual(Date.now() + MAX_AHEAD_MS);
        if (row.claimedPostedAt !== null) expect(row.claimedPostedAt).toBe(claimed.toISOString());

        if (later) {
          await sql`UPDATE messages SET posted_at = ${later.postedAt.toISOString()}::timestamptz, sla_due_at = ${later.dueAt.toISOString()}::timestamptz,
          sla_warn_at = ${later.dueAt.toISOString()}::timestamptz WHERE id = ${res.body.messageId}::uuid`.execute(app.services.db);
          await sql`UPDATE conversations SET response_due_at = ${later.dueAt.toISOString()}::timestamptz WHERE id = ${res.body.conversationId}::uuid`.execute(
            app.services.db,
          );
        }
        walks.length = 0;
        const inbox = await agent.get('/inbox').query({ channelId: channel.channelId });
        if (inbox.status >= 500) throw new Error(`inbox answered ${inbox.status}`);
        expect(inbox.status).toBe(200);
        expect(walks.length).toBeGreaterThan(0);
        expect(Math.max(...walks)).toBeLessThanOrEqual(MAX_WALK_DAYS + 2);

        if (answer) {
          walks.length = 0;
          const reply = await request(app.url)
            .post(`/api/v1/conversations/${res.body.conversationId}/replies`)
            .auth(agentToken, { type: 'bearer' })
            .send({ text: 'Danke!' });
          if (reply.status >= 500) throw new Error(`reply answered ${reply.status}: ${reply.text.slice(0, 300)}`);
          expect(reply.status).toBe(202);
          expect(Math.max(0, ...walks)).toBeLessThanOrEqual(MAX_WALK_DAYS + 2);
        }
      }),
      fuzzParams(30),
    );
  });
});
