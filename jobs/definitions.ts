/**
 * The typed job table: every job's name, payload schema, queue, retry policy, job id and run time in one
 * place. Commands ask for jobs (JobRequest in server/domain/effects.ts); schedules add the recurring
 * ones; every processor parses its payload with the schema here before it calls the domain.
 */
import { randomUUID } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import type { JobRequest } from '../server/domain/effects';
import { DRAIN_SIZE } from '../server/domain/channels/webhooks/webhookInbox';

export type RetryPolicy = { attempts: number; backoffMs: number };

type JobDefinition<P extends z.ZodType> = {
  queue: string;
  payload: P;
  retry: RetryPolicy;
  /** The job id that makes adding the same job twice a no-op (and lets a command cancel it); none: BullMQ picks one. */
  jobId?: (data: z.output<P>) => string;
  /** Delayed jobs: the instant the job is due (ISO 8601). */
  runAt?: (data: z.output<P>) => string;
  /**
   * Requests with the same key share one waiting job, and one that arrives while that job runs is kept as one more run
   * after it (BullMQ's deduplication with keepLastIfActive): nothing asked for during a run is lost, nothing runs twice
   * at once.
   */
  coalesce?: (data: z.output<P>) => string;
};

/** The jobs commands ask for after commit (server/domain/effects.ts): each has its row, its payload exactly what the command sends. */
type CommandJobs = { [N in JobRequest['name']]: JobDefinition<z.ZodType<Extract<JobRequest, { name: N }>['data']>> };

type AnyCommandJob = Omit<JobDefinition<z.ZodType>, 'jobId' | 'runAt' | 'coalesce'> & {
  jobId: (data: never) => string;
  runAt?: (data: never) => string;
  coalesce?: (data: never) => string;
};

const isoInstant = z.iso.datetime({ offset: true });

export const JOBS = {
  'deliver-reply': {
    // round: an agent's "send again" of an uncertain reply, a job of its own (the interrupted one may still be kept as failed)
    queue: 'outbound',
    payload: z.object({ messageId: z.uuid(), round: z.number().int().min(0).optional() }),
    retry: { attempts: 6, backoffMs: 2_000 },
    jobId: (d) => (d.round === undefined ? `deliver-reply-${d.messageId}` : `deliver-reply-${d.messageId}-r${d.round}`),
  },
  // runs at remindAt: brings a saved conversation back
  'conversation-reminder': {
    queue: 'reminders',
    payload: z.object({ conversationId: z.uuid(), remindAt: isoInstant }),
    retry: { attempts: 5, backoffMs: 5_000 },
    jobId: (d) => `conversation-reminder-${d.conversationId}-${Date.parse(d.remindAt)}`,
    runAt: (d) => d.remindAt,
  },
  // runs at a task's due instant: its people are told it is overdue, once (domain/tasks/overdueTask.ts)
  'task-overdue': {
    queue: 'tasks',
    payload: z.object({ taskId: z.uuid(), runAt: isoInstant }),
    retry: { attempts: 5, backoffMs: 2_000 },
    jobId: (d) => `task-overdue-${d.taskId}`,
    runAt: (d) => d.runAt,
  },
  // the deliveries of one accept group, at most a drain's worth; fresh deliveries waiting are drained with them
  'drain-webhooks': {
    queue: 'webhooks',
    payload: z.object({ inboxIds: z.array(z.uuid()).min(1).max(DRAIN_SIZE) }),
    retry: { attempts: 8, backoffMs: 1_000 },
    // never the id of an earlier drain: one that failed for good stays in Redis, and BullMQ would take a re-add by the
    // reconciler for it and add nothing (drains are idempotent, so a second drain of the same rows is harmless)
    jobId: (d) => `drain-webhooks-${d.inboxIds[0]}-${Date.now()}`,
  },
  'process-webhook': {
    queue: 'webhooks',
    payload: z.object({ inboxId: z.uuid() }),
    retry: { attempts: 8, backoffMs: 1_000 },
    jobId: (d) => `process-webhook-${d.inboxId}`,
  },
  // a routing pass (arrivals in automatic queues, freed slots, presence changes); passes are idempotent
  'route-conversations': {
    queue: 'routing',
    payload: z.object({ passId: z.uuid(), channelIds: z.array(z.uuid()).max(500).nullable(), reopenedIds: z.array(z.uuid()).max(500) }),
    retry: { attempts: 5, backoffMs: 1_000 },
    jobId: (d) => `route-conversations-${d.passId}`,
  },
  // every ROUTING_SWEEP_MS (a job scheduler), and at once when an absence begins: the router's round (domain/routing/sweepRouting.ts)
  'routing-sweep': {
    queue: 'routing',
    payload: z.object({ trigger: z.enum(['schedule', 'absence']) }),
    retry: { attempts: 1, backoffMs: 0 },
    jobId: () => `routing-sweep-now-${Date.now()}`,
  },
  'deliver-alert': {
    queue: 'alerts',
    payload: z.object({ alertId: z.uuid(), at: isoInstant }),
    retry: { attempts: 5, backoffMs: 5_000 },
    jobId: (d) => `deliver-alert-${d.alertId}-${Date.parse(d.at)}`,
  },
  // one check per query at a time: the requests of a burst share one, and posts that match while it runs get one more
  // (a job id per 10-second slot dropped a request whose job was still running: those posts went unchecked)
  'check-spikes': {
    queue: 'alerts',
    payload: z.object({ queryId: z.uuid() }),
    retry: { attempts: 3, backoffMs: 2_000 },
    jobId: (d) => `check-spikes-${d.queryId}-${randomUUID()}`,
    coalesce: (d) => `check-spikes-${d.queryId}`,
  },
  // every minute (a job scheduler): channel-scoped spike and dip rules and channel failures (domain/alerts/sweepAlerts.ts)
  'alert-sweep': { queue: 'alerts', payload: z.object({}).loose(), retry: { attempts: 1, backoffMs: 0 } },
  // every 15 minutes (a job scheduler): the scheduled report e-mails that are due (domain/reports/reportMail.ts)
  'report-mail': { queue: 'mail', payload: z.object({}).loose(), retry: { attempts: 1, backoffMs: 0 } },
  // one per channel and interval (a BullMQ job scheduler), plus "fetch now"; a failed poll is recorded, never retried
  'poll-channel': { queue: 'poll', payload: z.object({ channelId: z.uuid() }), retry: { attempts: 1, backoffMs: 0 } },
  // every minute (a job scheduler): folds report deltas into the rollups; the next run folds what one left
  'report-fold': { queue: 'maintenance', payload: z.object({}).loose(), retry: { attempts: 1, backoffMs: 0 } },
  // every few minutes (a job scheduler): verifies the audit chain from its last checkpoint; a failed run waits for the next
  'audit-verify': { queue: 'audit', payload: z.object({}).loose(), retry: { attempts: 1, backoffMs: 0 } },
  // every second (a job scheduler): fires the SLA warnings and breaches that are due (jobs/slaTimers.ts)
  'sla-sweep': { queue: 'sla', payload: z.object({}).loose(), retry: { attempts: 1, backoffMs: 0 } },
  // every minute (a job scheduler): ends website chats whose visitor went quiet (domain/webchat/inactivity.ts)
  'chat-inactivity': { queue: 'webchat', payload: z.object({}).loose(), retry: { attempts: 1, backoffMs: 0 } },
  // nightly (a job scheduler): anonymises closed conversations past their channel's retention; a failed run is redone the next night
  retention: { queue: 'privacy', payload: z.object({}).loose(), retry: { attempts: 1, backoffMs: 0 } },
} satisfies CommandJobs & Record<string, JobDefinition<z.ZodType> | AnyCommandJob>;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.output<(typeof JOBS)[N]['payload']>;

/** The payload of a job as its processor reads it; a payload that does not fit fails the job for good (no retry can fix it). */
export function parsePayload<N extends JobName>(name: N, data: unknown): JobPayload<N> {
  const parsed = JOBS[name].payload.safeParse(data);
  if (!parsed.success)
    throw new UnrecoverableError(`${name}: invalid payload (${parsed.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ')})`);
  return parsed.data as JobPayload<N>;
}
