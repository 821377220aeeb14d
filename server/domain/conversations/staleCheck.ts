/**
 * Stale-form check: a form carries the conversation's updated_at as its version. If the row (locked by
 * the caller) has a different version, someone changed it meanwhile and the command refuses with 409.
 */
import type { Tx } from '../../db/client';
import { lastActorOn } from '../../db/repositories/conversationState.repo';
import { Conflict } from '../../errors';

export const versionOf = (updatedAt: Date) => updatedAt.toISOString();

export async function assertFresh(tx: Tx, conversation: { id: string; updatedAt: Date }, version: string | undefined): Promise<void> {
  if (version === undefined || Date.parse(version) === conversation.updatedAt.getTime()) return;
  const actor = await lastActorOn(tx, conversation.id);
  const who = actor ?? 'someone';
  throw new Conflict(`This conversation was changed meanwhile by ${who}. Reload it to see the change; nothing was changed.`, {
    changedBy: who,
    version: versionOf(conversation.updatedAt),
  }).showing(actor ? 'conv.changedMeanwhile' : 'conv.changedMeanwhileAnon', { who });
}
