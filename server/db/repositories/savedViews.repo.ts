/** Saved inbox views: a name and the inbox query string, per user. */
import type { DbOrTx } from '../client';

export function savedViewsQuery(db: DbOrTx, userId: string) {
  return db.selectFrom('savedViews').select(['id', 'name', 'query']).where('userId', '=', userId).orderBy('name');
}

export function listSavedViews(db: DbOrTx, userId: string) {
  return savedViewsQuery(db, userId).execute();
}

export function upsertSavedView(db: DbOrTx, v: { userId: string; name: string; query: string }) {
  return db
    .insertInto('savedViews')
    .values(v)
    .onConflict((oc) => oc.columns(['userId', 'name']).doUpdateSet({ query: v.query }))
    .returning(['id', 'name', 'query'])
    .executeTakeFirstOrThrow();
}

export function deleteSavedView(db: DbOrTx, userId: string, id: string) {
  return db.deleteFrom('savedViews').where('userId', '=', userId).where('id', '=', id).executeTakeFirst();
}
