/** Invitation and password-reset links: only the token's hash is stored. */
import type { DbOrTx } from '../client';
import type { PasswordLinkPurpose } from '../schema';

export function insertPasswordLink(
  db: DbOrTx,
  link: { userId: string; purpose: PasswordLinkPurpose; tokenHash: string; createdBy: string | null; expiresAt: Date },
) {
  return db.insertInto('passwordLinks').values(link).returning(['id', 'expiresAt']).executeTakeFirstOrThrow();
}

/** The link with its user, locked: using it and setting the password happen once, whoever races. */
export function findPasswordLinkByHash(db: DbOrTx, tokenHash: string) {
  return db
    .selectFrom('passwordLinks as l')
    .innerJoin('users as u', 'u.id', 'l.userId')
    .select(['l.id', 'l.userId', 'l.purpose', 'l.expiresAt', 'l.usedAt', 'l.revokedAt', 'u.email', 'u.name', 'u.deactivatedAt'])
    .where('l.tokenHash', '=', tokenHash)
    .forUpdate()
    .executeTakeFirst();
}

export function markPasswordLinkUsed(db: DbOrTx, id: string) {
  return db.updateTable('passwordLinks').set({ usedAt: new Date() }).where('id', '=', id).where('usedAt', 'is', null).execute();
}

/** Every open link of the user stops working (a newer link replaces them, or the user was deactivated). */
export async function revokeOpenPasswordLinks(db: DbOrTx, userId: string): Promise<number> {
  const rows = await db
    .updateTable('passwordLinks')
    .set({ revokedAt: new Date() })
    .where('userId', '=', userId)
    .where('usedAt', 'is', null)
    .where('revokedAt', 'is', null)
    .returning('id')
    .execute();
  return rows.length;
}

/** The newest link of the user, for the admin's page (whether an invitation is still open). */
export function latestPasswordLink(db: DbOrTx, userId: string) {
  return db
    .selectFrom('passwordLinks')
    .select(['purpose', 'createdAt', 'expiresAt', 'usedAt', 'revokedAt'])
    .where('userId', '=', userId)
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}
