/** The audit trail: append (hash chaining happens in the database trigger), query, verify. */
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../client';
import type { AuditAction } from '../../domain/audit/actions';
import type { Actor } from '../../domain/audit/actor';

export type AuditEntry = {
  actor: Actor;
  action: AuditAction;
  subjectType: string;
  subjectId: string | null;
  channelId?: string | null;
  before?: unknown;
  after?: unknown;
};

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

export async function appendAudit(db: DbOrTx, e: AuditEntry): Promise<void> {
  await db
    .insertInto('auditEvents')
    .values({
      actorType: e.actor.type,
      actorId: e.actor.id,
      actorLabel: e.actor.label,
      ip: e.actor.ip ?? null,
      action: e.action,
      subjectType: e.subjectType,
      subjectId: e.subjectId,
      channelId: e.channelId ?? null,
      before: json(e.before),
      after: json(e.after),
    })
    .execute();
}

/**
 * Appends several events in the given order with one INSERT. The chain rule is the same as for
 * appendAudit (the audit_events_chain trigger assigns seq, prev_hash, occurred_at and hash per row
 * under the one chain lock, which this transaction then holds until commit), so `audit:verify` checks
 * batch-written events exactly like single ones. Callers append last, just before commit, to hold the
 * chain lock as briefly as possible.
 */
export async function appendAuditBatch(db: DbOrTx, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const col = <T>(f: (e: AuditEntry) => T) => entries.map(f);
  await sql`
    INSERT INTO audit_events (actor_type, actor_id, actor_label, ip, action, subject_type, subject_id, channel_id, before, after)
    SELECT r.actor_type, r.actor_id, r.actor_label, r.ip, r.action, r.subject_type, r.subject_id, r.channel_id, r.before::jsonb, r.after::jsonb
    FROM unnest(${col((e) => e.actor.type)}::text[], ${col((e) => e.actor.id)}::text[], ${col((e) => e.actor.label)}::text[],
      ${col((e) => e.actor.ip ?? null)}::text[], ${col((e) => e.action)}::text[], ${col((e) => e.subjectType)}::text[],
      ${col((e) => e.subjectId)}::text[], ${col((e) => e.channelId ?? null)}::uuid[], ${col((e) => json(e.before))}::text[],
      ${col((e) => json(e.after))}::text[])
      WITH ORDINALITY AS r(actor_type, actor_id, actor_label, ip, action, subject_type, subject_id, channel_id, before, after, ord)
    ORDER BY r.ord`.execute(db);
}

export type AuditFilter = {
  subjectId?: string;
  actorId?: string;
  from?: Date;
  to?: Date;
  beforeSeq?: string;
  limit: number;
  action?: string;
  subjectType?: string;
  channelId?: string;
  /** oldest first (a conversation's timeline); keyset then continues with afterSeq */
  order?: 'asc' | 'desc';
  afterSeq?: string;
};

export async function listAudit(db: Db, f: AuditFilter) {
  let q = db.selectFrom('auditEvents').selectAll();
  if (f.subjectId) q = q.where('subjectId', '=', f.subjectId);
  if (f.actorId) q = q.where('actorId', '=', f.actorId);
  if (f.from) q = q.where('occurredAt', '>=', f.from);
  if (f.to) q = q.where('occurredAt', '<', f.to);
  if (f.beforeSeq) q = q.where('seq', '<', f.beforeSeq);
  if (f.afterSeq) q = q.where('seq', '>', f.afterSeq);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.subjectType) q = q.where('subjectType', '=', f.subjectType);
  if (f.channelId) q = q.where('channelId', '=', f.channelId);
  return q
    .orderBy('seq', f.order ?? 'desc')
    .limit(f.limit)
    .execute();
}

export type ChainVerdict = { ok: true; events: number } | { ok: false; events: number; brokenAtSeq: string; problem: string };

/** Recomputes every hash and checks that seq has no gaps and each row points at its predecessor. */
export async function verifyAuditChain(db: Db): Promise<ChainVerdict> {
  const broken = await sql<{ seq: string; problem: string }>`
    WITH checked AS (
      SELECT seq, hash, audit_row_hash(a) AS recomputed, prev_hash,
             lag(seq) OVER (ORDER BY seq) AS prev_seq, lag(hash) OVER (ORDER BY seq) AS prev_row_hash
      FROM audit_events a)
    SELECT seq::text,
      CASE WHEN seq <> coalesce(prev_seq, 0) + 1 THEN 'gap before this event (missing sequence numbers)'
           WHEN prev_hash <> coalesce(prev_row_hash, 'genesis') THEN 'does not point at its predecessor''s hash'
           ELSE 'content does not match its hash (altered)' END AS problem
    FROM checked
    WHERE seq <> coalesce(prev_seq, 0) + 1 OR prev_hash <> coalesce(prev_row_hash, 'genesis') OR hash <> recomputed
    ORDER BY seq LIMIT 1`.execute(db);
  const total = Number(
    (
      await db
        .selectFrom('auditEvents')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const first = broken.rows[0];
  return first ? { ok: false, events: total, brokenAtSeq: first.seq, problem: first.problem } : { ok: true, events: total };
}
