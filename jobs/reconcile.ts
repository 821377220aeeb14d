/**
 * PostgreSQL is the truth, Redis holds work that can be rebuilt: on start and after every Redis
 * reconnect, re-enqueue whatever the database says is still owed. Job ids make this idempotent.
 */
import type { Db } from '../server/db/client';
import { listPendingDeliveries } from '../server/db/repositories/messages.repo';
import type { JobRequest } from '../server/domain/effects';

export async function reconcileJobs(db: Db, enqueue: (job: JobRequest) => Promise<void>): Promise<{ deliveries: number }> {
  const pending = await listPendingDeliveries(db);
  for (const { id } of pending) await enqueue({ name: 'deliver-reply', data: { messageId: id } });
  return { deliveries: pending.length };
}
