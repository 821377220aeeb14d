/** The typed job table (jobs/definitions.ts): payloads are parsed before a processor runs, ids and run times come from the table. */
import { UnrecoverableError } from 'bullmq';
import { JOBS, parsePayload } from '../../../jobs/definitions';

const id = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

describe('the job table', () => {
  it('when a processor parses a valid payload, then it gets the typed data back', () => {
    expect(parsePayload('task-overdue', { taskId: id, runAt: '2026-11-23T10:00:00.000Z' })).toEqual({ taskId: id, runAt: '2026-11-23T10:00:00.000Z' });
    expect(parsePayload('poll-channel', { channelId: id })).toEqual({ channelId: id });
  });

  it('when a payload does not fit its job, then the job fails for good with the bad field named', () => {
    expect(() => parsePayload('deliver-reply', { messageId: 'nope' })).toThrow(UnrecoverableError);
    expect(() => parsePayload('conversation-reminder', { conversationId: id })).toThrow(/remindAt/);
  });

  it('when a command asks for a job, then its job id and run time come from the table', () => {
    const remindAt = '2026-11-23T10:00:00.000Z';
    expect(JOBS['conversation-reminder'].jobId({ conversationId: id, remindAt })).toBe(`conversation-reminder-${id}-${Date.parse(remindAt)}`);
    expect(JOBS['conversation-reminder'].runAt({ conversationId: id, remindAt })).toBe(remindAt);
    expect(JOBS['process-webhook'].jobId({ inboxId: id })).toBe(`process-webhook-${id}`);
    // a drain's id is new each time: a drain that failed for good keeps its id in Redis and would swallow the reconciler's
    expect(JOBS['drain-webhooks'].jobId({ inboxIds: [id] })).toMatch(new RegExp(`^drain-webhooks-${id}-\\d+$`));
  });

  it('when jobs share a queue, then only jobs of one kind of work do (one processor per queue)', () => {
    const byQueue = new Map<string, string[]>();
    for (const [name, d] of Object.entries(JOBS)) byQueue.set(d.queue, [...(byQueue.get(d.queue) ?? []), name]);
    expect(Object.fromEntries(byQueue)).toEqual({
      outbound: ['deliver-reply'],
      reminders: ['conversation-reminder'],
      sla: ['sla-sweep'],
      tasks: ['task-overdue'],
      webhooks: ['drain-webhooks', 'process-webhook'],
      poll: ['poll-channel'],
      maintenance: ['report-fold'],
      audit: ['audit-verify'],
      routing: ['route-conversations', 'routing-sweep'],
      alerts: ['deliver-alert', 'check-spikes', 'alert-sweep'],
      mail: ['report-mail'],
      webchat: ['chat-inactivity'],
      privacy: ['retention'],
    });
  });
});
