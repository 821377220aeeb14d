/** A small pool for one CLI command, closed when the command is done. No Redis: the CLI never needs it. */
import type { Config } from '../config';
import { createDb, createPool, type Db } from '../db/client';

export async function withDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = createDb(createPool(config.databaseUrl, 2));
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}
