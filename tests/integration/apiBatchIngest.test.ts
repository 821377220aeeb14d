/** POST /api/v1/channels/:channelId/messages/batch: up to 500 posts in one request, one result per post. */
import request from 'supertest';
import { inboundPost, makeApiChannel } from '../factories/factories';
import { refuseTextsContaining } from '../support/refusedPosts';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

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

async function channelWithSender() {
  const channel = await makeApiChannel(app.services.db, app.services.secretBox);
  const send = (body: unknown, token = channel.ingestToken) =>
    request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages/batch`)
      .auth(token, { type: 'bearer' })
      .send(body as object);
  return { channel, send };
}

describe('POST /api/v1/channels/:channelId/messages/batch', () => {
  it('when a batch mixes new, known, repeated, invalid and refused posts, then each gets its own result and only the good new ones are stored', async () => {
    const { channel, send } = await channelWithSender();
    const known = inboundPost();
    const first = await send({ posts: [known] });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ created: 1, existing: 0, rejected: 0, results: [{ status: 201 }] });

    const fresh = inboundPost();
    const reply = inboundPost({ inReplyToExternalId: fresh.externalId, author: fresh.author });
    const refused = inboundPost({ text: 'poisoned post' });
    const later = inboundPost();
    const refusing = await refuseTextsContaining(app.services.db, 'poisoned');
    let res: request.Response;
    try {
      res = await send({
        posts: [fresh, known, { ...inboundPost(), postedAt: 'yesterday' }, fresh, reply, { ...inboundPost(), text: 'nul \u0000 inside' }, refused, later],
      });
    } finally {
      await refusing.stop();
    }
    expect(res.status).toBe(200);
    const r = res.body.results;
    expect(r.map((x: { status: number }) => x.status)).toEqual([201, 200, 400, 200, 201, 400, 400, 201]);
    expect(r[1]).toEqual({ ...first.body.results[0], status: 200 });
    expect(r[2]).toMatchObject({ error: expect.stringMatching(/^Invalid message: postedAt/), fields: { postedAt: expect.any(String) } });
    expect(r[3]).toEqual({ ...r[0], status: 200 }); // the same post twice in one batch is stored once
    expect(r[4].conversationId).toBe(r[0].conversationId); // a reply threads onto a post of the same batch
    expect(r[5]).toMatchObject({ error: expect.stringMatching(/NUL character/), fields: { text: expect.any(String) } });
    expect(r[6]).toMatchObject({ error: expect.stringMatching(/^This post cannot be stored/) });
    expect(res.body).toMatchObject({ created: 3, existing: 2, rejected: 3 });
    expect(await countMessages(channel.channelId)).toBe(4);
  });

  it('when the same batch is sent again, then every post is answered 200 with the ids of the first answer and nothing is stored twice', async () => {
    const { channel, send } = await channelWithSender();
    const body = { posts: Array.from({ length: 30 }, () => inboundPost()) };
    const first = await send(body);
    expect(first.body.created).toBe(30);
    const again = await send(body);
    expect(again.status).toBe(200);
    expect(again.body.results).toEqual(first.body.results.map((x: object) => ({ ...x, status: 200 })));
    expect(await countMessages(channel.channelId)).toBe(30);
  });

  it('when the batch is empty, has more than 500 posts or is not a batch, then 400 and nothing is stored', async () => {
    const { channel, send } = await channelWithSender();
    expect((await send({ posts: [] })).status).toBe(400);
    const tooMany = await send({ posts: Array.from({ length: 501 }, () => inboundPost()) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.fields).toHaveProperty('posts');
    expect((await send(inboundPost())).status).toBe(400);
    expect(await countMessages(channel.channelId)).toBe(0);
  });

  it('when the body is over 5 MB, then 413 and nothing is stored; a batch of 500 long posts under it is taken', async () => {
    const { channel, send } = await channelWithSender();
    const tooBig = await send({ posts: Array.from({ length: 60 }, () => inboundPost({ text: 'x'.repeat(90_000) })) });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toMatch(/limit 5 MB/);
    const full = await send({ posts: Array.from({ length: 500 }, () => inboundPost({ text: 'Paket fehlt. '.repeat(600) })) });
    expect(full.status).toBe(200);
    expect(full.body.created).toBe(500);
    expect(await countMessages(channel.channelId)).toBe(500);
  });

  it('when the token is wrong or the channel unknown, then 401 / 404 before the body is looked at, and nothing is stored', async () => {
    const { channel, send } = await channelWithSender();
    expect((await send({ posts: [inboundPost()] }, 'rlc_wrong')).status).toBe(401);
    expect((await send({ nonsense: true }, 'rlc_wrong')).status).toBe(401);
    // the body is not even parsed: a stranger's oversized or broken JSON gets 401, not 413 or 400
    expect((await send({ posts: Array.from({ length: 60 }, () => inboundPost({ text: 'x'.repeat(90_000) })) }, 'rlc_wrong')).status).toBe(401);
    const broken = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages/batch`)
      .auth('rlc_wrong', { type: 'bearer' })
      .set('content-type', 'application/json')
      .send('{"posts": [');
    expect(broken.status).toBe(401);
    const unknown = await request(app.url)
      .post('/api/v1/channels/00000000-0000-4000-8000-000000000000/messages/batch')
      .auth(channel.ingestToken, { type: 'bearer' })
      .send({ posts: [inboundPost()] });
    expect(unknown.status).toBe(404);
    expect(await countMessages(channel.channelId)).toBe(0);
  });
});
