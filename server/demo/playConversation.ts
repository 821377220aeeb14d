/**
 * Plays one planned conversation into the database the way it would really happen: inbound posts go
 * through the ingest pipeline (threading, reopening, audit), assignments and status changes are
 * audited under the staff member who made them, replies are stored as already delivered.
 */
import type { Tx } from '../db/client';
import { appendAudit } from '../db/repositories/audit.repo';
import { lockConversation, updateConversation } from '../db/repositories/conversations.repo';
import { insertMessage } from '../db/repositories/messages.repo';
import type { ConversationStatus } from '../db/schema';
import { systemActor, userActor, type Actor } from '../domain/audit/actor';
import { ingestInbound } from '../domain/conversations/ingestInbound';
import { statusAfterReply } from '../domain/conversations/status';
import { Effects } from '../domain/effects';
import type { DemoChannelKey } from './demoTexts';
import type { ConversationPlan, PlanStep, StaffRole } from './planConversations';

export type DemoCast = {
  staff: Record<StaffRole, { id: string; email: string; name: string }>;
  channels: Record<DemoChannelKey, { id: string; name: string }>;
};

type Target = { id: string; channelId: string };
type InboundStep = Extract<PlanStep, { kind: 'inbound' }>;

const outboundWorker = systemActor('worker:outbound');

export async function playConversation(tx: Tx, cast: DemoCast, plan: ConversationPlan): Promise<{ conversationId: string; messages: number }> {
  const channel = cast.channels[plan.channel];
  const channelActor: Actor = { type: 'api_channel', id: channel.id, label: channel.name };
  // Live events and jobs are collected and dropped: nobody is watching during the demo load.
  const effects = new Effects();
  let lastInbound: string | null = null;
  const ingest = async (step: InboundStep) => {
    const ingested = await ingestInbound(
      tx,
      effects,
      {
        channelId: channel.id,
        externalId: step.externalId,
        inReplyToExternalId: step.inReplyTo,
        author: { externalId: plan.customer.externalId, name: plan.customer.name, handle: plan.customer.handle },
        text: step.text,
        postedAt: step.at,
        raw: { source: 'demo', id: step.externalId, text: step.text },
      },
      channelActor,
    );
    lastInbound = step.externalId;
    return { id: ingested.conversationId, channelId: channel.id };
  };

  const [opening, ...rest] = plan.steps;
  if (opening?.kind !== 'inbound') throw new Error('A demo conversation starts with an inbound post');
  const conversation = await ingest(opening);
  for (const step of rest) {
    if (step.kind === 'inbound') {
      const threaded = await ingest(step);
      if (threaded.id !== conversation.id) throw new Error(`Demo post ${step.externalId} did not thread into its conversation`);
      continue;
    }
    const by = cast.staff[step.by];
    const actor = userActor(by);
    if (step.kind === 'assign') {
      await changeConversation(tx, conversation, { status: 'assigned', assigneeId: cast.staff[step.to].id }, actor);
    } else if (step.kind === 'status') {
      await changeConversation(tx, conversation, { status: step.to }, actor);
    } else {
      const message = await insertMessage(tx, {
        conversationId: conversation.id,
        channelId: channel.id,
        direction: 'outbound',
        externalId: step.externalId,
        inReplyToExternalId: lastInbound,
        authorName: by.name,
        authorHandle: null,
        authorUserId: by.id,
        text: step.text,
        url: null,
        postedAt: step.at,
        raw: null,
        deliveryState: 'sent',
        deliveryError: null,
        deliveryAttempts: 1,
        deliveredAt: step.at,
      });
      const audit = { channelId: channel.id, subjectType: 'conversation', subjectId: conversation.id };
      await appendAudit(tx, { ...audit, actor, action: 'reply.queued', after: { messageId: message.id, length: [...step.text].length } });
      await appendAudit(tx, {
        ...audit,
        actor: outboundWorker,
        action: 'message.delivered',
        after: { messageId: message.id, deliveryState: 'sent', externalId: step.externalId },
      });
      await changeConversation(tx, conversation, { status: statusAfterReply() }, actor);
    }
  }
  const messages = plan.steps.filter((s) => s.kind === 'inbound' || s.kind === 'reply').length;
  return { conversationId: conversation.id, messages };
}

/** Sets status (and assignee), auditing each actual change with its before and after values. */
async function changeConversation(tx: Tx, target: Target, to: { status: ConversationStatus; assigneeId?: string }, actor: Actor) {
  const current = await lockConversation(tx, target.id);
  if (!current) throw new Error(`Demo conversation ${target.id} vanished`);
  await updateConversation(tx, target.id, to);
  const audit = { actor, channelId: target.channelId, subjectType: 'conversation', subjectId: target.id };
  if (to.assigneeId !== undefined && to.assigneeId !== current.assigneeId) {
    await appendAudit(tx, { ...audit, action: 'conversation.assigned', before: { assigneeId: current.assigneeId }, after: { assigneeId: to.assigneeId } });
  }
  if (to.status !== current.status) {
    await appendAudit(tx, { ...audit, action: 'conversation.status_changed', before: { status: current.status }, after: { status: to.status } });
  }
}
