/**
 * When a callback case enters the queues: not before its window opens — or, after a missed call with a new due
 * time, not before that time — less CALLBACK_LEAD_MINUTES, so the agent has the case in hand (and a minute to
 * read it) when the call is due, and no slot is held overnight for tomorrow's window. From then on it is routed
 * and taken like any other work, in due-time order. No job of its own wakes the router: its regular sweep
 * (jobs/routingWorker.ts, every 30 s) routes a callback within half a minute of its opening.
 */

/** How many minutes before its window (or its next try) a callback case may be routed. */
export const CALLBACK_LEAD_MINUTES = 2;

/** At `now`, callbacks opening after this instant still wait outside the queues (routing.repo.ts lockQueueHead). */
export function callbacksOpenBy(now: Date): Date {
  return new Date(now.getTime() + CALLBACK_LEAD_MINUTES * 60_000);
}
