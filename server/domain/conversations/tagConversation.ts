/** Adding and removing tags (free or predefined) and setting the priority of a conversation; both audited. */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { addTags, removeTags, tagsOf } from '../../db/repositories/tags.repo';
import { updateWorkflow } from '../../db/repositories/conversationState.repo';
import { Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { mayWorkConversations } from './transitionPolicy';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';

/** Lower case, 1–40 letters, digits, spaces, `-` or `_`. */
export const tagName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]{0,39}$/u, 'a tag is 1–40 letters, digits, spaces, - or _');

export const tagsInput = z.object({
  conversationId: z.uuid(),
  add: z.array(tagName).max(20).default([]),
  remove: z.array(tagName).max(20).default([]),
});

export async function tagConversation(tx: Tx, effects: Effects, raw: z.input<typeof tagsInput>, by: { actor: Actor; role: Role }) {
  const input = parseInput(tagsInput, raw, 'tags');
  if (!mayWorkConversations(by.role)) throw new Forbidden('Your role may not tag conversations');
  const c = await lockConversation(tx, input.conversationId);
  if (!c) throw new NotFound('Conversation');
  const before = await tagsOf(tx, c.id);
  const add = [...new Set(input.add)].filter((t) => !input.remove.includes(t));
  await addTags(tx, c.id, add);
  await removeTags(tx, c.id, [...new Set(input.remove)]);
  const after = await tagsOf(tx, c.id);
  if (before.join('\n') !== after.join('\n')) {
    await appendAudit(tx, {
      actor: by.actor,
      action: 'conversation.tagged',
      subjectType: 'conversation',
      subjectId: c.id,
      channelId: c.channelId,
      before: { tags: before },
      after: { tags: after },
    });
    effects.publish({ type: 'conversation', conversationId: c.id, channelId: c.channelId, change: 'status' });
  }
  return { tags: after };
}

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const priorityInput = z.object({ conversationId: z.uuid(), priority: z.enum(PRIORITIES) });

export async function setPriority(tx: Tx, effects: Effects, raw: z.input<typeof priorityInput>, by: { actor: Actor; role: Role }) {
  const input = parseInput(priorityInput, raw, 'priority');
  if (!mayWorkConversations(by.role)) throw new Forbidden('Your role may not change the priority');
  const c = await lockConversation(tx, input.conversationId);
  if (!c) throw new NotFound('Conversation');
  if (c.priority === input.priority) return { priority: c.priority };
  await updateWorkflow(tx, c.id, { priority: input.priority });
  await appendAudit(tx, {
    actor: by.actor,
    action: 'conversation.priority_changed',
    subjectType: 'conversation',
    subjectId: c.id,
    channelId: c.channelId,
    before: { priority: c.priority },
    after: { priority: input.priority },
  });
  effects.publish({ type: 'conversation', conversationId: c.id, channelId: c.channelId, change: 'status' });
  return { priority: input.priority };
}
