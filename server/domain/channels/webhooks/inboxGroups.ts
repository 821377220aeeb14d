/**
 * Group commit of webhook deliveries (domain/groupCommit.ts): the deliveries of concurrent requests are stored
 * in one transaction and named by one drain-webhooks job per DRAIN_SIZE rows, added after the commit; each
 * request is answered once the commit that holds its rows is done (never acknowledge what is not durable), not
 * waiting for the job to reach Redis. A delivery the database refuses fails alone (commitIsolating); a retry of
 * a stored body is not stored again (its id comes back null). A job lost with Redis is made good by the reconciler (jobs/reconcile.ts).
 *
 * The transaction first checks, in one statement for the group, that every channel a delivery is stored for
 * still has the identity that delivery's signature was checked against (webhookSigners.ts); a delivery for which
 * one has changed is not stored, and its caller is told so (`signerChanged`) to check it again.
 */
import { insertInboxRows } from '../../../db/repositories/webhookInbox.repo';
import type { WebhookInboxTable } from '../../../db/schema';
import { commitThenDispatch, type Dispatcher } from '../../effects';
import { createGroupCommit } from '../../groupCommit';
import { commitIsolating } from '../../isolatedCommit';
import { DRAIN_SIZE } from './webhookInbox';
import { signersNow, type CheckedSigner, type SignerDeps } from './webhookSigners';

export type InboxRow = { kind: WebhookInboxTable['kind']; channelId: string; payload: string; bodySha256: string | null; events: number };
/** A delivery's rows (one per channel it is for) and the identities its signature was checked against. */
export type InboxDelivery = { rows: InboxRow[]; signedBy: CheckedSigner[] };
/** Per row its inbox id, or null when the same body was stored for the channel before; or: a signer changed, nothing stored. */
export type InboxReceipt = { ids: (string | null)[] } | { signerChanged: true };

/** Groups in flight at once: one fills its transaction while another commits. */
const CONCURRENT_GROUPS = 2;

export type InboxGroups = { store(delivery: InboxDelivery): Promise<InboxReceipt> };

export function createInboxGroups(deps: SignerDeps & { dispatcher: Dispatcher }): InboxGroups {
  const store = createGroupCommit<InboxDelivery, InboxReceipt>({
    maxSize: DRAIN_SIZE,
    concurrent: CONCURRENT_GROUPS,
    commit: (deliveries, after) =>
      commitIsolating(deliveries, async (some) => {
        const { result, dispatched } = await commitThenDispatch(deps.db, deps.dispatcher, async (tx, effects) => {
          const stillSigning = await signersNow(
            tx,
            deps,
            some.flatMap((d) => d.signedBy.map((s) => s.channelId)),
          );
          const storable = some.map((d) => d.signedBy.every(stillSigning));
          const stored = await insertInboxRows(
            tx,
            some.flatMap((d, i) => (storable[i] ? d.rows : [])),
          );
          let at = 0;
          const receipts = some.map((d, i): InboxReceipt => (storable[i] ? { ids: stored.slice(at, (at += d.rows.length)) } : { signerChanged: true }));
          const fresh = receipts.flatMap((r) => ('ids' in r ? r.ids : [])).filter((id): id is string => id !== null);
          for (let i = 0; i < fresh.length; i += DRAIN_SIZE) effects.enqueue({ name: 'drain-webhooks', data: { inboxIds: fresh.slice(i, i + DRAIN_SIZE) } });
          return receipts;
        });
        after(dispatched);
        return result;
      }),
  });
  return { store: (delivery) => (delivery.rows.length ? store(delivery) : Promise.resolve({ ids: [] })) };
}
