/** Console sessions (the connect-pg-simple table user_sessions, written by middleware/sessionStore.ts). */
import { sql } from 'kysely';
import type { DbOrTx } from '../client';

/*
 * `expire` is a timestamp without time zone, written by connect-pg-simple as `to_timestamp(seconds)` in the
 * database session's time zone: it is compared with now() (converted the same way), never with a Date parameter,
 * whose offset PostgreSQL would drop.
 */

/** Ends every console session of the user at once; returns how many had not ended yet (ended ones go too). */
export async function deleteSessionsOfUser(db: DbOrTx, userId: string): Promise<number> {
  const result = await sql<{ running: string }>`
    WITH gone AS (DELETE FROM user_sessions WHERE sess ->> 'userId' = ${userId} RETURNING expire)
    SELECT count(*) FILTER (WHERE expire >= now()) AS running FROM gone`.execute(db);
  return Number(result.rows[0]!.running);
}

export async function sessionExists(db: DbOrTx, sid: string): Promise<boolean> {
  const result = await sql`SELECT 1 FROM user_sessions WHERE sid = ${sid} AND expire >= now()`.execute(db);
  return result.rows.length > 0;
}

/** Deletes the sessions that have ended (a session read never returns them); returns how many. */
export async function deleteExpiredSessions(db: DbOrTx): Promise<number> {
  const result = await sql`DELETE FROM user_sessions WHERE expire < now()`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
