/**
 * What monitoring costs on ingest: the full pipeline (ingestBatch, 500 posts per transaction, 4 at once)
 * over the same kind of posts with no listening query and with 50 active ones, and the language and
 * sentiment of a post timed alone (they run on every ingest; the time is on the ingest process's CPU, so
 * its share of the per-post pipeline time is an upper bound of what it costs the pipeline).
 * Part of `npm run bench` (BENCH_MONITORING_POSTS posts per run, default 10 000); the queries it adds are
 * deactivated afterwards.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { NormalizedInbound } from '../connectors/types';
import { systemActor } from '../server/domain/audit/actor';
import { createApiChannel } from '../server/domain/channels/api/createApiChannel';
import { ingestBatch } from '../server/domain/conversations/ingestBatch';
import { inTransaction } from '../server/domain/effects';
import { createListeningQuery } from '../server/domain/listening/listeningQueries';
import { detectLanguage, scoreSentiment } from '../server/domain/listening/postSignals';
import { createUser } from '../server/domain/users/createUser';
import type { Services } from '../server/services';

const POSTS = Number(process.env.BENCH_MONITORING_POSTS ?? 10_000);
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

export type MonitoringFigures = {
  posts: number;
  postsPerSecondWithoutQueries: number;
  postsPerSecondWith50Queries: number;
  queriesCostPercent: number;
  signalsMsPerPost: number;
  signalsShareOfPipelinePercent: number;
  /** 50 queries and language + sentiment against the pipeline without either (signals' time taken off) */
  monitoringCostPercent: number;
  loadAverage: number;
};

export async function benchMonitoring(services: Services): Promise<MonitoringFigures> {
  const { db } = services;
  await db.updateTable('listeningQueries').set({ active: false }).execute();

  await ingestAll(services, 'warm-up'); // JIT, caches, first-run costs
  const without = await ingestAll(services, 'no queries');

  const user = await db
    .transaction()
    .execute((tx) =>
      createUser(tx, { email: `bench-${Date.now()}@bench.test`, name: 'Bench', role: 'manager', password: 'bench-password-2026', locale: 'en' }, actor),
    );
  const created: string[] = [];
  await db.transaction().execute(async (tx) => {
    for (const [i, query] of queries.entries())
      created.push(
        (await createListeningQuery(tx, { name: `bench ${i}`, query, actions: i % 10 === 0 ? { tag: 'bench' } : {} }, { actor, userId: user.id })).id,
      );
  });
  const withQueries = await ingestAll(services, '50 queries');
  await db.updateTable('listeningQueries').set({ active: false }).where('id', 'in', created).execute();

  const sample = posts('00000000-0000-0000-0000-000000000000', 5000);
  const t0 = performance.now();
  for (const p of sample) scoreSentiment(p.text, detectLanguage(p.text));
  const signalsMsPerPost = (performance.now() - t0) / sample.length;
  const pipelineMsPerPost = 1000 / without;
  const bareMsPerPost = pipelineMsPerPost - signalsMsPerPost;
  const round1 = (v: number) => Math.round(v * 10) / 10;
  return {
    posts: POSTS,
    postsPerSecondWithoutQueries: Math.round(without),
    postsPerSecondWith50Queries: Math.round(withQueries),
    queriesCostPercent: round1((without / withQueries - 1) * 100),
    signalsMsPerPost: Math.round(signalsMsPerPost * 1000) / 1000,
    signalsShareOfPipelinePercent: round1((signalsMsPerPost / pipelineMsPerPost) * 100),
    monitoringCostPercent: round1((1000 / withQueries / bareMsPerPost - 1) * 100),
    loadAverage: os.loadavg()[0]!,
  };
}
