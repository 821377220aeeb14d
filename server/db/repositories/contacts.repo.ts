/** Contacts and their identities on channels. */
import type { Tx } from '../client';

export type AuthorIdentity = { channelId: string; externalId: string; name: string; handle: string | null; avatarUrl?: string | null };

/** The contact behind an author on a channel, created on first sight; name and handle kept current. */
export async function upsertContactIdentity(tx: Tx, a: AuthorIdentity): Promise<{ contactId: string }> {
  const existing = await tx.selectFrom('contactIdentities').select(['id', 'contactId', 'name', 'handle', 'avatarUrl'])
    .where('channelId', '=', a.channelId).where('externalId', '=', a.externalId).executeTakeFirst();
  if (existing) {
    const avatarUrl = a.avatarUrl === undefined ? existing.avatarUrl : a.avatarUrl;
    if (existing.name !== a.name || existing.handle !== a.handle || existing.avatarUrl !== avatarUrl) {
      await tx.updateTable('contactIdentities').set({ name: a.name, handle: a.handle, avatarUrl }).where('id', '=', existing.id).execute();
    }
    return { contactId: existing.contactId };
  }
  const contact = await tx.insertInto('contacts').values({ name: a.name }).returning('id').executeTakeFirstOrThrow();
  await tx.insertInto('contactIdentities').values({ contactId: contact.id, ...a }).execute();
  return { contactId: contact.id };
}
