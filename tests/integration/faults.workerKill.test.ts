/**
 * A worker process is killed (SIGKILL) while it sends a reply and the receiver still holds the request
 * open (issue #7). Another worker takes the reply over once the dead worker's lock runs out: it is sent
 * again with the same Idempotency-Key and body (so the receiver can drop the repeat) and ends `sent`; a
 * reply whose workers die again and again ends `failed` with the reason, never stuck in `sending`.
 */
import { sql } from 'kysely';
import request from 'supertest';
import { JOBS } from '../../jobs/definitions';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';
import { startWebhookReceiver, type ReceivedHook, type WebhookReceiver } from '../support/webhookReceiver';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess';

jest.setTimeout(50_000);

let app: TestApp;
let hooks: WebhookReceiver;
let agent: Awaited<ReturnType<typeof makeUser>>;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  // Only the web side runs in this process; replies are sent by separate worker processes.
  app = await startTestApp({ workers: false });
  hooks = await startWebhookReceiver();
  agent = await makeUser(app.services.db, { role: 'agent' });
});
// Each test starts its own workers: one left running would take over the next test's reply.
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});
afterAll(async () => {
  await app.stop();
  await hooks.close();
});

/** A worker process on this file's database and Redis prefix; a dead worker's job is taken over after ~1.5 s. */
async function startWorker() {
  const w = await startWorkerProcess({ DATABASE_URL: process.env.DATABASE_URL!, REDIS_PREFIX: process.env.REDIS_PREFIX!, WORKER_LOCK_MS: '1500' });
  workers.push(w);
  return w;
}

async function conversationWithReply() {
  const channel = await makeApiChannel(app.services.db, app.services.secretBox, { webhookUrl: hooks.url });
  const post = await request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(inboundPost()).expect(201);
  const reply = async () => (await request(app.url).post(`/api/v1/conversations/${post.body.conversationId}/replies`).auth(agent.token, { type: 'bearer' })
    .send({ text: 'Ihr Paket ist unterwegs.' }).expect(202)).body.messageId as string;
  const delivery = async (messageId: string) => {
    const res = await request(app.url).get(`/api/v1/conversations/${post.body.conversationId}`).auth(agent.token, { type: 'bearer' }).expect(200);
    return res.body.messages.find((m: { id: string }) => m.id === messageId).delivery as { state: string; attempts: number; error: string | null };
  };
  return { reply, delivery };
}

const byKey = (list: ReceivedHook[], messageId: string) => list.filter((h) => h.headers['idempotency-key'] === messageId);
const auditCount = async (action: string, messageId: string) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM audit_events WHERE action = ${action} AND after->>'messageId' = ${messageId}`.execute(app.services.db)).rows[0]!.n);
const outboundIdle = async () => {
  const c = await app.services.queues.queue(JOBS['deliver-reply'].queue).getJobCounts('active', 'waiting', 'delayed', 'prioritized');
  return Object.values(c).every((n) => n === 0);
};

describe('when the worker is killed while the receiver holds the reply request open', () => {
  it('then another worker sends it again with the same Idempotency-Key and body, the receiver answers once, and the reply shows sent after 2 attempts', async () => {
    const { reply, delivery } = await conversationWithReply();
    const first = await startWorker();
    hooks.holdNext();
    const messageId = await reply();
    await until('the receiver to hold the first attempt', async () => byKey(hooks.held, messageId).length === 1, 15_000);
    expect(await delivery(messageId)).toMatchObject({ state: 'sending', attempts: 1 });

    await first.kill9();
    // Until another worker runs, the reply stays visibly "sending" and nothing else is sent.
    expect((await delivery(messageId)).state).toBe('sending');
    await startWorker();
    await until('the second worker to send the reply', async () => (await delivery(messageId)).state === 'sent', 20_000);
    await until('the reply queue to drain', outboundIdle);

    const [held] = byKey(hooks.held, messageId);
    const answered = byKey(hooks.received, messageId);
    expect(answered).toHaveLength(1);
    expect(answered[0]!.body).toBe(held!.body);
    expect(answered[0]!.headers['x-replyline-signature']).toBe(held!.headers['x-replyline-signature']);
    expect(await delivery(messageId)).toMatchObject({ state: 'sent', attempts: 2, error: null });
    expect(await auditCount('message.delivered', messageId)).toBe(1);
  });
});

describe('when the workers sending a reply are killed twice', () => {
  it('then the reply ends failed with the reason instead of staying "sending", and nothing else is sent', async () => {
    const { reply, delivery } = await conversationWithReply();
    const first = await startWorker();
    hooks.holdNext(2);
    const messageId = await reply();
    await until('the receiver to hold the first attempt', async () => byKey(hooks.held, messageId).length === 1, 15_000);
    await first.kill9();
    const second = await startWorker();
    await until('the receiver to hold the second attempt', async () => byKey(hooks.held, messageId).length === 2, 20_000);
    await second.kill9();

    await startWorker();
    await until('the reply to end failed', async () => (await delivery(messageId)).state === 'failed', 20_000);
    const failed = await delivery(messageId);
    expect(failed.error).toMatch(/worker sending it stopped/);
    expect(failed.error).toContain(messageId);
    await until('the reply queue to drain', outboundIdle);
    expect(byKey(hooks.received, messageId)).toHaveLength(0);
    expect(byKey(hooks.held, messageId)).toHaveLength(2);
    expect(await auditCount('message.delivery_failed', messageId)).toBe(1);
  });
});
