/**
 * Ingest throughput: posts per second through the full pipeline (dedupe, contact, thread, store,
 * status, audit, SLA clock, live event), and — for the same rows — the raw ceiling of
 * PostgreSQL COPY into the same tables. Runs against the database it is given.
 *
 * The pipeline figure ingests the posts the way pollers do: set-based batches (ingestBatch, 500 posts
 * per transaction, a few transactions at once), each committing its audit events and live events like
 * any command. `mode: 'single'` measures the one-post-per-transaction
 * path instead (ingestInbound at `concurrency` transactions at once), for comparison.
 */
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { systemActor } from '../server/domain/audit/actor';
import { createApiChannel } from '../server/domain/channels/api/createApiChannel';
import { INGEST_BATCH_SIZE, ingestBatch } from '../server/domain/conversations/ingestBatch';
import type { NormalizedInbound } from '../connectors/types';
import { ingestInbound } from '../server/domain/conversations/ingestInbound';
import { inTransaction } from '../server/domain/effects';
import { routeWaiting } from '../server/domain/routing/routeWaiting';
import type { Services } from '../server/services';

export type IngestFigures = {
  posts: number;
  pipelinePostsPerSecond: number;
  copyRowsPerSecond: number;
  ratio: number;
  mode: 'batch' | 'single';
  batchSize: number;
  concurrentTransactions: number;
};

export type IngestOptions = {
  posts: number;
  /** concurrent transactions in `single` mode */
  concurrency: number;
  slaPolicyId: string | null;
  mode?: 'batch' | 'single';
  /** posts per ingestBatch transaction (default 500, what pollers use) */
  batchSize?: number;
  /** concurrent batch transactions (default 4) */
  batchConcurrency?: number;
  /** the channel routes automatically: every batch asks for a routing pass, and one router runs alongside */
  routing?: boolean;
};

const actor = systemActor('bench');

function makePosts(channelId: string, count: number): NormalizedInbound[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    channelId,
    externalId: `bench-${randomUUID()}`,
    author: { externalId: `author-${i % Math.ceil(count / 3)}`, name: `Kundin ${i % 997}`, handle: `kundin${i % 997}` },
    text: `Meine Bestellung #${100000 + i} ist noch nicht da. Können Sie nachsehen? 📦`,
    postedAt: new Date(now - (count - i) * 50),
  }));
}

export async function benchIngest(services: Services, opts: IngestOptions): Promise<IngestFigures> {
  const { db, dispatcher, secretBox } = services;
  const channel = await db.transaction().execute((tx) => createApiChannel(tx, secretBox, { name: `Bench ingest ${Date.now()}` }, actor));
  if (opts.slaPolicyId) await db.updateTable('channels').set({ slaPolicyId: opts.slaPolicyId }).where('id', '=', channel.channelId).execute();
  if (opts.routing) await db.updateTable('channels').set({ routingMode: 'auto' }).where('id', '=', channel.channelId).execute();

  const mode = opts.mode ?? 'batch';
  const batchSize = mode === 'batch' ? (opts.batchSize ?? INGEST_BATCH_SIZE) : 1;
  const concurrentTransactions = mode === 'batch' ? (opts.batchConcurrency ?? 4) : opts.concurrency;
  const posts = makePosts(channel.channelId, opts.posts);
  const batches: NormalizedInbound[][] = [];
  for (let i = 0; i < posts.length; i += batchSize) batches.push(posts.slice(i, i + batchSize));
  let next = 0;
  let ingesting = true;
  const started = performance.now();
  // with routing on, the router works alongside, as the routing worker does after each batch
  const router = async () => {
    while (opts.routing && ingesting) await inTransaction(db, dispatcher, (tx, effects) => routeWaiting(tx, effects, { channelIds: [channel.channelId] }));
  };
  const routing = router();
  await Promise.all(
    Array.from({ length: concurrentTransactions }, async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await inTransaction(db, dispatcher, (tx, effects) =>
          mode === 'batch' ? ingestBatch(tx, effects, batch, actor) : ingestInbound(tx, effects, batch[0]!, actor).then((r) => [r]),
        );
      }
    }),
  );
  const pipelineSeconds = (performance.now() - started) / 1000;
  ingesting = false;
  await routing;

  const copySeconds = await copySameRows(services, channel.channelId, opts.posts);
  const pipelinePostsPerSecond = opts.posts / pipelineSeconds;
  const copyRowsPerSecond = opts.posts / copySeconds;
  return {
    posts: opts.posts,
    pipelinePostsPerSecond,
    copyRowsPerSecond,
    ratio: pipelinePostsPerSecond / copyRowsPerSecond,
    mode,
    batchSize,
    concurrentTransactions,
  };
}

/** The rows one post becomes (contact, identity, conversation, message), loaded with COPY (and rolled back). */
async function copySameRows(services: Services, channelId: string, count: number): Promise<number> {
  const rows = Array.from({ length: count }, (_, i) => ({
    contactId: randomUUID(),
    conversationId: randomUUID(),
    messageId: randomUUID(),
    externalId: `copy-${randomUUID()}`,
    i,
  }));
  const now = new Date().toISOString();
  const tables: [string, (r: (typeof rows)[number]) => string][] = [
    ['contacts (id, name)', (r) => `${r.contactId}\tKundin ${r.i}`],
    [
      'contact_identities (contact_id, channel_id, external_id, handle, name)',
      (r) => `${r.contactId}\t${channelId}\tcopy-author-${r.contactId}\tkundin${r.i}\tKundin ${r.i}`,
    ],
    ['conversations (id, channel_id, contact_id, last_message_at)', (r) => `${r.conversationId}\t${channelId}\t${r.contactId}\t${now}`],
    [
      'messages (id, conversation_id, channel_id, direction, external_id, author_name, author_handle, text, posted_at)',
      (r) =>
        `${r.messageId}\t${r.conversationId}\t${channelId}\tinbound\t${r.externalId}\tKundin ${r.i}\tkundin${r.i}\tMeine Bestellung #${100000 + r.i} ist noch nicht da.\t${now}`,
    ],
  ];
  const client = await services.pool.connect();
  try {
    const started = performance.now();
    await client.query('BEGIN');
    for (const [target, line] of tables) {
      await pipeline(Readable.from(rows.map((r) => `${line(r)}\n`)), client.query(copyFrom(`COPY ${target} FROM STDIN`)));
    }
    const seconds = (performance.now() - started) / 1000;
    // Measured up to the last row written; then undone, so that the inbox measured next does not open
    // on 10 000 stand-in conversations that all share one timestamp.
    await client.query('ROLLBACK');
    return seconds;
  } finally {
    client.release();
  }
}
