/** Listening queries, the posts they matched, and the language/sentiment signals of posts and conversations. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { ListeningActions, Priority, SentimentLabel } from '../schema';

export function activeListeningQueries(db: DbOrTx) {
  return db.selectFrom('listeningQueries').select(['id', 'name', 'query', 'actions', 'updatedAt']).where('active', '=', true).orderBy('createdAt').execute();
}

/**
 * What ingest checks per batch, in one statement, before it uses the queries it compiled earlier: a
 * fingerprint of the active queries (ids and updated_at: any creation, edit or (de)activation changes it)
 * and the queries that an active volume-spike or negative-dip rule watches.
 */
export async function listeningState(db: DbOrTx): Promise<{ fingerprint: string; watched: Set<string> }> {
  const { rows } = await sql<{ fingerprint: string; watched: string[] }>`
    SELECT (SELECT coalesce(md5(string_agg(id::text || '@' || updated_at::text, ',' ORDER BY id)), '') FROM listening_queries WHERE active) AS fingerprint,
      (SELECT coalesce(array_agg(DISTINCT scope->>'queryId'), '{}') FROM alert_rules
        WHERE active AND deleted_at IS NULL AND kind IN ('volume_spike', 'negative_dip') AND scope ? 'queryId') AS watched`.execute(db);
  return { fingerprint: rows[0]!.fingerprint, watched: new Set(rows[0]!.watched) };
}

export function listListeningQueries(db: DbOrTx) {
  return db.selectFrom('listeningQueries').select(['id', 'name', 'query', 'actions', 'active', 'createdAt']).orderBy('name').execute();
}

/** `lock`: FOR UPDATE, for an edit that records the values it replaces. */
export function findListeningQuery(db: DbOrTx, id: string, { lock = false } = {}) {
  return db
    .selectFrom('listeningQueries')
    .select(['id', 'name', 'query', 'actions', 'active', 'createdAt'])
    .where('id', '=', id)
    .$if(lock, (q) => q.forUpdate())
    .executeTakeFirst();
}

export function insertListeningQuery(tx: Tx, q: { name: string; query: string; actions: ListeningActions; createdBy: string }) {
  return tx
    .insertInto('listeningQueries')
    .values({ ...q, actions: JSON.stringify(q.actions) })
    .returning(['id', 'name', 'query', 'actions', 'active', 'createdAt'])
    .executeTakeFirstOrThrow();
}

/** A manager's edit of a query; `updated_at` moves, so ingest compiles the new text (listeningState, applyListening's cache). */
export function updateListeningQuery(tx: Tx, id: string, q: { name: string; query: string; actions: ListeningActions }) {
  return tx
    .updateTable('listeningQueries')
    .set({ ...q, actions: JSON.stringify(q.actions), updatedAt: new Date() })
    .where('id', '=', id)
    .returning(['id', 'name', 'query', 'actions', 'active', 'createdAt'])
    .executeTakeFirst();
}

export function setListeningQueryActive(tx: Tx, id: string, active: boolean) {
  return tx.updateTable('listeningQueries').set({ active, updatedAt: new Date() }).where('id', '=', id).where('active', '=', !active).executeTakeFirst();
}

/** Matches and negative matches per query since an instant (the queries page's recent volume). */
export async function matchCountsSince(db: DbOrTx, since: Date): Promise<Map<string, { posts: number; negative: number }>> {
  const rows = await db
    .selectFrom('listeningMatches')
    .select(['queryId', sql<string>`count(*)`.as('posts'), sql<string>`count(*) FILTER (WHERE negative)`.as('negative')])
    .where('postedAt', '>=', since)
    .groupBy('queryId')
    .execute();
  return new Map(rows.map((r) => [r.queryId, { posts: Number(r.posts), negative: Number(r.negative) }]));
}

export type MatchRow = { queryId: string; messageId: string; conversationId: string; channelId: string; postedAt: Date; negative: boolean };

/** Matches in one INSERT; a post matched twice (a backfill over posts seen on ingest) counts once. Returns the new ones. */
export async function insertListeningMatches(tx: Tx, rows: MatchRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const col = <K extends keyof MatchRow>(k: K) => rows.map((r) => r[k]);
  const result = await sql`
    INSERT INTO listening_matches (query_id, message_id, conversation_id, channel_id, posted_at, negative)
    SELECT * FROM unnest(${col('queryId')}::uuid[], ${col('messageId')}::uuid[], ${col('conversationId')}::uuid[], ${col('channelId')}::uuid[],
      ${col('postedAt')}::timestamptz[], ${col('negative')}::boolean[])
    ON CONFLICT DO NOTHING`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}

/** Tags a listening action adds, several conversations at once; returns the pairs that were new. */
export async function addTagsMany(tx: Tx, pairs: { conversationId: string; tag: string }[]) {
  if (pairs.length === 0) return [];
  return tx
    .insertInto('conversationTags')
    .values(pairs)
    .onConflict((oc) => oc.doNothing())
    .returning(['conversationId', 'tag'])
    .execute();
}

/** Sets priority and/or topic of conversations; returns each changed one with its values before. */
export async function setConversationRouting(tx: Tx, ids: string[], set: { priority?: Priority; topicId?: string }) {
  if (ids.length === 0 || (set.priority === undefined && set.topicId === undefined)) return [];
  const before = await tx
    .selectFrom('conversations')
    .select(['id', 'channelId', 'priority', 'topicId'])
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
  const changed = before.filter((c) => (set.priority !== undefined && c.priority !== set.priority) || (set.topicId !== undefined && c.topicId !== set.topicId));
  if (changed.length > 0) {
    await tx
      .updateTable('conversations')
      .set({ ...set, updatedAt: new Date() })
      .where(
        'id',
        'in',
        changed.map((c) => c.id),
      )
      .execute();
  }
  return changed;
}

/** Inbound posts of the last days for a backfill, oldest first, in pages (keyset on posted_at, id). */
export function inboundPostsSince(db: DbOrTx, since: Date, after: { postedAt: Date; id: string } | null, limit: number) {
  let q = db
    .selectFrom('messages as m')
    .innerJoin('channels as ch', 'ch.id', 'm.channelId')
    .select(['m.id', 'm.conversationId', 'm.channelId', 'm.text', 'm.authorHandle', 'm.language', 'm.sentimentLabel', 'm.postedAt', 'ch.kind as channelKind'])
    .where('m.direction', '=', 'inbound')
    .where('m.postedAt', '>=', since);
  if (after) q = q.where((eb) => eb.or([eb('m.postedAt', '>', after.postedAt), eb.and([eb('m.postedAt', '=', after.postedAt), eb('m.id', '>', after.id)])]));
  return q.orderBy('m.postedAt').orderBy('m.id').limit(limit).execute();
}

export function lockInboundSignals(tx: Tx, messageId: string) {
  return tx
    .selectFrom('messages')
    .select(['id', 'conversationId', 'channelId', 'direction', 'sentimentLabel', 'sentimentDetected', 'sentimentOverriddenBy'])
    .where('id', '=', messageId)
    .forUpdate()
    .executeTakeFirst();
}

/** An agent's label; the conversation takes it when the post is its latest inbound one. */
export async function overrideSentiment(tx: Tx, m: { id: string; conversationId: string }, label: SentimentLabel, by: string) {
  await tx
    .updateTable('messages')
    .set({ sentimentLabel: label, sentimentOverriddenBy: by, sentimentOverriddenAt: new Date() })
    .where('id', '=', m.id)
    .execute();
  await sql`
    UPDATE conversations SET sentiment_label = ${label}
    WHERE id = ${m.conversationId} AND ${m.id}::uuid = (SELECT id FROM messages WHERE conversation_id = ${m.conversationId} AND direction = 'inbound'
      ORDER BY posted_at DESC, created_at DESC LIMIT 1)`.execute(tx);
}

/** What a volume series counts: the matches of one query, or the inbound posts of one channel (or all). */
export type VolumeSubject = { queryId: string } | { channelId?: string };
export type VolumeRange = { from: Date; to: Date; timeZone: string; granularity: 'hour' | 'day' | 'week' };

function subjectPosts(db: DbOrTx, subject: VolumeSubject, r: { from: Date; to: Date }) {
  if ('queryId' in subject) {
    return db
      .selectFrom('listeningMatches as lm')
      .innerJoin('messages as m', 'm.id', 'lm.messageId')
      .where('lm.queryId', '=', subject.queryId)
      .where('lm.postedAt', '>=', r.from)
      .where('lm.postedAt', '<', r.to);
  }
  let q = db.selectFrom('messages as m').where('m.direction', '=', 'inbound').where('m.postedAt', '>=', r.from).where('m.postedAt', '<', r.to);
  if (subject.channelId) q = q.where('m.channelId', '=', subject.channelId);
  return q;
}

const bucketFormat = (g: VolumeRange['granularity']) => (g === 'hour' ? 'YYYY-MM-DD"T"HH24:00' : 'YYYY-MM-DD');

/** Posts and negative posts per local bucket (hour, day or ISO week starting Monday), buckets without posts left out. */
export function volumeSeries(db: DbOrTx, subject: VolumeSubject, r: VolumeRange) {
  const bucket = sql<string>`to_char(date_trunc(${r.granularity}, m.posted_at AT TIME ZONE ${r.timeZone}), ${bucketFormat(r.granularity)})`;
  return subjectPosts(db, subject, r)
    .select([bucket.as('bucket'), sql<string>`count(*)`.as('posts'), sql<string>`count(*) FILTER (WHERE m.sentiment_label = 'negative')`.as('negative')])
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
}

export async function volumeTotals(db: DbOrTx, subject: VolumeSubject, r: { from: Date; to: Date }) {
  const row = await subjectPosts(db, subject, r)
    .select([sql<string>`count(*)`.as('posts'), sql<string>`count(*) FILTER (WHERE m.sentiment_label = 'negative')`.as('negative')])
    .executeTakeFirstOrThrow();
  return { posts: Number(row.posts), negative: Number(row.negative) };
}

/** The posts of one local bucket (hour, day or week in the range's zone), oldest first, for the drill-down. */
export function postsInBucket(db: DbOrTx, subject: VolumeSubject, r: VolumeRange & { bucket: string }, limit: number) {
  const bucketTs = r.bucket.length === 10 ? `${r.bucket}T00:00:00` : `${r.bucket}:00`;
  return subjectPosts(db, subject, r)
    .innerJoin('conversations as c', 'c.id', 'm.conversationId')
    .innerJoin('channels as ch', 'ch.id', 'm.channelId')
    .select([
      'm.id',
      'm.conversationId',
      sql<string>`c.case_number::text`.as('caseNumber'),
      'ch.name as channelName',
      'm.authorName',
      sql<string>`left(m.text, 280)`.as('text'),
      'm.postedAt',
      'm.language',
      'm.sentimentLabel',
    ])
    .where(sql<boolean>`date_trunc(${r.granularity}, m.posted_at AT TIME ZONE ${r.timeZone}) = ${bucketTs}::timestamp`)
    .orderBy('m.postedAt')
    .orderBy('m.id')
    .limit(limit)
    .execute();
}

/** The texts of the latest posts of a range (for top terms and hashtags). */
export async function textsOf(db: DbOrTx, subject: VolumeSubject, r: { from: Date; to: Date }, limit: number): Promise<string[]> {
  const rows = await subjectPosts(db, subject, r).select('m.text').orderBy('m.postedAt', 'desc').limit(limit).execute();
  return rows.map((x) => x.text);
}

/** How often agents corrected the detected sentiment of posts of a range, of how many posts with one. */
export async function sentimentOverrides(db: DbOrTx, subject: VolumeSubject, r: { from: Date; to: Date }) {
  const row = await subjectPosts(db, subject, r)
    .select([
      sql<string>`count(*) FILTER (WHERE m.sentiment_overridden_by IS NOT NULL AND m.sentiment_label IS DISTINCT FROM m.sentiment_detected)`.as('overridden'),
      sql<string>`count(m.sentiment_detected)`.as('detected'),
    ])
    .executeTakeFirstOrThrow();
  return { overridden: Number(row.overridden), detected: Number(row.detected) };
}
