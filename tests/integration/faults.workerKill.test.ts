/**
 * A worker process is killed (SIGKILL) while it sends a reply and the receiver still holds the request
 * open (issue #7). Another worker takes the reply over once the dead worker's lock runs out: it is sent
 * again with the same Idempotency-Key and body (so the receiver can drop the repeat) and ends `sent`; a
 * reply whose workers die again and again ends `failed` with the reason, never stuck in `sending`.
 * Telegram (like WhatsApp, X and e-mail) cannot drop a repeat (issue 13.4): there the reply is not sent
 * again on its own but shows "maybe sent — check", and the agent decides — both choices audited.
 */
import { sql } from 'kysely';
import request from 'supertest';
import { JOBS } from '../../jobs/definitions';
import { pollChannelOnce } from '../../server/domain/channels/polling/pollChannel';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { makeTelegramChannel } from '../factories/messagingChannels';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fakeTelegramServer';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';
import { startWebhookReceiver, type ReceivedHook, type WebhookReceiver } from '../support/webhookReceiver';
import { startWorkerProcess, type WorkerProcess } from '../support/serverProcess';

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
  const post = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost())
    .expect(201);
  const reply = async () =>
    (
      await request(app.url)
        .post(`/api/v1/conversations/${post.body.conversationId}/replies`)
        .auth(agent.token, { type: 'bearer' })
        .send({ text: 'Ihr Paket ist unterwegs.' })
        .expect(202)
    ).body.messageId as string;
  const delivery = async (messageId: string) => {
    const res = await request(app.url).get(`/api/v1/conversations/${post.body.conversationId}`).auth(agent.token, { type: 'bearer' }).expect(200);
    return res.body.messages.find((m: { id: string }) => m.id === messageId).delivery as { state: string; attempts: number; error: string | null };
  };
  return { reply, delivery };
}

const byKey = (list: ReceivedHook[], messageId: string) => list.filter((h) => h.headers['idempotency-key'] === messageId);
const auditCount = async (action: string, messageId: string) =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM audit_events WHERE action = ${action} AND after->>'messageId' = ${messageId}`.execute(app.services.db))
      .rows[0]!.n,
  );
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

describe('when the worker is killed while Telegram holds sendMessage open', () => {
  let tg: FakeTelegram;
  beforeEach(async () => {
    tg = await startFakeTelegram();
  });
  afterEach(async () => {
    await tg.close();
  });

  /** A Telegram conversation whose first reply hangs in sendMessage until its worker is killed; then a second worker runs. */
  async function interruptedTelegramReply() {
    const { db, secretBox } = app.services;
    const ch = await makeTelegramChannel(db, secretBox, tg);
    tg.pushPrivateText({ id: 558001, first_name: 'Lena' }, 'Ist mein Paket verloren?');
    await pollChannelOnce(app.services, ch.channelId);
    const conversation = await db.selectFrom('conversations').select('id').where('channelId', '=', ch.channelId).executeTakeFirstOrThrow();
    const first = await startWorker();
    tg.misbehaveNext('sendMessage', 'hang');
    const res = await request(app.url)
      .post(`/api/v1/conversations/${conversation.id}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'Wir suchen es.' })
      .expect(202);
    const messageId = res.body.messageId as string;
    await until('Telegram to hold sendMessage', async () => tg.hung() === 1, 15_000);
    await first.kill9();
    await startWorker();
    const state = async () =>
      await db.selectFrom('messages').select(['deliveryState', 'deliveryError', 'deliveryAttempts']).where('id', '=', messageId).executeTakeFirstOrThrow();
    await until('the second worker to take the reply over', async () => (await state()).deliveryState !== 'sending', 20_000).catch(() => null);
    await until('the reply queue to drain', outboundIdle);
    return { conversationId: conversation.id, messageId, state };
  }

  async function signIn() {
    const browser = request.agent(app.url);
    const login = await browser.get('/login');
    await browser
      .post('/login')
      .set('X-Forwarded-For', '203.0.113.44')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), email: agent.email, password: agent.password })
      .expect(302);
    return browser;
  }

  it('then the next worker does not send it again: the agent sees "maybe sent — check", sends it again, and it goes out once more, audited', async () => {
    const { conversationId, messageId, state } = await interruptedTelegramReply();
    expect(tg.sent).toHaveLength(0);
    expect(await state()).toMatchObject({ deliveryState: 'uncertain', deliveryAttempts: 1 });
    expect((await state()).deliveryError).toMatch(/interrupted/);
    expect(await auditCount('message.delivery_uncertain', messageId)).toBe(1);

    const browser = await signIn();
    const page = await browser.get(`/conversations/${conversationId}`).expect(200);
    expect(page.text).toContain('Maybe sent — please check');
    expect(page.text).toContain(`/conversations/${conversationId}/messages/${messageId}/delivery`);
    await browser
      .post(`/conversations/${conversationId}/messages/${messageId}/delivery`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), resolution: 'resend' })
      .expect(303);

    await until('the reply to be sent again', async () => (await state()).deliveryState === 'sent', 15_000);
    expect(tg.sent.map((m) => m.text)).toEqual(['Wir suchen es.']);
    const resend = await sql<{ actorId: string; before: { deliveryState: string } }>`
      SELECT actor_id, before FROM audit_events WHERE action = 'message.delivery_resend' AND after->>'messageId' = ${messageId}`.execute(app.services.db);
    expect(resend.rows).toEqual([{ actorId: agent.id, before: { messageId, deliveryState: 'uncertain' } }]);
  });

  it('then the agent who finds it arrived marks it sent: nothing is sent, the reply shows sent, audited with the agent', async () => {
    const { conversationId, messageId, state } = await interruptedTelegramReply();
    expect((await state()).deliveryState).toBe('uncertain');
    const res = await request(app.url)
      .post(`/api/v1/conversations/${conversationId}/replies/${messageId}/delivery`)
      .auth(agent.token, { type: 'bearer' })
      .send({ resolution: 'sent' })
      .expect(200);
    expect(res.body).toEqual({ messageId, deliveryState: 'sent' });
    // A second decision on a reply that is no longer uncertain is refused.
    await request(app.url)
      .post(`/api/v1/conversations/${conversationId}/replies/${messageId}/delivery`)
      .auth(agent.token, { type: 'bearer' })
      .send({ resolution: 'resend' })
      .expect(409);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(tg.sent).toHaveLength(0);
    expect((await state()).deliveryState).toBe('sent');
    expect(await auditCount('message.delivery_marked_sent', messageId)).toBe(1);
  });
});
