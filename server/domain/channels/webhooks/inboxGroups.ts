/**
 * Group commit of webhook deliveries (domain/groupCommit.ts): the deliveries of concurrent requests are stored
 * in one transaction and named by one drain-webhooks job per DRAIN_SIZE rows, added after the commit; each
 * request is answered once the commit that holds its rows is done (never acknowledge what is not durable), not
 * waiting for the job to reach Redis. A delivery the database refuses fails alone (commitIsolating); a retry of
 * a stored body is not stored again (its id comes back null). A job lost with Redis is made good by the reconciler (jobs/reconcile.ts).
 */
import type { Db } from '../../../db/client';
import { insertInboxRows } from '../../../db/repositories/webhookInbox.repo';
import type { WebhookInboxTable } from '../../../db/schema';
import { commitThenDispatch, type Dispatcher } from '../../effects';
import { createGroupCommit } from '../../groupCommit';
import { commitIsolating } from '../../isolatedCommit';
import { DRAIN_SIZE } from './webhookInbox';

export type InboxRow = { kind: WebhookInboxTable['kind']; channelId: string; payload: string; bodySha256: string | null; events: number };

/** Groups in flight at once: one fills its transaction while another commits. */
const CONCURRENT_GROUPS = 2;

/** Stores the rows of one delivery; per row its inbox id, or null when the same body was stored for the channel before. */
export type InboxGroups = { store(rows: InboxRow[]): Promise<(string | null)[]> };

export function createInboxGroups(db: Db, dispatcher: Dispatcher): InboxGroups {
  const store = createGroupCommit<InboxRow[], (string | null)[]>({
    maxSize: DRAIN_SIZE,
    concurrent: CONCURRENT_GROUPS,
    commit: (deliveries, after) =>
      commitIsolating(deliveries, async (some) => {
        const { result, dispatched } = await commitThenDispatch(db, dispatcher, async (tx, effects) => {
          const stored = await insertInboxRows(tx, some.flat());
          let at = 0;
          const ids = some.map((rows) => stored.slice(at, (at += rows.length)));
          const fresh = ids.flat().filter((id): id is string => id !== null);
          for (let i = 0; i < fresh.length; i += DRAIN_SIZE) effects.enqueue({ name: 'drain-webhooks', data: { inboxIds: fresh.slice(i, i + DRAIN_SIZE) } });
          return ids;
        });
        after(dispatched);
        return result;
      }),
  });
  return { store: (rows) => (rows.length ? store(rows) : Promise.resolve([])) };
}
