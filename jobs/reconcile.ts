/**
 * PostgreSQL is the truth, Redis holds work that can be rebuilt: on start and after every Redis
 * reconnect, re-enqueue whatever the database says is still owed. Job ids make this idempotent.
 */
import type { Db } from '../server/db/client';
import { listPendingDeliveries } from '../server/db/repositories/messages.repo';
import type { JobRequest } from '../server/domain/effects';
import { taskTimersOwed } from './taskTimers';
import { listPendingReminders } from '../server/db/repositories/conversationState.repo';
import { listPendingInbox } from '../server/db/repositories/webhookInbox.repo';
import type { Connectors } from '../connectors/types';
import { reconcilePollSchedules, type PollScheduler } from '../server/domain/channels/polling/pollSchedules';
import { DRAIN_SIZE } from '../server/domain/channels/webhooks/webhookInbox';

export async function reconcileJobs(
  db: Db,
  enqueue: (jobs: JobRequest[]) => Promise<void>,
  polls?: { scheduler: PollScheduler; connectors: Connectors },
): Promise<{ deliveries: number; taskTimers: number; reminders: number; webhooks: number; pollSchedules: number }> {
  const pending = await listPendingDeliveries(db);
  // Overdue notices of open tasks (the processor skips what is done or already told).
  const taskTimers = await taskTimersOwed(db);
  // Reminders of conversations saved for later (the processor skips what is no longer saved).
  const reminders = await listPendingReminders(db);
  // Webhook deliveries stored but not yet processed (the processor skips what is already done): the fresh ones
  // in drains of DRAIN_SIZE, the ones that failed before alone.
  const inbox = await listPendingInbox(db);
  const fresh = inbox.filter((row) => row.attempts === 0).map((row) => row.id);
  const drains: JobRequest[] = [];
  for (let i = 0; i < fresh.length; i += DRAIN_SIZE) drains.push({ name: 'drain-webhooks', data: { inboxIds: fresh.slice(i, i + DRAIN_SIZE) } });
  // Added in bulk: after a Redis loss thousands of jobs can be owed, one round trip each took minutes.
  await enqueue([
    ...pending.map(({ id }): JobRequest => ({ name: 'deliver-reply', data: { messageId: id } })),
    ...taskTimers,
    ...reminders.flatMap((r): JobRequest[] =>
      r.remindAt ? [{ name: 'conversation-reminder', data: { conversationId: r.id, remindAt: r.remindAt.toISOString() } }] : [],
    ),
    ...drains,
    ...inbox.filter((row) => row.attempts > 0).map((row): JobRequest => ({ name: 'process-webhook', data: { inboxId: row.id } })),
  ]);
  // Poll schedules of channels whose connector polls (upserting an existing schedule changes nothing).
  const pollSchedules = polls ? await reconcilePollSchedules(db, polls.scheduler, polls.connectors) : 0;
  return {
    deliveries: pending.length,
    taskTimers: taskTimers.length,
    reminders: reminders.length,
    webhooks: inbox.length,
    pollSchedules,
  };
}
