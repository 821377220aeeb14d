/**
 * Scale-out, as on two machines (issue #16): two web processes — one of them a node:cluster of two
 * (WEB_CONCURRENCY=2) — and two worker processes, all separate OS processes on one PostgreSQL and one
 * Redis. The load is spread over both web addresses. Every live client sees every event whichever
 * process it is connected to, every reply reaches the customer once, every SLA timer fires once and
 * routing never gives an agent more than their slots.
 */
import http from 'node:http';
import { sql } from 'kysely';
import request from 'supertest';
import { JOBS } from '../../jobs/definitions';
import { SLA_SWEEP_EVERY_MS } from '../../jobs/slaTimers';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startPgBouncer, type PgBouncer } from '../support/pgBouncer';
import { startWebProcess, startWorkerProcess, type ServerProcess } from '../support/serverProcess';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

jest.setTimeout(480_000);

const POSTS = 24;
// Five processes start at once on two cores (tsx compiles each on start).
const STARTUP_MS = 240_000;
let app: TestApp;
let hooks: WebhookReceiver;
let manager: Awaited<ReturnType<typeof makeUser>>;
let webs: ServerProcess[] = [];
let workers: ServerProcess[] = [];
let bouncer: PgBouncer | null;

beforeAll(async () => {
  // This process only sets up and checks; the web and worker processes below do the work.
  app = await startTestApp({ workers: false });
  hooks = await startWebhookReceiver();
  manager = await makeUser(app.services.db, { role: 'manager' });
  // Through PgBouncer in transaction mode where it is installed (as in production), else straight to PostgreSQL.
  bouncer = await startPgBouncer();
  const databaseUrl = bouncer ? bouncer.through(process.env.DATABASE_URL!) : process.env.DATABASE_URL!;
  console.info(
    bouncer
      ? 'scale-out: the processes reach PostgreSQL through PgBouncer (transaction mode)'
      : 'scale-out: PgBouncer is not installed; the processes reach PostgreSQL directly',
  );
  // Debian's PgBouncer (1.18) cannot keep a prepared statement from one transaction to the next.
  const env = { DATABASE_URL: databaseUrl, DATABASE_PREPARED_STATEMENTS: bouncer ? 'off' : 'on', REDIS_PREFIX: process.env.REDIS_PREFIX!, LOG_LEVEL: 'warn' };
  [webs, workers] = await Promise.all([
    Promise.all([startWebProcess(env, STARTUP_MS), startWebProcess({ ...env, WEB_CONCURRENCY: '2' }, STARTUP_MS)]),
    Promise.all([startWorkerProcess({ ...env, LOG_LEVEL: 'info' }, STARTUP_MS), startWorkerProcess({ ...env, LOG_LEVEL: 'info' }, STARTUP_MS)]),
  ]);
});
afterAll(async () => {
  await Promise.all([...webs, ...workers].map((p) => p.stop()));
  await bouncer?.stop();
  await hooks.close();
  await app.stop();
});

const db = () => app.services.db;
/** The n-th request goes to the n-th web process in turn, as a load balancer would send it. */
const web = (n: number) => webs[n % webs.length]!.url;
const api = (n: number, token: string) => ({
  post: (path: string) => request(web(n)).post(`/api/v1${path}`).auth(token, { type: 'bearer' }).timeout(30_000),
  patch: (path: string) => request(web(n)).patch(`/api/v1${path}`).auth(token, { type: 'bearer' }).timeout(30_000),
  put: (path: string) => request(web(n)).put(`/api/v1${path}`).auth(token, { type: 'bearer' }).timeout(30_000),
});

async function signIn(base: string, email: string, password: string): Promise<string> {
  const form = await request(base).get('/login').expect(200);
  const cookie = form.headers['set-cookie']![0]!.split(';')[0]!;
  const res = await request(base)
    .post('/login')
    .set('cookie', cookie)
    .type('form')
    .send({ _csrf: csrfFrom(form.text), email, password })
    .expect(302);
  return res.headers['set-cookie']![0]!.split(';')[0]!;
}

/** A console's live stream on one web process, collecting the conversation ids it was told about. */
async function liveClient(base: string, cookie: string) {
  const seen = new Set<string>();
  const stream = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get(`${base}/events`, { headers: { cookie, accept: 'text/event-stream' } }, resolve).on('error', reject);
  });
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (frame.startsWith('event: conversation\n') && data) seen.add((JSON.parse(data) as { conversationId: string }).conversationId);
    }
  });
  return { seen, close: () => stream.destroy() };
}

const auditCount = async (action: string, subjectIds: string[]) =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM audit_events WHERE action = ${action} AND subject_id = ANY(${subjectIds}::text[])`.execute(db()))
      .rows[0]!.n,
  );

/** Nothing left to run in the reply queue; the SLA sweep's next run always waits in its own. */
async function repliesIdle() {
  const c = await app.services.queues.queue(JOBS['deliver-reply'].queue).getJobCounts('active', 'waiting', 'delayed', 'prioritized');
  return Object.values(c).every((n) => n === 0);
}

test('when posts and replies are spread over two web processes and two workers run, then every live client sees every post, every reply is sent once and every overdue post is breached once', async () => {
  const channel = await makeApiChannel(db(), app.services.secretBox, { webhookUrl: hooks.url });
  const policy = await api(0, manager.token)
    .post('/sla-policies')
    .send({ name: 'One hour', calendarId: null, firstResponseMinutes: 60, nextResponseMinutes: 60 })
    .expect(201);
  await api(1, manager.token).patch(`/channels/${channel.channelId}`).send({ slaPolicyId: policy.body.id }).expect(200);
  // A console on each web process (the clustered one serves its two connections from either of its processes).
  const consoles = await Promise.all([0, 1, 2].map(async (n) => liveClient(web(n), await signIn(web(n), manager.email, manager.password))));
  try {
    // Half the posts are already past their one-hour target (their breach timers are due at once) and
    // stay unanswered; the other half are answered.
    const overdue = (n: number) => n % 2 === 0;
    const posts = await Promise.all(
      Array.from({ length: POSTS }, (_, n) =>
        request(web(n))
          .post(`/api/v1/channels/${channel.channelId}/messages`)
          .auth(channel.ingestToken, { type: 'bearer' })
          .send(inboundPost(overdue(n) ? { postedAt: new Date(Date.now() - 61 * 60_000).toISOString() } : {}))
          .expect(201)
          .then((res) => res.body as { messageId: string; conversationId: string }),
      ),
    );
    const conversations = posts.map((p) => p.conversationId);
    for (const live of consoles) await until('every post to reach every console', async () => conversations.every((id) => live.seen.has(id)), 30_000);

    const replies: string[] = [];
    for (const [n, post] of posts.entries()) {
      if (overdue(n)) continue;
      const res = await api(n, manager.token)
        .post(`/conversations/${post.conversationId}/replies`)
        .send({ text: `Antwort ${n}` })
        .expect(202);
      replies.push(res.body.messageId);
    }
    const deliveries = () => hooks.received.filter((h) => replies.includes(String(h.headers['idempotency-key'])));
    await until('every reply to be delivered', async () => new Set(deliveries().map((h) => h.headers['idempotency-key'])).size === replies.length, 60_000);
    const breached = posts.filter((_, n) => overdue(n)).map((p) => p.conversationId); // one post each
    await until('every overdue post to be breached', async () => (await auditCount('sla.breached', breached)) >= breached.length, 60_000);
    await until('the reply queue to be idle', repliesIdle, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3 * SLA_SWEEP_EVERY_MS)); // further sweeps of both workers find nothing owed

    expect(deliveries()).toHaveLength(replies.length);
    expect(await auditCount('sla.breached', breached)).toBe(breached.length);
  } finally {
    for (const live of consoles) live.close();
  }
});

test('when arrivals reach both web processes while two workers route, then no agent gets more conversations than their slots and none is routed twice', async () => {
  const agents = await Promise.all(Array.from({ length: 3 }, (_, n) => makeUser(db(), { role: 'agent', name: `Agent ${n}` })));
  const channel = await makeApiChannel(db(), app.services.secretBox);
  await api(0, manager.token)
    .patch(`/channels/${channel.channelId}`)
    .send({ routing: { mode: 'auto', teamId: null } })
    .expect(200);
  for (const [n, agent] of agents.entries()) {
    await api(n, manager.token)
      .patch(`/users/${agent.id}`)
      .send({ capacity: { chat: 2, messaging: 2, social: 2, email: 2 } })
      .expect(200);
    await api(n + 1, agent.token)
      .put(`/users/${agent.id}/presence`)
      .send({ status: 'online' })
      .expect(200);
  }
  const posts = await Promise.all(
    Array.from({ length: POSTS }, (_, n) =>
      request(web(n))
        .post(`/api/v1/channels/${channel.channelId}/messages`)
        .auth(channel.ingestToken, { type: 'bearer' })
        .send(inboundPost())
        .expect(201)
        .then((res) => res.body.conversationId as string),
    ),
  );
  const slots = agents.length * 2;
  const assigned = async () =>
    db().selectFrom('conversations').select(['id', 'assigneeId']).where('id', 'in', posts).where('assigneeId', 'is not', null).execute();
  await until('the free slots to be filled', async () => (await assigned()).length === slots, 60_000);
  // Both routers keep running; give them the chance to double-book before counting.
  await new Promise((r) => setTimeout(r, 2_000));

  const rows = await assigned();
  expect(rows).toHaveLength(slots);
  for (const agent of agents) expect(rows.filter((r) => r.assigneeId === agent.id)).toHaveLength(2);
  expect(await auditCount('conversation.routed', posts)).toBe(slots);
});
