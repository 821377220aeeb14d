/**
 * Redis goes away and comes back (issue #7). The app under test reaches Redis through a loopback proxy
 * that the test cuts, so the shared Redis keeps serving everyone else. PostgreSQL is the truth: posts
 * are stored while Redis is down, and after it returns the reconciler re-adds every owed job, each of
 * which has an effect exactly once (one webhook call per reply, one breach per post).
 */
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import request from 'supertest';
import { JOBS } from '../../jobs/definitions';
import { reconcileJobs } from '../../jobs/reconcile';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';
import { until } from '../support/until';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let app: TestApp;
let proxy: TcpProxy;
/** PostgreSQL through a proxy as well, for the host that restarts both. */
let pgProxy: TcpProxy;
let hooks: WebhookReceiver;
let manager: Awaited<ReturnType<typeof makeUser>>;
let agent: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  proxy = await startTcpProxy({ port: Number(new URL(REDIS_URL).port || 6379) });
  hooks = await startWebhookReceiver();
  pgProxy = await startTcpProxy({ port: Number(new URL(process.env.DATABASE_URL!).port || 5432) });
  // A failed attempt waits 20 s for its retry, so a test can lose that retry with Redis.
  app = await startTestApp({
    workers: true,
    env: { REDIS_URL: proxy.url(REDIS_URL), DATABASE_URL: pgProxy.url(process.env.DATABASE_URL!) },
    retryOverrides: { 'deliver-reply': { attempts: 4, backoffMs: 20_000 } },
  });
  manager = await makeUser(app.services.db, { role: 'manager' });
  agent = await makeUser(app.services.db, { role: 'agent' });
});
afterAll(async () => {
  proxy.restore();
  pgProxy.restore();
  await app.stop();
  await proxy.close();
  await pgProxy.close();
  await hooks.close();
});

const db = () => app.services.db;
const api = (token: string) => ({
  post: (path: string) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }).timeout(5_000),
  patch: (path: string) => request(app.url).patch(`/api/v1${path}`).auth(token, { type: 'bearer' }).timeout(5_000),
});

/** An API channel delivering to the receiver, with a 60-minute 24/7 first-response target. */
async function timedChannel() {
  const channel = await makeApiChannel(db(), app.services.secretBox, { webhookUrl: hooks.url });
  const policy = await api(manager.token)
    .post('/sla-policies')
    .send({ name: 'One hour', calendarId: null, firstResponseMinutes: 60, nextResponseMinutes: 60 })
    .expect(201);
  await api(manager.token).patch(`/channels/${channel.channelId}`).send({ slaPolicyId: policy.body.id }).expect(200);
  const ingest = (body: object) =>
    request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).timeout(5_000).send(body);
  return { channel, ingest };
}

const auditCount = async (action: string, messageId: string) =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM audit_events WHERE action = ${action} AND after->>'messageId' = ${messageId}`.execute(db())).rows[0]!.n,
  );

const deliveriesOf = (messageId: string) => hooks.received.filter((h) => h.headers['idempotency-key'] === messageId).length;

/** Nothing left to run in the reply queue (waiting, running, delayed or being retried); the SLA sweep's next run always waits in its own. */
async function queuesIdle() {
  const c = await app.services.queues.queue(JOBS['deliver-reply'].queue).getJobCounts('active', 'waiting', 'delayed', 'prioritized');
  return Object.values(c).every((n) => n === 0);
}

const redisReady = () =>
  until('the app to reconnect to Redis', async () => app.services.redis.status === 'ready' && (await app.services.redis.ping()) === 'PONG');

describe('when Redis is down while posts arrive and agents reply', () => {
  it('then every post is stored at once (201, no hang), and after Redis returns every reply reaches the webhook once and every overdue post is breached once', async () => {
    const { ingest } = await timedChannel();
    proxy.cut();
    await until('the app to notice Redis is gone', async () => app.services.redis.status !== 'ready');

    // Three posts already past their due time (their breach timers are owed) and three answered at once.
    const overdue: { messageId: string; conversationId: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await ingest(inboundPost({ postedAt: new Date(Date.now() - 61 * 60_000).toISOString() }));
      expect(res.status).toBe(201);
      overdue.push(res.body);
    }
    const replies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const post = await ingest(inboundPost());
      expect(post.status).toBe(201);
      const reply = await api(agent.token)
        .post(`/conversations/${post.body.conversationId}/replies`)
        .send({ text: `Antwort ${i}` });
      expect(reply.status).toBe(202);
      replies.push(reply.body.messageId);
    }
    // PostgreSQL has all of it while Redis is still down; nothing was sent, nothing breached.
    const stored = await db()
      .selectFrom('messages')
      .select(['id', 'deliveryState', 'slaState'])
      .where('id', 'in', [...overdue.map((p) => p.messageId), ...replies])
      .execute();
    expect(stored.filter((m) => m.deliveryState === 'queued')).toHaveLength(3);
    expect(stored.filter((m) => m.slaState === 'ok')).toHaveLength(3);
    expect(hooks.received.filter((h) => replies.includes(String(h.headers['idempotency-key'])))).toHaveLength(0);

    proxy.restore();
    await redisReady();
    await until(
      'every reply to be sent',
      async () => {
        const rows = await db().selectFrom('messages').select('deliveryState').where('id', 'in', replies).execute();
        return rows.every((r) => r.deliveryState === 'sent');
      },
      15_000,
    );
    await until(
      'every overdue post to be breached',
      async () => {
        const rows = await db()
          .selectFrom('messages')
          .select('slaState')
          .where(
            'id',
            'in',
            overdue.map((p) => p.messageId),
          )
          .execute();
        return rows.every((r) => r.slaState === 'breached');
      },
      15_000,
    );

    // A second reconnect (and a second worker reconciling at the same moment) must not repeat anything.
    proxy.cut();
    await until('the app to notice Redis is gone again', async () => app.services.redis.status !== 'ready');
    proxy.restore();
    await redisReady();
    await reconcileJobs(db(), (jobs) => app.services.queues.enqueueBulk(jobs));
    await until('the queues to drain', queuesIdle, 15_000);

    for (const id of replies) {
      expect(deliveriesOf(id)).toBe(1);
      expect(await auditCount('message.delivered', id)).toBe(1);
    }
    for (const p of overdue) expect(await auditCount('sla.breached', p.messageId)).toBe(1);
  });
});

/** A post due in 5 s (the SLA sweep's schedule is in Redis) and a reply whose first attempt got a 503 (it waits 20 s in Redis for its retry). */
async function timerAndRetryWaitingInRedis() {
  const { ingest } = await timedChannel();
  const soon = await ingest(inboundPost({ postedAt: new Date(Date.now() - 60 * 60_000 + 5_000).toISOString() })).expect(201);
  const post = await ingest(inboundPost()).expect(201);
  hooks.failNext(503);
  const reply = await api(agent.token).post(`/conversations/${post.body.conversationId}/replies`).send({ text: 'Wir sind dran.' }).expect(202);
  const replyId: string = reply.body.messageId;
  await until('the first attempt to fail', async () => (await auditCount('message.delivery_retrying', replyId)) === 1);
  return { postId: soon.body.messageId as string, replyId };
}

/** While the app is cut off: Redis "restarts" without persistence, every key of this installation is gone. */
async function restartRedisEmpty(replyId: string) {
  const direct = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const sweepKey = `${app.services.config.redisPrefix}:${JOBS['sla-sweep'].queue}:repeat`; // the queue's job schedulers
    const retryKey = `${app.services.config.redisPrefix}:${JOBS['deliver-reply'].queue}:deliver-reply-${replyId}`;
    expect(await direct.zscore(sweepKey, 'sla-sweep')).not.toBeNull();
    expect(await direct.exists(retryKey)).toBe(1);
    const keys: string[] = [];
    for await (const batch of direct.scanStream({ match: `${app.services.config.redisPrefix}:*`, count: 500 })) keys.push(...(batch as string[]));
    if (keys.length) await direct.del(...keys);
    expect(await direct.exists(sweepKey, retryKey)).toBe(0);
  } finally {
    direct.disconnect();
  }
}

const deliveryStateOf = async (id: string) =>
  (await db().selectFrom('messages').select('deliveryState').where('id', '=', id).executeTakeFirstOrThrow()).deliveryState;

describe('when Redis restarts empty (its delayed jobs and retries are gone)', () => {
  it("then the reconciler re-adds the reply waiting for its retry and the SLA sweep, and the reply and the post's breach each happen once", async () => {
    const { postId, replyId } = await timerAndRetryWaitingInRedis();

    proxy.cut();
    await restartRedisEmpty(replyId);
    proxy.restore();
    await redisReady();

    await until('the reply to be sent', async () => (await deliveryStateOf(replyId)) === 'sent', 15_000);
    await until('the post to be breached', async () => (await auditCount('sla.breached', postId)) > 0, 15_000);
    await reconcileJobs(db(), (jobs) => app.services.queues.enqueueBulk(jobs));
    await until('the queues to drain', queuesIdle, 15_000);
    expect(deliveriesOf(replyId)).toBe(1);
    expect(await auditCount('message.delivered', replyId)).toBe(1);
    expect(await auditCount('sla.breached', postId)).toBe(1);
  });
});

describe('when the host restarts: Redis comes back empty while PostgreSQL is still down', () => {
  it('then the reconciler, which cannot read the database yet, tries again until it can, and the lost reply and timer each run once', async () => {
    const { postId, replyId } = await timerAndRetryWaitingInRedis();
    proxy.cut();
    pgProxy.cut();
    await restartRedisEmpty(replyId);
    const logsBefore = app.logs.length;
    proxy.restore();
    await redisReady();
    await until('the reconcile on reconnect to fail', async () => app.logs.slice(logsBefore).some((l) => l.includes('reconcile failed')));
    pgProxy.restore();

    await until('the reply to be sent', async () => (await deliveryStateOf(replyId)) === 'sent', 15_000);
    await until('the post to be breached', async () => (await auditCount('sla.breached', postId)) > 0, 15_000);
    await until('the queues to drain', queuesIdle, 15_000);
    expect(deliveriesOf(replyId)).toBe(1);
    expect(await auditCount('message.delivered', replyId)).toBe(1);
    expect(await auditCount('sla.breached', postId)).toBe(1);
  });
});
