/**
 * What a command asks for once its transaction has committed: live events for open consoles and jobs
 * for the workers. Nothing here runs inside the transaction, so a rollback leaves no trace in Redis.
 */
import type { Db, Tx } from '../db/client';

export type LiveEvent =
  | { type: 'conversation'; conversationId: string; channelId: string; change: 'message' | 'status' | 'delivery' }
  // someone is typing a reply (shown to the others on the conversation page); a mention for one user's bell
  | { type: 'presence'; conversationId: string; userId: string; typing?: boolean }
  | { type: 'notification'; userId: string }
  // an SLA timer fired for an inbound post: the consoles of managers and of the assigned agent show a notification
  | {
      type: 'sla';
      event: 'warning' | 'breached';
      conversationId: string;
      channelId: string;
      messageId: string;
      caseNumber: string;
      dueAt: string;
      assigneeId?: string | null;
    }
  // queues or agents' availability changed (the queue board and presence indicators refresh)
  | { type: 'routing' }
  // a reply began or stopped waiting for approval (the approvers' count and queue refresh)
  | { type: 'approvals' }
  // a website chat (domain/webchat) started, was accepted or ended; its visitor is typing or has read the agent's messages
  | { type: 'chat'; conversationId: string; change: 'started' | 'accepted' | 'ended' | 'visitor_typing' | 'visitor_read' }
  // routing gave a website chat to an agent: it rings on every page of theirs until accepted
  | { type: 'chat_ringing'; conversationId: string; assigneeId: string }
  // a person's sign-ins, role, language or approval right changed: web processes drop their copies of who is signed
  // in (middleware/accessCopies.ts); not sent to any console. from: the process that published it (it forgot at once)
  | { type: 'access'; userId: string; from?: string };

/** deliver-reply `round`: an agent's "send again" of an uncertain reply, so its job id differs from the first job's. */
export type JobRequest =
  | { name: 'deliver-reply'; data: { messageId: string; round?: number } }
  // runs at remindAt (a delayed job): brings a saved conversation back
  | { name: 'conversation-reminder'; data: { conversationId: string; remindAt: string } }
  // a task's due instant (a delayed job): its people are told it is overdue, once
  | { name: 'task-overdue'; data: { taskId: string; runAt: string } }
  // stored webhook deliveries (webhook_inbox rows) committed together, to normalize and ingest in one drain
  | { name: 'drain-webhooks'; data: { inboxIds: string[] } }
  // one stored webhook delivery that failed in a drain (or was left behind), retried alone
  | { name: 'process-webhook'; data: { inboxId: string } }
  // a routing pass after arrivals in automatic queues, freed slots or presence changes (server/domain/routing/routeWaiting.ts)
  | { name: 'route-conversations'; data: { passId: string; channelIds: string[] | null; reopenedIds: string[] } }
  // the router's round at once (an absence that has already begun)
  | { name: 'routing-sweep'; data: { trigger: 'schedule' | 'absence' } }
  // an alert's e-mails and Web Push messages (its console notifications are written with it); at: when people were told
  | { name: 'deliver-alert'; data: { alertId: string; at: string } }
  // volume-spike rules of a listening query, after posts matched it; at: the check's 10-second slot (one check per slot)
  | { name: 'check-spikes'; data: { queryId: string } };

export type Dispatcher = {
  publish(event: LiveEvent): Promise<void>;
  enqueue(job: JobRequest): Promise<void>;
  /** Several jobs at once (batch ingest); without it each job is enqueued on its own. */
  enqueueBulk?(jobs: JobRequest[]): Promise<void>;
  /** Removes a waiting job (by its job id) if it is still there; a job already running ends harmlessly. */
  cancel?(job: JobRequest): Promise<void>;
  /** Called when a dispatch fails after commit; the reconciler later repairs what was missed. */
  onDispatchError(err: unknown, what: LiveEvent | JobRequest): void;
};

export class Effects {
  readonly live: LiveEvent[] = [];
  readonly jobs: JobRequest[] = [];
  readonly cancels: JobRequest[] = [];
  publish(e: LiveEvent) {
    this.live.push(e);
  }
  enqueue(j: JobRequest) {
    this.jobs.push(j);
  }
  cancel(j: JobRequest) {
    this.cancels.push(j);
  }
}

/** Runs fn in one transaction, then dispatches its effects. A failed dispatch never undoes the commit. */
export async function inTransaction<T>(db: Db, dispatcher: Dispatcher, fn: (tx: Tx, effects: Effects) => Promise<T>): Promise<T> {
  const { result, dispatched } = await commitThenDispatch(db, dispatcher, fn);
  await dispatched;
  return result;
}

/**
 * inTransaction for a caller that answers as soon as the commit is done (group commit): `result` is there
 * once fn's transaction has committed; `dispatched` settles when its effects have reached Redis (it never
 * rejects: a failed dispatch goes to onDispatchError).
 */
export async function commitThenDispatch<T>(
  db: Db,
  dispatcher: Dispatcher,
  fn: (tx: Tx, effects: Effects) => Promise<T>,
): Promise<{ result: T; dispatched: Promise<void> }> {
  const effects = new Effects();
  const result = await db.transaction().execute((tx) => fn(tx, effects));
  return { result, dispatched: dispatch(dispatcher, effects) };
}

/** Adds jobs after a commit: in bulk where the dispatcher can, one by one otherwise; a failure goes to onDispatchError. */
export async function enqueueJobs(dispatcher: Dispatcher, jobs: JobRequest[]): Promise<void> {
  if (jobs.length > 1 && dispatcher.enqueueBulk) {
    await dispatcher.enqueueBulk(jobs).catch((err) => dispatcher.onDispatchError(err, jobs[0]!));
  } else {
    for (const job of jobs) await dispatcher.enqueue(job).catch((err) => dispatcher.onDispatchError(err, job));
  }
}

async function dispatch(dispatcher: Dispatcher, effects: Effects): Promise<void> {
  await enqueueJobs(dispatcher, effects.jobs);
  for (const job of effects.cancels) await dispatcher.cancel?.(job).catch((err) => dispatcher.onDispatchError(err, job));
  // Sent together, not one round trip each: one connection keeps them in order anyway.
  await Promise.all(effects.live.map((ev) => dispatcher.publish(ev).catch((err) => dispatcher.onDispatchError(err, ev))));
}
