/** Audit chain verification: checking a stretch of the chain, and the checkpoints each run leaves. */
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../client';
import type { AuditVerificationsTable } from '../schema';
import type { Insertable } from 'kysely';

export type ChainLink = { seq: string; hash: string };
export type RangeCheck = { checked: number; last: ChainLink | null; broken: { seq: string; problem: string } | null };

/**
 * Recomputes up to `limit` events after `after` (whose hash is `afterHash`, 'genesis' before the first
 * event): each content hash, each link to its predecessor, and that seq has no gaps. One index range scan.
 */
export async function checkAuditRange(db: DbOrTx, after: ChainLink, limit: number): Promise<RangeCheck> {
  const { rows } = await sql<{ checked: string; lastSeq: string | null; lastHash: string | null; brokenSeq: string | null; problem: string | null }>`
    WITH page AS (
      SELECT seq, hash, prev_hash, audit_row_hash(a) AS recomputed FROM audit_events a WHERE seq > ${after.seq}::bigint ORDER BY seq LIMIT ${limit}),
    checked AS (
      SELECT seq, hash, prev_hash, recomputed,
             lag(seq, 1, ${after.seq}::bigint) OVER w AS prev_seq, lag(hash, 1, ${after.hash}::text) OVER w AS prev_row_hash
      FROM page WINDOW w AS (ORDER BY seq)),
    last AS (SELECT seq, hash FROM page ORDER BY seq DESC LIMIT 1),
    broken AS (
      SELECT seq, CASE WHEN seq <> prev_seq + 1 THEN 'gap before this event (missing sequence numbers)'
                       WHEN prev_hash <> prev_row_hash THEN 'does not point at its predecessor''s hash'
                       ELSE 'content does not match its hash (altered)' END AS problem
      FROM checked WHERE seq <> prev_seq + 1 OR prev_hash <> prev_row_hash OR hash <> recomputed ORDER BY seq LIMIT 1)
    SELECT (SELECT count(*) FROM page)::text AS checked, (SELECT seq::text FROM last) AS last_seq, (SELECT hash FROM last) AS last_hash,
           (SELECT seq::text FROM broken) AS broken_seq, (SELECT problem FROM broken) AS problem`.execute(db);
  const r = rows[0]!;
  return {
    checked: Number(r.checked),
    last: r.lastSeq && r.lastHash ? { seq: r.lastSeq, hash: r.lastHash } : null,
    broken: r.brokenSeq ? { seq: r.brokenSeq, problem: r.problem! } : null,
  };
}

/** One event's stored and recomputed hash (the checkpoint an incremental run starts from is checked again). */
export async function auditEventHashes(db: DbOrTx, seq: string) {
  const { rows } = await sql<{
    hash: string;
    recomputed: string;
  }>`SELECT hash, audit_row_hash(a) AS recomputed FROM audit_events a WHERE seq = ${seq}::bigint`.execute(db);
  return rows[0] ?? null;
}

export async function countAuditEvents(db: DbOrTx): Promise<number> {
  const row = await db
    .selectFrom('auditEvents')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The newest intact verification: where the next incremental run starts. */
export function latestCheckpoint(db: DbOrTx) {
  return db.selectFrom('auditVerifications').selectAll().where('ok', '=', true).orderBy('throughSeq', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** The newest run, intact or not: what the audit page shows. */
export function latestVerification(db: DbOrTx) {
  return db.selectFrom('auditVerifications').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export function insertVerification(db: DbOrTx, v: Insertable<AuditVerificationsTable>) {
  return db.insertInto('auditVerifications').values(v).returningAll().executeTakeFirstOrThrow();
}

/** The people a broken chain is raised to: every admin and auditor. */
export function auditGuardians(db: Db | DbOrTx) {
  return db.selectFrom('users').select(['id', 'name']).where('role', 'in', ['admin', 'auditor']).execute();
}

export async function insertAuditBreakAlerts(db: DbOrTx, userIds: string[], verificationId: string, actorName: string) {
  if (userIds.length === 0) return;
  await db
    .insertInto('notifications')
    .values(
      userIds.map((userId) => ({
        userId,
        kind: 'audit_break' as const,
        conversationId: null,
        messageId: null,
        actorName,
        readAt: null,
        auditVerificationId: verificationId,
      })),
    )
    .execute();
}
