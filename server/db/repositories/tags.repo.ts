/** Tags on conversations (free text) and the predefined tags offered in pickers. */
import type { DbOrTx, Tx } from '../client';

export function listPredefinedTags(db: DbOrTx) {
  return db.selectFrom('tags').select('name').orderBy('name').execute();
}

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

/** Tags of many conversations at once, for the inbox rows. */
export async function tagsOfMany(db: DbOrTx, ids: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (!ids.length) return map;
  const rows = await db.selectFrom('conversationTags').select(['conversationId', 'tag']).where('conversationId', 'in', ids).orderBy('tag').execute();
  for (const r of rows) map.set(r.conversationId, [...(map.get(r.conversationId) ?? []), r.tag]);
  return map;
}
