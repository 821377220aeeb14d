/**
 * Reply approval (four-eyes) through the real entry points: a junior's reply waits in pending_approval, the
 * worker and the reconciler never send it, an approver's approval sends it exactly once with the edited text
 * (the API channel's webhook receiver is the customer), a rejection notifies the author, the SLA clock runs
 * until the approval, and the refusals (own reply, not an approver, decided already) are 403/409 in words.
 */
import request from 'supertest';
import { reconcileJobs } from '../../jobs/reconcile';
import { listPendingDeliveries } from '../../server/db/repositories/messages.repo';
import { deliverReply } from '../../server/domain/replies/deliverReply';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { csrfOfPage, signInAgent } from '../support/signIn';
import { startTestAppWithReceiver, type TestApp } from '../support/testApp';
import type { WebhookReceiver } from '../support/webhookReceiver';

let app: TestApp;
let hooks: WebhookReceiver;
let stop: () => Promise<void>;
beforeAll(async () => ({ app, hooks, stop } = await startTestAppWithReceiver()));
afterAll(() => stop());

type User = Awaited<ReturnType<typeof makeUser>>;
const api = (token: string) => ({
  get: (path: string) => request(app.url).get(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  post: (path: string, body: object) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  patch: (path: string, body: object) => request(app.url).patch(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
});
const flag = (userId: string, flags: { repliesNeedApproval?: boolean; mayApproveReplies?: boolean }) =>
  app.services.db.updateTable('users').set(flags).where('id', '=', userId).execute();
const hooksFor = (messageId: string) => hooks.received.filter((h) => h.json.messageId === messageId);
const message = (id: string) => app.services.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const actionsOf = async (conversationId: string) =>
  await app.services.db
    .selectFrom('auditEvents')
    .select(['action', 'actorId', 'before', 'after'])
    .where('subjectId', '=', conversationId)
    .orderBy('seq')
    .execute();

let manager: User;
let junior: User;
beforeAll(async () => {
  manager = await makeUser(app.services.db, { role: 'manager', name: 'Jonas Lead' });
  junior = await makeUser(app.services.db, { role: 'agent', name: 'Jana Junior' });
  await flag(junior.id, { repliesNeedApproval: true });
});

/** An API channel with a 24/7 policy (so posts have an SLA deadline) and one customer post on it. */
async function conversationWithPost() {
  const channel = await makeApiChannel(app.services.db, app.services.secretBox, { webhookUrl: hooks.url });
  const policy = await api(manager.token).post('/sla-policies', { name: 'Approval test', calendarId: null, firstResponseMinutes: 60, nextResponseMinutes: 60 });
  await api(manager.token).patch(`/channels/${channel.channelId}`, { slaPolicyId: policy.body.id }).expect(200);
  const post = await request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(inboundPost());
  expect(post.status).toBe(201);
  return { channel, conversationId: post.body.conversationId as string, postId: post.body.messageId as string };
}

async function juniorReplies(conversationId: string, text: string) {
  const res = await api(junior.token).post(`/conversations/${conversationId}/replies`, { text });
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ messageId: expect.any(String), deliveryState: 'pending_approval' });
  return res.body.messageId as string;
}

async function waitForState(id: string, state: string) {
  for (let i = 0; i < 200; i += 1) {
    if ((await message(id)).deliveryState === state) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`reply ${id} stayed ${(await message(id)).deliveryState}`);
}

describe('a reply that needs approval', () => {
  it('when a junior replies, then it waits: never sent by the worker or the reconciler, the SLA clock keeps running, the conversation is not answered', async () => {
    const { conversationId, postId } = await conversationWithPost();
    const replyId = await juniorReplies(conversationId, 'Entwurf der Antwort');

    // the reconciler re-enqueues only replies owed to a channel, and a job for this one skips it
    expect((await listPendingDeliveries(app.services.db)).map((r) => r.id)).not.toContain(replyId);
    await reconcileJobs(app.services.db, (jobs) => app.services.queues.enqueueBulk(jobs));
    const deps = { db: app.services.db, connectors: app.services.connectors, dispatcher: app.services.dispatcher, secretBox: app.services.secretBox };
    expect(await deliverReply(deps, replyId, false)).toEqual({ outcome: 'skipped' });
    expect((await message(replyId)).deliveryState).toBe('pending_approval');
    expect(hooksFor(replyId)).toHaveLength(0);

    const post = await message(postId);
    expect(post.respondedAt).toBeNull();
    expect(post.slaDueAt).not.toBeNull();
    const conv = await api(manager.token).get(`/conversations/${conversationId}`);
    expect(conv.body.status).not.toBe('answered');
    const shown = conv.body.messages.find((m: { id: string }) => m.id === replyId);
    expect(shown.delivery.state).toBe('pending_approval');
    expect(shown.approval).toEqual({ state: 'pending', requestedBy: { id: junior.id, name: 'Jana Junior' } });

    const listed = await api(manager.token).get('/replies?state=pending_approval');
    expect(listed.status).toBe(200);
    const row = listed.body.replies.find((r: { messageId: string }) => r.messageId === replyId);
    expect(row).toMatchObject({
      conversation: { id: conversationId },
      author: { id: junior.id },
      text: 'Entwurf der Antwort',
      slaDueAt: post.slaDueAt!.toISOString(),
    });
  });

  it('when an approver edits and approves, then the customer receives the edited text exactly once, the clock stops at the approval, and both people are audited', async () => {
    const { conversationId, postId } = await conversationWithPost();
    const replyId = await juniorReplies(conversationId, 'Hallo, wir schauen uns das an');
    const submittedAt = (await message(replyId)).postedAt;

    const approved = await api(manager.token).post(`/replies/${replyId}/approve`, { text: 'Hallo! Wir kümmern uns heute darum.' });
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({ messageId: replyId, deliveryState: 'queued', edited: true });
    await waitForState(replyId, 'sent');
    const [hook, ...more] = hooksFor(replyId);
    expect(more).toHaveLength(0);
    expect(hook!.json.text).toBe('Hallo! Wir kümmern uns heute darum.');

    // a second approval changes nothing and sends nothing
    const again = await api(manager.token).post(`/replies/${replyId}/approve`, {});
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/already approved/);
    expect(
      await deliverReply(
        { db: app.services.db, connectors: app.services.connectors, dispatcher: app.services.dispatcher, secretBox: app.services.secretBox },
        replyId,
        false,
      ),
    ).toEqual({
      outcome: 'skipped',
    });
    expect(hooksFor(replyId)).toHaveLength(1);

    const post = await message(postId);
    expect(post.responseMessageId).toBe(replyId);
    expect(post.respondedAt!.getTime()).toBeGreaterThanOrEqual(submittedAt.getTime());
    expect((await message(replyId)).postedAt.getTime()).toBe(post.respondedAt!.getTime());

    const events = await actionsOf(conversationId);
    const submitted = events.find((e) => e.action === 'reply.submitted_for_approval');
    const edited = events.find((e) => e.action === 'reply.edited');
    const approval = events.find((e) => e.action === 'reply.approved');
    expect(submitted?.actorId).toBe(junior.id);
    expect(approval).toMatchObject({ actorId: manager.id, after: { messageId: replyId, authorUserId: junior.id, edited: true } });
    // the texts are personal values beside the chain: references with a digest, never the words themselves
    expect(edited?.actorId).toBe(manager.id);
    expect(JSON.stringify(edited)).not.toContain('kümmern');
    expect(edited?.before).toMatchObject({ text: { pv: expect.any(String), digest: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const values = await app.services.db
      .selectFrom('auditPersonalValues')
      .select('value')
      .where('id', 'in', [(edited!.before as { text: { pv: string } }).text.pv, (edited!.after as { text: { pv: string } }).text.pv])
      .execute();
    expect(values.map((v) => v.value).sort()).toEqual(['Hallo! Wir kümmern uns heute darum.', 'Hallo, wir schauen uns das an']);
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['reply.queued', 'sla.responded', 'message.delivered']));
  });

  it('when an approver rejects with a note, then nothing is sent, the author is notified with the note and sees it on the conversation', async () => {
    const { conversationId } = await conversationWithPost();
    const replyId = await juniorReplies(conversationId, 'Zu knapp');
    const senior = await makeUser(app.services.db, { role: 'agent', name: 'Sena Senior' });
    await flag(senior.id, { mayApproveReplies: true });

    const missingNote = await api(senior.token).post(`/replies/${replyId}/reject`, {});
    expect(missingNote.status).toBe(400);
    const rejected = await api(senior.token).post(`/replies/${replyId}/reject`, { note: 'Bitte mit Entschuldigung und Fallnummer' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toEqual({ messageId: replyId, deliveryState: 'rejected' });

    const notes = await api(junior.token).get('/notifications');
    expect(
      notes.body.notifications.some((n: { kind: string; conversationId: string }) => n.kind === 'reply_rejected' && n.conversationId === conversationId),
    ).toBe(true);
    const conv = await api(junior.token).get(`/conversations/${conversationId}`);
    const shown = conv.body.messages.find((m: { id: string }) => m.id === replyId);
    expect(shown.approval).toMatchObject({
      state: 'rejected',
      decidedBy: { id: senior.id, name: 'Sena Senior' },
      note: 'Bitte mit Entschuldigung und Fallnummer',
    });
    expect(shown.approval.decidedAt).toEqual(expect.any(String));
    expect(hooksFor(replyId)).toHaveLength(0);
    expect((await api(manager.token).post(`/replies/${replyId}/approve`, {})).status).toBe(409);
    expect((await actionsOf(conversationId)).find((e) => e.action === 'reply.rejected')?.actorId).toBe(senior.id);
  });

  it('when an approver tries to approve their own reply, or a plain agent decides, then 403 says why and the reply still waits', async () => {
    const { conversationId } = await conversationWithPost();
    const lead = await makeUser(app.services.db, { role: 'manager' });
    await flag(lead.id, { repliesNeedApproval: true });
    const own = await api(lead.token).post(`/conversations/${conversationId}/replies`, { text: 'Meine eigene Antwort' });
    expect(own.body.deliveryState).toBe('pending_approval');

    const self = await api(lead.token).post(`/replies/${own.body.messageId}/approve`, {});
    expect(self.status).toBe(403);
    expect(self.body.error).toMatch(/You wrote this reply: someone else has to approve or reject it/);
    const plain = await makeUser(app.services.db, { role: 'agent' });
    const byAgent = await api(plain.token).post(`/replies/${own.body.messageId}/approve`, {});
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error).toMatch(/Only managers and people allowed to approve/);
    expect((await api(plain.token).get('/replies?state=pending_approval')).status).toBe(403);
    expect((await message(own.body.messageId)).deliveryState).toBe('pending_approval');
  });

  it("when the channel's replies need approval, then an agent's reply waits and a manager's goes out at once", async () => {
    const { channel, conversationId } = await conversationWithPost();
    await app.services.db.updateTable('channels').set({ repliesNeedApproval: true }).where('id', '=', channel.channelId).execute();
    const agent = await makeUser(app.services.db, { role: 'agent' });
    const waiting = await api(agent.token).post(`/conversations/${conversationId}/replies`, { text: 'Vom Team' });
    expect(waiting.body.deliveryState).toBe('pending_approval');
    const direct = await api(manager.token).post(`/conversations/${conversationId}/replies`, { text: 'Von der Leitung' });
    expect(direct.body.deliveryState).toBe('queued');
  });

  it('when another reply reached the customer after a waiting one was written, then approving the waiting one is refused (409 naming who answered) and nothing more is sent', async () => {
    const { conversationId } = await conversationWithPost();
    const waiting = await juniorReplies(conversationId, 'Entwurf der Antwort');
    const direct = await api(manager.token).post(`/conversations/${conversationId}/replies`, { text: 'Schon erledigt' });
    expect(direct.body.deliveryState).toBe('queued');
    const senior = await makeUser(app.services.db, { role: 'manager', name: 'Sena Zweite' });

    const res = await api(senior.token).post(`/replies/${waiting}/approve`, {});
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/Jonas Lead has answered the customer meanwhile/);
    expect((await message(waiting)).deliveryState).toBe('pending_approval');
    expect(hooksFor(waiting)).toHaveLength(0);
  });

  it('when a junior sends and closes a reply that needs approval, then the conversation stays open until the reply goes out', async () => {
    const { conversationId } = await conversationWithPost();
    const console = await signInAgent(app.url, junior);
    const csrf = await csrfOfPage(console, `/conversations/${conversationId}`);
    await console.post(`/conversations/${conversationId}/replies`).type('form').send({ _csrf: csrf, text: 'Antwort und zu', andClose: '1' }).expect(303);

    const conversation = await app.services.db.selectFrom('conversations').select('status').where('id', '=', conversationId).executeTakeFirstOrThrow();
    expect(conversation.status).not.toBe('closed');
    const replies = await app.services.db
      .selectFrom('messages')
      .select('deliveryState')
      .where('conversationId', '=', conversationId)
      .where('direction', '=', 'outbound')
      .execute();
    expect(replies).toEqual([{ deliveryState: 'pending_approval' }]);
  });
});
