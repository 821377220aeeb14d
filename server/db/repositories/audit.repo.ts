/** The audit trail: append (hash chaining happens in the database trigger), query, verify. */
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../client';
import type { AuditAction } from '../../domain/audit/actions';
import type { Actor } from '../../domain/audit/actor';
import { checkAuditRange, countAuditEvents, type ChainLink } from './auditVerifications.repo';

const FULL_CHUNK = 100_000;

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

/** How many events of this action one subject has (audit_events_subject_idx). */
export async function countSubjectEvents(db: DbOrTx, subjectId: string, action: AuditAction): Promise<number> {
  const r = await db
    .selectFrom('auditEvents')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('subjectId', '=', subjectId)
    .where('action', '=', action)
    .executeTakeFirstOrThrow();
  return Number(r.n);
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
  /** the case number of the conversation the events concern */
  caseNumber?: string;
  /** an action group (audit_action_group in 016_audit_oversight.sql) */
  group?: string;
  /** people: only what people did (hides system components and channels) */
  scope?: 'people' | 'all';
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
  if (f.caseNumber)
    q = q.where('subjectId', '=', (eb) => eb.selectFrom('conversations').select(sql<string>`id::text`.as('id')).where('caseNumber', '=', f.caseNumber!));
  if (f.group) q = q.where(sql`audit_action_group(action)`, '=', f.group);
  if (f.scope === 'people') q = q.where('actorType', '=', 'user');
  return q
    .orderBy('seq', f.order ?? 'desc')
    .limit(f.limit)
    .execute();
}

export type ChainVerdict = { ok: true; events: number } | { ok: false; events: number; brokenAtSeq: string; problem: string };

/** Recomputes every hash from the first event on and checks that seq has no gaps and each row points at its predecessor. */
export async function verifyAuditChain(db: Db): Promise<ChainVerdict> {
  let through: ChainLink = { seq: '0', hash: 'genesis' };
  for (;;) {
    const r = await checkAuditRange(db, through, FULL_CHUNK);
    if (r.broken) return { ok: false, events: await countAuditEvents(db), brokenAtSeq: r.broken.seq, problem: r.broken.problem };
    if (r.last) through = r.last;
    if (r.checked < FULL_CHUNK) return { ok: true, events: await countAuditEvents(db) };
  }
}

/** The names a page of audit events refers to: people, case numbers, channels and teams, by id. */
export async function auditNames(db: Db, ids: { users: string[]; conversations: string[]; channels: string[]; teams: string[] }) {
  const uuid = (list: string[]) => list.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const [users, cases, channels, teams] = await Promise.all([
    uuid(ids.users).length ? db.selectFrom('users').select(['id', 'name']).where('id', 'in', uuid(ids.users)).execute() : [],
    uuid(ids.conversations).length ? db.selectFrom('conversations').select(['id', 'caseNumber']).where('id', 'in', uuid(ids.conversations)).execute() : [],
    uuid(ids.channels).length ? db.selectFrom('channels').select(['id', 'name']).where('id', 'in', uuid(ids.channels)).execute() : [],
    uuid(ids.teams).length ? db.selectFrom('teams').select(['id', 'name']).where('id', 'in', uuid(ids.teams)).execute() : [],
  ]);
  return {
    users: new Map(users.map((u) => [u.id, u.name])),
    cases: new Map(cases.map((c) => [c.id, String(c.caseNumber)])),
    channels: new Map(channels.map((c) => [c.id, c.name])),
    teams: new Map(teams.map((t) => [t.id, t.name])),
  };
}
