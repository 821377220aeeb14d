/** Teams and their members. */
import type { DbOrTx, Tx } from '../client';

/** Every team by name (also one of the workspace's lists: workspaceLists.repo.ts). */
export const teamsQuery = (db: DbOrTx) => db.selectFrom('teams').select(['id', 'name']).orderBy('name');

export function listTeams(db: DbOrTx) {
  return teamsQuery(db).execute();
}

export function findTeam(db: DbOrTx, id: string) {
  return db.selectFrom('teams').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
}

export function insertTeam(db: DbOrTx, name: string) {
  return db.insertInto('teams').values({ name }).returning(['id', 'name']).executeTakeFirstOrThrow();
}

/** True when the user was not yet a member. */
export async function addTeamMember(db: DbOrTx, teamId: string, userId: string): Promise<boolean> {
  const added = await db
    .insertInto('teamMembers')
    .values({ teamId, userId })
    .onConflict((oc) => oc.doNothing())
    .returning('userId')
    .executeTakeFirst();
  return !!added;
}

/** Every team with its members (teams without members are left out). */
export function listTeamMemberships(db: DbOrTx) {
  return db
    .selectFrom('teamMembers as tm')
    .innerJoin('teams as t', 't.id', 'tm.teamId')
    .select(['t.id as teamId', 't.name as teamName', 'tm.userId'])
    .orderBy('t.name')
    .execute();
}

/** True when the user was a member. */
export async function removeTeamMember(db: DbOrTx, teamId: string, userId: string): Promise<boolean> {
  const removed = await db.deleteFrom('teamMembers').where('teamId', '=', teamId).where('userId', '=', userId).returning('userId').executeTakeFirst();
  return !!removed;
}

export function findTeamByName(db: DbOrTx, name: string) {
  return db.selectFrom('teams').select(['id', 'name']).where('name', '=', name).executeTakeFirst();
}

/** Every team with its number of members (teams without members too). */
export function listTeamsWithSize(db: DbOrTx) {
  return db
    .selectFrom('teams as t')
    .leftJoin('teamMembers as tm', 'tm.teamId', 't.id')
    .select((eb) => ['t.id', 't.name', eb.fn.count<string>('tm.userId').as('members')])
    .groupBy(['t.id', 't.name'])
    .orderBy('t.name')
    .execute();
}

/** The default slots of every team the given users belong to, one row per membership (022_team_capacity). */
export function teamDefaultsOf(db: DbOrTx, userIds: string[]) {
  if (userIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('teamMembers as tm')
    .innerJoin('teams as t', 't.id', 'tm.teamId')
    .select(['tm.userId', 't.defaultCapacity'])
    .where('tm.userId', 'in', userIds)
    .execute();
}

/** Every team with its default slots (the routing settings page). */
export function listTeamCapacities(db: DbOrTx) {
  return db.selectFrom('teams').select(['id', 'name', 'defaultCapacity']).orderBy('name').execute();
}

/** The team locked for a change of its default slots. */
export function lockTeamCapacity(tx: Tx, id: string) {
  return tx.selectFrom('teams').select(['id', 'name', 'defaultCapacity']).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function setTeamCapacity(tx: Tx, id: string, capacity: object): Promise<void> {
  await tx
    .updateTable('teams')
    .set({ defaultCapacity: JSON.stringify(capacity) })
    .where('id', '=', id)
    .execute();
}
