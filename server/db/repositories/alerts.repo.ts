/** Alert rules, alerts, their deliveries, push subscriptions and the alert settings (SMTP, VAPID). */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { AlertKind, AlertPath } from '../schema';

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
  return db.selectFrom('alertRules').select(['id', 'kind', 'scope', 'params', 'channels']).where('active', '=', true).where('kind', 'in', kinds).execute();
}

export function listAlertRules(db: DbOrTx) {
  return db.selectFrom('alertRules').select(['id', 'kind', 'scope', 'params', 'channels', 'active', 'createdAt']).orderBy('createdAt').execute();
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
      .execute();
    if (members.length) return members.map((m) => m.id);
  }
  return (await db.selectFrom('users').select('id').where('role', '=', 'manager').orderBy('id').execute()).map((u) => u.id);
}

export async function insertAlertNotifications(tx: Tx, alertId: string, userIds: string[], actorName: string) {
  if (userIds.length === 0) return;
  await tx
    .insertInto('notifications')
    .values(userIds.map((userId) => ({ userId, kind: 'alert' as const, alertId, conversationId: null, messageId: null, actorName, readAt: null })))
    .execute();
}

/** Matches of a query (or inbound posts of a channel) in [from, to). */
export async function countPosts(db: DbOrTx, scope: { queryId?: string; channelId?: string }, from: Date, to: Date): Promise<number> {
  const row = scope.queryId
    ? await db
        .selectFrom('listeningMatches')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('queryId', '=', scope.queryId)
        .where('postedAt', '>=', from)
        .where('postedAt', '<', to)
        .executeTakeFirstOrThrow()
    : await db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('direction', '=', 'inbound')
        .$if(scope.channelId !== undefined, (q) => q.where('channelId', '=', scope.channelId!))
        .where('postedAt', '>=', from)
        .where('postedAt', '<', to)
        .executeTakeFirstOrThrow();
  return Number(row.n);
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
