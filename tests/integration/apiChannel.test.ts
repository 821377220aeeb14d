/** The API channel end to end: ingest over HTTP, reply from the API, signed webhook delivery with retries. */
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { makeApiChannel, makeUser, inboundPost } from '../factories/factories';
import { startTestAppWithReceiver, type TestApp } from '../support/testApp';
import type { WebhookReceiver } from '../support/webhookReceiver';

let app: TestApp;
let hooks: WebhookReceiver;
let stop: () => Promise<void>;
beforeAll(async () => ({ app, hooks, stop } = await startTestAppWithReceiver()));
afterAll(() => stop());

const countMessages = async (channelId: string) =>
  Number(
    (
      await app.services.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('channelId', '=', channelId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('POST /api/v1/channels/:channelId/messages', () => {
  it('when a new post arrives, then it creates a conversation with a case number; the same externalId again returns the same ids', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const post = inboundPost();
    const first = await request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(post);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ messageId: expect.any(String), conversationId: expect.any(String), caseNumber: expect.any(String) });
    const again = await request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(post);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await countMessages(channel.channelId)).toBe(1);
  });

  it('when the token is missing or wrong, then 401 and nothing is stored', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const url = `/api/v1/channels/${channel.channelId}/messages`;
    expect((await request(app.url).post(url).send(inboundPost())).status).toBe(401);
    expect((await request(app.url).post(url).auth('rlc_wrong', { type: 'bearer' }).send(inboundPost())).status).toBe(401);
    expect(await countMessages(channel.channelId)).toBe(0);
  });

  it('when the body is invalid, then 400 lists the fields and nothing is stored', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const res = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send({ externalId: '', author: { name: 'x' }, text: 'hi', postedAt: 'yesterday' });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.fields)).toEqual(expect.arrayContaining(['externalId', 'author.externalId', 'postedAt']));
    expect(await countMessages(channel.channelId)).toBe(0);
  });

  it('when the body is over 1 MB, then 413 and nothing is stored', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const res = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost({ text: 'x'.repeat(1_100_000) }));
    expect(res.status).toBe(413);
    expect(await countMessages(channel.channelId)).toBe(0);
  });

  it('when a post replies to a known post, then it joins that conversation', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const url = `/api/v1/channels/${channel.channelId}/messages`;
    const first = await request(app.url).post(url).auth(channel.ingestToken, { type: 'bearer' }).send(inboundPost());
    const reply = await request(app.url)
      .post(url)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(
        inboundPost({
          inReplyToExternalId: (
            await app.services.db.selectFrom('messages').select('externalId').where('id', '=', first.body.messageId).executeTakeFirstOrThrow()
          ).externalId!,
        }),
      );
    expect(reply.status).toBe(201);
    expect(reply.body.conversationId).toBe(first.body.conversationId);
  });
});

describe('replies to an API-channel conversation', () => {
  it('when an agent replies, then the reply is POSTed to the webhook with a valid signature, shows as sent, and the conversation is answered', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox, { webhookUrl: hooks.url });
    const agent = await makeUser(app.services.db, { role: 'agent' });
    const post = inboundPost();
    const ingested = await request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(post);
    const before = hooks.received.length;
    hooks.failNext(503);

    const res = await request(app.url)
      .post(`/api/v1/conversations/${ingested.body.conversationId}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'Wir kümmern uns darum! 🙂' });
    expect(res.status).toBe(202);
    const [hook] = (await hooks.waitFor(before + 1)).slice(before);
    expect(hook!.json).toMatchObject({
      event: 'reply',
      messageId: res.body.messageId,
      inReplyToExternalId: post.externalId,
      text: 'Wir kümmern uns darum! 🙂',
    });
    const expected = `sha256=${createHmac('sha256', channel.webhookSecret).update(hook!.body).digest('hex')}`;
    expect(hook!.headers['x-replyline-signature']).toBe(expected);

    const conv = await waitForDelivery(agent.token, ingested.body.conversationId, res.body.messageId, 'sent');
    expect(conv.status).toBe('answered');
    const outbound = conv.messages.find((m: { id: string }) => m.id === res.body.messageId);
    expect(outbound.delivery).toMatchObject({ state: 'sent', attempts: 2 });

    const audit = await request(app.url).get(`/api/v1/audit?subjectId=${ingested.body.conversationId}`).auth(agent.token, { type: 'bearer' });
    expect(audit.status).toBe(403);
  });

  it('when the webhook keeps failing with a 4xx, then the reply shows as failed with the reason', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox, { webhookUrl: hooks.url });
    const manager = await makeUser(app.services.db, { role: 'manager' });
    const ingested = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost());
    hooks.failNext(422);
    const res = await request(app.url)
      .post(`/api/v1/conversations/${ingested.body.conversationId}/replies`)
      .auth(manager.token, { type: 'bearer' })
      .send({ text: 'Hallo' });
    const conv = await waitForDelivery(manager.token, ingested.body.conversationId, res.body.messageId, 'failed');
    expect(conv.messages.at(-1).delivery.error).toContain('HTTP 422');
    const audit = await request(app.url).get(`/api/v1/audit?subjectId=${ingested.body.conversationId}`).auth(manager.token, { type: 'bearer' });
    expect(audit.body.events.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['conversation.created', 'message.received', 'reply.queued', 'conversation.status_changed', 'message.delivery_failed']),
    );
  });
});

async function waitForDelivery(token: string, conversationId: string, messageId: string, state: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await request(app.url).get(`/api/v1/conversations/${conversationId}`).auth(token, { type: 'bearer' });
    const m = res.body.messages?.find((x: { id: string }) => x.id === messageId);
    if (m?.delivery?.state === state) return res.body;
    if (Date.now() > deadline) throw new Error(`delivery state stayed ${m?.delivery?.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
