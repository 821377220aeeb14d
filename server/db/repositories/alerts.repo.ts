/** Alert rules, alerts, their deliveries, push subscriptions and the alert settings (SMTP, VAPID). */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { AlertKind, AlertPath, Role } from '../schema';

export function insertAlertRule(
  tx: Tx,
  r: { kind: AlertKind; scope: Record<string, string>; params: Record<string, number>; channels: AlertPath[]; createdBy: string },
) {
  return tx
    .insertInto('alertRules')
    .values({ ...r, scope: JSON.stringify(r.scope), params: JSON.stringify(r.params) })
    .returning(['id', 'kind', 'scope', 'params', 'channels', 'active', 'createdAt'])
    .executeTakeFirstOrThrow();
}

export function activeRulesOf(db: DbOrTx, kinds: AlertKind[]) {
  return db
    .selectFrom('alertRules')
    .select(['id', 'kind', 'scope', 'params', 'channels'])
    .where('active', '=', true)
    .where('deletedAt', 'is', null)
    .where('kind', 'in', kinds)
    .execute();
}

export function listAlertRules(db: DbOrTx) {
  return db
    .selectFrom('alertRules')
    .select(['id', 'kind', 'scope', 'params', 'channels', 'active', 'createdAt'])
    .where('deletedAt', 'is', null)
    .orderBy('createdAt')
    .execute();
}

export function lockAlertRule(tx: Tx, id: string) {
  return tx
    .selectFrom('alertRules')
    .select(['id', 'kind', 'scope', 'params', 'channels'])
    .where('id', '=', id)
    .where('deletedAt', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export function updateAlertRule(tx: Tx, id: string, r: { scope: Record<string, string>; params: Record<string, number>; channels: AlertPath[] }) {
  return tx
    .updateTable('alertRules')
    .set({ scope: JSON.stringify(r.scope), params: JSON.stringify(r.params), channels: r.channels })
    .where('id', '=', id)
    .returning(['id', 'kind', 'scope', 'params', 'channels', 'active', 'createdAt'])
    .executeTakeFirstOrThrow();
}

export async function deleteAlertRule(tx: Tx, id: string) {
  await tx.updateTable('alertRules').set({ deletedAt: new Date(), active: false }).where('id', '=', id).execute();
}

/** The latest alert of a rule about one subject, locked (raising and bundling queue up behind each other). */
export function lockLatestAlert(tx: Tx, ruleId: string, subjectKey: string) {
  return tx
    .selectFrom('alerts')
    .select(['id', 'state', 'occurrences', 'notifiedAt', 'lastAt'])
    .where('ruleId', '=', ruleId)
    .where('subjectKey', '=', subjectKey)
    .orderBy('firstAt', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

/** Serialises raising for one rule and subject, also when no alert row exists yet to lock. */
export async function lockAlertSubject(tx: Tx, ruleId: string, subjectKey: string) {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`alert:${ruleId}:${subjectKey}`}))`.execute(tx);
}

export function insertAlert(tx: Tx, a: { ruleId: string; subjectKey: string; details: Record<string, string | number | null>; link: string; at: Date }) {
  return tx
    .insertInto('alerts')
    .values({ ruleId: a.ruleId, subjectKey: a.subjectKey, details: JSON.stringify(a.details), link: a.link, firstAt: a.at, lastAt: a.at, notifiedAt: a.at })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function bundleRepeat(tx: Tx, id: string, details: Record<string, string | number | null>, at: Date, notified: boolean) {
  await tx
    .updateTable('alerts')
    .set((eb) => ({
      occurrences: eb('occurrences', '+', 1),
      lastAt: at,
      details: JSON.stringify(details),
      ...(notified ? { notifiedAt: at } : {}),
    }))
    .where('id', '=', id)
    .execute();
}

export async function insertDeliveries(tx: Tx, alertId: string, rows: { userId: string; channel: AlertPath; sent: boolean }[]) {
  if (rows.length === 0) return;
  await tx
    .insertInto('alertDeliveries')
    .values(
      rows.map((r) => ({ alertId, userId: r.userId, channel: r.channel, state: r.sent ? 'sent' : 'pending', error: null, sentAt: r.sent ? new Date() : null })),
    )
    .onConflict((oc) =>
      oc.columns(['alertId', 'userId', 'channel']).doUpdateSet({ state: (eb) => eb.ref('excluded.state'), sentAt: (eb) => eb.ref('excluded.sentAt') }),
    )
    .execute();
}

export function pendingDeliveries(db: DbOrTx, alertId: string) {
  return db
    .selectFrom('alertDeliveries as d')
    .innerJoin('users as u', 'u.id', 'd.userId')
    .select(['d.userId', 'd.channel', 'u.email', 'u.locale', 'u.name'])
    .where('d.alertId', '=', alertId)
    .where('d.state', '=', 'pending')
    .execute();
}

export async function markDelivery(db: DbOrTx, d: { alertId: string; userId: string; channel: AlertPath }, error: string | null) {
  await db
    .updateTable('alertDeliveries')
    .set({ state: error ? 'failed' : 'sent', error, sentAt: error ? null : new Date() })
    .where('alertId', '=', d.alertId)
    .where('userId', '=', d.userId)
    .where('channel', '=', d.channel)
    .execute();
}

export function findAlert(db: DbOrTx, id: string) {
  return db
    .selectFrom('alerts as a')
    .innerJoin('alertRules as r', 'r.id', 'a.ruleId')
    .select([
      'a.id',
      'a.ruleId',
      'r.kind',
      'a.subjectKey',
      'a.state',
      'a.details',
      'a.link',
      'a.occurrences',
      'a.firstAt',
      'a.lastAt',
      'a.acknowledgedBy',
      'a.acknowledgedAt',
    ])
    .where('a.id', '=', id)
    .executeTakeFirst();
}

export function listAlerts(db: DbOrTx, f: { state?: 'open' | 'acknowledged'; limit: number }) {
  let q = db
    .selectFrom('alerts as a')
    .innerJoin('alertRules as r', 'r.id', 'a.ruleId')
    .leftJoin('users as u', 'u.id', 'a.acknowledgedBy')
    .select([
      'a.id',
      'a.ruleId',
      'r.kind',
      'a.state',
      'a.details',
      'a.link',
      'a.occurrences',
      'a.firstAt',
      'a.lastAt',
      'a.acknowledgedAt',
      'u.name as acknowledgedByName',
    ]);
  if (f.state) q = q.where('a.state', '=', f.state);
  return q.orderBy('a.lastAt', 'desc').limit(f.limit).execute();
}

export async function acknowledge(tx: Tx, id: string, userId: string) {
  return tx
    .updateTable('alerts')
    .set({ state: 'acknowledged', acknowledgedBy: userId, acknowledgedAt: new Date() })
    .where('id', '=', id)
    .where('state', '=', 'open')
    .returning(['id', 'ruleId', 'subjectKey'])
    .executeTakeFirst();
}

/** Managers (of a team, when given; all managers when the team has none) and, for audit alerts, admins. */
export async function managersOf(db: DbOrTx, teamId: string | null): Promise<string[]> {
  if (teamId) {
    const members = await db
      .selectFrom('teamMembers as tm')
      .innerJoin('users as u', 'u.id', 'tm.userId')
      .select('u.id')
      .where('tm.teamId', '=', teamId)
      .where('u.role', '=', 'manager')
      .where('u.deactivatedAt', 'is', null)
      .execute();
    if (members.length) return members.map((m) => m.id);
  }
  return (await db.selectFrom('users').select('id').where('role', '=', 'manager').where('deactivatedAt', 'is', null).orderBy('id').execute()).map((u) => u.id);
}

/** Everyone with one of these roles (admins and auditors for a broken audit chain, admins for a failing channel). */
export async function usersWithRoles(db: DbOrTx, roles: Role[]): Promise<string[]> {
  return (await db.selectFrom('users').select('id').where('role', 'in', roles).where('deactivatedAt', 'is', null).orderBy('id').execute()).map((u) => u.id);
}

export async function insertAlertNotifications(tx: Tx, alertId: string, userIds: string[], actorName: string) {
  if (userIds.length === 0) return;
  await tx
    .insertInto('notifications')
    .values(userIds.map((userId) => ({ userId, kind: 'alert' as const, alertId, conversationId: null, messageId: null, actorName, readAt: null })))
    .execute();
}

/** Matches of a query (or inbound posts of a channel) in [from, to), and how many of them are negative. */
export async function countPosts(
  db: DbOrTx,
  scope: { queryId?: string | undefined; channelId?: string | undefined },
  from: Date,
  to: Date,
): Promise<{ posts: number; negative: number }> {
  const row = scope.queryId
    ? await db
        .selectFrom('listeningMatches')
        .select((eb) => [eb.fn.countAll<string>().as('n'), sql<string>`count(*) FILTER (WHERE negative)`.as('neg')])
        .where('queryId', '=', scope.queryId)
        .where('postedAt', '>=', from)
        .where('postedAt', '<', to)
        .executeTakeFirstOrThrow()
    : await db
        .selectFrom('messages')
        .select((eb) => [eb.fn.countAll<string>().as('n'), sql<string>`count(*) FILTER (WHERE sentiment_label = 'negative')`.as('neg')])
        .where('direction', '=', 'inbound')
        .$if(scope.channelId !== undefined, (q) => q.where('channelId', '=', scope.channelId!))
        .where('postedAt', '>=', from)
        .where('postedAt', '<', to)
        .executeTakeFirstOrThrow();
  return { posts: Number(row.n), negative: Number(row.neg) };
}

/**
 * What a channel-failure rule looks at, per channel: pause and poll health, its latest inbound post, the
 * 90th percentile of the gaps between its inbound posts of the past week (minutes), and its replies that
 * failed for good since `failedSince`.
 */
export async function channelStates(db: DbOrTx, channelId: string | undefined, failedSince: Date, now: Date) {
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  const rows = await sql<{
    id: string;
    name: string;
    kind: string;
    routingTeamId: string | null;
    paused: boolean;
    consecutiveFailures: number;
    lastErrorKind: string | null;
    lastInboundAt: Date | null;
    usualGapMinutes: number | null;
    failedReplies: string;
  }>`
    SELECT c.id, c.name, c.kind, c.routing_team_id AS "routingTeamId", c.paused,
           c.consecutive_failures AS "consecutiveFailures", c.last_error_kind AS "lastErrorKind",
           (SELECT max(m.posted_at) FROM messages m WHERE m.channel_id = c.id AND m.direction = 'inbound') AS "lastInboundAt",
           (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY g.gap)
              FROM (SELECT extract(epoch FROM m.posted_at - lag(m.posted_at) OVER (ORDER BY m.posted_at)) / 60 AS gap
                      FROM messages m
                     WHERE m.channel_id = c.id AND m.direction = 'inbound' AND m.posted_at >= ${weekAgo} AND m.posted_at < ${now}) g
             WHERE g.gap IS NOT NULL) AS "usualGapMinutes",
           (SELECT count(*) FROM messages m
             WHERE m.channel_id = c.id AND m.direction = 'outbound' AND m.delivery_state = 'failed' AND m.created_at >= ${failedSince}) AS "failedReplies"
      FROM channels c
     WHERE ${channelId === undefined ? sql`true` : sql`c.id = ${channelId}`}
     ORDER BY c.name`.execute(db);
  return rows.rows.map((r) => ({
    ...r,
    failedReplies: Number(r.failedReplies),
    usualGapMinutes: r.usualGapMinutes === null ? null : Number(r.usualGapMinutes),
  }));
}

export function findAlertSettings(db: DbOrTx) {
  return db.selectFrom('alertSettings').selectAll().executeTakeFirst();
}

export async function saveAlertSettings(
  db: DbOrTx,
  s: Partial<{
    smtpHost: string | null;
    smtpPort: number | null;
    smtpSecure: boolean;
    smtpUser: string | null;
    smtpPasswordEnc: string | null;
    mailFrom: string | null;
    vapidPublicKey: string;
    vapidPrivateEnc: string;
    vapidSubject: string;
  }>,
) {
  await db
    .insertInto('alertSettings')
    .values({ id: true, ...s })
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...s, updatedAt: new Date() }))
    .execute();
}

export function pushSubscriptionsOf(db: DbOrTx, userIds: string[]) {
  if (userIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('pushSubscriptions').select(['id', 'userId', 'endpoint', 'p256dh', 'auth']).where('userId', 'in', userIds).execute();
}

export async function savePushSubscription(db: DbOrTx, s: { userId: string; endpoint: string; p256dh: string; auth: string }) {
  await db
    .insertInto('pushSubscriptions')
    .values(s)
    .onConflict((oc) => oc.column('endpoint').doUpdateSet({ userId: s.userId, p256dh: s.p256dh, auth: s.auth }))
    .execute();
}

export async function deletePushSubscription(db: DbOrTx, id: string) {
  await db.deleteFrom('pushSubscriptions').where('id', '=', id).execute();
}

/** Removes one person's subscription of this endpoint; whether there was one. */
export async function deletePushSubscriptionOf(tx: Tx, userId: string, endpoint: string): Promise<boolean> {
  const r = await tx.deleteFrom('pushSubscriptions').where('userId', '=', userId).where('endpoint', '=', endpoint).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** How many browsers each person subscribed (the alert settings page's "who is told where"). */
export function pushSubscriberCounts(db: DbOrTx) {
  return db
    .selectFrom('pushSubscriptions as p')
    .innerJoin('users as u', 'u.id', 'p.userId')
    .select(['u.id', 'u.name', 'u.email', 'u.role', (eb) => eb.fn.countAll<string>().as('browsers')])
    .groupBy(['u.id', 'u.name', 'u.email', 'u.role'])
    .orderBy('u.name')
    .execute();
}
