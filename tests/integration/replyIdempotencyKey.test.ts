/**
 * Idempotency-Key on POST /api/v1/conversations/:id/replies (issue 13, point 4): an integration that
 * retries — or fires the same call three times at once — creates one reply and gets the same answer each
 * time. Keys belong to the API user; a key reused with another body is refused; keys are kept 24 hours.
 */
import { sql } from 'kysely';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: false });
});
afterAll(async () => {
  await app.stop();
});

async function conversation() {
  const channel = await makeApiChannel(app.services.db, app.services.secretBox);
  const post = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost())
    .expect(201);
  return post.body.conversationId as string;
}
const replies = async (conversationId: string) =>
  app.services.db
    .selectFrom('messages')
    .select(['id', 'text', 'authorUserId'])
    .where('conversationId', '=', conversationId)
    .where('direction', '=', 'outbound')
    .execute();
const reply = (conversationId: string, token: string, body: object, key?: string) => {
  const r = request(app.url).post(`/api/v1/conversations/${conversationId}/replies`).auth(token, { type: 'bearer' });
  return (key === undefined ? r : r.set('Idempotency-Key', key)).send(body);
};

describe('POST /api/v1/conversations/:id/replies with an Idempotency-Key', () => {
  it('when three identical calls with the same key arrive at once, then one reply is created and all three get the same answer', async () => {
    const id = await conversation();
    const agent = await makeUser(app.services.db, { role: 'agent' });
    const answers = await Promise.all([1, 2, 3].map(() => reply(id, agent.token, { text: 'Ihr Paket ist unterwegs.' }, 'order-4711-reply')));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    const stored = await replies(id);
    expect(stored).toHaveLength(1);
    for (const a of answers) expect(a.body).toEqual({ messageId: stored[0]!.id, deliveryState: 'queued' });
    const audit = await sql<{ n: string }>`SELECT count(*) AS n FROM audit_events WHERE action = 'reply.queued' AND subject_id = ${id}`.execute(
      app.services.db,
    );
    expect(Number(audit.rows[0]!.n)).toBe(1);
  });

  it('when the same key comes back later with the same body, then the first answer is repeated; with another body, then 422 and nothing is stored', async () => {
    const id = await conversation();
    const agent = await makeUser(app.services.db, { role: 'agent' });
    const first = await reply(id, agent.token, { text: 'Erste Antwort' }, 'k-1').expect(202);
    const again = await reply(id, agent.token, { text: 'Erste Antwort' }, 'k-1').expect(202);
    expect(again.body).toEqual(first.body);
    const other = await reply(id, agent.token, { text: 'Eine andere Antwort' }, 'k-1');
    expect(other.status).toBe(422);
    expect(other.body.error).toMatch(/Idempotency-Key/);
    expect((await replies(id)).map((r) => r.text)).toEqual(['Erste Antwort']);
  });

  it('when another user sends the same key, then it is theirs: a reply of their own is created', async () => {
    const id = await conversation();
    const [a, b] = await Promise.all([makeUser(app.services.db, { role: 'agent' }), makeUser(app.services.db, { role: 'agent' })]);
    await reply(id, a.token, { text: 'Von A' }, 'shared-key').expect(202);
    await reply(id, b.token, { text: 'Von B' }, 'shared-key').expect(202);
    expect((await replies(id)).map((r) => r.authorUserId).sort()).toEqual([a.id, b.id].sort());
  });

  it('when a call with a key fails (an empty reply), then the key is not used up: the corrected call with it creates the reply', async () => {
    const id = await conversation();
    const agent = await makeUser(app.services.db, { role: 'agent' });
    await reply(id, agent.token, { text: '   ' }, 'retry-me').expect(400);
    await reply(id, agent.token, { text: 'Jetzt richtig' }, 'retry-me').expect(202);
    expect((await replies(id)).map((r) => r.text)).toEqual(['Jetzt richtig']);
  });

  it('when the key is empty, too long or has control characters, then 400 and nothing is stored', async () => {
    const id = await conversation();
    const agent = await makeUser(app.services.db, { role: 'agent' });
    for (const key of ['', 'x'.repeat(256), 'tab\there']) {
      const res = await reply(id, agent.token, { text: 'Hallo' }, key);
      expect({ key: key.slice(0, 10), status: res.status }).toEqual({ key: key.slice(0, 10), status: 400 });
    }
    expect(await replies(id)).toHaveLength(0);
  });

  it('when the key is older than 24 hours, then it is forgotten and the call creates a new reply', async () => {
    const id = await conversation();
    const agent = await makeUser(app.services.db, { role: 'agent' });
    await reply(id, agent.token, { text: 'Gestern' }, 'daily').expect(202);
    await sql`UPDATE api_idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'daily'`.execute(app.services.db);
    await reply(id, agent.token, { text: 'Gestern' }, 'daily').expect(202);
    expect(await replies(id)).toHaveLength(2);
  });

  it('when no key is sent, then each call is a reply of its own (as before)', async () => {
    const id = await conversation();
    const agent = await makeUser(app.services.db, { role: 'agent' });
    await Promise.all([1, 2].map(() => reply(id, agent.token, { text: 'Ohne Schlüssel' }).expect(202)));
    expect(await replies(id)).toHaveLength(2);
  });
});
