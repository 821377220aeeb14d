/**
 * What monitoring costs on ingest: the full pipeline (ingestBatch, 500 posts per transaction, 4 at once)
 * over the same kind of posts with no listening query and with 50 active ones, and the language and
 * sentiment of a post timed alone (they run on every ingest; the time is on the ingest process's CPU, so
 * its share of the per-post pipeline time is an upper bound of what it costs the pipeline).
 * Runs on its own small database (BENCH_MONITORING_DATABASE_URL, default replyline_bench_monitoring).
 *   node --import tsx bench/monitoring.bench.ts        BENCH_MONITORING_POSTS=20000 for more posts
 */
import { randomUUID } from 'node:crypto';
import type { NormalizedInbound } from '../connectors/types';
import { loadConfig } from '../server/config';
import { ensureDatabase, migrate } from '../server/db/migrate';
import { systemActor } from '../server/domain/audit/actor';
import { createApiChannel } from '../server/domain/channels/api/createApiChannel';
import { ingestBatch } from '../server/domain/conversations/ingestBatch';
import { inTransaction } from '../server/domain/effects';
import { createListeningQuery } from '../server/domain/listening/listeningQueries';
import { detectLanguage, scoreSentiment } from '../server/domain/listening/postSignals';
import { createUser } from '../server/domain/users/createUser';
import { createLogger } from '../server/logger';
import { createServices, type Services } from '../server/services';

const POSTS = Number(process.env.BENCH_MONITORING_POSTS ?? 10_000);
const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_URL = process.env.BENCH_MONITORING_DATABASE_URL ?? ADMIN_URL.replace(/\/[^/]*$/, '/replyline_bench_monitoring');
const actor = systemActor('bench');

const TEXTS = [
  'Meine Bestellung #{n} ist noch nicht da. Können Sie nachsehen? Das ist ärgerlich.',
  'Danke für die schnelle Hilfe, super Service! #lob',
  'Der Zug ist schon wieder verspätet, eine Katastrophe. #bahn #streik',
  'Where is my parcel {n}? Nobody answers, this is terrible.',
  'Great support, thank you so much @kundenservice',
  'Wie ändere ich meine Lieferadresse für Auftrag {n}?',
];

function posts(channelId: string, count: number): NormalizedInbound[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    channelId,
    externalId: `bench-${randomUUID()}`,
    author: { externalId: `author-${i % Math.ceil(count / 3)}`, name: `Kundin ${i % 997}`, handle: `kundin${i % 997}` },
    text: TEXTS[i % TEXTS.length]!.replace('{n}', String(100000 + i)),
    postedAt: new Date(now - (count - i) * 50),
  }));
}

/** Fifty queries of the shapes managers write: words, phrases, wildcards, hashtags, NEAR, fields, negation. */
const queries = Array.from(
  { length: 50 },
  (_, i) =>
    [
      `(bestellung OR auftrag*) AND NOT storniert`,
      `"schnelle hilfe" OR #lob`,
      `#bahn AND (verspät* OR ausfall) AND lang:de`,
      `parcel NEAR/3 answers OR "where is my"`,
      `@kundenservice AND NOT lang:de`,
      `lieferadresse NEAR/4 ändere* AND channel:api`,
      `thema${i} OR stichwort${i}*`,
    ][i % 7]!,
);

async function ingestAll(services: Services, label: string) {
  const { db, dispatcher, secretBox } = services;
  const channel = await db.transaction().execute((tx) => createApiChannel(tx, secretBox, { name: `${label} ${Date.now()}` }, actor));
  const all = posts(channel.channelId, POSTS);
  const batches: NormalizedInbound[][] = [];
  for (let i = 0; i < all.length; i += 500) batches.push(all.slice(i, i + 500));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await inTransaction(db, dispatcher, (tx, effects) => ingestBatch(tx, effects, batch, actor));
      }
    }),
  );
  return POSTS / ((performance.now() - started) / 1000);
}

async function main() {
  await ensureDatabase(BENCH_URL);
  await migrate(BENCH_URL);
  const config = loadConfig({ ...process.env, DATABASE_URL: BENCH_URL, NODE_ENV: 'test', PORT: '0', REDIS_PREFIX: 'rlbenchmon' });
  const services = await createServices(config, { logger: createLogger('warn') });
  const { db } = services;
  await db.updateTable('listeningQueries').set({ active: false }).execute();

  await ingestAll(services, 'warm-up'); // JIT, caches, first-run costs
  const without = await ingestAll(services, 'no queries');

  const user = await db
    .transaction()
    .execute((tx) =>
      createUser(tx, { email: `bench-${Date.now()}@bench.test`, name: 'Bench', role: 'manager', password: 'bench-password-2026', locale: 'en' }, actor),
    );
  await db.transaction().execute(async (tx) => {
    for (const [i, query] of queries.entries())
      await createListeningQuery(tx, { name: `bench ${i}`, query, actions: i % 10 === 0 ? { tag: 'bench' } : {} }, { actor, userId: user.id });
  });
  const withQueries = await ingestAll(services, '50 queries');
  await db.updateTable('listeningQueries').set({ active: false }).execute();

  const sample = posts('00000000-0000-0000-0000-000000000000', 5000);
  const t0 = performance.now();
  for (const p of sample) scoreSentiment(p.text, detectLanguage(p.text));
  const signalsMsPerPost = (performance.now() - t0) / sample.length;
  const pipelineMsPerPost = 1000 / without;

  const figures = {
    posts: POSTS,
    postsPerSecondWithoutQueries: Math.round(without),
    postsPerSecondWith50Queries: Math.round(withQueries),
    queriesCostPercent: Math.round((without / withQueries - 1) * 1000) / 10,
    signalsMsPerPost: Math.round(signalsMsPerPost * 1000) / 1000,
    signalsShareOfPipelinePercent: Math.round((signalsMsPerPost / pipelineMsPerPost) * 1000) / 10,
  };
  console.log(JSON.stringify(figures, null, 2));
  await services.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
