/** Managing canned responses (managers; every change audited) and filling one in for a conversation. */
import { z } from 'zod';
import type { DbOrTx, Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findCanned, findCannedByShortcut, incrementCannedUsage, insertCanned, retireCanned, updateCanned } from '../../db/repositories/cannedResponses.repo';
import { findConversationDetail } from '../../db/repositories/conversations.repo';
import { can } from '../auth/permissions';
import { Conflict, Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { parseInput } from '../parseInput';
import { fillTemplate } from './fillTemplate';

const KINDS = ['api', 'x', 'whatsapp', 'telegram', 'email', 'webchat'] as const;

export const cannedInput = z.object({
  title: z.string().trim().min(1).max(120),
  shortcut: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a shortcut is 1–40 of a–z, 0–9, - or _'),
  body: z.string().trim().min(1).max(10_000),
  language: z.enum(['de', 'en']).default('de'),
  channelKinds: z.array(z.enum(KINDS)).max(KINDS.length).default([]),
});
export type CannedInput = z.input<typeof cannedInput>;

/** An edit names the canned response it changes. */
export const cannedEditInput = cannedInput.extend({ id: z.uuid() });
export type CannedEditInput = z.input<typeof cannedEditInput>;

function assertManager(role: Role) {
  if (!can(role, 'canned.manage')) throw new Forbidden('Only managers manage canned responses').showing('canned.managersOnly');
}

export async function createCannedResponse(tx: Tx, raw: CannedInput, by: { actor: Actor; role: Role }) {
  assertManager(by.role);
  const input = parseInput(cannedInput, raw, 'canned response');
  if (await findCannedByShortcut(tx, input.shortcut))
    throw new Conflict(`The shortcut /${input.shortcut} is taken`, { fields: { shortcut: 'taken' } }).showing('canned.shortcutTaken', {
      shortcut: input.shortcut,
    });
  const created = await insertCanned(tx, input);
  await appendAudit(tx, { actor: by.actor, action: 'canned_response.created', subjectType: 'canned_response', subjectId: created.id, after: input });
  return created;
}

export async function editCannedResponse(tx: Tx, raw: CannedEditInput, by: { actor: Actor; role: Role }) {
  assertManager(by.role);
  const { id, ...input } = parseInput(cannedEditInput, raw, 'canned response');
  const current = await findCanned(tx, id);
  if (!current) throw new NotFound('Canned response');
  const clash = await findCannedByShortcut(tx, input.shortcut);
  if (clash && clash.id !== id)
    throw new Conflict(`The shortcut /${input.shortcut} is taken`, { fields: { shortcut: 'taken' } }).showing('canned.shortcutTaken', {
      shortcut: input.shortcut,
    });
  const updated = await updateCanned(tx, id, input);
  const { title, shortcut, body, language, channelKinds } = current;
  await appendAudit(tx, {
    actor: by.actor,
    action: 'canned_response.updated',
    subjectType: 'canned_response',
    subjectId: id,
    before: { title, shortcut, body, language, channelKinds },
    after: input,
  });
  return updated!;
}

/** Retires a canned response (again: a no-op): no longer offered or listed, its shortcut free again; replies sent with it keep their text. */
export async function retireCannedResponse(tx: Tx, id: string, by: { actor: Actor; role: Role }) {
  assertManager(by.role);
  const current = await findCanned(tx, id);
  if (!current) throw new NotFound('Canned response');
  const retired = await retireCanned(tx, id);
  if (!retired) return current; // already retired: nothing changes
  await appendAudit(tx, { actor: by.actor, action: 'canned_response.retired', subjectType: 'canned_response', subjectId: id, after: retired });
  return retired;
}

/** The canned response's text with the conversation's values filled in (for the preview in the reply box). */
export async function fillCannedFor(db: DbOrTx, cannedId: string, conversationId: string, agent: { name: string }) {
  const [canned, conversation] = await Promise.all([findCanned(db, cannedId), findConversationDetail(db, conversationId)]);
  if (!canned) throw new NotFound('Canned response');
  if (!conversation) throw new NotFound('Conversation');
  return {
    canned,
    ...fillTemplate(canned.body, {
      contactName: conversation.contactName,
      agentName: agent.name,
      caseNumber: String(conversation.caseNumber),
      channelName: conversation.channelName,
    }),
  };
}

/** A canned response inserted into a reply counts as used when that reply is queued: call it in the reply's transaction. */
export async function recordCannedUse(tx: Tx, cannedId: string): Promise<void> {
  await incrementCannedUsage(tx, cannedId);
}
