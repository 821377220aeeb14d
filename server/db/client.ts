/** The PostgreSQL pool and the typed query builder on top of it. */
import { CamelCasePlugin, Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema';

// bigint (int8) values such as case numbers and audit sequence numbers arrive as strings. Keys inside
// jsonb values (raw channel payloads) are kept as stored; only column names are camel-cased.
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type DbOrTx = Db | Tx;

export function createPool(databaseUrl: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  pool.on('error', () => {
    // An idle client lost its connection (e.g. a PostgreSQL restart); the pool replaces it.
  });
  return pool;
}

/** Destroying the returned Db ends the pool too. */
export function createDb(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })] });
}
