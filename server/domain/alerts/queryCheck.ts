/**
 * The check-spikes job: a listening query's spike and dip rules (checkPostWindows.ts), looked at again while posts
 * matched the query during the last look. Ingest asks for one check per query and 10-second slot (the job's id), and
 * BullMQ drops a request whose job is still running: without the second look, posts that committed during a check
 * waited for the query's next post in another slot, and a dip whose last posts arrived that way was not raised.
 */
import type { Db } from '../../db/client';
import { countPosts } from '../../db/repositories/alerts.repo';
import { inTransaction, type Dispatcher } from '../effects';
import { checkPostWindows } from './checkPostWindows';

/** At most this many looks per job: under a steady stream the next slot's job takes over. */
export const QUERY_LOOKS = 5;
const DAY_MS = 86_400_000; // a rule's window is at most a day (alertRules.ts)

/**
 * Runs `look` until `count` (read before the first look and after each) stayed the same across a look, at most
 * `limit` times; returns how many looks it took. `count` must see what a look sees and more: it is read in a snapshot
 * of its own after the look's.
 */
export async function lookWhileChanging(count: () => Promise<string>, look: () => Promise<void>, limit = QUERY_LOOKS): Promise<number> {
  let before = await count();
  for (let looks = 1; ; looks++) {
    await look();
    const after = await count();
    if (after === before || looks >= limit) return looks;
    before = after;
  }
}

export async function checkQueryPosts(db: Db, dispatcher: Dispatcher, queryId: string): Promise<void> {
  const scope = { queryId };
  const since = new Date(Date.now() - DAY_MS);
  const until = new Date(Date.now() + DAY_MS);
  await lookWhileChanging(
    async () => {
      const { posts, negative } = await countPosts(db, scope, since, until);
      return `${posts}/${negative}`;
    },
    () => inTransaction(db, dispatcher, (tx, effects) => checkPostWindows(tx, effects, scope, new Date())).then(() => undefined),
  );
}
