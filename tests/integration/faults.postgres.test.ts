/**
 * PostgreSQL "restarts" (issue #7): the app under test reaches this file's database through a loopback
 * proxy; a restart is the proxy refusing connections plus every session of the app terminated by the
 * server (its open transactions roll back). The shared PostgreSQL itself keeps running for everyone else.
 */
import pg from 'pg';
import request from 'supertest';
import { pollChannelOnce, type PollDeps } from '../../server/domain/channels/polling/pollChannel';
import { verifyAuditChain } from '../../server/db/repositories/audit.repo';
import { inboundPost, makeApiChannel } from '../factories/factories';
import { makeTelegramChannel } from '../factories/messagingChannels';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fakeTelegramServer';
import { startTestApp, type TestApp } from '../support/testApp';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';
import { until } from '../support/until';

let app: TestApp;
let proxy: TcpProxy;
/** A session of our own, straight to the database (not through the proxy): the test's view of the truth. */
let direct: pg.Client;
let deps: PollDeps;

beforeAll(async () => {
  const databaseUrl = process.env.DATABASE_URL!;
  proxy = await startTcpProxy({ port: Number(new URL(databaseUrl).port || 5432) });
  app = await startTestApp({ workers: false, env: { DATABASE_URL: proxy.url(databaseUrl) } });
  direct = new pg.Client({ connectionString: databaseUrl });
  await direct.connect();
  direct.on('error', () => undefined); // the per-file database is dropped WITH (FORCE) at the end
  deps = app.services;
});
afterEach(async () => {
  proxy.restore();
  await direct.query('ROLLBACK').catch(() => undefined);
});
afterAll(async () => {
  await direct.end();
  await app.stop();
  await proxy.close();
});

const count = async (query: string, params: unknown[]) => Number((await direct.query<{ n: string }>(query, params)).rows[0]!.n);

/**
 * Holds the audit chain lock in an open transaction of our own: the next command of the app that
 * audits (every ingest) stops right there, mid-transaction, with its message already inserted.
 */
async function holdAuditChain() {
  await direct.query('BEGIN');
  await direct.query(`SELECT pg_advisory_xact_lock(hashtext('audit_events_chain'))`);
}
const releaseAuditChain = () => direct.query('ROLLBACK');

/**
 * Until a session of the app waits for a lock, i.e. its transaction is half done. Our own session is inside
 * a transaction (holdAuditChain), where PostgreSQL would answer every probe from its first statistics snapshot.
 */
const appWaitingForLock = () =>
  until(
    'the app to wait mid-transaction',
    async () =>
      (await direct.query('SELECT pg_stat_clear_snapshot()')) &&
      (await count(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
        [],
      )) > 0,
  );

/** The "restart": new connections are refused, and the server ends every session of the app (rolling back what was open). */
async function restartPostgres() {
  proxy.cut();
  await direct.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`);
}

describe('when PostgreSQL restarts during API ingest', () => {
  it("then the half-done ingest answers 503 with Retry-After (not 500, no hang), nothing of it is stored, and the sender's retry stores it once", async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const url = `/api/v1/channels/${channel.channelId}/messages`;
    const ingest = (body: object) => request(app.url).post(url).auth(channel.ingestToken, { type: 'bearer' }).timeout(5_000).send(body);
    const post = inboundPost();

    await holdAuditChain();
    const inFlight = ingest(post).then((r) => r);
    await appWaitingForLock();
    await restartPostgres();
    const cutOff = await inFlight;
    expect(cutOff.status).toBe(503);
    expect(cutOff.headers['retry-after']).toBe('5');
    expect(cutOff.body.error).toMatch(/database is not reachable/);

    // While it is down, new posts are refused the same way, at once.
    const started = Date.now();
    const refused = await ingest(inboundPost());
    expect(refused.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await request(app.url).get('/healthz').timeout(5_000)).body).toMatchObject({ db: 'down' });
    await releaseAuditChain();

    // Nothing half-written: no message, no conversation, no contact, no audit event of the channel.
    expect(await count('SELECT count(*) AS n FROM messages WHERE channel_id = $1', [channel.channelId])).toBe(0);
    expect(await count('SELECT count(*) AS n FROM conversations WHERE channel_id = $1', [channel.channelId])).toBe(0);
    expect(await count('SELECT count(*) AS n FROM contact_identities WHERE channel_id = $1', [channel.channelId])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM audit_events WHERE channel_id = $1 AND action <> 'channel.created'`, [channel.channelId])).toBe(0);

    proxy.restore();
    const retried = await ingest(post);
    expect(retried.status).toBe(201);
    expect((await ingest(post)).status).toBe(200);
    expect(await count('SELECT count(*) AS n FROM messages WHERE channel_id = $1', [channel.channelId])).toBe(1);
    expect(await verifyAuditChain(app.services.db)).toMatchObject({ ok: true });
    expect((await request(app.url).get('/healthz').timeout(5_000)).status).toBe(200);
    expect(app.logs.join('')).not.toContain('"request failed"');
  });
});

describe('when PostgreSQL restarts while a group of concurrent posts is mid-transaction', () => {
  it('then every post of the group and every post waiting behind it answers 503, none is stored, and the retries store each exactly once', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const url = `/api/v1/channels/${channel.channelId}/messages`;
    // a group waits for the ones before it: a longer bound than one request's
    const ingest = (body: object) => request(app.url).post(url).auth(channel.ingestToken, { type: 'bearer' }).timeout(20_000).send(body);
    const posts = Array.from({ length: 12 }, () => inboundPost());

    await holdAuditChain();
    const inFlight = posts.map((p) => ingest(p).then((r) => r));
    await appWaitingForLock();
    await restartPostgres();
    expect((await Promise.all(inFlight)).map((r) => r.status)).toEqual(posts.map(() => 503));
    await releaseAuditChain();
    expect(await count('SELECT count(*) AS n FROM messages WHERE channel_id = $1', [channel.channelId])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM audit_events WHERE channel_id = $1 AND action <> 'channel.created'`, [channel.channelId])).toBe(0);

    proxy.restore();
    const retried = await Promise.all([...posts, ...posts].map((p) => ingest(p)));
    for (let i = 0; i < posts.length; i++) {
      expect([retried[i]!.status, retried[i + posts.length]!.status].sort()).toEqual([200, 201]);
      expect(retried[i]!.body).toEqual(retried[i + posts.length]!.body);
    }
    expect(await count('SELECT count(*) AS n FROM messages WHERE channel_id = $1', [channel.channelId])).toBe(12);
    expect(await count(`SELECT count(*) AS n FROM audit_events WHERE channel_id = $1 AND action = 'message.received'`, [channel.channelId])).toBe(12);
    expect(await verifyAuditChain(app.services.db)).toMatchObject({ ok: true });
  }, 90_000);
});

describe("when PostgreSQL ends the app's sessions but keeps accepting connections (a failover, an admin terminating them)", () => {
  it('then the ingest caught mid-transaction answers 503 with nothing stored, and the next one is served on a fresh connection', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const ingest = (body: object) =>
      request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).timeout(5_000).send(body);
    const post = inboundPost();
    await holdAuditChain();
    const inFlight = ingest(post).then((r) => r);
    await appWaitingForLock();
    await direct.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`);
    expect((await inFlight).status).toBe(503);
    await releaseAuditChain();
    expect(await count('SELECT count(*) AS n FROM messages WHERE channel_id = $1', [channel.channelId])).toBe(0);
    expect((await ingest(post)).status).toBe(201);
    expect(await count('SELECT count(*) AS n FROM messages WHERE channel_id = $1', [channel.channelId])).toBe(1);
  });
});

describe('when PostgreSQL restarts while a poll stores what it fetched', () => {
  let tg: FakeTelegram;
  beforeEach(async () => {
    tg = await startFakeTelegram();
  });
  afterEach(async () => {
    await tg.close();
  });

  it('then the cursor stays, nothing is half-stored, no fetch happens while it is down, and the next poll fetches the same updates again and stores each once', async () => {
    const ch = await makeTelegramChannel(app.services.db, app.services.secretBox, tg);
    const pushed = [1, 2, 3].map((i) => tg.pushPrivateText({ id: 556000 + i, first_name: `Kunde ${i}` }, `Nachricht ${i}`));

    await holdAuditChain();
    const cutPoll = pollChannelOnce(deps, ch.channelId).then(
      (r) => ({ r }),
      (err: Error) => ({ err }),
    );
    await appWaitingForLock();
    await restartPostgres();
    expect(await cutPoll).toHaveProperty('err');
    await releaseAuditChain();
    expect(tg.offsets).toEqual([undefined]);

    // A scheduled poll while the database is down fails before it calls out to Telegram.
    await expect(pollChannelOnce(deps, ch.channelId)).rejects.toThrow();
    expect(tg.offsets).toHaveLength(1);
    const state = await direct.query('SELECT cursor FROM channels WHERE id = $1', [ch.channelId]);
    expect(state.rows[0].cursor).toBeNull();
    expect(await count('SELECT count(*) AS n FROM messages WHERE channel_id = $1', [ch.channelId])).toBe(0);

    proxy.restore();
    const next = await pollChannelOnce(deps, ch.channelId);
    expect(next).toMatchObject({ outcome: 'polled', fetched: 3, created: 3 });
    expect(tg.offsets).toEqual([undefined, undefined]); // the same position asked for again
    const stored = await direct.query('SELECT external_id FROM messages WHERE channel_id = $1 ORDER BY external_id', [ch.channelId]);
    expect(stored.rows.map((r) => r.external_id)).toEqual(pushed.map((p) => `${p.chatId}:${p.messageId}`).sort());
    expect((await direct.query('SELECT cursor FROM channels WHERE id = $1', [ch.channelId])).rows[0].cursor).toBe(String(pushed[2]!.updateId + 1));

    expect(await pollChannelOnce(deps, ch.channelId)).toMatchObject({ outcome: 'polled', created: 0 });
    expect(tg.pending()).toBe(0);
    expect(await count('SELECT count(*) AS n FROM messages WHERE channel_id = $1', [ch.channelId])).toBe(3);
  });
});
