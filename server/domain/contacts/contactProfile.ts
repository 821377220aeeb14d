/** Everything the contact page and GET /api/v1/contacts/:id show about one person, read in one place. */
import type { DbOrTx } from '../../db/client';
import {
  findContact,
  findMergeSuggestions,
  listContactConversations,
  listContactIdentities,
  listContactMerges,
} from '../../db/repositories/contactProfiles.repo';
import { NotFound } from '../../errors';
import { MERGE_UNDO_DAYS } from './mergeContacts';

export async function loadContactProfile(db: DbOrTx, contactId: string, now = new Date()) {
  const contact = await findContact(db, contactId);
  if (!contact) throw new NotFound('Contact');
  const [identities, conversations, suggestions, merges] = await Promise.all([
    listContactIdentities(db, contactId),
    listContactConversations(db, contactId),
    contact.erasedAt ? [] : findMergeSuggestions(db, contactId),
    listContactMerges(db, contactId),
  ]);
  const undoUntil = (at: Date) => new Date(at.getTime() + MERGE_UNDO_DAYS * 86_400_000);
  return {
    contact,
    identities,
    conversations,
    suggestions,
    merges: merges.map((m) => ({ ...m, undoUntil: undoUntil(m.mergedAt), undoable: !m.undoneAt && undoUntil(m.mergedAt) > now })),
  };
}

export type ContactProfile = Awaited<ReturnType<typeof loadContactProfile>>;
