/** Service levels end to end: settings API, due times set at ingest, the clock stopped by a reply, timers on real Redis. */
import request from 'supertest';
import { sql } from 'kysely';
import { JOBS } from '../../jobs/definitions';
import { listDueTimers } from '../../server/db/repositories/sla.repo';
import { failureBackoff, fireSlaTimer, sweepSlaTimers } from '../../jobs/slaTimers';
import { startWorkers } from '../../server/workers';
import { systemActor } from '../../server/domain/audit/actor';
import { ingestInbound } from '../../server/domain/conversations/ingestInbound';
import { inTransaction } from '../../server/domain/effects';
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

const BERLIN_OFFICE = {
  name: 'Berlin office',
  timeZone: 'Europe/Berlin',
  weekly: { mon: [['08:00', '18:00']], tue: [['08:00', '18:00']], wed: [['08:00', '18:00']], thu: [['08:00', '18:00']], fri: [['08:00', '18:00']] },
  holidays: { country: 'DE', region: 'NW' },
  closures: [],
};

const api = () => ({
  post: (path: string, token = manager.token) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  put: (path: string, token = manager.token) => request(app.url).put(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  patch: (path: string, token = manager.token) => request(app.url).patch(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  get: (path: string, token = manager.token) => request(app.url).get(`/api/v1${path}`).auth(token, { type: 'bearer' }),
});

const count = async (table: 'calendars' | 'slaPolicies') =>
  Number(
    (
      await app.services.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const auditCount = async (action: string, messageId: string) =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM audit_events WHERE action = ${action} AND after->>'messageId' = ${messageId}`.execute(app.services.db))
      .rows[0]!.n,
  );

/** A channel with a fresh policy (calendar null = 24/7), through the API. */
async function channelWithPolicy(policy: Record<string, unknown>, calendar: object | null = null) {
  const channel = await makeApiChannel(app.services.db, app.services.secretBox);
  const calendarId = calendar ? (await api().post('/calendars').send(calendar).expect(201)).body.id : null;
  const created = await api()
    .post('/sla-policies')
    .send({ name: 'Test policy', calendarId, ...policy })
    .expect(201);
  await api().patch(`/channels/${channel.channelId}`).send({ slaPolicyId: created.body.id }).expect(200);
  const ingest = (body: object) =>
    request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(body);
  return { channel, policyId: created.body.id as string, calendarId, ingest };
}

async function until<T>(probe: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * Ingests a post received at a given time: a post's own time counts only near its receipt
 * (domain/conversations/postTime.ts), so the worked examples on fixed dates are received then.
 */
async function ingestReceivedAt(channel: { channelId: string }, body: ReturnType<typeof inboundPost>, receivedAt: Date) {
  return inTransaction(app.services.db, app.services.dispatcher, (tx, effects) =>
    ingestInbound(
      tx,
      effects,
      {
        channelId: channel.channelId,
        externalId: body.externalId,
        author: body.author,
        text: body.text,
        postedAt: new Date(body.postedAt),
      },
      systemActor('test'),
      receivedAt,
    ),
  );
}

const postOf = async (conversationId: string, messageId: string) => {
  const res = await api().get(`/conversations/${conversationId}`).expect(200);
  return { conversation: res.body, post: res.body.messages.find((m: { id: string }) => m.id === messageId) };
};

describe('calendars and policies API', () => {
  it('when a calendar has overlapping intervals, a bad time zone or a malformed time, then 400 names each problem and nothing is saved', async () => {
    const before = await count('calendars');
    const overlap = await api()
      .post('/calendars')
      .send({
        ...BERLIN_OFFICE,
        weekly: {
          mon: [
            ['09:00', '12:00'],
            ['11:00', '13:00'],
          ],
        },
      });
    expect(overlap.status).toBe(400);
    expect(overlap.body.problems).toEqual(['weekly.mon: intervals 09:00-12:00 and 11:00-13:00 overlap']);
    const zone = await api()
      .post('/calendars')
      .send({ ...BERLIN_OFFICE, timeZone: 'Europe/Atlantis' });
    expect(zone.status).toBe(400);
    expect(zone.body.error).toContain('unknown time zone Europe/Atlantis');
    const bad = await api()
      .post('/calendars')
      .send({
        ...BERLIN_OFFICE,
        weekly: {
          tue: [
            ['09:00', '09:00'],
            ['25:00', '26:00'],
          ],
        },
      });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual(expect.arrayContaining([expect.stringContaining('zero length'), expect.stringContaining('malformed time "25:00"')]));
    expect(await count('calendars')).toBe(before);
  });

  it('when a manager creates and changes a calendar, then GET returns it and both changes are audited with before/after', async () => {
    const created = await api().post('/calendars').send(BERLIN_OFFICE).expect(201);
    expect(created.body).toMatchObject({ name: 'Berlin office', timeZone: 'Europe/Berlin', holidays: { country: 'DE', region: 'NW' } });
    await api()
      .put(`/calendars/${created.body.id}`)
      .send({ ...BERLIN_OFFICE, closures: ['2026-12-31'] })
      .expect(200);
    const read = await api().get(`/calendars/${created.body.id}`, agent.token).expect(200);
    expect(read.body.closures).toEqual(['2026-12-31']);
    const audit = await app.services.db
      .selectFrom('auditEvents')
      .select(['action', 'before', 'after', 'actorId'])
      .where('subjectId', '=', created.body.id)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['calendar.created', 'calendar.updated']);
    expect(audit[1]).toMatchObject({ actorId: manager.id, before: { closures: [] }, after: { closures: ['2026-12-31'] } });
  });

  it('when an agent tries to change settings, then 403 and nothing is saved', async () => {
    const before = await count('slaPolicies');
    const res = await api().post('/sla-policies', agent.token).send({ name: 'x', firstResponseMinutes: 60, nextResponseMinutes: 60 });
    expect(res.status).toBe(403);
    expect((await api().post('/calendars', agent.token).send(BERLIN_OFFICE)).status).toBe(403);
    expect(await count('slaPolicies')).toBe(before);
  });

  it('when a policy is invalid or names an unknown calendar, then 400 and nothing is saved', async () => {
    const before = await count('slaPolicies');
    const res = await api().post('/sla-policies').send({ name: '', firstResponseMinutes: 0, nextResponseMinutes: 1.5, warnAtPercent: 100 });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.fields)).toEqual(expect.arrayContaining(['name', 'firstResponseMinutes', 'nextResponseMinutes', 'warnAtPercent']));
    const unknown = await api()
      .post('/sla-policies')
      .send({ name: 'x', calendarId: '00000000-0000-4000-8000-000000000000', firstResponseMinutes: 60, nextResponseMinutes: 60 });
    expect(unknown.status).toBe(400);
    expect(await count('slaPolicies')).toBe(before);
  });

  it('when a channel gets a policy, then the change is audited with before and after', async () => {
    const { channel, policyId } = await channelWithPolicy({ firstResponseMinutes: 60, nextResponseMinutes: 30 });
    const audit = await app.services.db
      .selectFrom('auditEvents')
      .select(['before', 'after'])
      .where('subjectId', '=', channel.channelId)
      .where('action', '=', 'channel.sla_changed')
      .executeTakeFirstOrThrow();
    expect(audit.before).toEqual({ calendarId: null, slaPolicyId: null });
    expect(audit.after).toEqual({ calendarId: null, slaPolicyId: policyId });
  });
});

describe('due times set at ingest (the worked examples)', () => {
  it('when a post arrives Friday 17:30 in Berlin office hours with a 60-minute target, then it is due Monday 08:30', async () => {
    const { channel } = await channelWithPolicy({ firstResponseMinutes: 60, nextResponseMinutes: 60 }, BERLIN_OFFICE);
    // A Friday far enough ahead that the post is still open whenever the suite runs.
    const res = await ingestReceivedAt(channel, inboundPost({ postedAt: '2030-11-29T17:30:00+01:00' }), new Date('2030-11-29T17:30:05+01:00'));
    const { conversation, post } = await postOf(res.conversationId, res.messageId);
    expect(post.sla).toMatchObject({ kind: 'first', dueAt: '2030-12-02T07:30:00.000Z', state: 'ok', respondedAt: null });
    expect(conversation.sla).toMatchObject({ firstResponseDueAt: '2030-12-02T07:30:00.000Z', nextResponseDueAt: null, state: 'ok' });
  });

  it('when a post arrives on 24 December 17:00 with a 4-hour target, then Christmas and the weekend are skipped: due 28 December 11:00', async () => {
    const { channel } = await channelWithPolicy({ firstResponseMinutes: 240, nextResponseMinutes: 120, resolutionMinutes: 600 }, BERLIN_OFFICE);
    const res = await ingestReceivedAt(channel, inboundPost({ postedAt: '2026-12-24T17:00:00+01:00' }), new Date('2026-12-24T17:00:05+01:00'));
    const { conversation, post } = await postOf(res.conversationId, res.messageId);
    expect(post.sla.dueAt).toBe('2026-12-28T10:00:00.000Z');
    expect(conversation.sla.resolutionDueAt).toBe('2026-12-28T16:00:00.000Z');
  });

  it('when a second post arrives while the first awaits an answer, then it gets its own next-response due time', async () => {
    const { channel } = await channelWithPolicy({ firstResponseMinutes: 60, nextResponseMinutes: 30 }, BERLIN_OFFICE);
    const author = { externalId: `cust-${Date.now()}`, name: 'Jan' };
    const first = await ingestReceivedAt(channel, inboundPost({ author, postedAt: '2026-11-25T10:00:00+01:00' }), new Date('2026-11-25T10:00:05+01:00'));
    const second = await ingestReceivedAt(channel, inboundPost({ author, postedAt: '2026-11-25T10:20:00+01:00' }), new Date('2026-11-25T10:20:05+01:00'));
    expect(second.conversationId).toBe(first.conversationId);
    const { conversation, post } = await postOf(first.conversationId, second.messageId);
    expect(post.sla).toMatchObject({ kind: 'next', dueAt: '2026-11-25T09:50:00.000Z' });
    expect(conversation.sla).toMatchObject({ firstResponseDueAt: '2026-11-25T10:00:00.000Z', nextResponseDueAt: '2026-11-25T09:50:00.000Z' });
  });

  it('when the channel has no policy, then posts carry no SLA', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const res = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost())
      .expect(201);
    const { conversation, post } = await postOf(res.body.conversationId, res.body.messageId);
    expect(post.sla).toBeNull();
    expect(conversation.sla.state).toBeNull();
  });

  it('when the inbox is sorted by due, then the conversation due soonest comes first', async () => {
    const { ingest, channel } = await channelWithPolicy({ firstResponseMinutes: 60, nextResponseMinutes: 60 });
    const later = await ingest(inboundPost({ postedAt: new Date(Date.now() - 10 * 60_000).toISOString() })).expect(201);
    const sooner = await ingest(inboundPost({ postedAt: new Date(Date.now() - 30 * 60_000).toISOString() })).expect(201);
    const res = await api().get(`/conversations?sort=due&status=all&channelId=${channel.channelId}`).expect(200);
    expect(res.body.conversations.map((c: { id: string }) => c.id)).toEqual([sooner.body.conversationId, later.body.conversationId]);
  });
});

describe('a reply stops the clock', () => {
  it('when an agent replies 45 minutes after a post on a 60-minute 24/7 policy, then it is met in 45 business and 45 wall minutes', async () => {
    const { ingest } = await channelWithPolicy({ firstResponseMinutes: 60, nextResponseMinutes: 60 });
    const postedAt = new Date(Date.now() - 45 * 60_000);
    const res = await ingest(inboundPost({ postedAt: postedAt.toISOString() })).expect(201);
    await api().post(`/conversations/${res.body.conversationId}/replies`, agent.token).send({ text: 'Wir kümmern uns.' }).expect(202);
    const { conversation, post } = await postOf(res.body.conversationId, res.body.messageId);
    expect(post.sla.state).toBe('met');
    expect(post.sla.businessMinutesToRespond).toBeCloseTo(45, 0);
    expect(post.sla.wallMinutesToRespond).toBeCloseTo(45, 0);
    expect(conversation.sla.state).toBe('met');
    const answered = await app.services.db.selectFrom('messages').select('responseMessageId').where('id', '=', res.body.messageId).executeTakeFirstOrThrow();
    expect(answered.responseMessageId).toEqual(expect.any(String));
  });

  it('when a post came in while closed, then business minutes count only open time and wall minutes count all of it', async () => {
    // Open 00:00-12:00 UTC every day; posted 13:00 UTC two days ago → 12 h of open time until now... measured exactly below.
    const calendar = {
      name: 'Mornings',
      timeZone: 'UTC',
      weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '12:00']]])),
      holidays: null,
      closures: [],
    };
    const { ingest } = await channelWithPolicy({ firstResponseMinutes: 600, nextResponseMinutes: 600 }, calendar);
    const day = 86_400_000;
    const postedAt = new Date(Math.floor(Date.now() / day) * day - 2 * day + 13 * 3600_000);
    const res = await ingest(inboundPost({ postedAt: postedAt.toISOString() })).expect(201);
    await api().post(`/conversations/${res.body.conversationId}/replies`, agent.token).send({ text: 'Antwort' }).expect(202);
    const { post } = await postOf(res.body.conversationId, res.body.messageId);
    const respondedAt = new Date(post.sla.respondedAt).getTime();
    const todayOpen = Math.min(respondedAt - Math.floor(respondedAt / day) * day, 12 * 3600_000) / 60_000;
    expect(post.sla.businessMinutesToRespond).toBeCloseTo(720 + todayOpen, 0);
    expect(post.sla.wallMinutesToRespond).toBeCloseTo((respondedAt - postedAt.getTime()) / 60_000, 0);
    expect(post.sla.state).toBe('breached');
  });
});

describe('SLA timers on real Redis', () => {
  it('when the warning instant passes, then the post turns warning, exactly one sla.warning is audited, and later sweeps do not repeat it', async () => {
    const { ingest } = await channelWithPolicy({ firstResponseMinutes: 60, nextResponseMinutes: 60, warnAtPercent: 50 });
    // Posted 29 min 58 s ago: the warning (30 min) is 2 s away, the breach 30 min away.
    const res = await ingest(inboundPost({ postedAt: new Date(Date.now() - 29 * 60_000 - 58_000).toISOString() })).expect(201);
    const workers = await startWorkers(app.services);
    try {
      await until(() => auditCount('sla.warning', res.body.messageId), 'the warning');
      const { post } = await postOf(res.body.conversationId, res.body.messageId);
      expect(post.sla.state).toBe('warning');
    } finally {
      await workers.close();
    }
    // a sweep after the warning (a restarted worker's first) finds it fired already
    await sweepSlaTimers(app.services);
    expect(await auditCount('sla.warning', res.body.messageId)).toBe(1);
  });

  it('when Redis restarted empty, then the workers re-create the sweep and the due warning fires exactly once, though two workers sweep', async () => {
    const { ingest } = await channelWithPolicy({ firstResponseMinutes: 60, nextResponseMinutes: 60, warnAtPercent: 50 });
    const res = await ingest(inboundPost({ postedAt: new Date(Date.now() - 31 * 60_000).toISOString() })).expect(201);
    // Simulate a Redis that restarted empty: the sweep's schedule is gone with the queue.
    const queue = app.services.queues.queue(JOBS['sla-sweep'].queue);
    await queue.obliterate({ force: true });
    expect(await queue.getJobSchedulers()).toEqual([]);
    const first = await startWorkers(app.services);
    const second = await startWorkers(app.services); // two workers, each sweeping
    try {
      await until(() => auditCount('sla.warning', res.body.messageId), 'the warning');
      expect((await queue.getJobSchedulers()).map((s) => s.key)).toEqual(['sla-sweep']);
      await Promise.all([sweepSlaTimers(app.services), sweepSlaTimers(app.services)]);
    } finally {
      await first.close();
      await second.close();
    }
    expect(await auditCount('sla.warning', res.body.messageId)).toBe(1);
  });

  it('when a post is due for its warning and its breach at once (the workers were away), then one sweep warns and breaches it, once each', async () => {
    const { ingest } = await channelWithPolicy({ firstResponseMinutes: 60, nextResponseMinutes: 60, warnAtPercent: 50 });
    const res = await ingest(inboundPost({ postedAt: new Date(Date.now() - 2 * 3600_000).toISOString() })).expect(201);
    await Promise.all([sweepSlaTimers(app.services), sweepSlaTimers(app.services)]);
    expect(await auditCount('sla.warning', res.body.messageId)).toBe(1);
    expect(await auditCount('sla.breached', res.body.messageId)).toBe(1);
    const { post } = await postOf(res.body.conversationId, res.body.messageId);
    expect(post.sla.state).toBe('breached');
  });

  it('when firings keep failing, then the sweep pages past them to the posts behind, a failing warning does not hold up the breach, and failures wait their backoff', async () => {
    const { ingest } = await channelWithPolicy({ firstResponseMinutes: 60, nextResponseMinutes: 60, warnAtPercent: 50 });
    await sweepSlaTimers(app.services); // what earlier tests left due is fired first
    // the database refuses every clock change of the 'kaputt' posts, and the warning of 'kaputte Warnung'
    await sql`CREATE FUNCTION test_refuse_firing() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.sla_state IS DISTINCT FROM OLD.sla_state AND (NEW.text = 'kaputt' OR (NEW.text = 'kaputte Warnung' AND NEW.sla_state = 'warning')) THEN
          RAISE EXCEPTION 'the test refuses this firing';
        END IF;
        RETURN NEW;
      END $$`.execute(app.services.db);
    await sql`CREATE TRIGGER test_refuse_firing BEFORE UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION test_refuse_firing()`.execute(app.services.db);
    const post = async (text: string, hoursAgo: number) =>
      (await ingest(inboundPost({ text, postedAt: new Date(Date.now() - hoursAgo * 3600_000).toISOString() })).expect(201)).body.messageId as string;
    // oldest first, two per page: the failing posts fill the first two pages, the good ones come third
    const failing = [await post('kaputt', 3.3), await post('kaputt', 3.2), await post('kaputt', 3.1)];
    const warningFails = await post('kaputte Warnung', 3);
    const good = [await post('Wo bleibt mein Paket?', 2), await post('Wo bleibt meine Rechnung?', 2)];
    const backoff = failureBackoff();
    try {
      const first = await sweepSlaTimers(app.services, { backoff, pageSize: 2 });
      expect(first.failed).toBe(7); // three posts' warning and breach, one warning
      for (const id of good) expect([await auditCount('sla.warning', id), await auditCount('sla.breached', id)]).toEqual([1, 1]);
      expect([await auditCount('sla.warning', warningFails), await auditCount('sla.breached', warningFails)]).toEqual([0, 1]);
      // within their backoff the failing posts are passed by; without one they are tried on every run
      expect((await sweepSlaTimers(app.services, { backoff, pageSize: 2 })).failed).toBe(0);
      expect((await sweepSlaTimers(app.services, { pageSize: 2 })).failed).toBe(6);
    } finally {
      await sql`DROP TRIGGER test_refuse_firing ON messages`.execute(app.services.db);
      await sql`DROP FUNCTION test_refuse_firing()`.execute(app.services.db);
    }
    await sweepSlaTimers(app.services);
    for (const id of failing) expect([await auditCount('sla.warning', id), await auditCount('sla.breached', id)]).toEqual([1, 1]);
  });

  it('when the due instant passes, then the post is breached with the assignee as responsible, and a reply does not undo it', async () => {
    const { ingest } = await channelWithPolicy({ firstResponseMinutes: 60, nextResponseMinutes: 60 });
    const res = await ingest(inboundPost({ postedAt: new Date(Date.now() - 61 * 60_000).toISOString() })).expect(201);
    await app.services.db.updateTable('conversations').set({ assigneeId: agent.id, status: 'assigned' }).where('id', '=', res.body.conversationId).execute();
    const workers = await startWorkers(app.services);
    try {
      await until(() => auditCount('sla.breached', res.body.messageId), 'the breach');
    } finally {
      await workers.close();
    }
    const { post } = await postOf(res.body.conversationId, res.body.messageId);
    expect(post.sla.state).toBe('breached');
    expect(post.sla.breach.responsibleUser).toEqual({ id: agent.id, name: agent.name });
    await api().post(`/conversations/${res.body.conversationId}/replies`, agent.token).send({ text: 'Entschuldigung' }).expect(202);
    const after = await postOf(res.body.conversationId, res.body.messageId);
    expect(after.post.sla.state).toBe('breached');
    expect(after.post.sla.wallMinutesToRespond).toBeGreaterThanOrEqual(61);
  });

  it('when a post is answered before its timers fire, then no sweep finds it due and a late firing changes nothing', async () => {
    const { ingest } = await channelWithPolicy({ firstResponseMinutes: 60, nextResponseMinutes: 60 });
    const res = await ingest(inboundPost()).expect(201);
    const later = new Date(Date.now() + 2 * 3600_000);
    const dueLater = async () => (await listDueTimers(app.services.db, later, 10_000)).map((p) => p.id);
    expect(await dueLater()).toContain(res.body.messageId);
    await api().post(`/conversations/${res.body.conversationId}/replies`, agent.token).send({ text: 'Schon erledigt' }).expect(202);
    expect(await dueLater()).not.toContain(res.body.messageId);
    expect(await fireSlaTimer({ ...app.services, now: () => later }, 'breach', res.body.messageId)).toBe('skipped');
    const { post } = await postOf(res.body.conversationId, res.body.messageId);
    expect(post.sla.state).toBe('met');
  });
});
