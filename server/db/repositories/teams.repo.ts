/** Teams and their members. */
import type { DbOrTx } from '../client';

export function listTeams(db: DbOrTx) {
  return db.selectFrom('teams').select(['id', 'name']).orderBy('name').execute();
}

export function findTeam(db: DbOrTx, id: string) {
  return db.selectFrom('teams').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
}

export function insertTeam(db: DbOrTx, name: string) {
  return db.insertInto('teams').values({ name }).returning(['id', 'name']).executeTakeFirstOrThrow();
}

export function addTeamMember(db: DbOrTx, teamId: string, userId: string) {
  return db
    .insertInto('teamMembers')
    .values({ teamId, userId })
    .onConflict((oc) => oc.doNothing())
    .execute();
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
