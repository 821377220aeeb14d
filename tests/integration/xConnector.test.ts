/**
 * The X connector end to end against a fake X API v2 on loopback: polling through the real poll
 * processor (fetch → ingest per item → cursor after commit), health, rate limits, backoff, restarts,
 * and replies posted through the outbound worker.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import request from 'supertest';
import { schedulerId } from '../../jobs/pollChannel';
import { pollChannelOnce, type PollDeps, type PollOutcome } from '../../server/domain/channels/polling/pollChannel';
import { reconcilePollSchedules } from '../../server/domain/channels/polling/pollSchedules';
import { setChannelPaused, setPollInterval } from '../../server/domain/channels/channelPolling';
import { systemActor } from '../../server/domain/audit/actor';
import { connectChannel } from '../../server/domain/channels/connectChannel';
import type { NewXChannel } from '../../connectors/x/setup';
import { xConnector } from '../../connectors/x/xConnector';
import { channelHealthView } from '../../server/presenters/channelHealth.presenter';
import { listChannelsWithHealth } from '../../server/db/repositories/channelHealth.repo';
import { makeUser } from '../factories/factories';
import { startFakeXServer, type FakeXServer } from '../fakes/fakeXServer';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let fake: FakeXServer;
let deps: PollDeps;

beforeAll(async () => {
  app = await startTestApp({ workers: true });
  fake = await startFakeXServer();
  deps = app.services;
});
afterAll(async () => {
  await app.stop();
  await fake.close();
});

async function makeXChannel(overrides: Partial<NewXChannel> = {}) {
  const userId = String(randomInt(10_000_000, 99_999_999));
  const created = await app.services.db.transaction().execute((tx) =>
    connectChannel(
      tx,
      app.services.secretBox,
      xConnector,
      {
        name: `X ${userId}`,
        apiBaseUrl: fake.baseUrl,
        userId,
        handle: 'replyline_care',
        bearerToken: fake.bearerToken,
        appKey: 'app-key',
        appSecret: 'app-secret',
        accessToken: fake.accessToken,
        accessSecret: 'access-secret',
        pollIntervalSeconds: 60,
        ...overrides,
      },
      systemActor('test-factory'),
    ),
  );
  return { ...created, userId: created.settings.userId };
}

/** One poll; another worker of this test run may hold the lease for a moment, then we wait our turn. */
async function poll(channelId: string, now?: Date): Promise<PollOutcome> {
  for (let i = 0; ; i += 1) {
    const outcome = await pollChannelOnce(deps, channelId, now);
    if (!(outcome.outcome === 'skipped' && outcome.reason === 'busy') || i > 100) return outcome;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const channelRow = (id: string) => app.services.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const inbound = (channelId: string) =>
  app.services.db
    .selectFrom('messages')
    .selectAll()
    .where('channelId', '=', channelId)
    .where('direction', '=', 'inbound')
    .orderBy('postedAt')
    .orderBy('createdAt')
    .execute();
const mentionRequests = (userId: string) => fake.requests.filter((r) => r.endpoint === 'mentions' && r.path === `/2/users/${userId}/mentions`);

describe('polling the mentions timeline', () => {
  it('when 250 new mentions wait, then one poll pages through all of them, stores each once with its author, and keeps newest_id as since_id', async () => {
    const ch = await makeXChannel();
    const author = { id: '7001', name: 'Erika Mustermann', username: 'erika_m', profile_image_url: 'https://pbs.twimg.com/profile_images/1/erika_normal.jpg' };
    const posts = Array.from({ length: 250 }, (_, i) =>
      fake.mention(ch.userId, { text: `@replyline_care Frage Nummer ${i}`, author: i === 0 ? author : undefined }),
    );
    const outcome = await poll(ch.channelId);
    expect(outcome).toMatchObject({ outcome: 'polled', created: 250 });
    const pages = mentionRequests(ch.userId);
    expect(pages.length).toBe(3);
    expect(pages[0]!.query.get('since_id')).toBeNull();
    expect(pages[1]!.query.get('pagination_token')).toBeTruthy();
    const row = await channelRow(ch.channelId);
    expect(row.cursor).toBe(posts.at(-1)!.id);
    expect(Number(row.itemsFetched)).toBe(250);
    expect(row.lastSuccessAt).not.toBeNull();
    expect(row.rateLimitRemaining).toBe(447);

    const stored = await inbound(ch.channelId);
    expect(new Set(stored.map((m) => m.externalId)).size).toBe(250);
    const erika = stored.find((m) => m.externalId === posts[0]!.id)!;
    expect(erika).toMatchObject({ authorName: 'Erika Mustermann', authorHandle: 'erika_m', url: `https://x.com/erika_m/status/${posts[0]!.id}` });
    expect(erika.raw).toMatchObject({ tweet: { id: posts[0]!.id }, author: { username: 'erika_m' } });
    const identity = await app.services.db
      .selectFrom('contactIdentities')
      .selectAll()
      .where('channelId', '=', ch.channelId)
      .where('externalId', '=', '7001')
      .executeTakeFirstOrThrow();
    expect(identity).toMatchObject({ handle: 'erika_m', name: 'Erika Mustermann', avatarUrl: author.profile_image_url });

    await poll(ch.channelId);
    expect(mentionRequests(ch.userId).at(-1)!.query.get('since_id')).toBe(posts.at(-1)!.id);
    expect((await inbound(ch.channelId)).length).toBe(250);
  });

  it('when the same posts are delivered again (the cursor was lost before it was stored), then nothing lands twice', async () => {
    const ch = await makeXChannel();
    for (let i = 0; i < 3; i += 1) fake.mention(ch.userId, { text: `Paket ${i} fehlt` });
    await poll(ch.channelId);
    // A crash between committing the items and storing the cursor: the next poll fetches them again.
    await app.services.db.updateTable('channels').set({ cursor: null }).where('id', '=', ch.channelId).execute();
    const again = await poll(ch.channelId);
    expect(again).toMatchObject({ outcome: 'polled', fetched: 3, created: 0 });
    expect((await inbound(ch.channelId)).length).toBe(3);
    expect(Number((await channelRow(ch.channelId)).itemsFetched)).toBe(3);
  });

  it('when a customer answers in a thread, then the reply joins the conversation of the post it answers', async () => {
    const ch = await makeXChannel();
    const first = fake.mention(ch.userId, { text: 'Mein Router blinkt rot', author: { id: '7101', username: 'router_fan', name: 'Router Fan' } });
    await poll(ch.channelId);
    // Another post by the same author about something else would join their open conversation anyway,
    // so the reply comes from a second person answering in the same thread.
    fake.mention(ch.userId, { text: 'Bei mir auch!', author: { id: '7102', username: 'me_too', name: 'Me Too' }, inReplyTo: first.id });
    await poll(ch.channelId);
    const [a, b] = await inbound(ch.channelId);
    expect(b!.inReplyToExternalId).toBe(first.id);
    expect(b!.conversationId).toBe(a!.conversationId);
  });

  it('when posts carry emoji, right-to-left script and a very long text, then they are stored exactly', async () => {
    const ch = await makeXChannel();
    const texts = [
      'Danke!!! 🙏🏽👨‍👩‍👧‍👦🇩🇪 Lieferung ist da 📦✅',
      'שלום, ההזמנה שלי לא הגיעה — مرحبا، أين طلبي؟ 123',
      `Lange Beschwerde: ${'Die Hotline war nicht erreichbar und niemand hat zurückgerufen. '.repeat(60)}Ende.`,
    ];
    for (const text of texts) fake.mention(ch.userId, { text });
    await poll(ch.channelId);
    const stored = await inbound(ch.channelId);
    expect(stored.map((m) => m.text).sort()).toEqual([...texts].sort());
    expect(stored.find((m) => m.text.startsWith('Lange'))!.text.length).toBeGreaterThan(3000);
  });

  it("when the account's own posts show up, then they are not ingested as customer posts", async () => {
    const ch = await makeXChannel({ searches: ['störung'] });
    fake.publicPost({ text: 'Aktuell gibt es eine Störung, wir arbeiten daran.', author: { id: ch.userId, username: 'replyline_care', name: 'Care' } });
    fake.publicPost({ text: 'Schon wieder eine Störung bei euch?', author: { id: '7201' } });
    await poll(ch.channelId);
    expect((await inbound(ch.channelId)).map((m) => m.text)).toEqual(['Schon wieder eine Störung bei euch?']);
  });
});

describe('tracked searches', () => {
  it('when a tracked search finds posts, then each lands with its topic, and a post that also mentions us is stored once with the topic', async () => {
    const tag = `#paket${randomInt(1000, 9999)}`;
    const ch = await makeXChannel({ searches: [tag] });
    const topicId = ch.topics[0]!.id;
    const found = fake.publicPost({ text: `Wo bleibt mein ${tag}?` });
    const both = fake.mention(ch.userId, { text: `@replyline_care ${tag} kam beschädigt an` });
    const plain = fake.mention(ch.userId, { text: '@replyline_care Danke für die schnelle Hilfe' });
    await poll(ch.channelId);
    const rows = await app.services.db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversationId')
      .select(['m.externalId', 'c.topicId'])
      .where('m.channelId', '=', ch.channelId)
      .execute();
    const topicOf = Object.fromEntries(rows.map((r) => [r.externalId, r.topicId]));
    expect(rows.length).toBe(3);
    expect(topicOf[found.id]).toBe(topicId);
    expect(topicOf[both.id]).toBe(topicId);
    expect(topicOf[plain.id]).toBeNull();
    const topic = await app.services.db.selectFrom('topics').select('cursor').where('id', '=', topicId).executeTakeFirstOrThrow();
    expect(topic.cursor).toBe(both.id);
    const searches = fake.requests.filter((r) => r.endpoint === 'search' && r.query.get('query') === tag);
    expect(searches.at(-1)!.query.get('since_id')).toBeNull();
    await poll(ch.channelId);
    expect(
      fake.requests
        .filter((r) => r.endpoint === 'search' && r.query.get('query') === tag)
        .at(-1)!
        .query.get('since_id'),
    ).toBe(both.id);
  });
});

describe('when the X API fails', () => {
  it('when X answers 429 with a reset time, then the rate limit is recorded and no call is made before the reset', async () => {
    const ch = await makeXChannel();
    fake.mention(ch.userId, { text: 'Hallo?' });
    fake.failNext('mentions', { status: 429, resetInSeconds: 120 });
    const t0 = new Date();
    expect(await poll(ch.channelId, t0)).toMatchObject({ outcome: 'polled', error: 'rate_limited' });
    const row = await channelRow(ch.channelId);
    expect(row.rateLimitRemaining).toBe(0);
    expect(row.rateLimitResetAt!.getTime()).toBeGreaterThan(t0.getTime() + 100_000);
    expect(row.nextPollAt).toEqual(row.rateLimitResetAt);
    const calls = mentionRequests(ch.userId).length;

    expect(await poll(ch.channelId, new Date(t0.getTime() + 60_000))).toEqual({ outcome: 'skipped', reason: 'waiting' });
    expect(mentionRequests(ch.userId).length).toBe(calls);

    expect(await poll(ch.channelId, new Date(row.rateLimitResetAt!.getTime() + 1000))).toMatchObject({ outcome: 'polled', created: 1 });
    expect(mentionRequests(ch.userId).length).toBe(calls + 1);
    expect((await channelRow(ch.channelId)).rateLimitRemaining).toBeGreaterThan(0);
  });

  it('when X answers 503 twice, then polling backs off exponentially, then recovers and clears the failure count', async () => {
    const ch = await makeXChannel({ pollIntervalSeconds: 10 });
    fake.mention(ch.userId, { text: 'Seid ihr down?' });
    fake.failNext('mentions', { status: 503 }, 2);
    const t0 = new Date();
    expect(await poll(ch.channelId, t0)).toMatchObject({ error: 'transient' });
    let row = await channelRow(ch.channelId);
    expect(row.consecutiveFailures).toBe(1);
    expect(row.nextPollAt!.getTime() - t0.getTime()).toBe(20_000);
    expect(row.lastError).toContain('503');
    const calls = mentionRequests(ch.userId).length;
    expect(await poll(ch.channelId, new Date(t0.getTime() + 15_000))).toEqual({ outcome: 'skipped', reason: 'waiting' });
    expect(mentionRequests(ch.userId).length).toBe(calls);

    const t1 = new Date(t0.getTime() + 20_000);
    expect(await poll(ch.channelId, t1)).toMatchObject({ error: 'transient' });
    row = await channelRow(ch.channelId);
    expect(row.consecutiveFailures).toBe(2);
    expect(row.nextPollAt!.getTime() - t1.getTime()).toBe(40_000);

    expect(await poll(ch.channelId, new Date(t1.getTime() + 40_000))).toMatchObject({ outcome: 'polled', created: 1 });
    row = await channelRow(ch.channelId);
    expect(row.consecutiveFailures).toBe(0);
    expect(row.nextPollAt).toBeNull();
    expect(channelHealthView(row, new Date(t1.getTime() + 40_000)).status).toBe('ok');
  });

  it('when the bearer token is refused, then the channel health says plainly that the credentials were refused', async () => {
    const ch = await makeXChannel({ bearerToken: 'revoked-token' });
    expect(await poll(ch.channelId)).toMatchObject({ error: 'auth' });
    const row = (await listChannelsWithHealth(app.services.db)).find((c) => c.id === ch.channelId)!;
    expect(row.lastErrorKind).toBe('auth');
    const view = channelHealthView(row);
    expect(view.status).toBe('credentials_refused');
    expect(view.lastError).toContain('401');
  });

  it('when nothing answers at the X API address, then the channel health says in words that X could not be reached, and why', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const ch = await makeXChannel({ apiBaseUrl: `http://127.0.0.1:${port}/2/` });
    expect(await poll(ch.channelId)).toMatchObject({ error: 'transient' });
    const row = (await listChannelsWithHealth(app.services.db)).find((c) => c.id === ch.channelId)!;
    expect(channelHealthView(row).lastError).toBe(`X could not be reached: connection refused (127.0.0.1:${port})`);
  });

  it('when one post in a page is malformed, then it is skipped and logged and the others are stored', async () => {
    const ch = await makeXChannel();
    fake.rawMention(ch.userId, { id: 'not-a-number', text: 42, author_id: '7301' });
    const good = fake.mention(ch.userId, { text: 'Ich bin lesbar' });
    const logsBefore = app.logs.length;
    expect(await poll(ch.channelId)).toMatchObject({ outcome: 'polled', created: 1, skipped: 1 });
    expect((await inbound(ch.channelId)).map((m) => m.externalId)).toEqual([good.id]);
    const logged = app.logs.slice(logsBefore).join('');
    expect(logged).toContain('skipped an unreadable item');
    expect(logged).toContain(ch.channelId);
    expect(logged).not.toContain('Ich bin lesbar');
  });

  it('when X sends a body that is not JSON, then the poll is recorded as failed, nothing is lost, and the next poll stores the post', async () => {
    const ch = await makeXChannel({ pollIntervalSeconds: 5 });
    fake.mention(ch.userId, { text: 'Kommt das an?' });
    fake.failNext('mentions', { malformedJson: true });
    const t0 = new Date();
    expect(await poll(ch.channelId, t0)).toMatchObject({ error: 'transient' });
    const row = await channelRow(ch.channelId);
    expect(row.lastError).toContain('could not be read');
    expect(row.cursor).toBeNull();
    expect(await poll(ch.channelId, new Date(t0.getTime() + 60_000))).toMatchObject({ outcome: 'polled', created: 1 });
  });
});

describe('replies on X', () => {
  it("when the first post attempt fails with 503, then the reply is retried and lands as a reply to the customer's post, with id and URL stored", async () => {
    const ch = await makeXChannel();
    const agent = await makeUser(app.services.db, { role: 'agent' });
    const post = fake.mention(ch.userId, {
      text: '@replyline_care Meine Rechnung ist falsch',
      author: { id: '7401', username: 'rechnung_r', name: 'Rita Rechnung' },
    });
    await poll(ch.channelId);
    const [message] = await inbound(ch.channelId);
    fake.failNext('tweets', { status: 503 });

    const tooLong = await request(app.url)
      .post(`/api/v1/conversations/${message!.conversationId}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'x'.repeat(281) });
    expect(tooLong.status).toBe(400);
    const res = await request(app.url)
      .post(`/api/v1/conversations/${message!.conversationId}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: '@rechnung_r Das tut uns leid! Schreiben Sie uns bitte eine DM 🙂' });
    expect(res.status).toBe(202);
    const sent = await waitFor(async () => {
      const m = await app.services.db.selectFrom('messages').selectAll().where('id', '=', res.body.messageId).executeTakeFirstOrThrow();
      return m.deliveryState === 'sent' ? m : null;
    });
    expect(sent.deliveryAttempts).toBe(2);
    const posted = fake.posted.find((p) => p.id === sent.externalId)!;
    expect(posted).toMatchObject({ text: '@rechnung_r Das tut uns leid! Schreiben Sie uns bitte eine DM 🙂', inReplyToTweetId: post.id });
    expect(posted.authorization).toMatch(/^OAuth /);
    expect(sent.url).toBe(`https://x.com/replyline_care/status/${posted.id}`);

    // The customer answers our reply: it joins the same conversation.
    fake.mention(ch.userId, { text: 'Danke, DM ist raus', author: { id: '7401', username: 'rechnung_r', name: 'Rita Rechnung' }, inReplyTo: posted.id });
    await poll(ch.channelId);
    const all = await inbound(ch.channelId);
    expect(all.at(-1)!.conversationId).toBe(message!.conversationId);
  });

  it('when the API base URL has a path prefix (a company proxy), then the reply still goes out as JSON and lands', async () => {
    const proxied = await startFakeXServer({ pathPrefix: '/proxy/x-api' });
    try {
      const ch = await makeXChannel({ apiBaseUrl: proxied.baseUrl });
      const agent = await makeUser(app.services.db, { role: 'agent' });
      const post = proxied.mention(ch.userId, { text: '@replyline_care Paket fehlt', author: { id: '7402', username: 'paket_p', name: 'Paula Paket' } });
      await poll(ch.channelId);
      const [message] = await inbound(ch.channelId);
      const res = await request(app.url)
        .post(`/api/v1/conversations/${message!.conversationId}/replies`)
        .auth(agent.token, { type: 'bearer' })
        .send({ text: '@paket_p Wir kümmern uns darum.' });
      expect(res.status).toBe(202);
      const sent = await waitFor(async () => {
        const m = await app.services.db.selectFrom('messages').selectAll().where('id', '=', res.body.messageId).executeTakeFirstOrThrow();
        return m.deliveryState === 'sent' || m.deliveryState === 'failed' ? m : null;
      });
      expect(sent).toMatchObject({ deliveryState: 'sent', deliveryError: null });
      expect(proxied.posted).toEqual([expect.objectContaining({ text: '@paket_p Wir kümmern uns darum.', inReplyToTweetId: post.id })]);
      expect(proxied.requestsTo('tweets').every((r) => r.path === '/2/tweets')).toBe(true);
    } finally {
      await proxied.close();
    }
  });

  it('when the channel has no user tokens, then the reply fails with a clear reason instead of retrying', async () => {
    const ch = await makeXChannel({ appKey: '', appSecret: '', accessToken: '', accessSecret: '' });
    const agent = await makeUser(app.services.db, { role: 'agent' });
    fake.mention(ch.userId, { text: 'Hallo' });
    await poll(ch.channelId);
    const [message] = await inbound(ch.channelId);
    const res = await request(app.url)
      .post(`/api/v1/conversations/${message!.conversationId}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'Hallo zurück' });
    const failed = await waitFor(async () => {
      const m = await app.services.db.selectFrom('messages').selectAll().where('id', '=', res.body.messageId).executeTakeFirstOrThrow();
      return m.deliveryState === 'failed' ? m : null;
    });
    expect(failed.deliveryError).toContain('OAuth 1.0a');
    expect(failed.deliveryAttempts).toBe(1);
  });
});

describe('the operator CLI', () => {
  it('when channel:create --kind x is run with two searches, then the channel polls the given base URL, each search is a topic, and the token is shown only as its last four characters', async () => {
    const userId = String(randomInt(10_000_000, 99_999_999));
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        path.resolve(__dirname, '../../node_modules/.bin/tsx'),
        [
          'server/cli/main.ts',
          'channel:create',
          '--kind',
          'x',
          '--name',
          'CLI X',
          '--api-base-url',
          fake.baseUrl,
          '--bearer-token',
          fake.bearerToken,
          '--user-id',
          userId,
          '--search',
          '#versand',
          '--search',
          'paket kaputt',
          '--json',
        ],
        { cwd: path.resolve(__dirname, '../..'), env: process.env },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
    });
    const json = JSON.parse(out);
    expect(json).toMatchObject({
      kind: 'x',
      name: 'CLI X',
      userId,
      apiBaseUrl: fake.baseUrl,
      credentials: { bearerToken: `••••${fake.bearerToken.slice(-4)}` },
    });
    expect(json.topics.map((t: { query: string }) => t.query)).toEqual(['#versand', 'paket kaputt']);
    expect(out).not.toContain(fake.bearerToken);
    const audit = await app.services.db.selectFrom('auditEvents').selectAll().where('channelId', '=', json.channelId).execute();
    expect(audit.map((e) => e.action).sort()).toEqual(['channel.created', 'topic.created', 'topic.created']);
    expect(JSON.stringify(audit)).not.toContain(fake.bearerToken);

    fake.publicPost({ text: 'Mein #versand dauert ewig' });
    expect(await poll(json.channelId)).toMatchObject({ outcome: 'polled', created: 1 });
  }, 60_000);
});

describe('schedules', () => {
  it('when the reconciler runs, then active polling channels get a schedule at their interval and paused ones none; a paused channel is not polled', async () => {
    const active = await makeXChannel({ pollIntervalSeconds: 45 });
    const paused = await makeXChannel();
    const manager = systemActor('test-manager');
    await app.services.db.transaction().execute((tx) => setChannelPaused(tx, paused.channelId, true, manager));
    const scheduler = app.services.polls;
    await reconcilePollSchedules(app.services.db, scheduler, app.services.connectors);
    const queue = app.services.queues.queue('poll');
    expect((await queue.getJobScheduler(schedulerId(active.channelId)))?.every).toBe(45_000);
    expect(await queue.getJobScheduler(schedulerId(paused.channelId))).toBeUndefined();
    expect(await pollChannelOnce(deps, paused.channelId)).toEqual({ outcome: 'skipped', reason: 'paused' });

    const schedule = await app.services.db.transaction().execute((tx) => setPollInterval(tx, active.channelId, { pollIntervalSeconds: '120' }, manager));
    await scheduler.sync(schedule);
    expect((await queue.getJobScheduler(schedulerId(active.channelId)))?.every).toBe(120_000);
    const audit = await app.services.db
      .selectFrom('auditEvents')
      .select(['action', 'before', 'after'])
      .where('channelId', 'in', [active.channelId, paused.channelId])
      .where('action', 'in', ['channel.paused', 'channel.poll_interval_changed'])
      .orderBy('seq')
      .execute();
    expect(audit).toEqual([
      { action: 'channel.paused', before: { paused: false }, after: { paused: true } },
      { action: 'channel.poll_interval_changed', before: { pollIntervalSeconds: 45 }, after: { pollIntervalSeconds: 120 } },
    ]);
    await expect(app.services.db.transaction().execute((tx) => setPollInterval(tx, active.channelId, { pollIntervalSeconds: '2' }, manager))).rejects.toThrow(
      /at least 5 seconds/,
    );
    await scheduler.sync({ ...schedule, paused: true }); // leave nothing polling behind
  });
});

describe('restarts', () => {
  it('when a new worker starts after a restart, then it continues from the stored since_id through the scheduled poll job', async () => {
    const ch = await makeXChannel();
    const before = [fake.mention(ch.userId, { text: 'eins' }), fake.mention(ch.userId, { text: 'zwei' })];
    await poll(ch.channelId);
    const stored = (await channelRow(ch.channelId)).cursor;
    expect(stored).toBe(before[1]!.id);
    fake.mention(ch.userId, { text: 'drei' });

    const restarted = await startTestApp({ workers: true });
    try {
      await restarted.services.polls.pollNow(ch.channelId);
      await waitFor(async () => ((await inbound(ch.channelId)).length === 3 ? true : null));
      const afterRestart = mentionRequests(ch.userId).at(-1)!;
      expect(afterRestart.query.get('since_id')).toBe(stored);
      expect((await inbound(ch.channelId)).map((m) => m.text)).toEqual(['eins', 'zwei', 'drei']);
    } finally {
      await restarted.stop();
    }
  });
});

async function waitFor<T>(check: () => Promise<T | null>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('direct messages', () => {
  /** A channel whose user token reads its own DM events on the fake. */
  async function makeDmChannel() {
    const userId = String(randomInt(10_000_000, 99_999_999));
    return makeXChannel({ userId, accessToken: fake.accessTokenFor(userId) });
  }
  const dmRequests = (userId: string) =>
    fake.requests.filter((r) => r.endpoint === 'dmEvents' && r.authorization.includes(`oauth_token="${encodeURIComponent(fake.accessTokenFor(userId))}"`));
  const conversation = (id: string) => app.services.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('when a customer sends a direct message, then it lands in the inbox as its own DM conversation, apart from their public mention conversation', async () => {
    const ch = await makeDmChannel();
    const person = { id: '7501', username: 'dora_dm', name: 'Dora Direkt' };
    const mention = fake.mention(ch.userId, { text: '@replyline_care Ich schreibe euch privat', author: person });
    const dm = fake.directMessage(ch.userId, { text: 'Meine Kundennummer ist 4711 🔒', from: person });
    expect(await poll(ch.channelId)).toMatchObject({ outcome: 'polled', created: 2 });

    const stored = await inbound(ch.channelId);
    const publicPost = stored.find((m) => m.externalId === mention.id)!;
    const direct = stored.find((m) => m.externalId === `dm:${dm.id}`)!;
    expect(direct).toMatchObject({
      text: 'Meine Kundennummer ist 4711 🔒',
      authorName: 'Dora Direkt',
      authorHandle: 'dora_dm',
      url: null,
      inReplyToExternalId: null,
    });
    expect(direct.raw).toMatchObject({ x_kind: 'dm', dmEvent: { id: dm.id, sender_id: '7501', dm_conversation_id: dm.dm_conversation_id } });
    expect(direct.conversationId).not.toBe(publicPost.conversationId);
    expect(await conversation(direct.conversationId)).toMatchObject({ threadKey: 'dm', status: 'new' });
    expect((await conversation(publicPost.conversationId)).threadKey).toBeNull();

    const [read] = dmRequests(ch.userId);
    expect(read!.authorization).toMatch(/^OAuth /);
    expect(read!.query.get('event_types')).toBe('MessageCreate');
    expect(read!.query.get('expansions')).toBe('sender_id');
    expect(read!.query.get('dm_event.fields')).toContain('sender_id');
    expect(read!.query.get('user.fields')).toContain('username');
    expect(JSON.parse((await channelRow(ch.channelId)).dmCursor!)).toEqual({ newestId: dm.id, waitUntil: null });
  });

  it('when the same person sends a second DM, then it joins their open DM conversation and the first is not fetched into it again', async () => {
    const ch = await makeDmChannel();
    const person = { id: '7502', username: 'zweimal', name: 'Zoe Zweimal' };
    const first = fake.directMessage(ch.userId, { text: 'Hallo, ich habe eine Frage', from: person });
    await poll(ch.channelId);
    fake.mention(ch.userId, { text: '@replyline_care öffentlich: wo ist mein Paket?', author: person });
    const second = fake.directMessage(ch.userId, { text: 'Es geht um Bestellung 123', from: person });
    expect(await poll(ch.channelId)).toMatchObject({ outcome: 'polled', fetched: 2, created: 2 });

    const stored = await inbound(ch.channelId);
    const byId = Object.fromEntries(stored.map((m) => [m.externalId, m]));
    expect(byId[`dm:${second.id}`]!.conversationId).toBe(byId[`dm:${first.id}`]!.conversationId);
    const publicOne = stored.find((m) => !m.externalId!.startsWith('dm:'))!;
    expect(publicOne.conversationId).not.toBe(byId[`dm:${first.id}`]!.conversationId);
    expect(stored.length).toBe(3);
    expect(JSON.parse((await channelRow(ch.channelId)).dmCursor!).newestId).toBe(second.id);
  });

  it("when the account's own DMs show up among the DM events, then they are not ingested", async () => {
    const ch = await makeDmChannel();
    fake.directMessage(ch.userId, { text: 'Kann ich umtauschen?', from: { id: '7503', username: 'umtausch' } });
    const ours = fake.ownDirectMessage(ch.userId, '7503', 'Ja, innerhalb von 30 Tagen.');
    expect(await poll(ch.channelId)).toMatchObject({ outcome: 'polled', created: 1 });
    expect((await inbound(ch.channelId)).map((m) => m.text)).toEqual(['Kann ich umtauschen?']);
    const all = await app.services.db.selectFrom('messages').select('externalId').where('channelId', '=', ch.channelId).execute();
    expect(all.map((m) => m.externalId)).not.toContain(`dm:${ours.id}`);
    // The cursor still moves past our own event, so it is not read again.
    expect(JSON.parse((await channelRow(ch.channelId)).dmCursor!).newestId).toBe(ours.id);
  });

  it('when an agent replies in a DM conversation, then the reply reaches X as a direct message to that participant, not as a public post, with its event id stored', async () => {
    const ch = await makeDmChannel();
    const agent = await makeUser(app.services.db, { role: 'agent' });
    fake.directMessage(ch.userId, { text: 'Bitte ändert meine Adresse', from: { id: '7504', username: 'adresse_a', name: 'Anton Adresse' } });
    await poll(ch.channelId);
    const [message] = await inbound(ch.channelId);
    const tweetsBefore = fake.posted.length;

    const res = await request(app.url)
      .post(`/api/v1/conversations/${message!.conversationId}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'Erledigt! Die neue Adresse ist hinterlegt.' });
    expect(res.status).toBe(202);
    const sent = await waitFor(async () => {
      const m = await app.services.db.selectFrom('messages').selectAll().where('id', '=', res.body.messageId).executeTakeFirstOrThrow();
      return m.deliveryState === 'sent' || m.deliveryState === 'failed' ? m : null;
    });
    expect(sent.deliveryState).toBe('sent');
    const dm = fake.sentDms.find((d) => `dm:${d.id}` === sent.externalId)!;
    // a direct message is private: the conversation's first answer ends with the case number and status link
    expect(dm).toMatchObject({
      participantId: '7504',
      text: expect.stringMatching(
        /^Erledigt! Die neue Adresse ist hinterlegt\.\n\nIhre Vorgangsnummer: #\d+\nStatus Ihrer Anfrage: http\S+\/case\/\d+\?sig=[0-9a-f]{64}$/,
      ),
      accountId: ch.userId,
    });
    expect(dm.authorization).toMatch(/^OAuth /);
    expect(sent.url).toBeNull();
    expect(fake.posted.length).toBe(tweetsBefore);

    // Our sent DM comes back among the DM events and is skipped; the customer's answer joins the conversation.
    fake.directMessage(ch.userId, { text: 'Danke!', from: { id: '7504' } });
    expect(await poll(ch.channelId)).toMatchObject({ created: 1 });
    const all = await inbound(ch.channelId);
    expect(all.map((m) => m.text)).toEqual(['Bitte ändert meine Adresse', 'Danke!']);
    expect(all[1]!.conversationId).toBe(message!.conversationId);
  });

  it('when the DM endpoint answers 429, then mentions are still ingested, the channel is not held back, and only DMs wait for their reset', async () => {
    const ch = await makeDmChannel();
    fake.mention(ch.userId, { text: '@replyline_care öffentlich 1' });
    const dm = fake.directMessage(ch.userId, { text: 'privat', from: { id: '7505' } });
    fake.failNext('dmEvents', { status: 429, resetInSeconds: 120 });
    expect(await poll(ch.channelId)).toEqual({ outcome: 'polled', fetched: 1, created: 1, skipped: 0 });
    let row = await channelRow(ch.channelId);
    expect(row.nextPollAt).toBeNull();
    expect(row.lastErrorKind).toBeNull();
    const cursor = JSON.parse(row.dmCursor!);
    expect(cursor.newestId).toBeNull();
    expect(Date.parse(cursor.waitUntil)).toBeGreaterThan(Date.now() + 60_000);

    // Before the DM reset: mentions go on, the DM endpoint is not asked.
    const dmCalls = dmRequests(ch.userId).length;
    fake.mention(ch.userId, { text: '@replyline_care öffentlich 2' });
    expect(await poll(ch.channelId)).toMatchObject({ outcome: 'polled', created: 1 });
    expect(dmRequests(ch.userId).length).toBe(dmCalls);

    // After the reset (stepped by rewriting the stored wait), the DM is read.
    await app.services.db
      .updateTable('channels')
      .set({ dmCursor: JSON.stringify({ newestId: null, waitUntil: new Date(Date.now() - 1000).toISOString() }) })
      .where('id', '=', ch.channelId)
      .execute();
    expect(await poll(ch.channelId)).toMatchObject({ outcome: 'polled', created: 1 });
    expect((await inbound(ch.channelId)).map((m) => m.externalId)).toContain(`dm:${dm.id}`);
    row = await channelRow(ch.channelId);
    expect(JSON.parse(row.dmCursor!)).toEqual({ newestId: dm.id, waitUntil: null });
  });
});
