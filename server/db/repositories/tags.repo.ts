/** Tags on conversations (free text) and the predefined tags offered in pickers. */
import type { DbOrTx, Tx } from '../client';

/** The predefined tags by name (one of the workspace's lists: workspaceLists.repo.ts). */
export const predefinedTagsQuery = (db: DbOrTx) => db.selectFrom('tags').select('name').orderBy('name');

export function insertPredefinedTag(db: DbOrTx, name: string) {
  return db
    .insertInto('tags')
    .values({ name })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function tagsOf(db: DbOrTx, conversationId: string): Promise<string[]> {
  const rows = await db.selectFrom('conversationTags').select('tag').where('conversationId', '=', conversationId).orderBy('tag').execute();
  return rows.map((r) => r.tag);
}

export async function addTags(tx: Tx, conversationId: string, tags: string[]) {
  if (!tags.length) return;
  await tx
    .insertInto('conversationTags')
    .values(tags.map((tag) => ({ conversationId, tag })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function removeTags(tx: Tx, conversationId: string, tags: string[]) {
  if (!tags.length) return;
  await tx.deleteFrom('conversationTags').where('conversationId', '=', conversationId).where('tag', 'in', tags).execute();
}
