/**
 * Group commit of single posts (POST /api/v1/channels/:id/messages): concurrent posts share a transaction,
 * each is answered after the commit that holds it, a post the database refuses fails alone, and every
 * post is stored exactly once however the requests interleave.
 */
import { sql } from 'kysely';
import request from 'supertest';
import { systemActor } from '../../server/domain/audit/actor';
import { rotateIngestToken } from '../../server/domain/channels/api/rotateIngestToken';
import { createIngestGroups } from '../../server/domain/conversations/ingestGroups';
import { verifyAuditChain } from '../../server/db/repositories/audit.repo';
import { BadRequest } from '../../server/errors';
import { inboundPost, makeApiChannel } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';
import { refuseTextsContaining } from '../support/refusedPosts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/** The transactions that wrote the channel's messages (a row's xmin is the id of the transaction that inserted it). */
async function writers(channelId: string): Promise<{ messages: number; transactions: number }> {
  const rows = await app.services.db.selectFrom('messages').select(sql<string>`xmin::text`.as('xmin')).where('channelId', '=', channelId).execute();
  return { messages: rows.length, transactions: new Set(rows.map((r) => r.xmin)).size };
}

const toInbound = (channelId: string, post: ReturnType<typeof inboundPost>) => ({
  ...post,
  channelId,
  author: { ...post.author, handle: post.author.handle ?? null },
  postedAt: new Date(post.postedAt),
});

describe('group commit of single posts', () => {
  it('when posts arrive together, then they are stored in one transaction and each caller gets its own post back', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const groups = createIngestGroups(app.services.db, app.services.dispatcher);
    const posts = Array.from({ length: 12 }, () => inboundPost());
    const results = await Promise.all(posts.map((p) => groups.ingest(toInbound(channel.channelId, p), systemActor('test'))));
    expect(results.every((r) => r.created)).toBe(true);
    expect(new Set(results.map((r) => r.messageId)).size).toBe(12);
    const stored = await app.services.db.selectFrom('messages').select(['id', 'externalId']).where('channelId', '=', channel.channelId).execute();
    const byExternalId = new Map(stored.map((m) => [m.externalId, m.id]));
    expect(posts.map((p) => byExternalId.get(p.externalId))).toEqual(results.map((r) => r.messageId));
    expect(await writers(channel.channelId)).toEqual({ messages: 12, transactions: 1 });
    expect(await verifyAuditChain(app.services.db)).toMatchObject({ ok: true });
  });

  it('when one post of a group is refused by the database, then only it fails (400) and its neighbours are stored', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const groups = createIngestGroups(app.services.db, app.services.dispatcher);
    const posts = Array.from({ length: 9 }, (_, i) => inboundPost(i === 4 ? { text: 'poisoned post' } : {}));
    const refusing = await refuseTextsContaining(app.services.db, 'poisoned');
    try {
      const outcomes = await Promise.allSettled(posts.map((p) => groups.ingest(toInbound(channel.channelId, p), systemActor('test'))));
      expect(outcomes.map((o) => o.status)).toEqual(posts.map((_, i) => (i === 4 ? 'rejected' : 'fulfilled')));
      const refused = (outcomes[4] as PromiseRejectedResult).reason;
      expect(refused).toBeInstanceOf(BadRequest);
      expect(refused.message).toMatch(/^This post cannot be stored: .*poisoned/);
    } finally {
      await refusing.stop();
    }
    const stored = await writers(channel.channelId);
    expect(stored.messages).toBe(8);
    expect(stored.transactions).toBeLessThan(8); // the halves without the refused post kept sharing transactions
    expect(await verifyAuditChain(app.services.db)).toMatchObject({ ok: true });
  });

  it('when the refused post is sent over HTTP among others, then it is answered 400 and the others 201', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const url = `/api/v1/channels/${channel.channelId}/messages`;
    const posts = Array.from({ length: 16 }, (_, i) => inboundPost(i === 7 ? { text: 'poisoned post' } : {}));
    const refusing = await refuseTextsContaining(app.services.db, 'poisoned');
    try {
      const answers = await Promise.all(posts.map((p) => request(app.url).post(url).auth(channel.ingestToken, { type: 'bearer' }).send(p)));
      expect(answers.map((a) => a.status)).toEqual(posts.map((_, i) => (i === 7 ? 400 : 201)));
      expect(answers[7]!.body.error).toMatch(/^This post cannot be stored/);
    } finally {
      await refusing.stop();
    }
    expect((await writers(channel.channelId)).messages).toBe(15);
  });

  it('when every post is sent twice at once, then each is stored exactly once and both answers carry the same ids (one 201, one 200)', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const url = `/api/v1/channels/${channel.channelId}/messages`;
    const posts = Array.from({ length: 20 }, () => inboundPost());
    const send = (p: object) => request(app.url).post(url).auth(channel.ingestToken, { type: 'bearer' }).send(p);
    const answers = await Promise.all([...posts, ...posts].map(send));
    for (let i = 0; i < posts.length; i++) {
      const [a, b] = [answers[i]!, answers[i + posts.length]!];
      expect([a.status, b.status].sort()).toEqual([200, 201]);
      expect(a.body).toEqual(b.body);
    }
    expect((await writers(channel.channelId)).messages).toBe(20);
    const received = await app.services.db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('channelId', '=', channel.channelId)
      .where('action', '=', 'message.received')
      .executeTakeFirstOrThrow();
    expect(Number(received.n)).toBe(20);
  });

  it('when the token is rotated by another process while this one still remembers the channel, then the old token is answered 401 at once and stores nothing, and the new one works at once', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const url = `/api/v1/channels/${channel.channelId}/messages`;
    const send = (token: string) => request(app.url).post(url).auth(token, { type: 'bearer' }).send(inboundPost());
    expect((await send(channel.ingestToken)).status).toBe(201); // this web process now remembers the channel and its token
    // rotated as the console of another web process does it: straight in the database, this process is not told
    const { ingestToken } = await app.services.db.transaction().execute((tx) => rotateIngestToken(tx, channel.channelId, systemActor('test')));
    const old = await Promise.all(Array.from({ length: 5 }, () => send(channel.ingestToken)));
    expect(old.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    expect(old[0]!.body.error).toMatch(/valid ingest token/);
    expect((await writers(channel.channelId)).messages).toBe(1);
    expect((await send(ingestToken)).status).toBe(201);
    expect((await send('rlc_not-a-token-of-this-channel')).status).toBe(401);
    expect((await writers(channel.channelId)).messages).toBe(2);
  });
});
