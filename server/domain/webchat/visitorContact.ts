/** The e-mail address a visitor gave goes onto their contact (where it has none yet), so agents see how to reach them. */
import type { Tx } from '../../db/client';
import { findContact, updateContactFields } from '../../db/repositories/contactProfiles.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';

export async function rememberVisitorEmail(tx: Tx, conversationId: string, email: string): Promise<void> {
  const c = await lockConversation(tx, conversationId);
  const contact = c && (await findContact(tx, c.contactId));
  if (contact && !contact.email) await updateContactFields(tx, contact.id, { email });
}
