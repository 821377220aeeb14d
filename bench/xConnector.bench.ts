/**
 * X connector throughput end to end: posts per second from the fake X API v2 (HTTP on loopback,
 * twitter-api-v2 with paging) through normalization, the full ingest pipeline (one transaction per
 * post) and the cursor update, as the poll job runs it. Also reports the fetch-only rate.
 *
 *   node --import tsx bench/xConnector.bench.ts            (BENCH_X_POSTS=2000 by default)
 *
 * Uses its own database (replyline_bench_x, dropped and re-created) and a Redis prefix of its own.
 */
import pg from 'pg';
import { randomInt } from 'node:crypto';
import { pollChannelOnce } from '../server/domain/channels/polling/pollChannel';
import { xConnector } from '../connectors/x/xConnector';
import { loadConfig } from '../server/config';
import { ensureDatabase, migrate } from '../server/db/migrate';
import { systemActor } from '../server/domain/audit/actor';
import { connectChannel } from '../server/domain/channels/connectChannel';
import { loadChannelForSend } from '../server/domain/channels/loadChannelForSend';
import { createLogger } from '../server/logger';
import { createServices, type Services } from '../server/services';
import { startFakeXServer, type FakeXServer } from '../tests/fakes/fakeXServer';

export type XConnectorFigures = { posts: number; seconds: number; postsPerSecond: number; fetchOnlyPostsPerSecond: number; polls: number };

export async function benchXConnector(services: Services, fake: FakeXServer, posts: number): Promise<XConnectorFigures> {
  const { db, secretBox } = services;
  const userId = String(randomInt(10_000_000, 99_999_999));
  const channel = await db.transaction().execute((tx) =>
    connectChannel(
      tx,
      secretBox,
      xConnector,
      {
        name: `Bench X ${userId}`,
        apiBaseUrl: fake.baseUrl,
        userId,
        bearerToken: fake.bearerToken,
      },
      systemActor('bench'),
    ),
  );
  // A first poll sets the since_id (a first poll reads only the newest 1000); the backlog comes after it.
  fake.mention(userId, { text: 'warm-up' });
  await pollChannelOnce(services, channel.channelId);
  const since = (await db.selectFrom('channels').select('cursor').where('id', '=', channel.channelId).executeTakeFirstOrThrow()).cursor;
  for (let i = 0; i < posts; i += 1) {
    fake.mention(userId, {
      text: `@brand Bestellung #${100000 + i} ist nicht angekommen 📦 — order ${i} missing`,
      author: { id: String(3_000_000 + (i % 700)) },
    });
  }

  // Fetch only: the connector pages through everything (at most 10 pages of 100 per poll).
  const forPoll = { ...(await loadChannelForSend(db, secretBox, channel.channelId))!, topics: [] };
  const fetchStart = performance.now();
  let fetched = 0;
  const r = await xConnector.fetchSince!(forPoll, { channel: since, topics: {} });
  fetched += r.items.length;
  const fetchSeconds = (performance.now() - fetchStart) / 1000;

  // End to end: the poll job's own function, until every post is stored.
  const started = performance.now();
  let created = 0;
  let polls = 0;
  while (created < posts) {
    const outcome = await pollChannelOnce(services, channel.channelId);
    polls += 1;
    if (outcome.outcome !== 'polled' || outcome.error) throw new Error(`poll did not succeed: ${JSON.stringify(outcome)}`);
    if (outcome.created === 0) break;
    created += outcome.created;
  }
  const seconds = (performance.now() - started) / 1000;
  return { posts: created, seconds, postsPerSecond: created / seconds, fetchOnlyPostsPerSecond: fetched / fetchSeconds, polls };
}

async function main() {
  const admin = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = admin.replace(/\/[^/]*$/, '/replyline_bench_x');
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query('DROP DATABASE IF EXISTS replyline_bench_x');
  await client.end();
  await ensureDatabase(url);
  await migrate(url);
  const config = loadConfig({ ...process.env, DATABASE_URL: url, REDIS_PREFIX: `rlbenchx_${process.pid}`, NODE_ENV: 'test' });
  const services = await createServices(config, { logger: createLogger('warn') });
  const fake = await startFakeXServer({ rateLimitPerWindow: 1_000_000 });
  try {
    const posts = Number(process.env.BENCH_X_POSTS ?? 2000);
    const f = await benchXConnector(services, fake, posts);
    console.log(JSON.stringify(f));
    console.log(
      `X connector, fake X API → inbox: ${f.posts} posts in ${f.seconds.toFixed(1)} s = ${f.postsPerSecond.toFixed(0)} posts/s end to end (${f.polls} polls); fetch + normalize alone: ${f.fetchOnlyPostsPerSecond.toFixed(0)} posts/s`,
    );
  } finally {
    await fake.close();
    await services.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
