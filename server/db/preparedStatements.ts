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

/** PostgreSQL refusing a prepared statement whose result columns changed under it (a migration added a column to a `select *`). */
const RESULT_TYPE_CHANGED = '0A000';

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/** Makes `client` prepare the parameterised statements it repeats. */
export function prepareRepeatedStatements(client: pg.PoolClient, maxPrepared = PREPARED_PER_CONNECTION): void {
  const query = client.query.bind(client) as Query;
  const names = new Map<string, string>();
  let seenOnce = new Set<string>();
  // Names are never reused for another text; after a refused plan, a new generation prepares afresh.
  let generation = 0;
  let counter = 0;

  const nameFor = (text: string): string | null => {
    const known = names.get(text);
    if (known !== undefined) return known;
    if (names.size >= maxPrepared) return null;
    if (!seenOnce.has(text)) {
      if (seenOnce.size >= SEEN_ONCE_MAX) seenOnce = new Set();
      seenOnce.add(text);
      return null;
    }
    seenOnce.delete(text);
    const name = `rl_${generation}_${counter++}`;
    names.set(text, name);
    return name;
  };

  const prepared: Query = (config, values, callback) => {
    const name = typeof config === 'string' && Array.isArray(values) && values.length > 0 && callback === undefined ? nameFor(config) : null;
    if (name === null) return query(config, values, callback);
    return (query({ name, text: config, values }) as Promise<unknown>).catch((err: { code?: string }) => {
      if (err?.code === RESULT_TYPE_CHANGED) {
        names.clear();
        generation++;
      }
      throw err;
    });
  };
  client.query = prepared as typeof client.query;
}
