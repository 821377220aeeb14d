/**
 * Statements a connection runs again and again are prepared once on it (named statements of PostgreSQL's
 * extended protocol), as JDBC drivers do after a few executions: PostgreSQL then skips parsing and, once its
 * plan cache finds a generic plan no dearer than the custom ones, planning too. Planning was most of the
 * database's time on the console's pages: the conversation page's statements spent 0.1–0.5 ms each being
 * planned for 0.01–0.3 ms of execution (README → Benchmarks, "Prepared statements").
 *
 * Only parameterised statements are prepared (one statement each, as the extended protocol wants); a text
 * is prepared on its second execution on a connection, so one-off statements never take a slot, and each
 * connection keeps at most PREPARED_PER_CONNECTION, so a backend's plan cache stays bounded.
 */
import type pg from 'pg';

/** Prepared statements per connection, at most. */
export const PREPARED_PER_CONNECTION = 200;

/** Texts seen once are counted up to this many per connection, then counting starts over. */
const SEEN_ONCE_MAX = 2_000;

/**
 * Errors after which a prepared statement may be stale rather than the execution wrong: no SQLSTATE (pg
 * could not convert a value and closed the statement), its name unknown (26…), plan revalidation after a
 * migration refused (0A000 "cached plan must not change result type") or the statement no longer fitting
 * the schema (42…, e.g. a column's new type against the parameter type fixed at the first Parse).
 */
const mayBeStale = (code: string | undefined) => code === undefined || code === '0A000' || code.startsWith('26') || code.startsWith('42');

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;
type Connection = { parsedStatements: Record<string, string> };

/**
 * Makes `client` prepare the parameterised statements it repeats. A name is never given twice: a statement
 * that may be stale is forgotten and prepared afresh under a new name (a text forgotten twice runs unprepared
 * from then on), and every name given counts against `maxPrepared`, so the server never holds more than that
 * for the connection.
 */
export function prepareRepeatedStatements(client: pg.PoolClient, maxPrepared = PREPARED_PER_CONNECTION): void {
  const query = client.query.bind(client) as Query;
  const connection = (client as unknown as { connection: Connection }).connection;
  const names = new Map<string, string>();
  const forgotten = new Map<string, number>();
  let seenOnce = new Set<string>();
  let given = 0;

  const nameFor = (text: string): string | null => {
    const known = names.get(text);
    if (known !== undefined) return known;
    if (given >= maxPrepared || (forgotten.get(text) ?? 0) >= 2) return null;
    if (!seenOnce.has(text)) {
      if (seenOnce.size >= SEEN_ONCE_MAX) seenOnce = new Set();
      seenOnce.add(text);
      return null;
    }
    seenOnce.delete(text);
    const name = `rl_${given++}`;
    names.set(text, name);
    return name;
  };

  const forget = (text: string, name: string) => {
    names.delete(text);
    delete connection.parsedStatements[name];
    forgotten.set(text, (forgotten.get(text) ?? 0) + 1);
  };

  const prepared: Query = (config, values, callback) => {
    const name = typeof config === 'string' && Array.isArray(values) && values.length > 0 && callback === undefined ? nameFor(config) : null;
    if (name === null) return query(config, values, callback);
    return (query({ name, text: config, values }) as Promise<unknown>).catch((err: { code?: string } | undefined) => {
      if (mayBeStale(err?.code)) forget(config as string, name);
      throw err;
    });
  };
  client.query = prepared as typeof client.query;
}
