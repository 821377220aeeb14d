/** The PostgreSQL pool and the typed query builder on top of it. */
import { CamelCasePlugin, Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { prepareRepeatedStatements } from './preparedStatements';
import type { Database } from './schema';

// bigint (int8) values such as case numbers and audit sequence numbers arrive as strings. Keys inside
// jsonb values (raw channel payloads) are kept as stored; only column names are camel-cased.
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type DbOrTx = Db | Tx;

/**
 * `prepareStatements: false` sends every statement unnamed: for PgBouncer before 1.21 in transaction mode, which
 * cannot carry a named statement from one transaction to the next (DATABASE_PREPARED_STATEMENTS=off).
 */
export function createPool(databaseUrl: string, max = 10, prepareStatements = true): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  pool.on('error', () => {
    // An idle client lost its connection (e.g. a PostgreSQL restart); the pool replaces it.
  });
  // A checked-out client (mid-transaction, between two statements) has no pool listener: without one of
  // its own, losing the connection would be an uncaught 'error' and end the process. Its next statement
  // fails instead ("not queryable"), and the caller sees that as the database being unavailable.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    if (prepareStatements) prepareRepeatedStatements(client);
  });
  return pool;
}

/** Destroying the returned Db ends the pool too. */
export function createDb(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })] });
}

/**
 * Runs `fn` in a read-only transaction whose statements are planned for their own values every time, prepared or
 * not (`plan_cache_mode = force_custom_plan`): for statements whose best plan depends on the values, a report's
 * period or a search text, where a prepared statement's generic plan, made without them, can be far off.
 * Read-only transactions take only ACCESS SHARE locks: ingest is never blocked.
 */
export function readWithOwnPlans<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db
    .transaction()
    .setAccessMode('read only')
    .execute(async (tx) => {
      await sql`SET LOCAL plan_cache_mode = force_custom_plan`.execute(tx);
      return fn(tx);
    });
}

// SQLSTATEs of a server that is going away or not taking connections (admin/crash shutdown, starting
// up, too many connections); class 08 (connection exception) is matched by its prefix.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const LOST_CONNECTION = /^Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

/** True when an error means PostgreSQL is unreachable (restarting, failing over, cut off), not that the statement was wrong. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || SOCKET_ERRORS.has(code)) return true;
  return typeof e?.message === 'string' && LOST_CONNECTION.test(e.message);
}
