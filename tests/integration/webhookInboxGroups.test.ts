/**
 * The webhook inbox in groups: deliveries that arrive together are stored in one transaction and named by one
 * drain-webhooks job (not a job each); the job stores every message once; a delivery the database refuses,
 * on accept or in the drain, fails alone; the reconciler re-enqueues what is pending after Redis lost it.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { reconcileJobs } from '../../jobs/reconcile';
import { lockChannel } from '../../server/db/repositories/channelHealth.repo';
import { createInboxGroups, type InboxDelivery, type InboxReceipt } from '../../server/domain/channels/webhooks/inboxGroups';
import { drainWebhookInbox, processWebhookInbox } from '../../server/domain/channels/webhooks/webhookInbox';
import type { JobRequest } from '../../server/domain/effects';
import { makeWhatsappChannel } from '../factories/messagingChannels';
import { inboundText, postSignedWhatsapp } from '../fakes/fakeMetaServer';
import { refuseTextsContaining } from '../support/refusedPosts';
import { until } from '../support/until';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp(); // no workers: the test runs the jobs itself
});
afterAll(() => app.stop());

type Wa = Awaited<ReturnType<typeof makeWhatsappChannel>>;

/** A delivery for the number, as if its signature was checked against `appSecret` (the channel's own by default). */
function delivery(wa: Wa, text: string, i: number, appSecret = wa.appSecret): InboxDelivery {
  const payload = JSON.stringify(inboundText(wa.phoneNumberId, text, { from: `49151000${i}` }));
  return {
    rows: [{ kind: 'whatsapp', channelId: wa.channelId, payload, bodySha256: createHash('sha256').update(payload).digest('hex'), events: 1 }],
    signedBy: [{ channelId: wa.channelId, identity: { address: wa.phoneNumberId, signingSecret: appSecret } }],
  };
}

/** The inbox id of a delivery's one row: null for a repeat, undefined when a signer changed (nothing stored). */
const idOf = (receipt: InboxReceipt) => ('ids' in receipt ? receipt.ids[0] : undefined);

/**
 * The waiting jobs of the webhooks queue that name deliveries of these ids, once each id is named: a group's job
 * reaches Redis just after its requests are answered.
 */
async function jobsFor(ids: string[]) {
  const wanted = new Set(ids);
  const naming = async () => {
    const jobs = await app.services.queues.queue('webhooks').getJobs(['waiting']);
    return jobs
      .map((j) => ({ name: j.name, data: j.data as { inboxId?: string; inboxIds?: string[] } }))
      .filter((j) => [...(j.data.inboxIds ?? []), j.data.inboxId].some((id) => id && wanted.has(id)));
  };
  return until('a job naming each delivery', async () => {
    const jobs = await naming();
    const named = new Set(jobs.flatMap((j) => [...(j.data.inboxIds ?? []), j.data.inboxId]));
    return ids.every((id) => named.has(id)) && jobs;
  });
}

const inboxOf = (channelId: string) =>
  app.services.db
    .selectFrom('webhookInbox')
    .select(['id', 'processedAt', 'attempts', 'lastError', sql<string>`xmin::text`.as('xmin')])
    .where('channelId', '=', channelId)
    .orderBy('receivedAt')
    .orderBy('id')
    .execute();

/** The channel's credentials sealed again with another app secret, as an edit of its settings seals them. */
async function credentialsWith(channelId: string, appSecret: string) {
  const { credentialsEnc } = await app.services.db.selectFrom('channels').select('credentialsEnc').where('id', '=', channelId).executeTakeFirstOrThrow();
  const credentials = { ...(JSON.parse(app.services.secretBox.open(credentialsEnc!)) as Record<string, string>), appSecret };
  return app.services.secretBox.seal(JSON.stringify(credentials));
}

async function changeAppSecret(channelId: string, appSecret: string) {
  const credentialsEnc = await credentialsWith(channelId, appSecret);
  await app.services.db.updateTable('channels').set({ credentialsEnc }).where('id', '=', channelId).execute();
}

const textsOf = async (channelId: string) =>
  (await app.services.db.selectFrom('messages').select('text').where('channelId', '=', channelId).execute()).map((m) => m.text).sort();

describe('webhook deliveries in groups', () => {
  it('when deliveries arrive together, then they are stored in one transaction, named by one drain job, and that job stores every message once', async () => {
    const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const inbox = createInboxGroups(app.services);
    const texts = Array.from({ length: 30 }, (_, i) => `Nachricht ${i}`);
    const stored = await Promise.all(texts.map((t, i) => inbox.store(delivery(wa, t, i))));
    const ids = stored.map((s) => idOf(s)!);
    expect(new Set(ids).size).toBe(30);
    expect(new Set((await inboxOf(wa.channelId)).map((r) => r.xmin)).size).toBe(1);
    const jobs = await jobsFor(ids);
    expect(jobs).toEqual([{ name: 'drain-webhooks', data: { inboxIds: ids } }]);

    const outcomes = await drainWebhookInbox(app.services, ids);
    expect(outcomes.filter((o) => o.outcome === 'processed')).toHaveLength(30);
    expect(await textsOf(wa.channelId)).toEqual([...texts].sort());
    // the job again (a retry, a second worker): nothing left to do
    expect((await drainWebhookInbox(app.services, ids)).every((o) => o.outcome === 'skipped')).toBe(true);
    expect(await textsOf(wa.channelId)).toHaveLength(30);
  });

  it('when two workers drain the same deliveries at once, then each message is stored once', async () => {
    const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const inbox = createInboxGroups(app.services);
    const texts = Array.from({ length: 20 }, (_, i) => `Doppelt ${i}`);
    const ids = (await Promise.all(texts.map((t, i) => inbox.store(delivery(wa, t, i))))).map((s) => idOf(s)!);
    const [a, b] = await Promise.all([drainWebhookInbox(app.services, ids), drainWebhookInbox(app.services, [...ids].reverse())]);
    expect([...a, ...b].filter((o) => o.outcome === 'processed')).toHaveLength(20);
    expect(await textsOf(wa.channelId)).toEqual([...texts].sort());
    expect((await inboxOf(wa.channelId)).every((r) => r.processedAt !== null && r.attempts === 1)).toBe(true);
  });

  it('when the job cannot be added (Redis down), then the deliveries are still answered as stored and the reconciler names them later', async () => {
    const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const lost: unknown[] = [];
    const down = {
      ...app.services.dispatcher,
      enqueue: async () => Promise.reject(new Error('Redis is down')),
      enqueueBulk: async () => Promise.reject(new Error('Redis is down')),
      onDispatchError: (_err: unknown, what: unknown) => void lost.push(what),
    };
    const inbox = createInboxGroups({ ...app.services, dispatcher: down });
    const ids = (await Promise.all(['eins', 'zwei'].map((t, i) => inbox.store(delivery(wa, t, i))))).map((s) => idOf(s)!);
    expect(lost).toEqual([{ name: 'drain-webhooks', data: { inboxIds: ids } }]);
    const enqueued: JobRequest[] = [];
    await reconcileJobs(app.services.db, async (jobs) => void enqueued.push(...jobs));
    const named = enqueued.flatMap((j) => (j.name === 'drain-webhooks' ? j.data.inboxIds : []));
    expect(named).toEqual(expect.arrayContaining(ids));
  });

  it('when a delivery is repeated within a group, then it is stored once and the repeat gets no id', async () => {
    const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const inbox = createInboxGroups(app.services);
    const same = delivery(wa, 'zweimal', 0);
    const receipts = await Promise.all([inbox.store(same), inbox.store(same)]);
    expect(receipts.map(idOf).filter((id) => id === null)).toHaveLength(1);
    expect(await inboxOf(wa.channelId)).toHaveLength(1);
  });

  it('when the database refuses one delivery of a group, then only its request fails and the others are stored and drained', async () => {
    const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const inbox = createInboxGroups(app.services);
    await sql`CREATE FUNCTION test_refuse_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF strpos(NEW.payload::text, 'poisoned') > 0 THEN RAISE EXCEPTION 'poisoned delivery' USING ERRCODE = 'check_violation'; END IF;
        RETURN NEW;
      END $$`.execute(app.services.db);
    await sql`CREATE TRIGGER test_refuse_inbox BEFORE INSERT ON webhook_inbox FOR EACH ROW EXECUTE FUNCTION test_refuse_inbox()`.execute(app.services.db);
    try {
      const texts = ['eins', 'zwei', 'poisoned drei', 'vier', 'fünf'];
      const outcomes = await Promise.allSettled(texts.map((t, i) => inbox.store(delivery(wa, t, i))));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ code: '23514' });
    } finally {
      await sql`DROP TRIGGER test_refuse_inbox ON webhook_inbox`.execute(app.services.db);
      await sql`DROP FUNCTION test_refuse_inbox()`.execute(app.services.db);
    }
    const rows = await inboxOf(wa.channelId);
    expect(rows).toHaveLength(4);
    const named = (await jobsFor(rows.map((r) => r.id))).flatMap((j) => j.data.inboxIds ?? []);
    expect(named.sort()).toEqual(rows.map((r) => r.id).sort());
    await drainWebhookInbox(app.services, named);
    expect(await textsOf(wa.channelId)).toEqual(['eins', 'fünf', 'vier', 'zwei']);
  });

  it('when the database refuses one message of a drain, then the others are stored and it gets a process-webhook job of its own', async () => {
    const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const inbox = createInboxGroups(app.services);
    const ids = (await Promise.all(['eins', 'poisoned zwei', 'drei'].map((t, i) => inbox.store(delivery(wa, t, i))))).map((s) => idOf(s)!);
    const refusing = await refuseTextsContaining(app.services.db, 'poisoned');
    try {
      const outcomes = await drainWebhookInbox(app.services, ids);
      expect(outcomes.filter((o) => o.outcome === 'processed')).toHaveLength(2);
    } finally {
      await refusing.stop();
    }
    expect(await textsOf(wa.channelId)).toEqual(['drei', 'eins']);
    const poisoned = (await inboxOf(wa.channelId)).find((r) => r.id === ids[1]);
    expect(poisoned).toMatchObject({ processedAt: null, attempts: 1, lastError: expect.stringMatching(/poisoned/) });
    expect(await jobsFor([ids[1]!])).toContainEqual({ name: 'process-webhook', data: { inboxId: ids[1] } });
    expect(await processWebhookInbox(app.services, ids[1]!)).toMatchObject({ outcome: 'processed', ingested: 1 });
    expect(await textsOf(wa.channelId)).toEqual(['drei', 'eins', 'poisoned zwei']);
  });

  it('when many signed deliveries arrive at once over HTTP, then each is answered 200 after its commit, every row is named by exactly one drain job, and draining stores each message once', async () => {
    const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const bodies = Array.from({ length: 40 }, (_, i) => JSON.stringify(inboundText(wa.phoneNumberId, `Gleichzeitig ${i}`, { from: `49152000${i}` })));
    const answers = await Promise.all(bodies.map((body) => postSignedWhatsapp(app.url, body, wa.appSecret)));
    expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 200));
    const rows = await inboxOf(wa.channelId);
    expect(rows).toHaveLength(40);
    const jobs = await jobsFor(rows.map((r) => r.id));
    expect(jobs.every((j) => j.name === 'drain-webhooks')).toBe(true);
    const named = jobs.flatMap((j) => j.data.inboxIds!);
    expect(named.sort()).toEqual(rows.map((r) => r.id).sort());
    // one job per committed group (a row's xmin is its transaction)
    expect(jobs.length).toBe(new Set(rows.map((r) => r.xmin)).size);
    for (const j of jobs) await drainWebhookInbox(app.services, j.data.inboxIds!);
    expect(await textsOf(wa.channelId)).toEqual(bodies.map((_, i) => `Gleichzeitig ${i}`).sort());
  });

  it("when a channel's app secret changes after a delivery's signature was checked, then that delivery is not stored and its caller is told so; the group's others, one checked against the new secret included, are stored", async () => {
    const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const other = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const inbox = createInboxGroups(app.services);
    await changeAppSecret(wa.channelId, 'rotated-secret');
    const [checkedBefore, checkedAfter, untouched] = await Promise.all([
      inbox.store(delivery(wa, 'alt signiert', 0)),
      inbox.store(delivery(wa, 'neu signiert', 1, 'rotated-secret')),
      inbox.store(delivery(other, 'unberührt', 2)),
    ]);
    expect(checkedBefore).toEqual({ signerChanged: true });
    expect(idOf(checkedAfter)).toEqual(expect.any(String));
    expect(idOf(untouched)).toEqual(expect.any(String));
    expect(await inboxOf(wa.channelId)).toHaveLength(1);
    expect(await inboxOf(other.channelId)).toHaveLength(1);
  });

  it("when an edit holds the channel's lock, then a group storing a delivery for it waits for the edit and, the secret changed, stores nothing", async () => {
    const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const inbox = createInboxGroups(app.services);
    const credentialsEnc = await credentialsWith(wa.channelId, 'rotated-secret');
    let storing: Promise<InboxReceipt> | undefined;
    let answeredDuringEdit = false;
    await app.services.db.transaction().execute(async (tx) => {
      await lockChannel(tx, wa.channelId); // as editChannelSettings and replaceCredentials do
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(tx);
      storing = inbox.store(delivery(wa, 'während der Änderung', 0));
      void storing.then(() => {
        answeredDuringEdit = true;
      });
      // the group's transaction is waiting for this one's lock on the channel
      await until('the group to wait for the lock', async () => {
        const blocked = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE ${rows[0]!.pid}::int = ANY (pg_blocking_pids(pid))`.execute(app.services.db);
        return blocked.rows[0]!.n > 0;
      });
      await tx.updateTable('channels').set({ credentialsEnc }).where('id', '=', wa.channelId).execute();
    });
    expect(answeredDuringEdit).toBe(false);
    expect(await storing).toEqual({ signerChanged: true });
    expect(await inboxOf(wa.channelId)).toHaveLength(0);
  });

  it("when a channel's own app secret changes, then a delivery signed with the old one is refused at once and one signed with the new one is taken", async () => {
    const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const post = (secret: string, text: string) =>
      postSignedWhatsapp(app.url, JSON.stringify(inboundText(wa.phoneNumberId, text, { from: '4915300002' })), secret);
    expect((await post(wa.appSecret, 'vorher')).body).toEqual({ received: 1 }); // the web process now holds the channels
    await changeAppSecret(wa.channelId, 'own-rotated-secret');
    expect((await post(wa.appSecret, 'mit altem Geheimnis')).status).toBe(401);
    expect((await post('own-rotated-secret', 'mit neuem Geheimnis')).body).toEqual({ received: 1 });
    expect(await inboxOf(wa.channelId)).toHaveLength(2);
  });

  it("when the endpoint's channels change after the web process read them, then a new channel takes its first delivery, and a changed app secret counts at once: the old one stores nothing, the new one is taken", async () => {
    const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const post = (channel: { phoneNumberId: string }, secret: string, text: string) =>
      postSignedWhatsapp(app.url, JSON.stringify(inboundText(channel.phoneNumberId, text, { from: '4915300001' })), secret);
    expect((await post(wa, wa.appSecret, 'vorher')).body).toEqual({ received: 1 }); // the web process now holds the channels
    // a number of the same Meta app (the same app secret): its deliveries match a channel the process knows
    const connectedSince = await makeWhatsappChannel(app.services.db, app.services.secretBox, { appSecret: wa.appSecret });
    expect((await post(connectedSince, connectedSince.appSecret, 'neu verbunden')).body).toEqual({ received: 1 });
    await changeAppSecret(wa.channelId, 'rotated-secret');
    // the old secret is still the other number's: answered, but stored for neither
    expect((await post(wa, wa.appSecret, 'mit altem Geheimnis')).body).toEqual({ received: 0 });
    expect((await post(wa, 'rotated-secret', 'mit neuem Geheimnis')).body).toEqual({ received: 1 });
    expect(await inboxOf(wa.channelId)).toHaveLength(2);
    expect(await inboxOf(connectedSince.channelId)).toHaveLength(1);
  });

  it('when Redis lost the jobs, then the reconciler names the fresh deliveries in drains and the failed ones alone', async () => {
    const wa = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const inbox = createInboxGroups(app.services);
    const ids = (await Promise.all(['eins', 'zwei', 'drei'].map((t, i) => inbox.store(delivery(wa, t, i))))).map((s) => idOf(s)!);
    await app.services.db.updateTable('webhookInbox').set({ attempts: 1, lastError: 'earlier failure' }).where('id', '=', ids[2]!).execute();
    const enqueued: JobRequest[] = [];
    await reconcileJobs(app.services.db, async (jobs) => void enqueued.push(...jobs));
    const mine = enqueued.filter(
      (j) => (j.name === 'drain-webhooks' && j.data.inboxIds.some((id) => ids.includes(id))) || (j.name === 'process-webhook' && ids.includes(j.data.inboxId)),
    );
    expect(mine).toEqual([
      { name: 'drain-webhooks', data: { inboxIds: expect.arrayContaining([ids[0], ids[1]]) } },
      { name: 'process-webhook', data: { inboxId: ids[2] } },
    ]);
    expect((mine[0]!.data as { inboxIds: string[] }).inboxIds).not.toContain(ids[2]);
  });
});
