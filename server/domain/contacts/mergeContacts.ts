/**
 * Two contacts found to be one person: the other contact's identities and conversations move to this one (new
 * posts from those identities then land here too), the other is marked as merged into it. Within
 * MERGE_UNDO_DAYS the merge can be undone: exactly what moved moves back. Both audited.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import {
  findContactMergeForUpdate,
  insertContactMerge,
  lockContacts,
  markContactMergeUndone,
  moveContactRows,
  setMergedInto,
} from '../../db/repositories/contactProfiles.repo';
import { BadRequest, Conflict, Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { mayWorkConversations } from '../conversations/transitionPolicy';
import { parseInput } from '../parseInput';

export const MERGE_UNDO_DAYS = 14;

export const mergeInput = z.object({ contactId: z.uuid(), otherContactId: z.uuid() }).strict();
export const undoMergeInput = z.object({ mergeId: z.uuid() }).strict();

type By = { actor: Actor; role: Role; user: { id: string } };

export async function mergeContacts(tx: Tx, raw: z.input<typeof mergeInput>, by: By) {
  const { contactId, otherContactId } = parseInput(mergeInput, raw, 'merge');
  if (!mayWorkConversations(by.role)) throw new Forbidden('Your role may not merge contacts');
  if (contactId === otherContactId) throw new BadRequest('A contact cannot be merged with itself');
  const locked = await lockContacts(tx, [contactId, otherContactId]);
  const kept = locked.find((c) => c.id === contactId);
  const other = locked.find((c) => c.id === otherContactId);
  if (!kept || !other) throw new NotFound('Contact');
  if (kept.mergedIntoId || other.mergedIntoId) throw new Conflict('One of the contacts was already merged into another');
  if (kept.erasedAt || other.erasedAt) throw new Conflict('An erased contact cannot be merged');
  const moved = await moveContactRows(tx, other.id, kept.id);
  await setMergedInto(tx, other.id, kept.id);
  const merge = await insertContactMerge(tx, { keptContactId: kept.id, mergedContactId: other.id, ...moved, mergedBy: by.user.id });
  const undoUntil = new Date(merge.mergedAt.getTime() + MERGE_UNDO_DAYS * 86_400_000);
  await appendAudit(tx, {
    actor: by.actor,
    action: 'contact.merged',
    subjectType: 'contact',
    subjectId: kept.id,
    after: { mergeId: merge.id, mergedContactId: other.id, identities: moved.identityIds.length, conversations: moved.conversationIds.length },
  });
  return { mergeId: merge.id, contactId: kept.id, mergedContactId: other.id, ...moved, undoUntil: undoUntil.toISOString() };
}

export async function undoMerge(tx: Tx, raw: z.input<typeof undoMergeInput>, by: By, now = new Date()) {
  const { mergeId } = parseInput(undoMergeInput, raw, 'merge');
  if (!mayWorkConversations(by.role)) throw new Forbidden('Your role may not merge contacts');
  const merge = await findContactMergeForUpdate(tx, mergeId);
  if (!merge) throw new NotFound('Merge');
  if (merge.undoneAt) throw new Conflict('This merge was already undone');
  if (now.getTime() > merge.mergedAt.getTime() + MERGE_UNDO_DAYS * 86_400_000) throw new Conflict(`A merge can be undone within ${MERGE_UNDO_DAYS} days`);
  const locked = await lockContacts(tx, [merge.keptContactId, merge.mergedContactId]);
  if (locked.some((c) => c.erasedAt)) throw new Conflict('An erased contact cannot be split again');
  const back = await moveContactRows(tx, merge.keptContactId, merge.mergedContactId, merge);
  await setMergedInto(tx, merge.mergedContactId, null);
  await markContactMergeUndone(tx, merge.id);
  await appendAudit(tx, {
    actor: by.actor,
    action: 'contact.merge_undone',
    subjectType: 'contact',
    subjectId: merge.keptContactId,
    after: { mergeId: merge.id, mergedContactId: merge.mergedContactId, identities: back.identityIds.length, conversations: back.conversationIds.length },
  });
  return { mergeId: merge.id, contactId: merge.keptContactId, restoredContactId: merge.mergedContactId, ...back };
}
