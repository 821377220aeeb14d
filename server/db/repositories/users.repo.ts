/** Users and their API tokens. */
import type { DbOrTx } from '../client';
import type { Locale, Role } from '../schema';

export function findUserByEmail(db: DbOrTx, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export function findUserById(db: DbOrTx, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listUsers(db: DbOrTx) {
  return db.selectFrom('users').select(['id', 'email', 'name', 'role']).orderBy('name').execute();
}

export function insertUser(db: DbOrTx, u: { email: string; name: string; role: Role; passwordHash: string; locale?: Locale }) {
  return db.insertInto('users').values({ ...u, email: u.email.toLowerCase() })
    .returning(['id', 'email', 'name', 'role', 'locale']).executeTakeFirstOrThrow();
}

export function setUserLocale(db: DbOrTx, id: string, locale: Locale) {
  return db.updateTable('users').set({ locale }).where('id', '=', id).execute();
}

export function insertApiToken(db: DbOrTx, userId: string, tokenHash: string) {
  return db.insertInto('apiTokens').values({ userId, tokenHash, lastUsedAt: null }).returning('id').executeTakeFirstOrThrow();
}

export function findUserByApiTokenHash(db: DbOrTx, tokenHash: string) {
  return db.selectFrom('apiTokens').innerJoin('users', 'users.id', 'apiTokens.userId')
    .select(['users.id', 'users.email', 'users.name', 'users.role', 'users.locale'])
    .where('apiTokens.tokenHash', '=', tokenHash).executeTakeFirst();
}
