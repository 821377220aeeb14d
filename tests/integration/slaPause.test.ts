/**
 * SLA pause while saved, through the API: a policy with pauseWhenSaved stops a saved conversation's
 * clock (no timers fire, the reconciler re-adds none) and moves the due time by the paused time when
 * the conversation comes back (by hand, by a new inbound post, by a reply); without the flag the
 * clock keeps running. Time passing while saved is simulated by moving sla_paused_at into the past.
 */
import request from 'supertest';
import { sql } from 'kysely';
import { fireSlaTimer } from '../../jobs/slaTimers';
import { listDueTimers } from '../../server/db/repositories/sla.repo';
import { fireReminder } from '../../server/domain/conversations/fireReminder';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let manager: Awaited<ReturnType<typeof makeUser>>;
let agent: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  app = await startTestApp({ workers: false });
  manager = await makeUser(app.services.db, { role: 'manager' });
  agent = await makeUser(app.services.db, { role: 'agent' });
});
afterAll(async () => {
  await app.stop();
});

const MINUTE = 60_000;

const api = () => ({
  post: (path: string, token = manager.token) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  patch: (path: string, token = manager.token) => request(app.url).patch(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  get: (path: string, token = manager.token) => request(app.url).get(`/api/v1${path}`).auth(token, { type: 'bearer' }),
});

/** A channel with a fresh 24/7 policy (first response 60 min, warning at 50 %), through the API. */
async function channelWithPolicy(pauseWhenSaved: boolean) {
  const channel = await makeApiChannel(app.services.db, app.services.secretBox);
  const created = await api()
    .post('/sla-policies')
    .send({ name: 'Pause test', calendarId: null, firstResponseMinutes: 60, nextResponseMinutes: 60, warnAtPercent: 50, pauseWhenSaved })
    .expect(201);
  expect(created.body.pauseWhenSaved).toBe(pauseWhenSaved);
  await api().patch(`/channels/${channel.channelId}`).send({ slaPolicyId: created.body.id }).expect(200);
  const ingest = (body: object) =>
    request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(body);
  return { channel, ingest };
}

const setStatus = (conversationId: string, status: string) => api().post(`/conversations/${conversationId}/status`, agent.token).send({ status }).expect(200);

const clockOf = (messageId: string) =>
  app.services.db.selectFrom('messages').select(['slaDueAt', 'slaWarnAt', 'slaState', 'slaPausedAt']).where('id', '=', messageId).executeTakeFirstOrThrow();

/** Time passes while saved: the pause started `minutes` earlier than recorded. */
const pauseStartedEarlier = (messageId: string, minutes: number) =>
  sql`UPDATE messages SET sla_paused_at = sla_paused_at - make_interval(mins => ${minutes}) WHERE id = ${messageId}`.execute(app.services.db);

const auditOf = (conversationId: string, action: string) =>
  app.services.db
    .selectFrom('auditEvents')
    .select(['after', 'actorLabel'])
    .where('subjectId', '=', conversationId)
    .where('action', '=', action)
    .orderBy('seq')
    .execute();

/** Whether a sweep of the SLA timers at `at` (default: a day from now) would fire a timer of the post. */
const timedBy = async (messageId: string, at = new Date(Date.now() + 24 * 60 * MINUTE)) =>
  (await listDueTimers(app.services.db, at, 10_000)).some((p) => p.id === messageId);

type ResumedAudit = { resumedAt: string; posts: { messageId: string; pausedMinutes: number; dueAtBefore: string; dueAt: string }[] };

describe('a policy that pauses while saved', () => {
  it('when the conversation is saved for 30 minutes and reopened, then the due time moves by the paused time and the timers run again from the moved instants', async () => {
    const { ingest } = await channelWithPolicy(true);
    const res = await ingest(inboundPost({ postedAt: new Date(Date.now() - 20 * MINUTE).toISOString() })).expect(201);
    const { conversationId, messageId } = res.body;
    const before = await clockOf(messageId);
    expect(await timedBy(messageId)).toBe(true);

    await setStatus(conversationId, 'saved');
    const paused = await clockOf(messageId);
    expect(paused.slaPausedAt).toEqual(expect.any(Date));
    expect(paused.slaDueAt).toEqual(before.slaDueAt);
    expect(await timedBy(messageId)).toBe(false);
    const [pausedAudit] = await auditOf(conversationId, 'sla.paused');
    expect(pausedAudit!.after).toMatchObject({ posts: [{ messageId, dueAt: before.slaDueAt!.toISOString() }] });

    await pauseStartedEarlier(messageId, 30);
    await setStatus(conversationId, 'reopen');

    const resumed = await clockOf(messageId);
    const [resumedAudit] = await auditOf(conversationId, 'sla.resumed');
    const entry = (resumedAudit!.after as ResumedAudit).posts[0]!;
    expect(entry.messageId).toBe(messageId);
    expect(entry.pausedMinutes).toBeGreaterThanOrEqual(30);
    expect(resumed.slaPausedAt).toBeNull();
    const shiftMs = resumed.slaDueAt!.getTime() - before.slaDueAt!.getTime();
    expect(shiftMs / MINUTE).toBeCloseTo(entry.pausedMinutes, 2);
    expect(resumed.slaWarnAt!.getTime() - before.slaWarnAt!.getTime()).toBe(shiftMs);

    const res2 = await api().get(`/conversations/${conversationId}`).expect(200);
    expect(res2.body.messages.find((m: { id: string }) => m.id === messageId).sla.dueAt).toBe(resumed.slaDueAt!.toISOString());
    expect(res2.body.sla.firstResponseDueAt).toBe(resumed.slaDueAt!.toISOString());
    const conversation = await app.services.db.selectFrom('conversations').select('responseDueAt').where('id', '=', conversationId).executeTakeFirstOrThrow();
    expect(conversation.responseDueAt).toEqual(resumed.slaDueAt);
    // the sweep finds the post from its moved warning instant on, not before
    expect(await timedBy(messageId, resumed.slaWarnAt!)).toBe(true);
    expect(await timedBy(messageId, new Date(resumed.slaWarnAt!.getTime() - 1_000))).toBe(false);
  });

  it('when the warning and due instants pass while saved, then no timer fires, no sweep finds it due, and the post stays ok', async () => {
    const { ingest } = await channelWithPolicy(true);
    const res = await ingest(inboundPost({ postedAt: new Date(Date.now() - 20 * MINUTE).toISOString() })).expect(201);
    const { conversationId, messageId } = res.body;
    await setStatus(conversationId, 'saved');

    const later = { ...app.services, now: () => new Date(Date.now() + 2 * 3600_000) };
    expect(await fireSlaTimer(later, 'warning', messageId)).toBe('skipped');
    expect(await fireSlaTimer(later, 'breach', messageId)).toBe('skipped');
    expect(await timedBy(messageId)).toBe(false);

    expect((await clockOf(messageId)).slaState).toBe('ok');
    expect(await auditOf(conversationId, 'sla.warning')).toEqual([]);
    expect(await auditOf(conversationId, 'sla.breached')).toEqual([]);
  });

  it('when a new inbound post arrives on the saved conversation, then it reopens it and the paused clock resumes moved by the paused time', async () => {
    const { ingest } = await channelWithPolicy(true);
    const first = inboundPost({ postedAt: new Date(Date.now() - 20 * MINUTE).toISOString() });
    const res = await ingest(first).expect(201);
    const { conversationId, messageId } = res.body;
    const before = await clockOf(messageId);
    await setStatus(conversationId, 'saved');
    await pauseStartedEarlier(messageId, 45);

    const second = await ingest(inboundPost({ inReplyToExternalId: first.externalId, author: first.author })).expect(201);
    expect(second.body.conversationId).toBe(conversationId);

    const status = await app.services.db.selectFrom('conversations').select('status').where('id', '=', conversationId).executeTakeFirstOrThrow();
    expect(status.status).not.toBe('saved');
    const resumed = await clockOf(messageId);
    expect(resumed.slaPausedAt).toBeNull();
    const [audit] = await auditOf(conversationId, 'sla.resumed');
    const entry = (audit!.after as ResumedAudit).posts[0]!;
    expect(entry.pausedMinutes).toBeGreaterThanOrEqual(45);
    expect((resumed.slaDueAt!.getTime() - before.slaDueAt!.getTime()) / MINUTE).toBeCloseTo(entry.pausedMinutes, 2);
    // The new post's own clock was never paused.
    expect((await clockOf(second.body.messageId)).slaPausedAt).toBeNull();
  });

  it('when the reminder brings a saved conversation back, then the paused clock resumes moved by the paused time, audited by the reminder worker', async () => {
    const { ingest } = await channelWithPolicy(true);
    const res = await ingest(inboundPost({ postedAt: new Date(Date.now() - 20 * MINUTE).toISOString() })).expect(201);
    const { conversationId, messageId } = res.body;
    const before = await clockOf(messageId);
    const remindAt = new Date(Date.now() + 60 * MINUTE).toISOString();
    await api().post(`/conversations/${conversationId}/status`, agent.token).send({ status: 'saved', remindAt }).expect(200);
    expect(await timedBy(messageId)).toBe(false);

    // The reminder fires 60 minutes later (the job's `now`); the pause began when the conversation was saved.
    const firedAt = new Date(Date.parse(remindAt) + 1_000);
    expect(await fireReminder(app.services, conversationId, remindAt, firedAt)).toBe('reopened');

    const resumed = await clockOf(messageId);
    const [audit] = await auditOf(conversationId, 'sla.resumed');
    expect(audit!.actorLabel).toContain('reminders');
    const entry = (audit!.after as ResumedAudit).posts[0]!;
    expect(entry.pausedMinutes).toBeGreaterThanOrEqual(60);
    expect(resumed.slaPausedAt).toBeNull();
    expect((resumed.slaDueAt!.getTime() - before.slaDueAt!.getTime()) / MINUTE).toBeCloseTo(entry.pausedMinutes, 2);
    expect(await timedBy(messageId, resumed.slaDueAt!)).toBe(true);
  });

  it('when an agent replies to a saved conversation, then the answer is timed against the moved due time', async () => {
    const { ingest } = await channelWithPolicy(true);
    // Posted 70 minutes ago on a 60-minute target, saved for the last 30 of them: 40 minutes of clock used.
    const res = await ingest(inboundPost({ postedAt: new Date(Date.now() - 70 * MINUTE).toISOString() })).expect(201);
    const { conversationId, messageId } = res.body;
    await setStatus(conversationId, 'saved');
    await pauseStartedEarlier(messageId, 30);

    await api().post(`/conversations/${conversationId}/replies`, agent.token).send({ text: 'Danke für Ihre Geduld.' }).expect(202);

    const read = await api().get(`/conversations/${conversationId}`).expect(200);
    const post = read.body.messages.find((m: { id: string }) => m.id === messageId);
    expect(post.sla.state).toBe('met');
    expect(post.sla.wallMinutesToRespond).toBeGreaterThanOrEqual(70);
    expect(read.body.status).toBe('answered');
    expect(await auditOf(conversationId, 'sla.resumed')).toHaveLength(1);
    expect(await timedBy(messageId)).toBe(false);
  });
});

describe('a policy that does not pause', () => {
  it('when the conversation is saved, then the clock keeps running: the sweep still finds it, the warning fires, and reopening moves nothing', async () => {
    const { ingest } = await channelWithPolicy(false);
    const res = await ingest(inboundPost({ postedAt: new Date(Date.now() - 20 * MINUTE).toISOString() })).expect(201);
    const { conversationId, messageId } = res.body;
    const before = await clockOf(messageId);
    await setStatus(conversationId, 'saved');

    expect((await clockOf(messageId)).slaPausedAt).toBeNull();
    expect(await timedBy(messageId)).toBe(true);
    const atWarning = { ...app.services, now: () => new Date(before.slaWarnAt!.getTime() + 1_000) };
    expect(await fireSlaTimer(atWarning, 'warning', messageId)).toBe('fired');

    await setStatus(conversationId, 'reopen');
    const after = await clockOf(messageId);
    expect(after.slaDueAt).toEqual(before.slaDueAt);
    expect(after.slaState).toBe('warning');
    expect(await auditOf(conversationId, 'sla.paused')).toEqual([]);
    expect(await auditOf(conversationId, 'sla.resumed')).toEqual([]);
  });
});
