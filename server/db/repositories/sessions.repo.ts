/** Console sessions (the connect-pg-simple table user_sessions, written by middleware/sessionStore.ts). */
import { sql } from 'kysely';
import type { DbOrTx } from '../client';

/** Ends every console session of the user at once; returns how many there were. */
export async function deleteSessionsOfUser(db: DbOrTx, userId: string): Promise<number> {
  const result = await sql`DELETE FROM user_sessions WHERE sess ->> 'userId' = ${userId}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export async function sessionExists(db: DbOrTx, sid: string): Promise<boolean> {
  const result = await sql`SELECT 1 FROM user_sessions WHERE sid = ${sid} AND expire >= now()`.execute(db);
  return result.rows.length > 0;
}

/** Deletes the sessions that ended before `now` (a session read never returns them); returns how many. */
export async function deleteExpiredSessions(db: DbOrTx, now: Date): Promise<number> {
  const result = await sql`DELETE FROM user_sessions WHERE expire < ${now}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
