/** Canned responses (Textbausteine). */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { ChannelKind, Locale } from '../schema';

export type CannedFields = { title: string; shortcut: string; body: string; language: Locale; channelKinds: ChannelKind[] };

const COLUMNS = ['id', 'title', 'shortcut', 'body', 'language', 'channelKinds', 'usageCount', 'updatedAt'] as const;

export function listCanned(db: DbOrTx) {
  return db.selectFrom('cannedResponses').select(COLUMNS).where('retiredAt', 'is', null).orderBy('shortcut').execute();
}

export function findCanned(db: DbOrTx, id: string) {
  return db.selectFrom('cannedResponses').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function findCannedByShortcut(db: DbOrTx, shortcut: string) {
  return db.selectFrom('cannedResponses').select(COLUMNS).where('shortcut', '=', shortcut).where('retiredAt', 'is', null).executeTakeFirst();
}

/**
 * Matches by shortcut prefix or title/body words, for one channel kind (an empty kinds list means every
 * channel); most used first. `term` is bound as a parameter, and LIKE wildcards in it are escaped.
 */
export function searchCanned(db: DbOrTx, term: string, kind: ChannelKind, limit = 8) {
  const escaped = term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  return db
    .selectFrom('cannedResponses')
    .select(COLUMNS)
    .where('retiredAt', 'is', null)
    .where((eb) => eb.or([eb(sql`cardinality(channel_kinds)`, '=', 0), eb(sql`${kind}::text`, '=', sql`ANY(channel_kinds)`)]))
    .where((eb) => eb.or([eb('shortcut', 'like', `${escaped}%`), eb(sql`lower(title)`, 'like', `%${escaped}%`), eb(sql`lower(body)`, 'like', `%${escaped}%`)]))
    .orderBy(sql`shortcut = ${term.toLowerCase()}`, 'desc')
    .orderBy('usageCount', 'desc')
    .orderBy('shortcut')
    .limit(limit)
    .execute();
}

export function insertCanned(db: DbOrTx, c: CannedFields) {
  return db.insertInto('cannedResponses').values(c).returning(COLUMNS).executeTakeFirstOrThrow();
}

export function updateCanned(tx: Tx, id: string, c: CannedFields) {
  return tx
    .updateTable('cannedResponses')
    .set({ ...c, updatedAt: new Date() })
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirst();
}

export function incrementCannedUsage(tx: Tx, id: string) {
  return tx
    .updateTable('cannedResponses')
    .set((eb) => ({ usageCount: eb('usageCount', '+', 1) }))
    .where('id', '=', id)
    .returning(['id', 'usageCount'])
    .executeTakeFirst();
}

/** Retires a canned response (016_audit_oversight): the picker and lists stop offering it; sent replies keep their text. */
export function retireCanned(tx: Tx, id: string) {
  return tx
    .updateTable('cannedResponses')
    .set({ retiredAt: new Date() })
    .where('id', '=', id)
    .where('retiredAt', 'is', null)
    .returning(['id', 'title', 'shortcut'])
    .executeTakeFirst();
}
