/** Agents' profiles: availability, the console's last sign of life, skills and slots (014_routing.sql). */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { AwayReason } from '../schema';

export type Availability = 'online' | 'away' | 'offline';

/** The profile locked for a change (created with the defaults first if the agent has none yet). */
export async function lockProfile(tx: Tx, userId: string) {
  await tx
    .insertInto('agentProfiles')
    .values({ userId })
    .onConflict((oc) => oc.column('userId').doNothing())
    .execute();
  return tx.selectFrom('agentProfiles').selectAll().where('userId', '=', userId).forUpdate().executeTakeFirstOrThrow();
}

export async function setAvailability(tx: Tx, userId: string, availability: Availability, awayReason: AwayReason | null, idleFromNow: boolean) {
  await tx
    .updateTable('agentProfiles')
    .set({ availability, awayReason, availabilityChangedAt: new Date(), ...(idleFromNow ? { idleSince: new Date() } : {}) })
    .where('userId', '=', userId)
    .execute();
}

export async function setRoutingProfile(tx: Tx, userId: string, set: { skills?: unknown; capacity?: unknown }) {
  await tx
    .updateTable('agentProfiles')
    .set({
      ...(set.skills === undefined ? {} : { skills: JSON.stringify(set.skills) }),
      ...(set.capacity === undefined ? {} : { capacity: JSON.stringify(set.capacity) }),
    })
    .where('userId', '=', userId)
    .execute();
}

/** An open console tab says it is still there (its live stream, every heartbeat). */
export async function touchConsole(db: DbOrTx, userId: string): Promise<void> {
  await db.updateTable('agentProfiles').set({ consoleSeenAt: new Date() }).where('userId', '=', userId).execute();
}

/**
 * Agents online or away with no sign of life since `before` — neither an open console tab nor a presence change
 * (through the API) — locked; profiles another transaction is changing are skipped.
 */
export function lockQuietConsoles(tx: Tx, before: Date) {
  return tx
    .selectFrom('agentProfiles')
    .select(['userId', 'availability', 'awayReason'])
    .where('availability', '<>', 'offline')
    .where(sql<boolean>`greatest(console_seen_at, availability_changed_at) < ${before}`)
    .orderBy('userId')
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Every agent and manager with their profile (defaults where none), for settings pages and the queue board. */
export function listAgentProfiles(db: DbOrTx) {
  return db
    .selectFrom('users as u')
    .leftJoin('agentProfiles as p', 'p.userId', 'u.id')
    .select([
      'u.id',
      'u.name',
      'u.role',
      sql<Availability>`coalesce(p.availability, 'offline')`.as('availability'),
      'p.awayReason',
      'p.availabilityChangedAt',
      sql<unknown>`coalesce(p.skills, '{}')`.as('skills'),
      sql<unknown>`coalesce(p.capacity, '{}')`.as('capacity'),
      sql<string[]>`coalesce((SELECT array_agg(tm.team_id) FROM team_members tm WHERE tm.user_id = u.id), '{}')`.as('teamIds'),
    ])
    .where('u.role', 'in', ['agent', 'manager'])
    .orderBy('u.name')
    .execute();
}

export async function availabilityOf(db: DbOrTx, userId: string) {
  const row = await db.selectFrom('agentProfiles').select(['availability', 'awayReason']).where('userId', '=', userId).executeTakeFirst();
  return row ?? { availability: 'offline' as const, awayReason: null };
}

/** Whether two users share a team (a manager acts for the agents of their teams). */
export async function shareTeam(db: DbOrTx, a: string, b: string): Promise<boolean> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM team_members x JOIN team_members y ON x.team_id = y.team_id
    WHERE x.user_id = ${a} AND y.user_id = ${b}`.execute(db);
  return (r.rows[0]?.n ?? 0) > 0;
}
