/**
 * A channel's remote side misbehaves while replies are delivered (issue #7): the API channel's webhook
 * accepts and never answers, rate-limits, fails with an HTML page, or answers 2xx with garbage. Each
 * reply backs off, shows its state and reason meanwhile, and ends sent once or failed with the reason;
 * the worker keeps going. (503/422 answers: apiChannel.test.ts; X, Telegram, WhatsApp errors: their files.)
 */
import { sql } from 'kysely';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startTestAppWithReceiver, type TestApp } from '../support/testApp';
import { until } from '../support/until';
import type { WebhookReceiver } from '../support/webhookReceiver';

jest.setTimeout(40_000);

let app: TestApp;
let hooks: WebhookReceiver;
let stop: () => Promise<void>;
let agent: Awaited<ReturnType<typeof makeUser>>;
beforeAll(async () => {
  ({ app, hooks, stop } = await startTestAppWithReceiver()); // replies: 4 attempts, backoff from 200 ms
  agent = await makeUser(app.services.db, { role: 'agent' });
});
afterAll(() => stop());

async function replyOnNewConversation(text = 'Danke für Ihre Geduld.') {
  const channel = await makeApiChannel(app.services.db, app.services.secretBox, { webhookUrl: hooks.url });
  const post = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost())
    .expect(201);
  const conversationId: string = post.body.conversationId;
  const reply = await request(app.url).post(`/api/v1/conversations/${conversationId}/replies`).auth(agent.token, { type: 'bearer' }).send({ text }).expect(202);
  const messageId: string = reply.body.messageId;
  const delivery = async () => {
    const res = await request(app.url).get(`/api/v1/conversations/${conversationId}`).auth(agent.token, { type: 'bearer' }).expect(200);
    return res.body.messages.find((m: { id: string }) => m.id === messageId).delivery as { state: string; attempts: number; error: string | null };
  };
  return { messageId, delivery };
}

const deliveredTo = (messageId: string) => hooks.received.filter((h) => h.headers['idempotency-key'] === messageId);
const auditOf = async (messageId: string) =>
  (
    await sql<{ action: string; occurredAt: Date; error: string | null }>`SELECT action, occurred_at AS "occurredAt", after->>'error' AS error
    FROM audit_events WHERE after->>'messageId' = ${messageId} ORDER BY seq`.execute(app.services.db)
  ).rows;
const stored = (messageId: string) =>
  app.services.db.selectFrom('messages').select(['externalId', 'url', 'deliveryState']).where('id', '=', messageId).executeTakeFirstOrThrow();

describe('when the webhook accepts the reply and never answers', () => {
  it('then the attempt times out, the reply shows queued with "timed out" meanwhile, and the retry delivers it once', async () => {
    hooks.holdNext();
    const { messageId, delivery } = await replyOnNewConversation();
    await until('the receiver to hold the first attempt', async () => hooks.held.some((h) => h.headers['idempotency-key'] === messageId));
    await until(
      'the attempt to time out and wait for its retry',
      async () => {
        const d = await delivery();
        return d.error === 'timed out' || d.state === 'sent' ? d : null;
      },
      15_000,
    );
    await until('the retry to deliver the reply', async () => (await delivery()).state === 'sent', 5_000);
    expect(await delivery()).toMatchObject({ state: 'sent', attempts: 2, error: null });
    expect(deliveredTo(messageId)).toHaveLength(1);
    expect((await auditOf(messageId)).map((e) => [e.action, e.error])).toEqual([
      ['reply.queued', null],
      ['message.delivery_retrying', 'timed out'],
      ['message.delivered', null],
    ]);
  });
});

describe('when the webhook answers 429 with Retry-After', () => {
  it('then the reply waits at least that long, shows the 429 meanwhile, and is delivered once', async () => {
    hooks.failNext({ status: 429, headers: { 'retry-after': '1', 'content-type': 'text/plain' }, body: 'slow down' });
    const { messageId, delivery } = await replyOnNewConversation();
    await until('the reply to be delivered', async () => (await delivery()).state === 'sent', 10_000);
    const events = await auditOf(messageId);
    expect(events.map((e) => e.action)).toEqual(['reply.queued', 'message.delivery_retrying', 'message.delivered']);
    expect(events[1]!.error).toContain('HTTP 429');
    // the wait as the endpoint saw it: from its 429 to the next attempt (audit timestamps bunch up on a busy machine)
    const asked = hooks.refused.filter((h) => h.headers['idempotency-key'] === messageId);
    expect(asked).toHaveLength(1);
    expect(deliveredTo(messageId)).toHaveLength(1);
    expect(deliveredTo(messageId)[0]!.at - asked[0]!.at).toBeGreaterThanOrEqual(900);
  });
});

describe('when the webhook answers 500 with an HTML error page on every attempt', () => {
  it("then the reply is retried with growing waits and ends failed with the status and the page's start as the reason", async () => {
    const page = { status: 500, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>Internal Server Error</h1></body></html>' };
    hooks.failNext(page, page, page, page);
    const { messageId, delivery } = await replyOnNewConversation();
    await until('the reply to end failed', async () => (await delivery()).state === 'failed', 15_000);
    const d = await delivery();
    expect(d.attempts).toBe(4);
    expect(d.error).toMatch(/^HTTP 500: <html><body><h1>Internal Server Error/);
    const events = await auditOf(messageId);
    expect(events.map((e) => e.action)).toEqual(['reply.queued', ...Array(3).fill('message.delivery_retrying'), 'message.delivery_failed']);
    // Exponential backoff from 200 ms: the waits between attempts grow (≈200, 400, 800 ms).
    const at = events.slice(1).map((e) => e.occurredAt.getTime());
    const waits = at.slice(1).map((t, i) => t - at[i]!);
    expect(waits[0]).toBeGreaterThanOrEqual(150);
    expect(waits[2]!).toBeGreaterThan(waits[0]!);
    expect(deliveredTo(messageId)).toHaveLength(0);
  });
});

describe('when the webhook answers 2xx with garbage', () => {
  it('then a body that is not JSON or has the wrong shape still counts as delivered, without an external id, and the worker goes on', async () => {
    hooks.failNext({ status: 200, body: '<<OK>> not json at all \u0000' });
    const garbage = await replyOnNewConversation('Antwort A');
    await until('the first reply to be sent', async () => (await garbage.delivery()).state === 'sent');
    hooks.failNext({ status: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 42, url: ['not', 'a', 'url'] }) });
    const wrongShape = await replyOnNewConversation('Antwort B');
    await until('the second reply to be sent', async () => (await wrongShape.delivery()).state === 'sent');
    const normal = await replyOnNewConversation('Antwort C');
    await until('the third reply to be sent', async () => (await normal.delivery()).state === 'sent');

    expect(await stored(garbage.messageId)).toMatchObject({ deliveryState: 'sent', externalId: null, url: null });
    expect(await stored(wrongShape.messageId)).toMatchObject({ deliveryState: 'sent', externalId: null, url: null });
    expect((await stored(normal.messageId)).externalId).toMatch(/^hook-\d+$/);
    for (const m of [garbage, wrongShape, normal]) {
      expect(deliveredTo(m.messageId)).toHaveLength(1);
      expect(await m.delivery()).toMatchObject({ attempts: 1, error: null });
    }
    expect(app.logs.join('')).not.toContain('"level":50');
  });
});
