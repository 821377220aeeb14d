/** Contacts and their identities on channels. */
import type { Tx } from '../client';

export type AuthorIdentity = { channelId: string; externalId: string; name: string; handle: string | null };

/** The contact behind an author on a channel, created on first sight; name and handle kept current. */
export async function upsertContactIdentity(tx: Tx, a: AuthorIdentity): Promise<{ contactId: string }> {
  const existing = await tx.selectFrom('contactIdentities').select(['id', 'contactId', 'name', 'handle'])
    .where('channelId', '=', a.channelId).where('externalId', '=', a.externalId).executeTakeFirst();
  if (existing) {
    if (existing.name !== a.name || existing.handle !== a.handle) {
      await tx.updateTable('contactIdentities').set({ name: a.name, handle: a.handle }).where('id', '=', existing.id).execute();
    }
    return { contactId: existing.contactId };
  }
  const contact = await tx.insertInto('contacts').values({ name: a.name }).returning('id').executeTakeFirstOrThrow();
  await tx.insertInto('contactIdentities').values({ contactId: contact.id, ...a }).execute();
  return { contactId: contact.id };
}
