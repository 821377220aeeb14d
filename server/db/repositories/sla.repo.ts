/** Service levels: calendars, SLA policies, topics, and the clocks of inbound posts. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { SlaState } from '../schema';

// ---- calendars ---------------------------------------------------------------------------------

export function insertCalendar(db: DbOrTx, c: { name: string; definition: unknown }) {
  return db
    .insertInto('calendars')
    .values({ name: c.name, definition: JSON.stringify(c.definition) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findCalendar(db: DbOrTx, id: string) {
  return db.selectFrom('calendars').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockCalendar(tx: Tx, id: string) {
  return tx.selectFrom('calendars').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateCalendar(tx: Tx, id: string, c: { name: string; definition: unknown }) {
  return tx
    .updateTable('calendars')
    .set({ name: c.name, definition: JSON.stringify(c.definition), updatedAt: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listCalendars(db: DbOrTx) {
  return db.selectFrom('calendars').selectAll().orderBy('name').execute();
}

// ---- policies ----------------------------------------------------------------------------------

export type PolicyValues = {
  name: string;
  calendarId: string | null;
  firstResponseMinutes: number;
  nextResponseMinutes: number;
  resolutionMinutes: number | null;
  warnAtPercent: number;
  pauseWhenSaved: boolean;
  botsCountAsResponse: boolean;
};

export function insertPolicy(db: DbOrTx, p: PolicyValues) {
  return db.insertInto('slaPolicies').values(p).returningAll().executeTakeFirstOrThrow();
}

export function findPolicy(db: DbOrTx, id: string) {
  return db.selectFrom('slaPolicies').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockPolicy(tx: Tx, id: string) {
  return tx.selectFrom('slaPolicies').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updatePolicy(tx: Tx, id: string, p: PolicyValues) {
  return tx
    .updateTable('slaPolicies')
    .set({ ...p, updatedAt: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listPolicies(db: DbOrTx) {
  return db.selectFrom('slaPolicies').selectAll().orderBy('name').execute();
}

/** Policies with their calendar's definition and version (for the compiled-calendar cache). */
const policiesWithCalendar = (db: DbOrTx) =>
  db
    .selectFrom('slaPolicies as p')
    .leftJoin('calendars as cal', 'cal.id', 'p.calendarId')
    .select([
      'p.id',
      'p.firstResponseMinutes',
      'p.nextResponseMinutes',
      'p.resolutionMinutes',
      'p.warnAtPercent',
      'p.calendarId',
      'cal.definition as calendarDefinition',
      'cal.updatedAt as calendarUpdatedAt',
    ]);

export function findPolicyWithCalendar(db: DbOrTx, policyId: string) {
  return policiesWithCalendar(db).where('p.id', '=', policyId).executeTakeFirst();
}

export function findPoliciesWithCalendars(db: DbOrTx, ids: string[]) {
  return ids.length === 0 ? Promise.resolve([]) : policiesWithCalendar(db).where('p.id', 'in', ids).execute();
}

// ---- channels and topics -----------------------------------------------------------------------

export function lockChannelSla(tx: Tx, channelId: string) {
  return tx.selectFrom('channels').select(['id', 'name', 'calendarId', 'slaPolicyId']).where('id', '=', channelId).forUpdate().executeTakeFirst();
}

export function setChannelSla(tx: Tx, channelId: string, set: { calendarId?: string | null; slaPolicyId?: string | null }) {
  return tx.updateTable('channels').set(set).where('id', '=', channelId).execute();
}

export function listChannelsWithSla(db: DbOrTx) {
  return db.selectFrom('channels').select(['id', 'name', 'kind', 'calendarId', 'slaPolicyId']).orderBy('name').execute();
}

// ---- clocks of inbound posts -------------------------------------------------------------------

export function setConversationSlaTargets(
  tx: Tx,
  conversationId: string,
  set: { slaPolicyId: string; firstResponseDueAt?: Date; resolutionDueAt?: Date | null },
) {
  return tx.updateTable('conversations').set(set).where('id', '=', conversationId).execute();
}

/** Recomputes the conversation's "due soonest" key and next-response due from its awaiting posts. */
/** The SET items of an UPDATE of conversations c that recompute its "due soonest" keys from its awaiting posts. */
export const conversationDueColumns = sql`
      response_due_at = (SELECT min(m.sla_due_at) FROM messages m
        WHERE m.conversation_id = c.id AND m.sla_due_at IS NOT NULL AND m.responded_at IS NULL),
      next_response_due_at = (SELECT min(m.sla_due_at) FROM messages m
        WHERE m.conversation_id = c.id AND m.sla_due_at IS NOT NULL AND m.responded_at IS NULL AND m.sla_kind = 'next')`;

export function refreshConversationDue(tx: Tx, conversationId: string) {
  return sql`UPDATE conversations c SET ${conversationDueColumns} WHERE c.id = ${conversationId}`.execute(tx);
}

/** Posts of the conversation still awaiting an answer, posted no later than `upTo`, locked. */
export function lockAwaitingPosts(tx: Tx, conversationId: string, upTo: Date) {
  return tx
    .selectFrom('messages')
    .select(['id', 'postedAt', 'slaDueAt', 'slaState', 'slaPolicyId', 'respondedAt'])
    .where('conversationId', '=', conversationId)
    .where('direction', '=', 'inbound')
    .where('slaDueAt', 'is not', null)
    .where('respondedAt', 'is', null)
    .where('postedAt', '<=', upTo)
    .orderBy('postedAt')
    .forUpdate()
    .execute();
}

export function markResponded(
  tx: Tx,
  messageId: string,
  set: {
    respondedAt: Date;
    responseMessageId: string;
    businessMinutesToRespond: number;
    wallMinutesToRespond: number;
    slaState: 'met' | 'breached';
    breachedAt?: Date;
    breachResponsibleUserId?: string | null;
  },
) {
  return tx.updateTable('messages').set(set).where('id', '=', messageId).execute();
}

/** One timed post with what its timers need to decide, locked: the row state makes timers idempotent. */
export function lockTimedPost(tx: Tx, messageId: string) {
  return tx
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversationId')
    .select([
      'm.id',
      'm.conversationId',
      'm.channelId',
      'm.postedAt',
      'm.slaDueAt',
      'm.slaWarnAt',
      'm.slaState',
      'm.respondedAt',
      'm.slaPausedAt',
      'c.assigneeId',
      'c.caseNumber',
      'c.topicId',
      'c.teamId',
    ])
    .where('m.id', '=', messageId)
    .forUpdate(['m'])
    .executeTakeFirst();
}

export function setPostSlaState(tx: Tx, messageId: string, set: { slaState: SlaState; breachedAt?: Date; breachResponsibleUserId?: string | null }) {
  return tx.updateTable('messages').set(set).where('id', '=', messageId).execute();
}

export function setBreachReason(tx: Tx, messageId: string, reason: string) {
  return tx.updateTable('messages').set({ breachReason: reason }).where('id', '=', messageId).execute();
}

export function lockBreachedPost(tx: Tx, messageId: string) {
  return tx
    .selectFrom('messages')
    .select(['id', 'conversationId', 'channelId', 'slaState', 'breachReason', 'respondedAt', 'slaDueAt'])
    .where('id', '=', messageId)
    .forUpdate()
    .executeTakeFirst();
}

/** A running clock's next instant: its warning while the post is still 'ok' and has one, else its due time (the expression of messages_sla_next_timer_idx). */
const nextTimerAt = sql<Date>`(CASE WHEN sla_state = 'ok' AND sla_warn_at IS NOT NULL THEN sla_warn_at ELSE sla_due_at END)`;

/** Where a sweep's last page ended: the next instant and id of its last post. */
export type TimerCursor = { nextAt: Date; id: string };

/**
 * Running, unpaused clocks whose next instant has come by `now`, the oldest first (by instant, then id), after
 * `after` if given: what the SLA timer sweep fires, page by page.
 */
export function listDueTimers(db: DbOrTx, now: Date, limit: number, after: TimerCursor | null = null) {
  let query = db
    .selectFrom('messages')
    .select(['id', 'slaState', 'slaWarnAt', 'slaDueAt', nextTimerAt.as('nextAt')])
    .where('slaDueAt', 'is not', null)
    .where('respondedAt', 'is', null)
    .where('slaState', 'in', ['ok', 'warning'])
    .where('slaPausedAt', 'is', null)
    .where(nextTimerAt, '<=', now);
  if (after) query = query.where(sql<boolean>`(${nextTimerAt}, id) > (${after.nextAt}, ${after.id})`);
  return query.orderBy(nextTimerAt).orderBy('id').limit(limit).execute();
}

// ---- pause while saved (domain/sla/pause.ts) ---------------------------------------------------

/** Running clocks of the conversation's awaiting posts whose policy pauses while saved (`anyPolicy`: of every policy), locked. */
export function lockPausablePosts(tx: Tx, conversationId: string, anyPolicy = false) {
  return tx
    .selectFrom('messages as m')
    .innerJoin('slaPolicies as p', 'p.id', 'm.slaPolicyId')
    .select(['m.id', 'm.slaDueAt'])
    .where('m.conversationId', '=', conversationId)
    .where('m.direction', '=', 'inbound')
    .where('m.slaDueAt', 'is not', null)
    .where('m.respondedAt', 'is', null)
    .where('m.slaState', 'in', ['ok', 'warning'])
    .where('m.slaPausedAt', 'is', null)
    .$if(!anyPolicy, (q) => q.where('p.pauseWhenSaved', '=', true))
    .orderBy('m.postedAt')
    .forUpdate(['m'])
    .execute();
}

export function setPostsPaused(tx: Tx, messageIds: string[], pausedAt: Date) {
  if (messageIds.length === 0) return Promise.resolve();
  return tx
    .updateTable('messages')
    .set({ slaPausedAt: pausedAt })
    .where('id', 'in', messageIds)
    .execute()
    .then(() => undefined);
}

/** The conversation's paused clocks, locked. */
export function lockPausedPosts(tx: Tx, conversationId: string) {
  return tx
    .selectFrom('messages')
    .select(['id', 'slaPolicyId', 'slaKind', 'slaDueAt', 'slaWarnAt', 'slaState', 'slaPausedAt', 'respondedAt'])
    .where('conversationId', '=', conversationId)
    .where('slaPausedAt', 'is not', null)
    .orderBy('postedAt')
    .forUpdate()
    .execute();
}

/** Restarts a paused clock with its moved due and warning instants. */
export function resumePostClock(tx: Tx, messageId: string, set: { slaDueAt: Date; slaWarnAt: Date | null }) {
  return tx
    .updateTable('messages')
    .set({ ...set, slaPausedAt: null })
    .where('id', '=', messageId)
    .execute();
}

/**
 * A self-served chat's paused clocks are cleared: its posts expect no answer from a person (the bot's article
 * helped), so they neither breach nor count as answered. Returns the posts whose clocks were cleared.
 */
export async function clearPausedClocks(tx: Tx, conversationId: string): Promise<string[]> {
  const cleared = await tx
    .updateTable('messages')
    .set({ slaDueAt: null, slaWarnAt: null, slaState: null, slaKind: null, slaPolicyId: null, slaPausedAt: null })
    .where('conversationId', '=', conversationId)
    .where('slaPausedAt', 'is not', null)
    .where('respondedAt', 'is', null)
    .returning('id')
    .execute();
  await refreshConversationDue(tx, conversationId);
  return cleared.map((r) => r.id);
}

/**
 * Closed conversations' posts that never got an answer expect none any more (the customer's "thanks"):
 * their clocks are cleared, so they neither breach nor wait for timers. Used by the demo loader.
 */
export function clearClocksOfClosedConversations(db: DbOrTx, conversationIds: string[]) {
  if (conversationIds.length === 0) return Promise.resolve();
  return sql`
    WITH cleared AS (
      UPDATE messages m SET sla_due_at = NULL, sla_warn_at = NULL, sla_state = NULL, sla_kind = NULL, sla_policy_id = NULL
      FROM conversations c
      WHERE c.id = m.conversation_id AND c.status = 'closed' AND c.id = ANY(${conversationIds}::uuid[])
        AND m.sla_due_at IS NOT NULL AND m.responded_at IS NULL
      RETURNING m.conversation_id)
    UPDATE conversations c SET response_due_at = NULL, next_response_due_at = NULL
    WHERE c.id IN (SELECT conversation_id FROM cleared)`
    .execute(db)
    .then(() => undefined);
}

// ---- set-based ingest (domain/conversations/ingestBatch.ts) -----------------------------------

/** policyIdsFor for a whole batch: the policy id of each channel (with its kind and routing mode) and of each topic (missing ones absent). */
export async function policyIdsForMany(db: DbOrTx, channelIds: string[], topicIds: string[]) {
  const channels = channelIds.length
    ? await db.selectFrom('channels').select(['id', 'kind', 'slaPolicyId', 'routingMode']).where('id', 'in', channelIds).execute()
    : [];
  const topics = topicIds.length ? await db.selectFrom('topics').select(['id', 'slaPolicyId']).where('id', 'in', topicIds).execute() : [];
  return {
    channels: new Map(channels.map((c) => [c.id, { kind: c.kind, slaPolicyId: c.slaPolicyId, routingMode: c.routingMode }])),
    topics: new Map(topics.map((t) => [t.id, { slaPolicyId: t.slaPolicyId }])),
  };
}

// ---- retiring and topic policies (016_audit_oversight) ---------------------------------------------

export function retireCalendarRow(tx: Tx, id: string) {
  return tx
    .updateTable('calendars')
    .set({ retiredAt: new Date() })
    .where('id', '=', id)
    .where('retiredAt', 'is', null)
    .returning(['id', 'name', 'retiredAt'])
    .executeTakeFirst();
}

export function retirePolicyRow(tx: Tx, id: string) {
  return tx
    .updateTable('slaPolicies')
    .set({ retiredAt: new Date() })
    .where('id', '=', id)
    .where('retiredAt', 'is', null)
    .returning(['id', 'name', 'retiredAt'])
    .executeTakeFirst();
}

/** What still uses a calendar: channels and live policies, by name. */
export async function calendarUsers(db: DbOrTx, calendarId: string): Promise<string[]> {
  const [channels, policies] = await Promise.all([
    db.selectFrom('channels').select('name').where('calendarId', '=', calendarId).execute(),
    db.selectFrom('slaPolicies').select('name').where('calendarId', '=', calendarId).where('retiredAt', 'is', null).execute(),
  ]);
  return [...channels, ...policies].map((r) => r.name);
}

/** What still uses a policy: channels and tracked topics, by name. */
export async function policyUsers(db: DbOrTx, policyId: string): Promise<string[]> {
  const [channels, topics] = await Promise.all([
    db.selectFrom('channels').select('name').where('slaPolicyId', '=', policyId).execute(),
    db.selectFrom('topics').select('name').where('slaPolicyId', '=', policyId).where('removedAt', 'is', null).execute(),
  ]);
  return [...channels, ...topics].map((r) => r.name);
}

/** Topics still tracked, with their channel, for the per-topic policy table. */
export function listTopicsWithSla(db: DbOrTx) {
  return db
    .selectFrom('topics as t')
    .innerJoin('channels as c', 'c.id', 't.channelId')
    .select(['t.id', 't.name', 't.slaPolicyId', 'c.name as channelName'])
    .where('t.removedAt', 'is', null)
    .orderBy('c.name')
    .orderBy('t.name')
    .execute();
}

export function lockTopic(tx: Tx, id: string) {
  return tx
    .selectFrom('topics')
    .select(['id', 'name', 'channelId', 'slaPolicyId'])
    .where('id', '=', id)
    .where('removedAt', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export function setTopicPolicy(tx: Tx, id: string, slaPolicyId: string | null) {
  return tx.updateTable('topics').set({ slaPolicyId, updatedAt: new Date() }).where('id', '=', id).execute();
}
