/**
 * What a command asks for once its transaction has committed: live events for open consoles and jobs
 * for the workers. Nothing here runs inside the transaction, so a rollback leaves no trace in Redis.
 */
import type { Db, Tx } from '../db/client';

export type LiveEvent = { type: 'conversation'; conversationId: string; channelId: string; change: 'message' | 'status' | 'delivery' };

export type JobRequest = { name: 'deliver-reply'; data: { messageId: string } };

export type Dispatcher = {
  publish(event: LiveEvent): Promise<void>;
  enqueue(job: JobRequest): Promise<void>;
  /** Called when a dispatch fails after commit; the reconciler later repairs what was missed. */
  onDispatchError(err: unknown, what: LiveEvent | JobRequest): void;
};

export class Effects {
  readonly live: LiveEvent[] = [];
  readonly jobs: JobRequest[] = [];
  publish(e: LiveEvent) { this.live.push(e); }
  enqueue(j: JobRequest) { this.jobs.push(j); }
}

/** Runs fn in one transaction, then dispatches its effects. A failed dispatch never undoes the commit. */
export async function inTransaction<T>(db: Db, dispatcher: Dispatcher, fn: (tx: Tx, effects: Effects) => Promise<T>): Promise<T> {
  const effects = new Effects();
  const result = await db.transaction().execute((tx) => fn(tx, effects));
  for (const job of effects.jobs) await dispatcher.enqueue(job).catch((err) => dispatcher.onDispatchError(err, job));
  for (const ev of effects.live) await dispatcher.publish(ev).catch((err) => dispatcher.onDispatchError(err, ev));
  return result;
}
